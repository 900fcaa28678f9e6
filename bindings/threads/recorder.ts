// Recording the core calls of one slice of a batch instead of running them. While the main thread
// runs a slice's forward, loss and backward through `core()` answered by a recorder, allocation
// (and what only reports a size or a version) runs at once, on the main thread as it must; every
// other call, a kernel, is appended to the slice's list for a thread to run later, in the same
// order. Frees wait until the lists have run, so no block a list uses is handed out again meanwhile.
// Layers' pointer-level passes fit this: they read no results of kernels and no memory in
// JavaScript, and write only the argument structs of cell kernels, each once per pass.
import type { CoreExports } from "../core.js";

/** Exports that run at once while recording: they allocate (or reserve), or report sizes, memory use and how the core was built. */
const IMMEDIATE: ReadonlySet<string> = new Set([
  "alloc", "reserve", "gemmPackedSize", "gemmScratchSize", "tokenTableSize", "heapInUse", "heapPeak", "coreAbiVersion", "relaxedSimd",
]);

/** The function exports of a core's raw exports, by name, in the order every instance of the module lists them. */
export function functionNames(exports: WebAssembly.Exports): string[] {
  return Object.keys(exports).filter((name) => typeof exports[name] === "function");
}

/** Records the kernel calls made through `standIn` into lists of words (one per slice). */
export class CallRecorder {
  /** Answers as the core does, recording kernel calls into the current list. */
  readonly standIn: CoreExports;
  private list: number[] = [];
  private lastResult = -1;
  private readonly frees: number[] = [];

  constructor(private readonly real: CoreExports, names: readonly string[]) {
    const standIn: Record<string, unknown> = { ...real };
    names.forEach((name, index) => {
      if (IMMEDIATE.has(name)) return;
      standIn[name] = name === "free"
        ? (ptr: number) => { this.frees.push(ptr); }
        : (...args: number[]) => { this.record(index, args); };
    });
    this.standIn = standIn as unknown as CoreExports;
  }

  private record(index: number, args: readonly number[]): void {
    this.lastResult = this.list.length + 2;
    this.list.push(index, args.length, 0, ...args);
  }

  /** Starts a new list; returns the one recorded so far. */
  take(): number[] {
    const done = this.list;
    this.list = [];
    this.lastResult = -1;
    return done;
  }

  /** The word of the current list that will hold the result of the call recorded last. */
  get resultWord(): number {
    if (this.lastResult < 0) throw new Error("threads: no call recorded yet");
    return this.lastResult;
  }

  /** Frees the blocks freed while recording (after the lists have run). */
  releaseFrees(): void {
    for (const ptr of this.frees.splice(0)) this.real.free(ptr);
  }
}
