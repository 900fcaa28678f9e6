// Edge runtime: the example Cloudflare Worker (examples/edge/) bundled with esbuild under the
// "workerd" condition and run in the real Workers runtime, workerd, started by Miniflare. workerd
// refuses to compile wasm from bytes, so the worker's answers show the package's workerd entry
// (a precompiled WebAssembly.Module) working. The answers must equal what Node computes with the
// same core and model. Prints the cold start and the per-request latency.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Miniflare } from "miniflare";
import { bundleWorker, COMPATIBILITY_DATE, type Bundle } from "../examples/edge/build.js";
import { Model } from "../bindings/model.js";
import { Vocabulary, type VocabularyJSON } from "../bindings/sequences/vocabulary.js";
import { suggestNext, NEVER_NEXT, type SuggestAnswer } from "../examples/edge/suggestions.js";
import { wasmPath } from "./helpers/wasm-path.js";

/** The core Node runs in this suite (test/helpers/setup.ts): the worker gets the same binary. */
const wasmFile = wasmPath();
const PREFIXES = ["", "jo", "Mar", "chris", "ann-", "x", "elizabet", "ka", "th", "zz"];


/** Starts workerd with `modules`, or fails with the reason workerd could not run here. */
async function startWorkerd(modules: Bundle["modules"]): Promise<Miniflare> {
  const mf = new Miniflare({ modules, compatibilityDate: COMPATIBILITY_DATE });
  try {
    await mf.ready;
    return mf;
  } catch (e) {
    await mf.dispose().catch(() => undefined);
    throw new Error(
      `workerd (the Workers runtime of the "workerd" package that miniflare depends on, installed by \`npm install\`) did not run the Worker: `
        + `${(e as Error).message.replace(/[.\s]+$/, "")}. workerd's own output above tells why: an uncaught error while the Worker's modules load, or workerd itself failing to start`,
      { cause: e },
    );
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

describe("Edge runtime (Cloudflare Workers, workerd via Miniflare)", function () {
  this.timeout(60000);
  let bundle: Bundle;
  let mf: Miniflare | null = null;
  let model: Model;
  let vocab: Vocabulary;
  const timings = { bundle: 0, start: 0, cold: 0 };
  let coldAnswer: { status: number; body: SuggestAnswer };

  const post = async (body: string): Promise<{ status: number; type: string; json: unknown }> => {
    const response = await mf!.dispatchFetch("http://localhost/suggest", { method: "POST", body, headers: { "content-type": "application/json" } });
    return { status: response.status, type: response.headers.get("content-type") ?? "", json: await response.json() };
  };
  const suggest = async (prefix: string, top?: number): Promise<SuggestAnswer> => {
    const { status, json } = await post(JSON.stringify(top === undefined ? { prefix } : { prefix, top }));
    assert.equal(status, 200, `POST /suggest ${JSON.stringify(prefix)}: ${JSON.stringify(json)}`);
    return json as SuggestAnswer;
  };

  /** What Node computes for the same model and prefix, with the Worker's own function. */
  const expected = (prefix: string, top = 5): SuggestAnswer => suggestNext(model, vocab, prefix, top);

  before(async function () {
    let t = performance.now();
    bundle = await bundleWorker({ wasmPath: wasmFile });
    timings.bundle = performance.now() - t;
    // The same bytes as a plain Uint8Array, as the worker gets them.
    model = Model.load(new Uint8Array(readFileSync(bundle.files.model)));
    vocab = Vocabulary.fromJSON(model.metadata["vocabulary"] as VocabularyJSON);
    t = performance.now();
    mf = await startWorkerd(bundle.modules);
    timings.start = performance.now() - t;
    // The cold start: the isolate's first request instantiates the core and loads the model.
    t = performance.now();
    const response = await mf.dispatchFetch("http://localhost/suggest", { method: "POST", body: JSON.stringify({ prefix: "jo" }) });
    timings.cold = performance.now() - t;
    coldAnswer = { status: response.status, body: (await response.json()) as SuggestAnswer };
  });

  after(async () => {
    await mf?.dispose();
    model?.dispose();
  });

  it("bundles the workerd entry of the package, with no eval or new Function, and a small model", () => {
    const script = bundle.modules[0]!.contents as string;
    assert.ok(script.includes("// dist/bindings/workerd.js"), "\"wasm-rnn\" resolved to the workerd entry");
    assert.doesNotMatch(script, /\beval\s*\(|\bnew\s+Function\s*\(/);
    assert.deepEqual(bundle.modules.map((m) => `${m.type} ${m.path}`).sort(), ["CompiledWasm release.wasm", "Data model.wrnn", "ESModule worker.js"]);
    assert.ok(bundle.sizes.model < 200 * 1024, `model.wrnn has ${bundle.sizes.model} bytes`);
  });

  it("refuses to compile wasm from bytes, so only a precompiled module can run the core", async () => {
    const probe = await startWorkerd([
      {
        type: "ESModule",
        path: "probe.js",
        contents: `import bytes from "./core.bin";
export default { async fetch() {
  try { await WebAssembly.compile(bytes); return new Response("compiled"); }
  catch (e) { return new Response(String(e)); }
} };`,
      },
      { type: "Data", path: "core.bin", contents: readFileSync(wasmFile) },
    ]);
    try {
      const text = await (await probe.dispatchFetch("http://localhost/")).text();
      assert.match(text, /CompileError.*disallowed/, text);
    } finally {
      await probe.dispose();
    }
  });

  it("serves next-character suggestions equal to Node's for the same model and prefix", async () => {
    assert.equal(coldAnswer.status, 200, JSON.stringify(coldAnswer.body));
    assert.deepEqual(coldAnswer.body, expected("jo"));
    for (const prefix of PREFIXES) {
      const answer = await suggest(prefix);
      assert.deepEqual(answer, expected(prefix), `prefix ${JSON.stringify(prefix)}`);
      assert.equal(answer.suggestions.length, 5);
      for (let i = 1; i < 5; i++) assert.ok(answer.suggestions[i - 1]!.p >= answer.suggestions[i]!.p);
      assert.ok(answer.completion.startsWith(prefix.toLowerCase()));
    }
    const all = await suggest("jo", vocab.size - NEVER_NEXT.length);
    assert.deepEqual(all, expected("jo", vocab.size - NEVER_NEXT.length));
    const total = all.suggestions.reduce((s, x) => s + x.p, 0);
    assert.ok(Math.abs(total - 1) < 1e-4, `the probabilities of every next character sum to ${total}`);
    assert.ok(all.suggestions.some((s) => s.next === "<eos>"));
  });

  it("serves a help text on GET /", async () => {
    const response = await mf!.dispatchFetch("http://localhost/");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
    const text = await response.text();
    assert.match(text, /POST \/suggest/);
    assert.ok(text.includes(`${model.parameterCount} parameters`), text);
    assert.match(text, /core: plain SIMD build/);
    // Workers have no threads for wasm: init() runs each batch whole and says why.
    assert.match(text, /threads: 1 \(1 slice per batch\); no worker threads here: \S/);
    console.log(`      ${text.split("\n").find((line) => line.startsWith("threads:"))}`);
  });

  it("answers bad requests with 400 and a message naming the problem, and keeps serving", async () => {
    const cases: [string, RegExp][] = [
      ["{not json", /the body must be JSON/],
      ["[1, 2]", /must be a JSON object/],
      ["{}", /prefix must be a string; got nothing/],
      [JSON.stringify({ prefix: 42 }), /prefix must be a string; got 42/],
      [JSON.stringify({ prefix: "J0hn" }), /unknown character "0" at position 1; the model knows only "-abcdefghijklmnopqrstuvwxyz"/],
      [JSON.stringify({ prefix: "zoë" }), /unknown character "ë" at position 2/],
      [JSON.stringify({ prefix: "a".repeat(33) }), /at most 32 characters; got 33/],
      [JSON.stringify({ prefix: "jo", top: 0 }), new RegExp(`top must be an integer from 1 to ${vocab.size - NEVER_NEXT.length}; got 0`)],
      [JSON.stringify({ prefix: "jo", top: 2.5 }), /top must be an integer/],
      [JSON.stringify({ prefix: "jo", tpo: 3 }), /unknown field "tpo"/],
    ];
    for (const [body, message] of cases) {
      const { status, type, json } = await post(body);
      assert.equal(status, 400, `${body}: ${JSON.stringify(json)}`);
      assert.match(type, /^application\/json/);
      assert.match((json as { error: string }).error, message, body);
    }
    const wrongMethod = await mf!.dispatchFetch("http://localhost/suggest");
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "POST");
    await wrongMethod.arrayBuffer();
    const missing = await mf!.dispatchFetch("http://localhost/nope");
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: string }).error, /no route \/nope/);
    assert.deepEqual(await suggest("jo"), expected("jo"));
  });

  it("prints the cold start and the per-request latency", async () => {
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const prefix = PREFIXES[i % PREFIXES.length]!;
      const t = performance.now();
      await suggest(prefix);
      times.push(performance.now() - t);
    }
    const baseline: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await (await mf!.dispatchFetch("http://localhost/nope")).arrayBuffer();
      baseline.push(performance.now() - t);
    }
    const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`;
    console.log(
      `      edge (workerd via Miniflare): bundle ${kb(bundle.sizes.script)} script + ${kb(bundle.sizes.wasm)} wasm + ${kb(bundle.sizes.model)} model, `
        + `esbuild ${timings.bundle.toFixed(0)} ms, workerd start ${timings.start.toFixed(0)} ms\n`
        + `      cold start (first request: instantiate the core, load the model, answer): ${timings.cold.toFixed(1)} ms\n`
        + `      POST /suggest over ${times.length} requests: median ${median(times).toFixed(2)} ms, p90 ${quantile(times, 0.9).toFixed(2)} ms `
        + `(a 404 round trip without the model: median ${median(baseline).toFixed(2)} ms)`,
    );
    assert.ok(median(times) < 500, `median latency ${median(times).toFixed(1)} ms`);
  });
});
