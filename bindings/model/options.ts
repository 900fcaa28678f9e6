// The public option and result types of Model, and the option keys each entry accepts.
import type { EpochOptions } from "../epochs.js";
import type { BaseLogs } from "../callbacks/callback.js";
import type { Layer } from "../layers/layer.js";
import type { LossSpec } from "../losses.js";
import type { MetricSpec } from "../metrics.js";
import type { Optimizer } from "../optimizers.js";
import type { TensorLike, IntTensorLike } from "../tensor.js";

/** Options of `new Model(...)`. */
export interface ModelOptions {
  /** Layers applied in order; sizes must chain (each inputSize equals the previous outputSize). */
  layers: Layer[];
  /**
   * Loss on the last layer's output (logits for softmaxCrossEntropy and binaryCrossEntropyWithLogits):
   * a name, or { name, ...params } for a loss with parameters, e.g. { name: "huber", delta: 0.5 }.
   */
  loss: LossSpec;
  /** Default: new Adam(). */
  optimizer?: Optimizer;
  /** Clip the global L2 norm of all gradients to this before each step (torch clip_grad_norm_). */
  clipNorm?: number;
  /** Clip every gradient to [-clipValue, clipValue] before each step. */
  clipValue?: number;
  /**
   * Sequences batch-first, as PyTorch's batch_first=True and Keras: x [N, T, D] (ids [N, T]),
   * per-step targets and masks [N, T(, O)], predict's per-step outputs [N, T, O] and step's chunks
   * [B, T, D] in and [B, T, O] out. Default false: time-major [T, N, ...]. The core reorders the
   * data while it gathers batches; results are bit for bit those of the same data time-major.
   */
  batchFirst?: boolean;
  /**
   * What fit's logs and evaluate report beside the loss, as Keras' `metrics`: "accuracy",
   * "topKAccuracy" (or { name: "topKAccuracy", k }, default k 5) for class ids; "meanAbsoluteError" /
   * "mae", "meanSquaredError" / "mse", "rootMeanSquaredError" / "rmse" for float targets;
   * "perplexity" (exp of the mean softmaxCrossEntropy). Counted by the core on every batch, under
   * the name given (validation: "val" + Name, e.g. valMae); saved with the model. A classification
   * loss reports accuracy whether listed or not.
   */
  metrics?: MetricSpec[];
}

/** Inputs of a model: ids [T, N] when the first layer reads ids (Embedding, or tokenInput), else floats [T, N, D]. */
export type ModelInput = TensorLike | IntTensorLike;
/** Targets: class ids [T, N] ([N] for many-to-one) for softmaxCrossEntropy, else floats [T, N, O] ([N, O]). */
export type ModelTarget = TensorLike | IntTensorLike;

/** Per-epoch numbers reported by `fit` (epoch, loss, lr as every fit's; the rest by metric name). */
export interface EpochLogs extends BaseLogs {
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** The model's metrics (as named in `metrics`) and, after validation, "val" + Name. */
  [metric: string]: number | undefined;
}

/** Per-sequence inputs beside x, for fit, evaluate and predict. */
export interface SequenceInputs {
  /** Length of each sequence, [N] ints in [1, T]: padded steps give zero outputs, keep the state and are left out of the loss. */
  lengths?: IntTensorLike;
  /** Context vectors [N, contextSize] for models whose layers were built with contextSize. */
  context?: TensorLike;
}

/**
 * Options of `Model.fit`: the shared epoch options (epochs, batchSize, shuffle, seed, verbose,
 * callbacks, validationSplit, onBatchEnd, onEpochEnd, signal) and these.
 */
export interface FitOptions extends SequenceInputs, EpochOptions<EpochLogs> {
  /** Per-target weights in [0, 1] with the targets' leading shape ([T, N] or [N]): 0 ignores a padded step. */
  mask?: TensorLike;
  /** Examples to evaluate after every epoch (valLoss, valAccuracy); not with validationSplit. */
  validationData?: { x: ModelInput; y: ModelTarget; mask?: TensorLike; lengths?: IntTensorLike; context?: TensorLike };
  /** Truncated BPTT: process each batch in chunks of k steps, carrying the state and cutting the gradient. */
  truncatedBptt?: number;
}

/** Options of `Model.evaluate`. */
export interface EvaluateOptions extends SequenceInputs {
  batchSize?: number;
  mask?: TensorLike;
}

/** Options of `Model.predict`. */
export interface PredictOptions extends SequenceInputs {
  batchSize?: number;
  /** Softmax (softmaxCrossEntropy) or sigmoid (binaryCrossEntropyWithLogits) of the logits. */
  probabilities?: boolean;
}

/** Options of `Model.step`. */
export interface StepOptions {
  /** Context vectors [B, contextSize] for models whose layers were built with contextSize. */
  context?: TensorLike;
  /** As in `predict`. */
  probabilities?: boolean;
}

/** Loss and accuracy (classification losses only) over a dataset. */
export interface Evaluation {
  loss: number;
  accuracy?: number;
  /** The model's metrics, as named in `metrics`. */
  [metric: string]: number | undefined;
}

export const MODEL_KEYS = ["layers", "loss", "optimizer", "clipNorm", "clipValue", "batchFirst", "metrics"] as const;
