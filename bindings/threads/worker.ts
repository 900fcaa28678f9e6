// A worker thread of the pool (pool.ts): it instantiates the core on the shared memory, takes its
// scratch block, and then, job after job, waits on its control word, runs the list of calls the
// main thread recorded for it and signals that it is done. It never allocates.
import { CallFailure, CONTROL, CONTROL_WORDS, runCalls } from "./calls.js";

/** What the main thread sends once, to start the worker. */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte address of this worker's control block. */
  control: number;
  /** Byte address and size of this worker's scratch block (assembly/scratch.ts). */
  scratch: number;
  scratchBytes: number;
  /** The core's function exports in recording order. */
  names: string[];
}

/** A message channel to the main thread, in Node (worker_threads) or in a browser's Worker. */
interface Channel {
  receive(handler: (message: unknown) => void): void;
  send(message: unknown): void;
}

async function channel(): Promise<Channel> {
  if (typeof process !== "undefined" && typeof process.versions?.node === "string") {
    const { parentPort } = await import("node:worker_threads");
    return { receive: (h) => parentPort!.once("message", h), send: (m) => parentPort!.postMessage(m) };
  }
  const scope = globalThis as unknown as { onmessage: ((e: { data: unknown }) => void) | null; postMessage(m: unknown): void };
  return { receive: (h) => { scope.onmessage = (e) => h(e.data); }, send: (m) => scope.postMessage(m) };
}

/** Runs jobs until the main thread posts -1 (or terminates the worker). */
function serve(start: WorkerStart, exports: WebAssembly.Exports): void {
  const control = new Int32Array(start.memory.buffer, start.control, CONTROL_WORDS);
  const functions = start.names.map((name) => exports[name] as (...args: number[]) => unknown);
  let seen = 0;
  for (;;) {
    Atomics.wait(control, CONTROL.job, seen);
    const job = Atomics.load(control, CONTROL.job);
    if (job < 0) return;
    seen = job;
    let failed = 0;
    try {
      runCalls(start.memory, functions, start.names, Atomics.load(control, CONTROL.list), Atomics.load(control, CONTROL.words));
    } catch (e) {
      failed = e instanceof CallFailure ? 1 + e.index : 1;
    }
    Atomics.store(control, CONTROL.failed, failed);
    Atomics.store(control, CONTROL.done, job);
    Atomics.notify(control, CONTROL.done);
  }
}

const link = await channel();
link.receive((message) => {
  const start = message as WorkerStart;
  const imports = { env: { memory: start.memory, abort: () => { throw new Error("the core aborted"); } } };
  WebAssembly.instantiate(start.module, imports).then((instance) => {
    (instance.exports.useThreadScratch as (ptr: number, bytes: number) => number)(start.scratch, start.scratchBytes);
    link.send({ ready: true });
    serve(start, instance.exports);
  }, (e: unknown) => link.send({ error: `the worker could not instantiate the core: ${(e as Error).message}` }));
});
