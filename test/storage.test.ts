// Issue 14, item 8 (Node's part): loadFromUrl fetches a model file from a local HTTP server and
// rebuilds it bit for bit; a failed response, a wrong SHA-256, a corrupt or truncated file are
// refused with errors naming loadFromUrl and nothing is built; IndexedDB's helpers say clearly
// that Node has no IndexedDB. The IndexedDB round trip itself runs in Chromium
// (test/runtimes-browser.test.ts).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { Model } from "../bindings/model.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { Dense } from "../bindings/layers/dense.js";
import { loadFromUrl } from "../bindings/storage/url.js";
import { saveToIndexedDB, loadFromIndexedDB, removeFromIndexedDB } from "../bindings/storage/indexeddb.js";
import { memoryInfo } from "../bindings/core.js";
import { randomArray } from "./helpers/random.js";

const x = { shape: [4, 3, 2], data: randomArray(24, 5) };

function model(): Model {
  return new Model({ layers: [new LSTM({ inputSize: 2, units: 5, seed: 1 }), new Dense({ inputSize: 5, units: 2, seed: 2 })], loss: "meanSquaredError" });
}

/** Strings of hex digits. */
const hex = (size: { minLength: number; maxLength: number }): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), ...size });

describe("loadFromUrl", () => {
  let server: Server;
  let origin: string;
  const files = new Map<string, Uint8Array>();
  let saved: Model;
  let bytes: Uint8Array;

  before(async () => {
    saved = model();
    saved.trainOnBatch(x, { shape: [4, 3, 2], data: randomArray(24, 6) });
    bytes = saved.save();
    files.set("/model.wrnn", bytes);
    files.set("/truncated.wrnn", bytes.subarray(0, bytes.length - 7));
    const flipped = bytes.slice();
    flipped[flipped.length - 3]! ^= 0x10;
    files.set("/flipped.wrnn", flipped);
    server = createServer((request, response) => {
      const file = files.get(request.url ?? "");
      if (file === undefined) {
        response.writeHead(404, "Not Found").end();
        return;
      }
      response.writeHead(200, { "content-type": "application/octet-stream" }).end(file);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    saved.dispose();
    await new Promise((resolve) => server.close(resolve));
  });

  it("fetches and rebuilds the saved model bit for bit (optimizer state included), from a string or a URL, with or without sha256", async () => {
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    for (const [url, options] of [[`${origin}/model.wrnn`, {}], [new URL("/model.wrnn", origin), { sha256 }], [`${origin}/model.wrnn`, { sha256: sha256.toUpperCase() }]] as const) {
      const loaded = await loadFromUrl(url, options);
      try {
        assert.deepEqual(loaded.save(), bytes);
        assert.deepEqual(loaded.predict(x).data, saved.predict(x).data);
      } finally {
        loaded.dispose();
      }
    }
  });

  it("uses the fetch and init it is given", async () => {
    const seen: [string, RequestInit | undefined][] = [];
    const init = { headers: { authorization: "Bearer t" } };
    const loaded = await loadFromUrl(`${origin}/model.wrnn`, { init, fetch: (input, i) => { seen.push([input, i]); return fetch(input, i); } });
    loaded.dispose();
    assert.deepEqual(seen, [[`${origin}/model.wrnn`, init]]);
  });

  it("refuses a failed response, a wrong SHA-256 and a corrupt or truncated file, building nothing", async () => {
    const before = memoryInfo().inUseBytes;
    await assert.rejects(loadFromUrl(`${origin}/missing.wrnn`), /^Error: loadFromUrl: http:\/\/127\.0\.0\.1:\d+\/missing\.wrnn answered HTTP 404 Not Found$/);
    await assert.rejects(loadFromUrl(`${origin}/model.wrnn`, { sha256: "0".repeat(64) }), (e: unknown) => e instanceof RangeError && /^loadFromUrl: the \d+ bytes from .* have SHA-256 [0-9a-f]{64}; expected 0{64}$/.test(e.message));
    for (const name of ["truncated", "flipped"]) {
      await assert.rejects(loadFromUrl(`${origin}/${name}.wrnn`), (e: unknown) => e instanceof RangeError && e.message.startsWith(`loadFromUrl: ${origin}/${name}.wrnn: `), name);
    }
    assert.equal(memoryInfo().inUseBytes, before, "a refused file left wasm memory allocated");
  });

  it("refuses bad arguments with a TypeError naming loadFromUrl and the argument", async () => {
    await fc.assert(fc.asyncProperty(
      fc.oneof(fc.integer(), fc.constant(null), fc.object(), fc.boolean()),
      fc.oneof(fc.string(), fc.integer(), hex({ minLength: 63, maxLength: 63 }), hex({ minLength: 65, maxLength: 70 })),
      async (url, sha256) => {
        await assert.rejects(loadFromUrl(url as unknown as string), (e: unknown) => e instanceof TypeError && e.message.startsWith("loadFromUrl: url must be a string or a URL; got "));
        await assert.rejects(loadFromUrl(`${origin}/model.wrnn`, { sha256: sha256 as string }), (e: unknown) => e instanceof TypeError && e.message.startsWith("loadFromUrl: sha256 must be 64 hex digits; got "));
      },
    ), { seed: 14, numRuns: 50 });
    await assert.rejects(loadFromUrl(`${origin}/model.wrnn`, { fetch: 3 } as never), /^TypeError: loadFromUrl: fetch must be a function/);
    await assert.rejects(loadFromUrl(`${origin}/model.wrnn`, { sha: "x" } as never), /^TypeError: loadFromUrl: /);
  });
});

describe("IndexedDB helpers outside a browser", () => {
  it("say that the runtime has no IndexedDB, after checking their arguments", async () => {
    const m = model();
    try {
      for (const call of [() => saveToIndexedDB("m", m), () => loadFromIndexedDB("m"), () => removeFromIndexedDB("m")]) {
        await assert.rejects(call(), /: this runtime has no IndexedDB \(globalThis\.indexedDB is undefined\)/);
      }
      await assert.rejects(saveToIndexedDB("", m), /^TypeError: saveToIndexedDB: name must be a non-empty string; got ""$/);
      await assert.rejects(saveToIndexedDB("m", {} as Model), /^TypeError: saveToIndexedDB: model must be a Model; got an object/);
      await assert.rejects(saveToIndexedDB("m", m, { includeOptimizer: 1 } as never), /^TypeError: saveToIndexedDB: includeOptimizer must be/);
      await assert.rejects(loadFromIndexedDB(7 as never), /^TypeError: loadFromIndexedDB: name must be a non-empty string; got number 7$/);
    } finally {
      m.dispose();
    }
  });
});
