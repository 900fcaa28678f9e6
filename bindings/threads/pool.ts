// The thread pool: the main thread and `threads - 1` workers (worker.ts) on ONE shared
// WebAssembly.Memory. The main thread allocates everything: each worker's control block, scratch
// block and list buffer. A job is one list of calls per slice of a batch: the main thread posts
// lists 1.. to workers 1.. (Atomics.notify on their control words), runs list 0 itself, and waits
// for the workers (Atomics.wait where the thread may block, as Node's main thread; a spin on
// Atomics.load on a browser page's main thread, which may not). With no workers (the fallback where
// the runtime has no shared memory) the main thread runs every list, one after another.
import { WasmArray } from "../buffer.js";
import type { CoreExports } from "../core.js";
import { CONTROL, CONTROL_WORDS, runCalls } from "./calls.js";
import type { WorkerStart } from "./worker.js";

/** Bytes of a worker's scratch block: gemm's packed-A block and staging, and 1 MiB of temporary room (assembly/scratch.ts). */
const SCRATCH_BYTES = 64 * 1024 + 64 + 1024 * 1024;

/** A worker as the pool drives it, in Node (worker_threads) or in a browser. */
interface WorkerHandle {
  post(message: WorkerStart): void;
  /** Resolves on the worker's first message: { ready } or { error }. */
  firstMessage: Promise<{ ready?: boolean; error?: string }>;
  terminate(): void;
}

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

/** Starts one worker running worker.ts; unref'ed in Node, so that a pool never keeps a process alive. */
async function spawn(): Promise<WorkerHandle> {
  const url = new URL("./worker.js", import.meta.url);
  const handle = {} as WorkerHandle;
  if (isNode) {
    const { Worker } = await import("node:worker_threads");
    // No execArgv of the process: a Worker refuses --input-type (node -e) and V8 flags, which are the process's anyway.
    const worker = new Worker(url, { execArgv: [] });
    worker.unref();
    handle.firstMessage = new Promise((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    worker.on("error", () => {}); // after start, a failure shows in the control block
    handle.post = (m) => worker.postMessage(m);
    handle.terminate = () => void worker.terminate();
    return handle;
  }
  const worker = new Worker(url, { type: "module" });
  handle.firstMessage = new Promise((resolve, reject) => {
    worker.addEventListener("message", (e) => resolve(e.data as { ready?: boolean }), { once: true });
    worker.addEventListener("error", (e) => reject(new Error(e.message)), { once: true });
  });
  handle.post = (m) => worker.postMessage(m);
  handle.terminate = () => worker.terminate();
  return handle;
}

/** Whether this thread may block in Atomics.wait (not a browser page's main thread). */
function canBlock(control: Int32Array): boolean {
  try {
    Atomics.wait(control, CONTROL.done, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs lists of recorded calls on the main thread and the workers, and reads back their results. */
export class ThreadPool {
  private readonly lists: WasmArray[] = [];
  private readonly blocks: WasmArray[] = [];
  private job = 0;
  private blocking = true;

  private constructor(
    private readonly core: CoreExports,
    private readonly raw: WebAssembly.Exports,
    private readonly names: readonly string[],
    private readonly workers: WorkerHandle[],
  ) {}

  /** A pool of `workers` workers (0: the main thread alone) on the core `core` (raw instance exports `raw`) compiled from `module`. */
  static async start(core: CoreExports, raw: WebAssembly.Exports, names: readonly string[], module: WebAssembly.Module | null, workers: number): Promise<ThreadPool> {
    const handles = await Promise.all(Array.from({ length: workers }, spawn));
    const pool = new ThreadPool(core, raw, names, handles);
    try {
      for (const [i, handle] of handles.entries()) {
        const control = new WasmArray(CONTROL_WORDS).fill(0);
        const scratch = new WasmArray(SCRATCH_BYTES / 4);
        pool.blocks.push(control, scratch);
        handle.post({ module: module!, memory: core.memory, control: control.ptr, scratch: scratch.ptr, scratchBytes: SCRATCH_BYTES, names: [...names] });
        const reply = await handle.firstMessage;
        if (reply.ready !== true) throw new Error(`threads: worker ${i + 1} did not start: ${reply.error ?? "no reply"}`);
      }
      if (workers > 0) pool.blocking = canBlock(pool.control(0));
    } catch (e) {
      pool.terminate();
      throw e;
    }
    return pool;
  }

  /** The threads that run lists at once: the main thread and the workers. */
  get threads(): number {
    return this.workers.length + 1;
  }

  private control(worker: number): Int32Array {
    return new Int32Array(this.core.memory.buffer, this.blocks[2 * worker]!.ptr, CONTROL_WORDS);
  }

  /** Copies list `i` into its wasm buffer (grown as needed); returns its address. */
  private stage(i: number, words: readonly number[]): number {
    this.lists[i] ??= new WasmArray(0);
    const buffer = this.lists[i]!.ensure(Math.max(2 * words.length, 4));
    new Float64Array(this.core.memory.buffer, buffer.ptr, words.length).set(words);
    return buffer.ptr;
  }

  /**
   * Runs the lists: list i on worker i for i >= 1 while the main thread runs list 0 (every list on
   * the main thread, in order, without workers). Throws when a call threw, on any thread.
   */
  run(lists: readonly (readonly number[])[]): void {
    if (lists.length > this.threads && this.workers.length > 0) throw new Error(`threads: ${lists.length} lists for ${this.threads} threads`);
    const ptrs = lists.map((words, i) => this.stage(i, words));
    const job = ++this.job;
    for (let w = 1; w < lists.length && this.workers.length > 0; w++) {
      const control = this.control(w - 1);
      Atomics.store(control, CONTROL.list, ptrs[w]!);
      Atomics.store(control, CONTROL.words, lists[w]!.length);
      Atomics.store(control, CONTROL.job, job);
      Atomics.notify(control, CONTROL.job);
    }
    const functions = this.names.map((name) => this.raw[name] as (...args: number[]) => unknown);
    const mine = this.workers.length > 0 ? [0] : lists.map((_, i) => i);
    try {
      for (const i of mine) runCalls(this.core.memory, functions, this.names, ptrs[i]!, lists[i]!.length);
    } finally {
      this.wait(job, lists.length); // even when the main thread's list failed: no worker may still run a job
    }
  }

  /** Waits until workers 1 .. lists - 1 have finished `job`; throws when a call of theirs threw. */
  private wait(job: number, lists: number): void {
    const failures: string[] = [];
    for (let w = 1; w < lists && this.workers.length > 0; w++) {
      const control = this.control(w - 1);
      while (Atomics.load(control, CONTROL.done) !== job) {
        if (this.blocking) Atomics.wait(control, CONTROL.done, Atomics.load(control, CONTROL.done), 1000);
      }
      const failed = Atomics.load(control, CONTROL.failed);
      if (failed !== 0) failures.push(`worker ${w}: ${this.names[failed - 1] ?? "a call"} failed (a trap in the core)`);
    }
    if (failures.length > 0) throw new Error(`threads: ${failures.join("; ")}`);
  }

  /** Word `word` of list `i` after run (the result of a call, as CallRecorder.resultWord names it). */
  result(i: number, word: number): number {
    return new Float64Array(this.core.memory.buffer, this.lists[i]!.ptr, word + 1)[word]!;
  }

  /** Stops and terminates the workers and frees the pool's blocks. */
  terminate(): void {
    this.workers.forEach((worker, w) => {
      if (this.blocks[2 * w] !== undefined && this.blocks[2 * w]!.ptr !== 0) {
        const control = this.control(w);
        Atomics.store(control, CONTROL.job, -1);
        Atomics.notify(control, CONTROL.job);
      }
      worker.terminate();
    });
    this.workers.length = 0;
    for (const block of [...this.blocks, ...this.lists]) block.free();
    this.blocks.length = 0;
    this.lists.length = 0;
  }
}
