// A Cloudflare Worker that serves a saved wasm-rnn model: next-character suggestions for English
// first names (the model train-model.ts makes). `import ... from "wasm-rnn"` resolves, under the
// bundler's "workerd" condition, to the package's workerd entry, whose init() instantiates the core
// from a precompiled WebAssembly.Module (Workers cannot compile wasm from bytes). The model's bytes
// arrive as an ArrayBuffer module (a "Data" module rule for *.wrnn).
//
//   GET  /          a short help text
//   POST /suggest   {"prefix": "jo", "top": 5}
//                -> {"prefix": "jo", "suggestions": [{"next": "s", "p": 0.155}, ...], "completion": "jose"}
import { init, coreInfo, Model, Vocabulary, type VocabularyJSON } from "wasm-rnn";
import modelBytes from "./model.wrnn";
import { suggestNext, NEVER_NEXT } from "./suggestions.js";

/** Longest prefix accepted (the longest name in the data has 15 characters). */
const MAX_PREFIX = 32;
const DEFAULT_TOP = 5;

interface Loaded {
  model: Model;
  vocab: Vocabulary;
  /** The characters the model knows, for error messages. */
  alphabet: string;
}

/** One model per isolate, loaded on the first request (the cold start) and kept for the next ones. */
let loading: Promise<Loaded> | null = null;

function load(): Promise<Loaded> {
  loading ??= (async () => {
    await init();
    const model = Model.load(new Uint8Array(modelBytes));
    const vocab = Vocabulary.fromJSON(model.metadata["vocabulary"] as VocabularyJSON);
    const alphabet = vocab.tokens.filter((_, id) => id >= 4).sort().join("");
    return { model, vocab, alphabet };
  })().catch((e: unknown) => {
    loading = null; // let the next request try again
    throw e;
  });
  return loading;
}

class BadRequest extends Error {}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body) + "\n", { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}

/** A BadRequest naming the prefix's first character the model does not know, if any. */
function checkPrefix({ vocab, alphabet }: Loaded, prefix: string): void {
  const chars = [...prefix.toLowerCase()];
  const bad = chars.findIndex((c) => c.length !== 1 || !vocab.has(c) || vocab.idOf(c) < 4);
  if (bad >= 0) {
    throw new BadRequest(`prefix: unknown character ${JSON.stringify(chars[bad])} at position ${bad}; the model knows only "${alphabet}" (case is ignored)`);
  }
}

async function readSuggestRequest(request: Request, V: number): Promise<{ prefix: string; top: number }> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch (e) {
    throw new BadRequest(`the body must be JSON such as {"prefix": "jo"}: ${(e as Error).message}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new BadRequest(`the body must be a JSON object such as {"prefix": "jo"}`);
  const { prefix, top = DEFAULT_TOP, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new BadRequest(`unknown field ${JSON.stringify(unknown[0])}; expected "prefix" and optionally "top"`);
  if (typeof prefix !== "string") throw new BadRequest(`prefix must be a string; got ${prefix === undefined ? "nothing" : JSON.stringify(prefix)}`);
  if (prefix.length > MAX_PREFIX) throw new BadRequest(`prefix must have at most ${MAX_PREFIX} characters; got ${prefix.length}`);
  const maxTop = V - NEVER_NEXT.length;
  if (typeof top !== "number" || !Number.isInteger(top) || top < 1 || top > maxTop) {
    throw new BadRequest(`top must be an integer from 1 to ${maxTop}; got ${JSON.stringify(top)}`);
  }
  return { prefix, top };
}

/** The `top` most likely next characters after BOS + prefix, and the greedy completion of the name. */
async function suggest(request: Request): Promise<Response> {
  const loaded = await load();
  const { model, vocab } = loaded;
  const { prefix, top } = await readSuggestRequest(request, vocab.size);
  checkPrefix(loaded, prefix);
  return json(suggestNext(model, vocab, prefix, top));
}

async function help(): Promise<Response> {
  const { model } = await load();
  const info = coreInfo();
  const meta = model.metadata as { description?: string; architecture?: string; heldOutBitsPerChar?: number };
  const text = [
    "wasm-rnn on the edge: next-character suggestions for English first names.",
    "",
    `POST /suggest  {"prefix": "jo", "top": ${DEFAULT_TOP}}`,
    `  -> {"prefix": "jo", "suggestions": [{"next": "s", "p": 0.155}, ...], "completion": "jose"}`,
    "  next is a character, or <eos> when the name may end there; completion is the greedy continuation.",
    "",
    `model: ${meta.architecture ?? "?"}, ${model.parameterCount} parameters, ${meta.heldOutBitsPerChar ?? "?"} bits per character on held-out names`,
    `       ${meta.description ?? ""}`,
    `core: ${info.relaxedSimd ? "relaxed" : "plain"} SIMD build (this runtime ${info.relaxedSimdSupported ? "validates" : "does not validate"} relaxed SIMD)`,
    `threads: ${info.threads} (${info.slices} slice${info.slices > 1 ? "s" : ""} per batch)${info.threadsUnavailable === null ? "" : `; no worker threads here: ${info.threadsUnavailable}`}`,
    "",
  ].join("\n");
  return new Response(text, { headers: { "content-type": "text/plain; charset=utf-8" } });
}

export default {
  async fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    try {
      if (pathname === "/") {
        if (request.method !== "GET" && request.method !== "HEAD") return json({ error: "use GET /" }, 405, { allow: "GET, HEAD" });
        return await help();
      }
      if (pathname === "/suggest") {
        if (request.method !== "POST") return json({ error: `use POST /suggest with a JSON body such as {"prefix": "jo"}` }, 405, { allow: "POST" });
        return await suggest(request);
      }
      return json({ error: `no route ${pathname}; see GET /` }, 404);
    } catch (e) {
      if (e instanceof BadRequest) return json({ error: e.message }, 400);
      return json({ error: `internal error: ${(e as Error).message}` }, 500);
    }
  },
};
