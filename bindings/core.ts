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
import type { ThreadsExports } from "./kernels/threads.js";
import { relaxedSimdSupported } from "./features.js";
import { checkCoreExports, type AbiExports } from "./core-abi.js";
import { checkOptionKeys } from "./validate.js";
import { checkThreads, defaultThreads, isThreadsBuild, sharedMemory, startThreads, threadsUnavailable, type ThreadSetup } from "./threads/setup.js";

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
  ThreadsExports &
  AbiExports;

/**
 * Where the wasm core comes from: a precompiled `WebAssembly.Module` (required on
 * Cloudflare Workers, which forbid compiling from bytes), the module's bytes, a URL to fetch,
 * or a `Response` (as from `fetch`).
 */
export type InitSource = WebAssembly.Module | BufferSource | URL | string | Response;

/** init's options. */
export interface InitOptions {
  /** Where the core comes from, as for `init(source)`; default: chosen by feature detection. */
  source?: InitSource;
  /**
   * Threads for training and prediction, an integer in [1, 64]. Each training batch of B sequences
   * (and each prediction batch of B >= 2) is cut into min(threads, B) slices that run at once on the
   * main thread and threads - 1 workers sharing the core's memory; the slices' gradients are summed
   * in slice order. Results depend on this number only: where the runtime cannot run workers on
   * shared memory (no SharedArrayBuffer: Cloudflare Workers, pages without cross-origin isolation),
   * the same slices run one after another on the main thread, with the same bits (`coreInfo()` tells
   * which). 1 runs each batch whole, as without threads. Default: the hardware's thread count, at most
   * 4, where workers can run and no single-thread core is given; else 1.
   */
  threads?: number;
}

let current: CoreExports | null = null;
let standIn: CoreExports | null = null;
let threads: ThreadSetup | null = null;

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

/** Compiles `source`; a module that does not compile is a RangeError labelled init. */
async function compile(source: WebAssembly.Module | BufferSource | Response): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  try {
    return await WebAssembly.compile(typeof Response !== "undefined" && source instanceof Response ? await source.arrayBuffer() : source as BufferSource);
  } catch (e) {
    const hint = relaxedSimdSupported() ? "" : " (this runtime has no relaxed SIMD: if this is the relaxed build, release-relaxed.wasm, "
      + "load the plain build/release.wasm (\"wasm-rnn/wasm\") instead, or start Node 20 with --experimental-wasm-relaxed-simd)";
    throw new RangeError(`init: the source is not a valid WebAssembly module: ${(e as Error).message}${hint}`, { cause: e });
  }
}

/** Instantiates `module` as the core (on `memory` for a threads build); a module that does not link is a TypeError labelled init. */
async function instantiateCore(module: WebAssembly.Module, memory: WebAssembly.Memory | undefined): Promise<{ exports: CoreExports; raw: WebAssembly.Exports }> {
  let result: Awaited<ReturnType<typeof instantiate<Record<string, unknown>>>>;
  try {
    result = await instantiate<Record<string, unknown>>(module, memory === undefined ? {} : { env: { memory } });
  } catch (e) {
    throw new TypeError(`init: the module is not the wasm-rnn core: it cannot be instantiated (${(e as Error).message})`, { cause: e });
  }
  checkCoreExports("init", result.instance.exports);
  loadCoreConstants(result.instance.exports);
  return { exports: result.exports as unknown as CoreExports, raw: result.instance.exports };
}

/** The default core: the relaxed-SIMD binary where this runtime validates relaxed SIMD, else the plain one; the threads builds for `shared` memory. */
async function defaultSource(shared: boolean): Promise<BufferSource | Response> {
  // Built here, not at module load: import.meta.url is undefined in workerd, which imports the
  // module directly (bindings/workerd.ts). Literal new URL(...) calls let bundlers find the files.
  if (shared) {
    return load(relaxedSimdSupported()
      ? new URL("../../build/release-threads-relaxed.wasm", import.meta.url)
      : new URL("../../build/release-threads.wasm", import.meta.url));
  }
  return load(relaxedSimdSupported()
    ? new URL("../../build/release-relaxed.wasm", import.meta.url)
    : new URL("../../build/release.wasm", import.meta.url));
}

function isInstantiable(x: unknown): x is WebAssembly.Module | BufferSource | Response {
  return x instanceof WebAssembly.Module || x instanceof ArrayBuffer || ArrayBuffer.isView(x)
    || (typeof Response !== "undefined" && x instanceof Response);
}

/** Whether init's argument is its options object (a plain object) rather than a source. */
export function isInitOptions(x: unknown): x is InitOptions {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** The core `source` names (read or fetched), checked to be instantiable. */
async function resolveSource(source: InitSource, shared: boolean | undefined): Promise<WebAssembly.Module | BufferSource | Response> {
  let resolved: unknown;
  if (shared !== undefined) resolved = await defaultSource(shared);
  else if (source instanceof URL) resolved = await load(source);
  else if (typeof source === "string") resolved = await load(parseUrl(source));
  else resolved = source;
  if (!isInstantiable(resolved)) {
    throw new TypeError(
      `init: source must be a WebAssembly.Module, bytes (ArrayBuffer or typed array), a URL or a Response; got ${Object.prototype.toString.call(resolved)}`,
    );
  }
  return resolved;
}

/**
 * Instantiates the wasm core: `init(source?)` or `init({ source?, threads? })` (see InitOptions).
 * Call once before creating layers or models; later calls with no argument (or the same threads,
 * running as before) are no-ops, and a call with a source or other threads replaces the core (existing models then
 * must not be used). A source that is not the wasm-rnn core of this ABI version (checked by its
 * exports and `coreAbiVersion()`) is refused with a TypeError / RangeError, and the core already
 * running, if any, stays. Without a source, the core is chosen by feature detection: the relaxed-SIMD
 * build (`build/release-relaxed.wasm`, FMA in the matrix products) when `WebAssembly.validate`
 * accepts a relaxed-SIMD probe, else the plain SIMD build (`build/release.wasm`), or their threads
 * builds (`build/release-threads*.wasm`, on shared memory) for more than one thread; Node reads it
 * beside the package and other runtimes fetch it relative to this module. `coreInfo()` tells which
 * one runs. (Node 20 validates relaxed SIMD only when started with `--experimental-wasm-relaxed-simd`.)
 */
export async function init(arg?: InitSource | InitOptions): Promise<void> {
  const options: InitOptions = isInitOptions(arg) ? arg : { source: arg };
  if (isInitOptions(arg)) checkOptionKeys("init", arg, ["source", "threads"]);
  const asked = checkThreads(options.threads);
  const { source } = options;
  if (source === undefined && current !== null && asked === undefined) return;
  const unavailable = await threadsUnavailable();
  if (source === undefined && current !== null && asked === threads!.slices && unavailable === threads!.unavailable) return;
  const wanted = asked ?? (unavailable === null ? await defaultThreads() : 1);
  const module = await compile(await resolveSource(source!, source === undefined ? wanted > 1 && unavailable === null : undefined));
  const threadsBuild = isThreadsBuild(module);
  if (threadsBuild && unavailable !== null) {
    throw new RangeError(`init: this core is a threads build (its memory is shared), which this runtime cannot run: ${unavailable}; load build/release.wasm ("wasm-rnn/wasm") instead`);
  }
  const core = await instantiateCore(module, threadsBuild ? sharedMemory() : undefined);
  const slices = asked ?? (source === undefined || threadsBuild ? wanted : 1);
  const reason = unavailable ?? (threadsBuild || source === undefined ? null : "the core given to init is a single-thread build (give build/release-threads.wasm, or no source)");
  threads?.pool.terminate();
  current = core.exports;
  threads = await startThreads(core.exports, core.raw, module, slices, threadsBuild ? slices - 1 : 0, reason);
}

/** What the running core was built with, and how it uses threads. */
export interface CoreInfo {
  /** The core's matrix products use relaxed-SIMD FMA (`f32x4.relaxed_madd`): the release-relaxed build. */
  relaxedSimd: boolean;
  /** This runtime validates relaxed SIMD (what `init()` without a source decides by). */
  relaxedSimdSupported: boolean;
  /** The threads that train and predict at once: the main thread and its workers (1: the main thread alone). */
  threads: number;
  /** The slices each batch is cut into (init's threads): results depend on this, not on `threads`. */
  slices: number;
  /** Why the slices do not run on workers (no SharedArrayBuffer, a single-thread core, terminated workers); null when they can. */
  threadsUnavailable: string | null;
}

/** Which core is running (the core reports how it was compiled) and on how many threads; throws if `init()` has not completed. */
export function coreInfo(): CoreInfo {
  const c = core();
  const setup = threadSetup();
  return {
    relaxedSimd: typeof c.relaxedSimd === "function" && c.relaxedSimd() === 1,
    relaxedSimdSupported: relaxedSimdSupported(),
    threads: setup.pool.threads,
    slices: setup.slices,
    threadsUnavailable: setup.unavailable,
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

/**
 * Terminates the pool's workers (a pool never keeps a Node process alive, but its threads stay
 * until then). Training and prediction go on with the same slices on the main thread alone, with
 * the same results; `init({ threads })` starts a new pool (and a new core).
 */
export function terminateThreads(): void {
  const setup = threadSetup();
  if (setup.pool.threads === 1) return;
  setup.pool.terminate();
  setup.unavailable = "the workers were terminated (terminateThreads)";
}

/** How the running core uses threads (bindings/threads/); throws if `init()` has not completed. */
export function threadSetup(): ThreadSetup {
  core();
  return threads!;
}

/** Runs `record` with core() answering through `exports` (a call recorder's stand-in, bindings/threads/recorder.ts). */
export function recording<T>(exports: CoreExports, record: () => T): T {
  const saved = standIn;
  standIn = exports;
  try {
    return record();
  } finally {
    standIn = saved;
  }
}

/** True once `init()` has completed. */
export function isInitialized(): boolean {
  return current !== null;
}

/**
 * The core's own exports, even while a slice's calls are being recorded: for work that must run at
 * once on the main thread before the lists are dispatched (packing the weights every thread reads).
 */
export function mainThreadCore(): CoreExports {
  if (current === null) throw new Error("wasm-rnn: call `await init()` before using the library");
  return current;
}

/** The wasm core's exports; throws if `init()` has not completed. */
export function core(): CoreExports {
  if (standIn !== null) return standIn;
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
