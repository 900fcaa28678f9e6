// The browser runtime, for real: Debian's Chromium (installed by scripts/ensure-chromium.sh when
// missing), driven headless by playwright-core, opens the example page examples/browser/ served by
// its own static server on 127.0.0.1. The page trains the name generator; the test checks that the
// loss falls, that the page keeps drawing frames and answering while it trains, that Stop works
// between batches, that no request leaves the server, takes a screenshot into test-output/, and
// that the browser's numbers are bit-identical to Node's for the same seeds and the same binary.
// Run by `npm run test:runtimes` (.ci/run runs it after npm test); .mocharc.json keeps it out of `npm test`.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { serveExample, type StaticServer } from "../examples/browser/server.js";
import type { PageState } from "../examples/browser/main.js";
import type { ReferenceRun } from "../examples/browser/reference.js";
import { Model, LSTM, Dense, init } from "../bindings/index.js";

/** The repository root: this file runs as dist/test/runtimes-browser.test.js. */
const root = new URL("../../", import.meta.url);
const CHROMIUM = "/usr/bin/chromium";
/** Headless, and no background traffic: without these flags Chromium keeps calling Google's hosts, which a closed CI network refuses. */
const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
/** Epochs compared with Node (29 batches each). */
const COMPARED_EPOCHS = 2;

/** Trains the page's model in a Node child process on `build/<wasm>.wasm` (with init's `threads`) and returns its numbers. */
async function nodeReference(wasm: "release" | "release-relaxed" | "release-threads" | "release-threads-relaxed", threads?: number): Promise<ReferenceRun> {
  const script = fileURLToPath(new URL("dist/examples/browser/reference.js", root));
  const wasmPath = fileURLToPath(new URL(`build/${wasm}.wasm`, root));
  const threadArgs = threads === undefined ? [] : ["--threads", String(threads)];
  const { stdout } = await promisify(execFile)(process.execPath, [script, "--epochs", String(COMPARED_EPOCHS), "--wasm", wasmPath, ...threadArgs]);
  return JSON.parse(stdout) as ReferenceRun;
}

const state = (page: Page): Promise<PageState> => page.evaluate(() => window.__wasmRnn);

/** Waits until the page's state satisfies `done` (polled every frame), failing early on a page error. */
async function waitForState(page: Page, done: string, timeout: number): Promise<PageState> {
  await page.waitForFunction(`(() => { const s = window.__wasmRnn; return s !== undefined && (s.status === "error" || (${done})); })()`, null, { timeout });
  const s = await state(page);
  assert.equal(s.error, null, `the page failed: ${s.error}`);
  return s;
}

/** The first COMPARED_EPOCHS epochs of a page run, in the reference's shape. */
function firstEpochs(s: PageState): Omit<ReferenceRun, "core" | "trainingMs"> {
  return {
    batchLosses: s.batchLosses.slice(0, COMPARED_EPOCHS * s.batchesPerEpoch),
    epochLosses: s.epochLosses.slice(0, COMPARED_EPOCHS),
    samples: s.samples.slice(0, COMPARED_EPOCHS),
  };
}

function assertSameNumbers(browser: PageState, node: ReferenceRun, what: string): void {
  const b = firstEpochs(browser);
  assert.equal(b.batchLosses.length, node.batchLosses.length, `${what}: batches compared`);
  const maxDiff = Math.max(...b.batchLosses.map((loss, i) => Math.abs(loss - node.batchLosses[i]!)));
  assert.deepEqual(b.batchLosses, node.batchLosses, `${what}: batch losses differ from Node's (largest difference ${maxDiff})`);
  assert.deepEqual(b.epochLosses, node.epochLosses, `${what}: epoch losses`);
  assert.deepEqual(b.samples, node.samples, `${what}: sampled names`);
}

describe("Browser runtime (headless Chromium)", function () {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  const problems: string[] = [];

  before(async function () {
    this.timeout(20 * 60_000); // installing Chromium takes about a minute
    execFileSync("bash", [fileURLToPath(new URL("scripts/ensure-chromium.sh", root))], { stdio: "inherit" });
    server = await serveExample({ root: fileURLToPath(root) });
    // Playwright starts Chromium with a fresh, empty --user-data-dir of its own (deleted on close)
    // and, given executablePath, never downloads a browser.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    context = await browser.newContext({ viewport: { width: 800, height: 960 } });
  });

  after(async function () {
    await browser?.close();
    await server?.close();
  });

  async function open(query: string): Promise<Page> {
    const page = await context.newPage();
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console error: ${m.text()}`);
    });
    page.on("request", (r) => {
      if (!r.url().startsWith(server!.origin + "/") && !r.url().startsWith("data:")) problems.push(`request outside the server: ${r.url()}`);
    });
    await page.goto(server!.url + query);
    return page;
  }

  it("trains the name generator in the page: the loss falls, the page stays responsive, the numbers equal Node's", async function () {
    this.timeout(90_000);
    const page = await open("");
    const started = await waitForState(page, `s.status === "training" && s.epochLosses.length >= 1`, 30_000);
    const reference = nodeReference(started.core === "relaxed" ? "release-relaxed" : "release");

    // While it trains, the page draws frames and answers within a frame or two.
    const frames0 = started.frames;
    const t0 = performance.now();
    let slowestAnswer = 0;
    for (let i = 0; i < 10; i++) {
      const asked = performance.now();
      await page.evaluate(() => window.__wasmRnn.frames);
      slowestAnswer = Math.max(slowestAnswer, performance.now() - asked);
      await new Promise((r) => setTimeout(r, 100));
    }
    const during = await state(page);
    assert.equal(during.status, "training", "training should still run while responsiveness is measured");
    const fps = (during.frames - frames0) / ((performance.now() - t0) / 1000);
    assert.ok(fps >= 20, `the page drew ${fps.toFixed(1)} frames/s while training`);
    assert.ok(slowestAnswer < 500, `the page took ${slowestAnswer.toFixed(0)} ms to answer while training`);

    const done = await waitForState(page, `s.status === "done"`, 60_000);
    assert.equal(done.epochLosses.length, done.epochs);
    const first = done.epochLosses[0]!;
    const last = done.epochLosses[done.epochLosses.length - 1]!;
    assert.ok(last < 0.6 * first, `epoch loss ${first} -> ${last}`);
    assert.ok(done.epochLosses.every(Number.isFinite));
    assert.ok(done.longestFrameGapMs < 500, `longest gap between frames while training: ${done.longestFrameGapMs} ms`);
    const names = done.samples[done.samples.length - 1]!.names;
    assert.equal(names.length, 6);
    for (const name of names) assert.match(name, /^[a-z]*$/);
    assert.match(await page.textContent("#status") ?? "", /^Done: 60 epochs/);

    const shot = new URL("test-output/browser-name-generator.png", root);
    await mkdir(new URL(".", shot), { recursive: true });
    await page.screenshot({ path: fileURLToPath(shot), fullPage: true });

    // The same numbers as Node with the same binary: every batch loss and every sampled name.
    const node = await reference;
    assert.equal(node.core, done.core);
    assertSameNumbers(done, node, `${done.core} core`);

    // Train again, then Stop between batches: the click is handled while fit runs, and the rerun repeats the first run.
    await page.click("#restart");
    const rerun = await waitForState(page, `s.status === "training" && s.epochLosses.length >= ${COMPARED_EPOCHS}`, 30_000);
    assertSameNumbers(rerun, node, "the rerun in the same page");
    const clicked = performance.now();
    await page.click("#stop");
    const stopped = await waitForState(page, `s.status === "stopped"`, 5_000);
    const stopMs = performance.now() - clicked;
    assert.ok(stopped.epochLosses.length < stopped.epochs, "Stop should end the run early");
    assert.ok(stopMs < 1000, `Stop took ${stopMs.toFixed(0)} ms`);

    console.log(`      Chromium ${browser!.version()}, ${done.core} core: ${done.epochs} epochs in `
      + `${(done.trainingMs / 1000).toFixed(1)} s, `
      + `loss ${first.toFixed(3)} -> ${last.toFixed(3)}, ${fps.toFixed(0)} frames/s, longest frame gap ${done.longestFrameGapMs.toFixed(0)} ms, `
      + `slowest answer ${slowestAnswer.toFixed(0)} ms, Stop in ${stopMs.toFixed(0)} ms; screenshot ${fileURLToPath(shot)}`);
    await page.close();
    assert.deepEqual(problems, []);
  });

  it("computes the same numbers as Node with the plain SIMD binary", async function () {
    this.timeout(60_000);
    const reference = nodeReference("release");
    const page = await open(`?core=plain&epochs=${COMPARED_EPOCHS}`);
    const done = await waitForState(page, `s.status === "done"`, 30_000);
    assert.equal(done.core, "plain");
    assert.equal(done.threads, 1);
    assert.match(done.threadsUnavailable ?? "", /not cross-origin isolated/, "without COOP/COEP the page has no SharedArrayBuffer");
    const node = await reference;
    assert.equal(node.core, "plain");
    assertSameNumbers(done, node, "plain core");
    await page.close();
    assert.deepEqual(problems, []);
  });

  it("loads a model from a URL, saves it to IndexedDB and loads it back, bit for bit (loadFromUrl, saveToIndexedDB, loadFromIndexedDB)", async function () {
    this.timeout(60_000);
    await init(await readFile(fileURLToPath(new URL("build/release.wasm", root))));
    const model = new Model({ layers: [new LSTM({ inputSize: 3, units: 6, seed: 4 }), new Dense({ inputSize: 6, units: 2, seed: 5 })], loss: "meanSquaredError" });
    const x = { shape: [5, 2, 3], data: Float32Array.from({ length: 30 }, (_, i) => Math.sin(i)) };
    model.trainOnBatch(x, { shape: [5, 2, 2], data: Float32Array.from({ length: 20 }, (_, i) => Math.cos(i)) });
    const bytes = model.save();
    const expected = Array.from(model.predict(x).data);
    model.dispose();
    const file = new URL("dist/test-output/storage-model.wrnn", root);
    await mkdir(new URL(".", file), { recursive: true });
    await writeFile(file, bytes);

    const page = await open(`?core=plain&epochs=1`);
    await waitForState(page, `s.status === "done"`, 30_000);
    const result = await page.evaluate(async ({ url, x, bindings }) => {
      const api = await import(bindings) as typeof import("../bindings/index.js");
      const input = { shape: x.shape, data: Float32Array.from(x.data) };
      const fetched = await api.loadFromUrl(url);
      const fromUrl = Array.from(fetched.predict(input).data);
      const stored = await api.saveToIndexedDB("storage-test", fetched);
      const fetchedBytes = Array.from(fetched.save());
      fetched.dispose();
      const back = await api.loadFromIndexedDB("storage-test");
      const fromDb = Array.from(back.predict(input).data);
      const dbBytes = Array.from(back.save());
      back.dispose();
      const removed = [await api.removeFromIndexedDB("storage-test"), await api.removeFromIndexedDB("storage-test")];
      const missing = await api.loadFromIndexedDB("storage-test").then(() => "loaded", (e: Error) => `${e.name}: ${e.message}`);
      return { fromUrl, fromDb, stored, sameBytes: fetchedBytes.length === dbBytes.length && fetchedBytes.every((b, i) => b === dbBytes[i]), fileBytes: fetchedBytes.length, removed, missing };
    }, { url: `${server!.origin}/dist/test-output/storage-model.wrnn`, x: { shape: x.shape, data: Array.from(x.data) }, bindings: "/dist/bindings/index.js" });
    assert.deepEqual(result.fromUrl, expected, "the page's predictions of the fetched model differ from Node's (plain core both)");
    assert.deepEqual(result.fromDb, expected, "the model loaded from IndexedDB predicts differently");
    assert.ok(result.sameBytes, "the model loaded from IndexedDB saves different bytes");
    assert.equal(result.fileBytes, bytes.length);
    assert.deepEqual([result.stored.name, result.stored.bytes], ["storage-test", bytes.length]);
    assert.deepEqual(result.removed, [true, false]);
    assert.equal(result.missing, `RangeError: loadFromIndexedDB: no model named "storage-test" in IndexedDB (database "wasm-rnn")`);
    await page.close();
    assert.deepEqual(problems, []);
  });

  it("runs the README's quick start as written (examples/browser/quick-start.html) and keeps its model in IndexedDB", async function () {
    this.timeout(60_000);
    const page = await context.newPage();
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    const lines: string[] = [];
    const finished = new Promise<void>((resolve) => {
      page.on("console", (m) => {
        lines.push(m.text());
        if (m.text().startsWith("P(sum > 0)")) resolve();
      });
    });
    await page.goto(`${server!.origin}/examples/browser/quick-start.html`);
    await finished;
    assert.ok(lines.some((l) => /^Epoch 1\/60 - [\d.]+s - loss: [\d.]+ - accuracy: /.test(l)), `a line per epoch in the page's console: ${lines.slice(0, 3).join(" | ")}`);
    const epochs = Number(/^(\d+) epochs, validation accuracy/.exec(lines.find((l) => /epochs, validation accuracy/.test(l)) ?? "")?.[1]);
    assert.ok(epochs > 5 && epochs < 60, `early stopping after ${epochs} epochs`);
    const stored = await page.evaluate(async (bindings) => {
      const api = await import(bindings) as typeof import("../bindings/index.js");
      const model = await api.loadFromIndexedDB("sign-of-sum");
      try {
        return { batchFirst: model.batchFirst, parameters: model.parameterCount, metrics: [...model.metrics] };
      } finally {
        model.dispose();
      }
    }, "/dist/bindings/index.js");
    assert.deepEqual(stored, { batchFirst: true, parameters: 338, metrics: ["accuracy"] });
    await page.close();
    assert.deepEqual(problems, []);
  });

  it("trains on 2 threads where the page is cross-origin isolated (COOP/COEP), with the same numbers as Node on 2 threads", async function () {
    this.timeout(90_000);
    const isolated = await serveExample({ root: fileURLToPath(root), isolated: true });
    try {
      for (const core of ["plain", "auto"] as const) {
        const page = await context.newPage();
        page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
        await page.goto(`${isolated.url}?core=${core}&threads=2&epochs=${COMPARED_EPOCHS}`);
        const done = await waitForState(page, `s.status === "done"`, 60_000);
        assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);
        assert.deepEqual([done.threads, done.slices, done.threadsUnavailable], [2, 2, null], "the page trains on the main thread and one worker");
        const node = await nodeReference(done.core === "relaxed" ? "release-threads-relaxed" : "release-threads", 2);
        assertSameNumbers(done, node, `2 threads, ${done.core} core`);
        console.log(`      cross-origin isolated page, 2 threads, ${done.core} threads build: ${done.epochs} epochs in ${(done.trainingMs / 1000).toFixed(1)} s (Node on 2 threads: ${(node.trainingMs / 1000).toFixed(1)} s)`);
        await page.close();
      }
    } finally {
      await isolated.close();
    }
    assert.deepEqual(problems, []);
  });
});
