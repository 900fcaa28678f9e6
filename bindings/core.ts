// Loading the wasm core and reading its linear memory.
import { instantiate } from "@assemblyscript/loader";
import type { MemoryExports } from "./kernels/memory.js";
import type { GemmExports } from "./kernels/gemm.js";
import type { ActivationsExports } from "./kernels/activations.js";
import type { SoftmaxExports } from "./kernels/softmax.js";
import type { LossesExports } from "./kernels/losses.js";
import type { OptimizersExports } from "./kernels/optimizers.js";
import type { RowsExports } from "./kernels/rows.js";
import type { SequenceExports } from "./kernels/sequence.js";
import type { DenseExports } from "./kernels/dense.js";
import type { MetricsExports } from "./kernels/metrics.js";
import type { RandomExports } from "./kernels/random.js";
import type { RnnExports } from "./kernels/rnn.js";

/** Every export of the wasm core, typed: pointers, sizes and enums are numbers. */
export type CoreExports = MemoryExports &
  GemmExports &
  ActivationsExports &
  SoftmaxExports &
  LossesExports &
  OptimizersExports &
  RowsExports &
  SequenceExports &
  DenseExports &
  MetricsExports &
  RandomExports &
  RnnExports;

/**
 * Where the wasm core comes from: a precompiled `WebAssembly.Module` (required on
 * Cloudflare Workers, which forbid compiling from bytes), the module's bytes, a URL to fetch,
 * or a `Response` (as from `fetch`).
 */
export type InitSource = WebAssembly.Module | BufferSource | URL | string | Response;

let current: CoreExports | null = null;

const DEFAULT_WASM_URL = new URL("../../build/release.wasm", import.meta.url);

async function defaultSource(): Promise<BufferSource | Response> {
  const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
  if (isNode && DEFAULT_WASM_URL.protocol === "file:") {
    const { readFile } = await import("node:fs/promises");
    return readFile(DEFAULT_WASM_URL);
  }
  return fetch(DEFAULT_WASM_URL);
}

function isInstantiable(x: unknown): x is WebAssembly.Module | BufferSource | Response {
  return x instanceof WebAssembly.Module || x instanceof ArrayBuffer || ArrayBuffer.isView(x)
    || (typeof Response !== "undefined" && x instanceof Response);
}

/**
 * Instantiates the wasm core. Call once before creating layers or models; later calls with
 * no argument are no-ops, and a call with a source replaces the core (existing models then
 * must not be used). Without a source, Node reads `build/release.wasm` beside the package and
 * other runtimes fetch it relative to this module.
 */
export async function init(source?: InitSource): Promise<void> {
  if (source === undefined && current !== null) return;
  let resolved: unknown;
  if (source === undefined) resolved = await defaultSource();
  else if (typeof source === "string" || source instanceof URL) resolved = await fetch(source);
  else resolved = source;
  if (!isInstantiable(resolved)) {
    throw new TypeError(
      `init: source must be a WebAssembly.Module, bytes (ArrayBuffer or typed array), a URL or a Response; got ${Object.prototype.toString.call(resolved)}`,
    );
  }
  const { exports } = await instantiate<Record<string, unknown>>(resolved, {});
  current = exports as unknown as CoreExports;
}

/** True once `init()` has completed. */
export function isInitialized(): boolean {
  return current !== null;
}

/** The wasm core's exports; throws if `init()` has not completed. */
export function core(): CoreExports {
  if (current === null) throw new Error("wasm-rnn: call `await init()` before using the library");
  return current;
}

/**
 * A Float32Array over `n` floats at `ptr` in wasm memory. Views are made fresh on each call and
 * must not be kept across calls into the core: `memory.grow` detaches every old view.
 */
export function f32View(ptr: number, n: number): Float32Array {
  return new Float32Array(core().memory.buffer, ptr, n);
}

/** An Int32Array over `n` ints at `ptr` in wasm memory (same lifetime rule as `f32View`). */
export function i32View(ptr: number, n: number): Int32Array {
  return new Int32Array(core().memory.buffer, ptr, n);
}

/** A JavaScript-owned copy of `n` floats at `ptr` (safe to keep across calls). */
export function copyOut(ptr: number, n: number): Float32Array {
  return f32View(ptr, n).slice();
}
