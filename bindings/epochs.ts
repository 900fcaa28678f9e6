// The training loop Model.fit and Seq2Seq.fit share: epochs of batches over N examples in an
// order shuffled every epoch from a seed, a progress callback after every batch (awaited when it
// returns a promise), an abort signal checked between batches and a yield to the event loop after
// every batch. Each batch is trained under the finite-step guard (step-guard.ts), which refuses a
// batch whose loss or step is not finite before anything of it is applied.
import { core } from "./core.js";
import { WasmArray } from "./buffer.js";
import { Rng } from "./random.js";
import { yieldToEventLoop } from "./schedule.js";
import { checkInt, checkBoolean, describe } from "./validate.js";

/** Progress after one batch, for `onBatchEnd`. */
export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
}

/**
 * A callback of fit. What it returns is awaited before training goes on: a promise (an async
 * function) holds the next batch until it settles, and a rejection, like a throw, rejects fit.
 */
export type FitCallback<T> = (value: T) => unknown;

/** The options every fit takes (besides its own). */
export interface EpochOptions<Logs> {
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Examples per batch (default 32); the last batch of an epoch may be smaller. */
  batchSize?: number;
  /** Shuffle the examples every epoch (default true) with a seeded RNG. */
  shuffle?: boolean;
  /** Seed of the shuffling (default 0). */
  seed?: number;
  /** After every batch; awaited before the next batch when it returns a promise. */
  onBatchEnd?: FitCallback<BatchProgress>;
  /** After every epoch; awaited before the next epoch when it returns a promise. */
  onEpochEnd?: FitCallback<Logs>;
  /** Stops training between batches; fit then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Validated epoch settings. */
export interface EpochSettings<Logs> {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  onBatchEnd?: FitCallback<BatchProgress>;
  onEpochEnd?: FitCallback<Logs>;
  signal?: AbortSignal;
}

/** Whether `value` is an AbortSignal, from this realm or another (a worker's, an iframe's). */
function isAbortSignal(value: unknown): value is AbortSignal {
  return Object.prototype.toString.call(value) === "[object AbortSignal]"
    && typeof (value as { throwIfAborted?: unknown }).throwIfAborted === "function";
}

/** Checks the shared options (before a fit stages its data) and fills in the defaults. */
export function checkEpochOptions<Logs>(where: string, options: EpochOptions<Logs>): EpochSettings<Logs> {
  for (const name of ["onBatchEnd", "onEpochEnd"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") throw new TypeError(`${where}: ${name} must be a function; got ${describe(options[name])}`);
  }
  if (options.signal !== undefined && !isAbortSignal(options.signal)) {
    throw new TypeError(`${where}: signal must be an AbortSignal (new AbortController().signal); got ${describe(options.signal)}`);
  }
  const settings: EpochSettings<Logs> = {
    epochs: checkInt(where, "epochs", options.epochs ?? 1),
    batchSize: checkInt(where, "batchSize", options.batchSize ?? 32),
    shuffle: checkBoolean(where, "shuffle", options.shuffle ?? true),
    seed: checkInt(where, "seed", options.seed ?? 0, 0),
  };
  if (options.onBatchEnd !== undefined) settings.onBatchEnd = options.onBatchEnd;
  if (options.onEpochEnd !== undefined) settings.onEpochEnd = options.onEpochEnd;
  if (options.signal !== undefined) settings.signal = options.signal;
  return settings;
}

/**
 * Runs the epochs over N examples: `trainBatch(indices, count, at)` trains on the `count` examples
 * whose ids are the i32 [count] at wasm address `indices` and returns the batch's loss (`at` says
 * where the batch is, "at epoch 2, batch 5", for the guard's messages); `endEpoch(epoch, batches)`
 * makes the epoch's logs (each fit keeps its own sums). Resolves to the logs of every epoch; rejects
 * with the first error of a batch or a callback.
 */
export async function runEpochs<Logs>(
  N: number, settings: EpochSettings<Logs>,
  trainBatch: (indices: number, count: number, at: string) => number, endEpoch: (epoch: number, batches: number) => Logs,
): Promise<Logs[]> {
  const { epochs, batchSize, shuffle, seed } = settings;
  const batches = Math.ceil(N / batchSize);
  const rng = new Rng(seed);
  const order = new WasmArray(N);
  const history: Logs[] = [];
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      core().fillIotaI32(order.ptr, N);
      if (shuffle) rng.shuffle(order.ptr, N);
      for (let b = 0; b < batches; b++) {
        settings.signal?.throwIfAborted();
        const loss = trainBatch(order.ptr + b * batchSize * 4, Math.min(batchSize, N - b * batchSize), `at epoch ${epoch}, batch ${b}`);
        await settings.onBatchEnd?.({ epoch, batch: b, batches, loss });
        await yieldToEventLoop();
      }
      const logs = endEpoch(epoch, batches);
      history.push(logs);
      await settings.onEpochEnd?.(logs);
    }
  } finally {
    rng.dispose();
    order.free();
  }
  return history;
}
