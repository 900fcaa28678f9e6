// The training loop Model.fit and Seq2Seq.fit share: epochs of batches over N examples in an
// order shuffled every epoch from a seed, the callbacks (bindings/callbacks/: the verbose report,
// the onBatchEnd / onEpochEnd options, then the callbacks option in order; each hook awaited) and
// their stopTraining flag, an abort signal checked between batches and a yield to the event loop
// after every batch. Each batch is trained under the finite-step guard (step-guard.ts), which
// refuses a batch whose loss or step is not finite before anything of it is applied.
import { core } from "./core.js";
import { WasmArray } from "./buffer.js";
import { Rng } from "./random.js";
import { yieldToEventLoop } from "./schedule.js";
import { checkInt, checkBoolean, checkNumber, checkOptionKeys, describe } from "./validate.js";
import { CALLBACK_HOOKS, type BaseLogs, type BatchProgress, type Callback, type FitModel } from "./callbacks/callback.js";
import { historyOf, type History } from "./callbacks/history.js";
import { verboseCallback, type Verbosity } from "./callbacks/verbose.js";

export type { BatchProgress };

/**
 * A callback of fit. What it returns is awaited before training goes on: a promise (an async
 * function) holds the next batch until it settles, and a rejection, like a throw, rejects fit.
 */
export type FitCallback<T> = (value: T) => unknown;

/** The options every fit takes (besides its own). */
export interface EpochOptions<Logs extends BaseLogs> {
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
  /** Stops training between batches; fit then rejects with the signal's reason (a callback stops it normally: `model.stopTraining = true`). */
  signal?: AbortSignal;
  /** 0 silent (default), 1 a progress bar per epoch in a terminal (Node with a TTY stdout; else as 2), 2 one line per epoch (console.log). */
  verbose?: Verbosity;
  /** Callbacks (earlyStopping(), modelCheckpoint(...), ... or objects with onEpochEnd and other hooks), called in order. */
  callbacks?: Callback<Logs>[];
  /**
   * Hold out this fraction of the examples, in (0, 1), for validation after every epoch: the last
   * ones, before any shuffling (as Keras: the first floor(N · (1 - validationSplit)) train).
   */
  validationSplit?: number;
}

/** The keys of EpochOptions, which every fit accepts. */
export const EPOCH_KEYS = ["epochs", "batchSize", "shuffle", "seed", "onBatchEnd", "onEpochEnd", "signal", "verbose", "callbacks", "validationSplit"] as const;

/** Validated epoch settings. */
export interface EpochSettings<Logs extends BaseLogs> {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  verbose: Verbosity;
  /** The onBatchEnd / onEpochEnd options as a callback, then the callbacks option. */
  callbacks: Callback<Logs>[];
  /** null: not given. */
  validationSplit: number | null;
  signal?: AbortSignal;
}

/** Whether `value` is an AbortSignal, from this realm or another (a worker's, an iframe's). */
function isAbortSignal(value: unknown): value is AbortSignal {
  return Object.prototype.toString.call(value) === "[object AbortSignal]"
    && typeof (value as { throwIfAborted?: unknown }).throwIfAborted === "function";
}

/** The verbose option: 0, 1 or 2. */
function checkVerbose(where: string, value: unknown): Verbosity {
  if (value !== 0 && value !== 1 && value !== 2) throw new RangeError(`${where}: verbose must be 0 (silent), 1 (a progress bar) or 2 (a line per epoch); got ${describe(value)}`);
  return value;
}

/** The callbacks option: an array of objects whose hooks, where present, are functions. */
function checkCallbacks<Logs extends BaseLogs>(where: string, value: unknown): Callback<Logs>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`${where}: callbacks must be an array of callbacks such as earlyStopping(); got ${describe(value)}`);
  value.forEach((callback: unknown, i) => {
    if (callback === null || typeof callback !== "object") throw new TypeError(`${where}: callbacks[${i}] must be an object with hooks such as onEpochEnd; got ${describe(callback)}`);
    for (const hook of CALLBACK_HOOKS) {
      const f = (callback as Record<string, unknown>)[hook];
      if (f !== undefined && typeof f !== "function") throw new TypeError(`${where}: callbacks[${i}].${hook} must be a function; got ${describe(f)}`);
    }
  });
  return value as Callback<Logs>[];
}

/** The number of examples fit trains on when `split` of N are held out; a RangeError when either part would be empty. */
export function trainingRows(where: string, N: number, split: number): number {
  const train = Math.floor(N * (1 - split));
  if (train === 0 || train === N) {
    throw new RangeError(`${where}: validationSplit ${split} of ${N} examples leaves ${train === 0 ? "no training" : "no validation"} examples; expected a split that keeps at least one of each`);
  }
  return train;
}

/**
 * fit's validationData option, checked before anything is staged: null when not given, else an
 * object with only `keys` (the first `required` of them required); a RangeError with validationSplit.
 */
export function validationDataOption<V extends object>(where: string, validationSplit: number | null, value: unknown, keys: readonly (keyof V & string)[], required: number): V | null {
  if (value === undefined) return null;
  if (validationSplit !== null) throw new RangeError(`${where}: validationSplit and validationData cannot be combined; pass one of them`);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${where}: validationData must be an object { ${keys.map((k, i) => (i < required ? k : `${k}?`)).join(", ")} }; got ${describe(value)}`);
  }
  checkOptionKeys(`${where}: validationData`, value, keys);
  return value as V;
}

/** The examples fit validates on after every epoch: `data`'s [start, start + count), from the option named. */
export interface Validation<D> {
  /** The option the examples came from, for errors. */
  option: "validationData" | "validationSplit";
  data: D;
  start: number;
  count: number;
}

/** The examples fit trains on (its first N) and what it validates on after every epoch (null: nothing). */
export interface FitValidation<D> {
  N: number;
  validation: Validation<D> | null;
}

/**
 * Splits fit's examples: with validationSplit `split`, the first N of `training` train and the rest
 * validate; else all N train, and `stage` (given with the validationData option) stages the
 * examples to validate on. `check(N)` runs before staging, so that the training data's own errors
 * come first; a bad validation set then fails before any training, not after an epoch.
 */
export function fitValidation<D extends { readonly N: number }>(where: string, split: number | null, training: D, stage: (() => D) | null, check?: (N: number) => void): FitValidation<D> {
  const N = split === null ? training.N : trainingRows(where, training.N, split);
  check?.(N);
  if (stage !== null) {
    const data = stage();
    return { N, validation: { option: "validationData", data, start: 0, count: data.N } };
  }
  return { N, validation: split === null ? null : { option: "validationSplit", data: training, start: N, count: training.N - N } };
}

/** Checks the shared options (before a fit stages its data) and fills in the defaults. */
export function checkEpochOptions<Logs extends BaseLogs>(where: string, options: EpochOptions<Logs>): EpochSettings<Logs> {
  for (const name of ["onBatchEnd", "onEpochEnd"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") throw new TypeError(`${where}: ${name} must be a function; got ${describe(options[name])}`);
  }
  const split = options.validationSplit;
  if (split !== undefined && (checkNumber(where, "validationSplit", split, 0, 1) === 0 || split === 1)) {
    throw new RangeError(`${where}: validationSplit must be in (0, 1), the fraction of examples held out; got ${split}`);
  }
  const { onBatchEnd, onEpochEnd } = options;
  const legacy: Callback<Logs>[] = onBatchEnd === undefined && onEpochEnd === undefined ? [] : [{
    onBatchEnd: (_batch, progress) => onBatchEnd?.(progress),
    onEpochEnd: (_epoch, logs) => onEpochEnd?.(logs),
  }];
  if (options.signal !== undefined && !isAbortSignal(options.signal)) {
    throw new TypeError(`${where}: signal must be an AbortSignal (new AbortController().signal); got ${describe(options.signal)}`);
  }
  const settings: EpochSettings<Logs> = {
    epochs: checkInt(where, "epochs", options.epochs ?? 1),
    batchSize: checkInt(where, "batchSize", options.batchSize ?? 32),
    shuffle: checkBoolean(where, "shuffle", options.shuffle ?? true),
    seed: checkInt(where, "seed", options.seed ?? 0, 0),
    verbose: checkVerbose(where, options.verbose ?? 0),
    callbacks: [...legacy, ...checkCallbacks<Logs>(where, options.callbacks)],
    validationSplit: split ?? null,
  };
  if (options.signal !== undefined) settings.signal = options.signal;
  return settings;
}

/** Awaits `hook` of every callback in order. */
async function call<Logs extends BaseLogs, K extends keyof Callback<Logs>>(callbacks: readonly Callback<Logs>[], hook: K,
  ...args: Parameters<NonNullable<Callback<Logs>[K]>>): Promise<void> {
  for (const callback of callbacks) await (callback[hook] as ((...a: typeof args) => unknown) | undefined)?.apply(callback, args);
}

/**
 * Runs the epochs over N examples of `model`: `trainBatch(indices, count, at)` trains on the
 * `count` examples whose ids are the i32 [count] at wasm address `indices` and returns the batch's
 * loss (`at` says where the batch is, "at epoch 2, batch 5", for the guard's messages);
 * `endEpoch(epoch, batches)` makes the epoch's logs from its `batches` batches (each fit keeps its
 * own sums), to which the optimizer's lr is added. A callback that sets `model.stopTraining` ends
 * training after the current batch, with that epoch's logs. Resolves to the History of every
 * epoch; rejects with the first error of a batch or a callback.
 */
export async function runEpochs<Logs extends BaseLogs>(
  N: number, settings: EpochSettings<Logs>, model: FitModel,
  trainBatch: (indices: number, count: number, at: string) => number, endEpoch: (epoch: number, batches: number) => Omit<Logs, "lr">,
): Promise<History<Logs>> {
  const { epochs, batchSize, shuffle, seed } = settings;
  const batches = Math.ceil(N / batchSize);
  const report = await verboseCallback(settings.verbose, epochs);
  const callbacks = report === null ? settings.callbacks : [report, ...settings.callbacks];
  const rng = new Rng(seed);
  const order = new WasmArray(N);
  const history = historyOf<Logs>([]);
  model.stopTraining = false;
  try {
    for (const callback of callbacks) callback.setModel?.(model);
    await call(callbacks, "onTrainBegin");
    for (let epoch = 0; epoch < epochs && !model.stopTraining; epoch++) {
      await call(callbacks, "onEpochBegin", epoch);
      core().fillIotaI32(order.ptr, N);
      if (shuffle) rng.shuffle(order.ptr, N);
      let done = 0;
      while (done < batches && (done === 0 || !model.stopTraining)) {
        settings.signal?.throwIfAborted();
        const b = done++;
        const loss = trainBatch(order.ptr + b * batchSize * 4, Math.min(batchSize, N - b * batchSize), `at epoch ${epoch}, batch ${b}`);
        await call(callbacks, "onBatchEnd", b, { epoch, batch: b, batches, loss });
        await yieldToEventLoop();
      }
      const logs = { ...endEpoch(epoch, done), lr: model.optimizer.lr } as Logs;
      history.push(logs);
      await call(callbacks, "onEpochEnd", epoch, logs);
    }
    await call(callbacks, "onTrainEnd", history[history.length - 1]);
  } finally {
    report?.close?.();
    rng.dispose();
    order.free();
  }
  return history;
}
