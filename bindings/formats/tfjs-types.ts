// The TensorFlow.js layers-model artifacts, as structural types (the library does not import
// @tensorflow/tfjs): what `tf.io.ModelArtifacts` holds for a Keras Sequential model, what
// `toTfjs` writes and what `modelFromTfjs` reads.
import type { LossName } from "../losses.js";

/** A JSON value, as Keras configs hold them. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One layer of a Keras topology: `{ class_name, config }` with snake_case config keys. */
export interface KerasLayerJson {
  class_name: string;
  config: { [key: string]: JsonValue };
}

/** A Keras-2 style Sequential topology, as tfjs-layers writes it into model.json's modelTopology. */
export interface KerasSequentialJson {
  class_name: "Sequential";
  config: { name: string; layers: KerasLayerJson[] };
  keras_version: string;
  backend: string;
}

/** One weight of `weightData` as toTfjs writes it: float32, row-major, in spec order. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: "float32";
}

/** What toTfjs stores under `userDefinedMetadata["wasm-rnn"]` so that modelFromTfjs restores it. */
export interface WasmRnnTfjsMetadata {
  /** The wasm-rnn model's loss: the exported model ends in its output activation (softmax, sigmoid). */
  loss: LossName;
  /** The model's `metadata` (a vocabulary, a normalizer, ...). */
  metadata: Record<string, unknown>;
}

/** Layers-model artifacts as `tf.io.ModelArtifacts` has them: pass them to `tf.io.fromMemory`. */
export interface TfjsArtifacts {
  modelTopology: KerasSequentialJson;
  weightSpecs: TfjsWeightSpec[];
  weightData: ArrayBuffer;
  format: "layers-model";
  generatedBy: string;
  convertedBy: string;
  userDefinedMetadata: { "wasm-rnn": WasmRnnTfjsMetadata };
}

/** A weight spec as tfjs or the Keras converter may write it (checked when read). */
export interface TfjsWeightSpecLike {
  name: string;
  shape: readonly number[];
  dtype: string;
  /** "optimizer" for optimizer state saved with includeOptimizer (skipped). */
  group?: string;
  /** Quantized weights are refused. */
  quantization?: unknown;
}

/**
 * What modelFromTfjs reads: a `tf.io.ModelArtifacts` object (as `model.save(tf.io.withSaveHandler(...))`
 * captures it), or a parsed model.json (`modelTopology` plain or wrapped in `model_config`, and
 * `weightsManifest` instead of `weightSpecs`) with the weight files' bytes concatenated as `weightData`.
 */
export interface TfjsArtifactsLike {
  modelTopology?: unknown;
  weightSpecs?: readonly TfjsWeightSpecLike[];
  weightsManifest?: readonly { paths?: readonly string[]; weights: readonly TfjsWeightSpecLike[] }[];
  weightData?: ArrayBuffer | readonly ArrayBuffer[] | ArrayBufferView;
  userDefinedMetadata?: unknown;
  format?: string;
}

/** Options of `toTfjs`. */
export interface ToTfjsOptions {
  /** The time dimension of the input shape [null, T, D] (default null: any length). */
  sequenceLength?: number;
  /** The Keras model name (default "sequential"). */
  name?: string;
}

/** Options of `Model.fromTfjs`. */
export interface FromTfjsOptions {
  /**
   * The model's loss. Default: the loss toTfjs recorded; else softmaxCrossEntropy when the model
   * ends in a softmax (then dropped: the imported model outputs logits), else meanSquaredError.
   * binaryCrossEntropyWithLogits drops a final sigmoid likewise.
   */
  loss?: LossName;
}
