import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { init } from "../bindings/index.js";
import { core, f32View } from "../bindings/core.js";
import { WasmArray } from "../bindings/buffer.js";
import { wasmPath } from "./helpers/wasm-path.js";
import { LANE_SIZES } from "./helpers/tile-sizes.js";

// The binary the suite runs on (as test/helpers/setup.ts picks it), so that re-initializing keeps it.
const wasmUrl = wasmPath();

describe("core", () => {
  it("allocates 16-byte aligned blocks", () => {
    const ptrs = [1, 3, 5, 17, 33, 1000].map((n) => core().alloc(n));
    for (const p of ptrs) assert.equal(p % 16, 0);
    for (const p of ptrs) core().free(p);
  });

  it("init accepts a precompiled WebAssembly.Module and bytes", async () => {
    const bytes = await readFile(wasmUrl);
    await init(await WebAssembly.compile(bytes));
    assert.equal(typeof core().alloc, "function");
    await init(bytes);
    assert.equal(typeof core().alloc, "function");
  });

  it("init reads a file: URL, given as a URL or as a string", async () => {
    const url = pathToFileURL(wasmUrl);
    await init(url);
    assert.equal(typeof core().alloc, "function");
    await init(url.href);
    assert.equal(typeof core().alloc, "function");
  });

  it("rejects a source that is not a module, bytes, URL or Response", async () => {
    await assert.rejects(init(42 as unknown as ArrayBuffer), /init: source must be/);
  });

  it("views made after memory.grow see the same data", () => {
    const a = new WasmArray(8).fill(2.5);
    const big = core().alloc(64 << 20);
    assert.deepEqual(Array.from(a.f32()), new Array(8).fill(2.5));
    core().free(big);
    a.free();
  });

  it("finds non-finite values and out-of-range ids at every SIMD tail", () => {
    for (const n of LANE_SIZES) {
      const a = new WasmArray(n).fill(1);
      assert.equal(core().findNonFinite(a.ptr, n), -1);
      for (const bad of [NaN, Infinity, -Infinity]) {
        a.f32()[n - 1] = bad;
        assert.equal(core().findNonFinite(a.ptr, n), n - 1);
        a.f32()[n - 1] = 1;
      }
      a.i32().fill(2);
      assert.equal(core().findOutOfRange(a.ptr, n, 0, 3), -1);
      a.i32()[n - 1] = 3;
      assert.equal(core().findOutOfRange(a.ptr, n, 0, 3), n - 1);
      a.free();
    }
    assert.ok(f32View(0, 0) instanceof Float32Array);
  });
});
