// Model.fromTfjs: a wasm-rnn Model from TensorFlow.js / Keras layers-model artifacts of a Sequential
// model (Embedding, SimpleRNN, LSTM, GRU, Bidirectional, Dense, TimeDistributed(Dense), Activation,
// GlobalAveragePooling1D; Dropout-like layers are dropped, as inference ignores them).
//
// The imported model is time-major: it takes x [T, N, D] (ids [T, N]) where the Keras model took
// [N, T, D], and gives the same values for full-length sequences (pass lengths for padded ones).
import { Model } from "../model.js";
import { LOSS_NAMES, probabilitiesOf, type LossName } from "../losses.js";
import { checkChoice, checkOptionKeys, describe } from "../validate.js";
import type { FromTfjsOptions, TfjsArtifactsLike, WasmRnnTfjsMetadata } from "./tfjs-types.js";
import { parseTopology, type KerasActivation, type LayerSpec } from "./tfjs-topology.js";
import { decodeWeights, LayerWeights } from "./tfjs-weights.js";
import { PlanBuilder } from "./tfjs-plan.js";
import { labelErrors } from "../errors.js";

const WHERE = "Model.fromTfjs";

/** What toTfjs stored in userDefinedMetadata["wasm-rnn"], if anything. */
function storedMetadata(value: unknown): Partial<WasmRnnTfjsMetadata> {
  const stored = value !== null && typeof value === "object" ? (value as Record<string, unknown>)["wasm-rnn"] : undefined;
  if (stored === undefined) return {};
  if (stored === null || typeof stored !== "object") throw new TypeError(`${WHERE}: userDefinedMetadata["wasm-rnn"] must be an object; got ${describe(stored)}`);
  const { loss, metadata } = stored as Record<string, unknown>;
  const out: Partial<WasmRnnTfjsMetadata> = {};
  if (loss !== undefined) out.loss = checkChoice(WHERE, 'userDefinedMetadata["wasm-rnn"].loss', loss, LOSS_NAMES);
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
      throw new TypeError(`${WHERE}: userDefinedMetadata["wasm-rnn"].metadata must be an object; got ${describe(metadata)}`);
    }
    out.metadata = metadata as Record<string, unknown>;
  }
  return out;
}

/** The activation a model's last layer ends in, when it is a Dense or an Activation layer. */
function outputActivation(specs: readonly LayerSpec[]): KerasActivation | null {
  const last = specs[specs.length - 1]!;
  return last.kind === "dense" || last.kind === "activation" ? last.activation : null;
}

/** The loss's output activation (softmax, sigmoid) removed from the end: wasm-rnn models output logits. */
function withoutOutputActivation(specs: readonly LayerSpec[], loss: LossName): LayerSpec[] {
  const activation = outputActivation(specs);
  const lossActivation = probabilitiesOf(loss);
  if (activation === null || activation !== lossActivation) return [...specs];
  const last = specs[specs.length - 1]!;
  return last.kind === "activation" ? specs.slice(0, -1) : [...specs.slice(0, -1), { ...last, activation: "linear" } as LayerSpec];
}

/**
 * A wasm-rnn Model from TF.js / Keras layers-model artifacts of a Sequential model: the
 * `tf.io.ModelArtifacts` object `model.save(tf.io.withSaveHandler(...))` captures, toTfjs' output,
 * or a parsed model.json ({ modelTopology, weightsManifest }) with the weight files' bytes as
 * `weightData`. Weights are float32, decoded by the specs in order and found by name ("lstm/kernel",
 * "lstm/lstm_cell/kernel", "sequential/lstm/kernel", "bidirectional/forward_lstm/kernel", ...).
 * Consecutive recurrent layers of the same kind become one layer with numLayers; Keras' single
 * bias goes to bias_ih (bias_hh = 0). Loss: options.loss, else the one toTfjs recorded, else
 * softmaxCrossEntropy when the model ends in a softmax (dropped: the model outputs logits), else
 * meanSquaredError. Anything wasm-rnn cannot run exactly is a RangeError naming the layer.
 */
export function modelFromTfjs(artifacts: TfjsArtifactsLike, options?: FromTfjsOptions): Model {
  if (artifacts === null || typeof artifacts !== "object") throw new TypeError(`${WHERE}: artifacts must be a tf.io.ModelArtifacts object; got ${describe(artifacts)}`);
  checkOptionKeys(WHERE, options, ["loss"]);
  const requested = options?.loss === undefined ? undefined : checkChoice(WHERE, "options.loss", options.loss, LOSS_NAMES);
  if (artifacts.format !== undefined && artifacts.format !== "layers-model") {
    throw new RangeError(`${WHERE}: artifacts.format must be "layers-model"; got ${describe(artifacts.format)} (graph models have no Keras layers)`);
  }
  const topology = parseTopology(artifacts.modelTopology);
  const stored = storedMetadata(artifacts.userDefinedMetadata);
  const loss = requested ?? stored.loss ?? (outputActivation(topology.layers) === "softmax" ? "softmaxCrossEntropy" : "meanSquaredError");
  const specs = withoutOutputActivation(topology.layers, loss);
  if (specs.length === 0) throw new RangeError(`${WHERE}: the model has no layer but its output activation`);
  const weights = new LayerWeights(decodeWeights(artifacts), topology.layers.map((s) => s.name));
  const builder = new PlanBuilder(weights, specs[0]!, topology.inputShape);
  for (const spec of specs) builder.add(spec);
  weights.checkAllTaken();
  const model = labelErrors(WHERE, () => {
    const layers = builder.build();
    try {
      return new Model({ layers, loss });
    } catch (e) {
      for (const layer of layers) layer.dispose();
      throw e;
    }
  });
  model.metadata = stored.metadata ?? {};
  return model;
}
