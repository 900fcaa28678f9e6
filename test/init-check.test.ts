// init() accepts only the wasm-rnn core of its ABI version (by its exports and coreAbiVersion()):
// anything else is a TypeError / RangeError naming init, and the core already running stays.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { init, isInitialized, coreInfo } from "../bindings/index.js";
import { core } from "../bindings/core.js";
import { CORE_ABI_VERSION, CORE_FUNCTION_NAMES } from "../bindings/core-abi.js";
import { Model } from "../bindings/model.js";
import { Dense } from "../bindings/layers/dense.js";
import { wasmModule } from "./helpers/wasm-module.js";
import { wasmPath } from "./helpers/wasm-path.js";

const X = { shape: [1, 2, 3], data: Float32Array.from([0.5, -1, 2, 0, 1, -0.25]) };

/** Sources init() must refuse, the class of the error and what its message says after "init: ". */
const REFUSED: [string, () => unknown, ErrorConstructor, RegExp][] = [
  ["a module exporting only alloc", () => wasmModule({ functions: { alloc: 16 } }), TypeError, /^init: the module is not the wasm-rnn core: it exports no memory "memory"/],
  ["a module with memory and alloc but no coreAbiVersion", () => wasmModule({ functions: { alloc: 16, free: 0 }, memory: "memory" }), TypeError, /exports no function "coreAbiVersion"/],
  ["a function exported as memory", () => wasmModule({ functions: { memory: 0, coreAbiVersion: CORE_ABI_VERSION } }), TypeError, /exports no memory "memory"/],
  ["a core of another ABI version", () => wasmModule({ functions: { coreAbiVersion: CORE_ABI_VERSION + 1 }, memory: "memory" }), RangeError,
    new RegExp(`^init: the core reports ABI version ${CORE_ABI_VERSION + 1}; these bindings need version ${CORE_ABI_VERSION}`)],
  ["the right version without the kernels", () => wasmModule({ functions: { coreAbiVersion: CORE_ABI_VERSION, alloc: 16 }, memory: "memory" }), TypeError,
    /^init: the module is not the wasm-rnn core: it has no function exports "\w+", .* in all\)/],
  ["every function without the constants", () => wasmModule({ functions: { coreAbiVersion: CORE_ABI_VERSION, ...Object.fromEntries(CORE_FUNCTION_NAMES.map((n) => [n, 0])) }, memory: "memory" }), TypeError,
    /^init: the module is not the wasm-rnn core: it has no integer global exports "ACT_LINEAR", .* in all\)/],
  ["a module importing what init cannot provide", () => wasmModule({ functions: { coreAbiVersion: CORE_ABI_VERSION }, memory: "memory", importFunction: ["gpu", "dispatch"] }), TypeError,
    /^init: the module is not the wasm-rnn core: it cannot be instantiated/],
  ["bytes that are no WebAssembly", () => new TextEncoder().encode("not wasm at all"), RangeError, /^init: the source is not a valid WebAssembly module: /],
  ["a truncated core", () => new Uint8Array(0), RangeError, /^init: the source is not a valid WebAssembly module/],
  ["a string that is no URL", () => "http://[::1", TypeError, /^init: source "http:\/\/\[::1" is not a URL/],
  ["a number", () => 42, TypeError, /^init: source must be a WebAssembly.Module, bytes/],
];

describe("init() checks the module it is given", () => {
  let model: Model;
  let expected: Float32Array;

  before(() => {
    model = new Model({ layers: [new Dense({ inputSize: 3, units: 2, seed: 7 })], loss: "meanSquaredError" });
    expected = model.predict(X).data;
  });

  after(() => model.dispose());

  for (const [what, source, type, message] of REFUSED) {
    it(`refuses ${what}; the running core stays`, async () => {
      const running = core();
      await assert.rejects(init(source() as Uint8Array), (e: unknown) => e instanceof type && message.test((e as Error).message));
      assert.equal(core(), running);
      assert.ok(isInitialized());
      assert.deepEqual(model.predict(X).data, expected);
    });
  }

  it("refuses a file that cannot be read, naming init and the URL", async () => {
    const url = pathToFileURL("/nonexistent/release.wasm");
    await assert.rejects(init(url), /^Error: init: reading file:\/\/\/nonexistent\/release\.wasm failed: ENOENT/);
    assert.deepEqual(model.predict(X).data, expected);
  });

  it("accepts the core, whose coreAbiVersion() is the bindings' CORE_ABI_VERSION", async () => {
    const bytes = await readFile(wasmPath());
    const exports = (await WebAssembly.instantiate(bytes, { env: { abort: () => undefined } })).instance.exports as { coreAbiVersion(): number };
    assert.equal(exports.coreAbiVersion(), CORE_ABI_VERSION);
    assert.equal(core().coreAbiVersion(), CORE_ABI_VERSION);
    assert.equal(typeof coreInfo().relaxedSimd, "boolean");
  });
});
