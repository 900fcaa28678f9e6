// The training loop Model.fit and Seq2Seq.fit share: epochs of batches over N examples in an
// order shuffled every epoch from a seed, a progress callback after every batch, an abort signal
// checked between batches, a yield to the event loop after every batch, and a stop as soon as a
// batch's loss is not finite.
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
  onBatchEnd?: (progress: BatchProgress) => void;
  onEpochEnd?: (logs: Logs) => void;
  /** Stops training between batches; fit then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Validated epoch settings. */
export interface EpochSettings<Logs> {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  onBatchEnd?: (progress: BatchProgress) => void;
  onEpochEnd?: (logs: Logs) => void;
  signal?: AbortSignal;
}

/** Checks the shared options (before a fit stages its data) and fills in the defaults. */
export function checkEpochOptions<Logs>(where: string, options: EpochOptions<Logs>): EpochSettings<Logs> {
  for (const name of ["onBatchEnd", "onEpochEnd"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") throw new TypeError(`${where}: ${name} must be a function; got ${describe(options[name])}`);
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
 * Runs the epochs over N examples: `trainBatch(indices, count)` trains on the `count` examples
 * whose ids are the i32 [count] at wasm address `indices` and returns the batch's loss;
 * `endEpoch(epoch, batches)` makes the epoch's logs (each fit keeps its own sums). Resolves to the
 * logs of every epoch.
 */
export async function runEpochs<Logs>(
  where: string, N: number, settings: EpochSettings<Logs>,
  trainBatch: (indices: number, count: number) => number, endEpoch: (epoch: number, batches: number) => Logs,
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
        const loss = trainBatch(order.ptr + b * batchSize * 4, Math.min(batchSize, N - b * batchSize));
        if (!Number.isFinite(loss)) throw new RangeError(`${where}: the loss became ${loss} at epoch ${epoch}, batch ${b}; lower the learning rate or clip gradients (clipNorm)`);
        settings.onBatchEnd?.({ epoch, batch: b, batches, loss });
        await yieldToEventLoop();
      }
      const logs = endEpoch(epoch, batches);
      history.push(logs);
      settings.onEpochEnd?.(logs);
    }
  } finally {
    rng.dispose();
    order.free();
  }
  return history;
}
