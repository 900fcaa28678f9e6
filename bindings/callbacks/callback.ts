// The callback contract of fit (as tf.js / Keras callbacks): objects with optional hooks that fit
// calls, awaiting each, in the order they were given; a hook stops training by setting
// `model.stopTraining = true`, after which fit finishes the batch and the epoch and resolves.
import type { ParameterArena } from "../arena.js";
import type { Optimizer } from "../optimizers/optimizer.js";

/** What every fit's epoch logs hold; each fit adds its metrics (accuracy, valLoss, ...) by name. */
export interface BaseLogs {
  /** The epoch, from 0. */
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  /** The optimizer's learning rate at the end of the epoch (the one its next step uses). */
  lr: number;
}

/** Progress after one batch: the epoch and batch (from 0), the batches per epoch and the batch's loss. */
export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
}

/** The model a callback is given (`setModel`): a Model or a Seq2Seq. */
export interface FitModel {
  /** Set it to true in a hook to stop after the current batch (fit then ends the epoch and resolves). */
  stopTraining: boolean;
  readonly optimizer: Optimizer;
  /** The parameters, for callbacks that keep and restore weights. */
  readonly parameters: ParameterArena;
  /** The model file (with the optimizer state), as `Model.load` / `Seq2Seq.load` read it. */
  save(): Uint8Array;
}

/**
 * A callback of fit: every hook is optional and may return a promise, which fit awaits before
 * going on; a throw or a rejection rejects fit. `setModel` is called once, before `onTrainBegin`.
 */
export interface Callback<Logs extends BaseLogs = BaseLogs> {
  setModel?(model: FitModel): void;
  onTrainBegin?(): unknown;
  onEpochBegin?(epoch: number): unknown;
  onBatchEnd?(batch: number, progress: BatchProgress): unknown;
  onEpochEnd?(epoch: number, logs: Logs): unknown;
  /** After the last epoch (also when a callback stopped training), with its logs; not called when fit rejects. */
  onTrainEnd?(logs: Logs | undefined): unknown;
}

/** The hook names a callback object may have. */
export const CALLBACK_HOOKS = ["setModel", "onTrainBegin", "onEpochBegin", "onBatchEnd", "onEpochEnd", "onTrainEnd"] as const;
