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
import type { PeakExports } from "./kernels/peak.js";
import { loadCoreConstants, type ConstantsExports } from "./kernels/constants.js";
import type { AttentionExports } from "./kernels/attention.js";
import type { DecodingExports } from "./kernels/decoding.js";
import type { HmmExports } from "./kernels/hmm.js";
import { relaxedSimdSupported } from "./features.js";
import { checkCoreExports, type AbiExports } from "./core-abi.js";

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
  RnnExports &
  PeakExports &
  ConstantsExports &
  AttentionExports &
  DecodingExports &
  HmmExports &
  AbiExports;

/**
 * Where the wasm core comes from: a precompiled `WebAssembly.Module` (required on
 * Cloudflare Workers, which forbid compiling from bytes), the module's bytes, a URL to fetch,
 * or a `Response` (as from `fetch`).
 */
export type InitSource = WebAssembly.Module | BufferSource | URL | string | Response;

let current: CoreExports | null = null;

/** Reads (Node, from a file: URL) or fetches one binary; `fs` is imported only on this path. */
async function load(url: URL): Promise<BufferSource | Response> {
  const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
  try {
    if (isNode && url.protocol === "file:") {
      const { readFile } = await import("node:fs/promises");
      return await readFile(url);
    }
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response;
  } catch (e) {
    throw new Error(`init: reading ${url.href} failed: ${(e as Error).message}`, { cause: e });
  }
}

/** The URL a string source names (relative to the page in browsers). */
function parseUrl(source: string): URL {
  try {
    return new URL(source, typeof location === "undefined" ? undefined : location.href);
  } catch {
    throw new TypeError(`init: source ${JSON.stringify(source)} is not a URL (pass a URL, bytes, a Response or a WebAssembly.Module)`);
  }
}

/** Instantiates `source` as the core; a module that does not compile or link is a RangeError / TypeError labelled init. */
async function instantiateCore(source: WebAssembly.Module | BufferSource | Response): Promise<CoreExports> {
  let result: Awaited<ReturnType<typeof instantiate<Record<string, unknown>>>>;
  try {
    result = await instantiate<Record<string, unknown>>(source, {});
  } catch (e) {
    const message = (e as Error).message;
    if (e instanceof WebAssembly.CompileError) {
      const hint = relaxedSimdSupported() ? "" : " (this runtime has no relaxed SIMD: if this is the relaxed build, release-relaxed.wasm, "
        + "load the plain build/release.wasm (\"wasm-rnn/wasm\") instead, or start Node 20 with --experimental-wasm-relaxed-simd)";
      throw new RangeError(`init: the source is not a valid WebAssembly module: ${message}${hint}`, { cause: e });
    }
    throw new TypeError(`init: the module is not the wasm-rnn core: it cannot be instantiated (${message})`, { cause: e });
  }
  checkCoreExports("init", result.instance.exports);
  loadCoreConstants(result.instance.exports);
  return result.exports as unknown as CoreExports;
}

/** The default core: the relaxed-SIMD binary where this runtime validates relaxed SIMD, else the plain one. */
async function defaultSource(): Promise<BufferSource | Response> {
  // Built here, not at module load: import.meta.url is undefined in workerd, which imports the
  // module directly (bindings/workerd.ts). Literal new URL(...) calls let bundlers find the files.
  return load(relaxedSimdSupported()
    ? new URL("../../build/release-relaxed.wasm", import.meta.url)
    : new URL("../../build/release.wasm", import.meta.url));
}

function isInstantiable(x: unknown): x is WebAssembly.Module | BufferSource | Response {
  return x instanceof WebAssembly.Module || x instanceof ArrayBuffer || ArrayBuffer.isView(x)
    || (typeof Response !== "undefined" && x instanceof Response);
}

/**
 * Instantiates the wasm core. Call once before creating layers or models; later calls with
 * no argument are no-ops, and a call with a source replaces the core (existing models then
 * must not be used). A source that is not the wasm-rnn core of this ABI version (checked by its
 * exports and `coreAbiVersion()`) is refused with a TypeError / RangeError, and the core already
 * running, if any, stays. Without a source, the core is chosen by feature detection: the relaxed-SIMD
 * build (`build/release-relaxed.wasm`, FMA in the matrix products) when `WebAssembly.validate`
 * accepts a relaxed-SIMD probe, else the plain SIMD build (`build/release.wasm`); Node reads it
 * beside the package and other runtimes fetch it relative to this module. `coreInfo()` tells which
 * one runs. (Node 20 validates relaxed SIMD only when started with `--experimental-wasm-relaxed-simd`.)
 */
export async function init(source?: InitSource): Promise<void> {
  if (source === undefined && current !== null) return;
  let resolved: unknown;
  if (source === undefined) resolved = await defaultSource();
  else if (source instanceof URL) resolved = await load(source);
  else if (typeof source === "string") resolved = await load(parseUrl(source));
  else resolved = source;
  if (!isInstantiable(resolved)) {
    throw new TypeError(
      `init: source must be a WebAssembly.Module, bytes (ArrayBuffer or typed array), a URL or a Response; got ${Object.prototype.toString.call(resolved)}`,
    );
  }
  current = await instantiateCore(resolved);
}

/** What the running core was built with. */
export interface CoreInfo {
  /** The core's matrix products use relaxed-SIMD FMA (`f32x4.relaxed_madd`): the release-relaxed build. */
  relaxedSimd: boolean;
  /** This runtime validates relaxed SIMD (what `init()` without a source decides by). */
  relaxedSimdSupported: boolean;
}

/** Which core is running (the core reports how it was compiled); throws if `init()` has not completed. */
export function coreInfo(): CoreInfo {
  const c = core();
  return {
    relaxedSimd: typeof c.relaxedSimd === "function" && c.relaxedSimd() === 1,
    relaxedSimdSupported: relaxedSimdSupported(),
  };
}

/** The wasm memory the running core holds. */
export interface MemoryInfo {
  /** Bytes of wasm linear memory now; it never shrinks, so this is also its peak since `init()`. */
  memoryBytes: number;
  /** Bytes in blocks allocated and not freed (parameters, optimizer state, workspaces, the core's scratch; allocator headers included). */
  inUseBytes: number;
  /** The most `inUseBytes` has been since `init()`. */
  peakInUseBytes: number;
}

/** The running core's wasm memory, the bytes in use in it and their peak; throws if `init()` has not completed. */
export function memoryInfo(): MemoryInfo {
  const c = core();
  return { memoryBytes: c.memory.buffer.byteLength, inUseBytes: c.heapInUse(), peakInUseBytes: c.heapPeak() };
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
