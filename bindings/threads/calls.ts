// A list of core calls in wasm memory, as the main thread records them for one slice of a batch
// and a worker thread (or the main thread) runs them: float64 words, per call
// [export index, argument count, result, arguments...]. Both sides share the export names by index.

/** The int32 words of a worker's control block (in wasm memory): what the main thread and the worker signal each other by. */
export const CONTROL = {
  /** The job number the main thread posts (Atomics.notify); -1 tells the worker to stop. */
  job: 0,
  /** The job number the worker finished last. */
  done: 1,
  /** 0, or 1 + the export index of the call of the last job that threw (a trap in the core). */
  failed: 2,
  /** Byte address and float64 words of the job's list of calls. */
  list: 3,
  words: 4,
} as const;

/** Int32 words of one control block (a multiple of 4: blocks stay 16-byte aligned). */
export const CONTROL_WORDS = 8;

/** Words before a call's arguments: the export's index, the argument count, the result. */
export const CALL_HEADER = 3;

/** A function export of the core. */
type CoreFunction = (...args: number[]) => unknown;

/** A call of a list threw: the export's index in the list's numbering, and what it threw. */
export class CallFailure extends Error {
  constructor(readonly index: number, message: string, cause: unknown) {
    super(message, { cause });
  }
}

/**
 * Runs the `words` float64 words of calls at byte `ptr` of `memory` with the exports `functions`
 * (indexed as the list was recorded), writing each call's result (0 for none) into its result word.
 * A call that throws (a trap) stops the list with a CallFailure naming the export.
 */
export function runCalls(memory: WebAssembly.Memory, functions: readonly CoreFunction[], names: readonly string[], ptr: number, words: number): void {
  const list = new Float64Array(memory.buffer, ptr, words);
  const args: number[] = [];
  for (let i = 0; i < words;) {
    const index = list[i]!;
    const argc = list[i + 1]!;
    args.length = argc;
    for (let a = 0; a < argc; a++) args[a] = list[i + CALL_HEADER + a]!;
    let result: unknown;
    try {
      result = functions[index]!(...args);
    } catch (e) {
      throw new CallFailure(index, `${names[index]} failed: ${(e as Error).message}`, e);
    }
    list[i + 2] = typeof result === "number" ? result : 0;
    i += CALL_HEADER + argc;
  }
}
