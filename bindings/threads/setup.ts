// What init() decides about threads: whether this runtime can run a pool of workers on shared
// memory (and why not), how many threads by default, the shared memory of a threads build of the
// core, and the pool with its call recorder once the core runs.
import type { CoreExports } from "../core.js";
import { checkInt } from "../validate.js";
import { ThreadPool } from "./pool.js";
import { CallRecorder, functionNames } from "./recorder.js";

/** The most threads init accepts. */
const MAX_THREADS = 64;

/** The default thread count is the hardware's, at most this (more slices of a batch of 32 gain little). */
const DEFAULT_THREADS_CAP = 4;

/** Pages of a threads build's memory: as assembly is built (asconfig.json: initialMemory, maximumMemory). */
const SHARED_PAGES = { initial: 16, maximum: 65536 };

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

/** How training and prediction use threads, as init set them up. */
export interface ThreadSetup {
  /** Slices per batch: the threads asked for (or chosen by default). */
  slices: number;
  /** Runs the slices' lists: on the workers, or all on the main thread. */
  pool: ThreadPool;
  recorder: CallRecorder;
  /** Why this runtime (or the core given to init) cannot run a pool of workers; null when it can. */
  unavailable: string | null;
}

/** `init`'s threads option: an integer in [1, MAX_THREADS]; undefined stays undefined (the default). */
export function checkThreads(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = checkInt("init", "threads", value, 1);
  if (n > MAX_THREADS) throw new RangeError(`init: threads must be <= ${MAX_THREADS}; got ${n}`);
  return n;
}

/** Why this runtime cannot run workers on shared WebAssembly memory, or null when it can. */
export async function threadsUnavailable(): Promise<string | null> {
  const page = typeof document !== "undefined";
  if (typeof SharedArrayBuffer === "undefined" || (page && globalThis.crossOriginIsolated !== true)) {
    return page
      ? "SharedArrayBuffer is not available: the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)"
      : "SharedArrayBuffer is not available in this runtime";
  }
  if (!isNode && typeof Worker === "undefined") return "this runtime has no Worker to run threads on";
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return "this runtime has no shared WebAssembly memory";
  }
  return null;
}

/** The default thread count: the hardware's (Node: os.availableParallelism), at most DEFAULT_THREADS_CAP. */
export async function defaultThreads(): Promise<number> {
  let n = typeof navigator !== "undefined" && typeof navigator.hardwareConcurrency === "number" ? navigator.hardwareConcurrency : 1;
  if (isNode) n = (await import("node:os")).availableParallelism();
  return Math.max(1, Math.min(DEFAULT_THREADS_CAP, n));
}

/** A fresh shared memory for a threads build of the core. */
export function sharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ ...SHARED_PAGES, shared: true });
}

/** Whether a compiled core is a threads build: it imports its (shared) memory. */
export function isThreadsBuild(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.kind === "memory");
}

/**
 * The pool for `slices` slices per batch with `workers` workers (0: the main thread runs every
 * slice, in turn). Workers that fail to start leave the main thread alone, with the reason reported.
 */
export async function startThreads(core: CoreExports, raw: WebAssembly.Exports, module: WebAssembly.Module, slices: number, workers: number,
  unavailable: string | null): Promise<ThreadSetup> {
  const names = functionNames(raw);
  const recorder = new CallRecorder(core, names);
  try {
    return { slices, pool: await ThreadPool.start(core, raw, names, module, workers), recorder, unavailable };
  } catch (e) {
    return { slices, pool: await ThreadPool.start(core, raw, names, module, 0), recorder, unavailable: `the workers did not start: ${(e as Error).message}` };
  }
}
