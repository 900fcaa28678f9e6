// toTfjs: a wasm-rnn Model as TensorFlow.js layers-model artifacts (a Keras Sequential topology and
// float32 weights), loadable with tf.loadLayersModel(tf.io.fromMemory(artifacts)).
//
// TF.js / Keras are batch-first: the exported model takes x [N, T, D] (ids [N, T]) and gives
// [N, T, O] (or [N, O] for many-to-one) where the wasm-rnn model takes time-major [T, N, D].
// Its predictions are model.predict's for full-length sequences (no lengths: Keras masks are not
// written), with the loss's output activation applied (softmax for softmaxCrossEntropy, sigmoid for
// binaryCrossEntropyWithLogits: what predict gives with { probabilities: true }).
import { Model } from "../model.js";
import { probabilitiesOf } from "../losses.js";
import { Layer } from "../layers/layer.js";
import { RecurrentLayer } from "../layers/recurrent.js";
import { SimpleRNN } from "../layers/simple-rnn.js";
import { LSTM } from "../layers/lstm.js";
import { GRU } from "../layers/gru.js";
import { Dense } from "../layers/dense.js";
import { Embedding } from "../layers/embedding.js";
import type { Tensor } from "../tensor.js";
import { checkInt, checkOptionKeys, describe } from "../validate.js";
import type { JsonValue, KerasLayerJson, TfjsArtifacts, TfjsWeightSpec, ToTfjsOptions } from "./tfjs-types.js";
import { kerasActivation, tokenEmbedding, type KerasCellClass } from "./tfjs-layout.js";
import { kerasCellWeights, kerasWeights } from "./keras-weights.js";

const WHERE = "toTfjs";
/** The tfjs-layers release whose Keras dialect the topology follows (and that the tests load it with). */
const KERAS_VERSION = "tfjs-layers 4.22.0";

type KerasConfig = { [key: string]: JsonValue };

/** The Keras layers and their weights as they are written, with Keras-style unique names. */
class KerasWriter {
  readonly layers: KerasLayerJson[] = [];
  readonly weights: { name: string; tensor: Tensor }[] = [];
  private readonly counts = new Map<string, number>();

  /** lstm, lstm_1, lstm_2, ... as Keras names layers. */
  uniqueName(base: string): string {
    const n = this.counts.get(base) ?? 0;
    this.counts.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  }

  /** Appends a layer; its weights are named "<layer name>/<weight>". */
  add(className: string, base: string, config: KerasConfig, weights: [string, Tensor][] = []): KerasLayerJson {
    const name = this.uniqueName(base);
    const layer: KerasLayerJson = { class_name: className, config: { name, trainable: true, ...config } };
    this.layers.push(layer);
    for (const [weight, tensor] of weights) this.weights.push({ name: `${name}/${weight}`, tensor });
    return layer;
  }
}

/** Keras' snake_case class names, for layer names. */
const BASE_NAMES: Record<KerasCellClass, string> = { SimpleRNN: "simple_rnn", LSTM: "lstm", GRU: "gru" };

/** The Keras cell of a recurrent layer, or a clear error for what Keras cannot express. */
function cellClassOf(layer: RecurrentLayer, at: string): KerasCellClass {
  const what = `${at} (${layer.constructor.name})`;
  if (layer.contextSize > 0) {
    throw new RangeError(`${WHERE}: ${what} has contextSize ${layer.contextSize}; Keras recurrent layers take no per-sequence context (expected contextSize 0)`);
  }
  if (layer instanceof LSTM) {
    if (layer.peephole) throw new RangeError(`${WHERE}: ${what} has peepholes; Keras' and TF.js' LSTM has none (expected peephole false)`);
    return "LSTM";
  }
  if (layer instanceof GRU) {
    if (layer.resetAfter) {
      throw new RangeError(`${WHERE}: ${what} has resetAfter true; TF.js 4.22 does not implement reset_after (its GRUCell refuses it): expected a GRU built with resetAfter false`);
    }
    return "GRU";
  }
  if (layer instanceof SimpleRNN) return "SimpleRNN";
  throw new RangeError(`${WHERE}: ${what}: Keras and TF.js have no ${layer.constructor.name} layer (expected SimpleRNN, LSTM, GRU, Dense or Embedding)`);
}

/** The Keras config of one stacked layer of a recurrent layer. */
function cellConfig(layer: RecurrentLayer, cell: KerasCellClass, returnSequences: boolean): KerasConfig {
  const config: KerasConfig = { units: layer.units };
  if (layer instanceof SimpleRNN) config.activation = kerasActivation(layer.activation);
  if (layer instanceof LSTM || layer instanceof GRU) {
    config.activation = kerasActivation(layer.activation);
    config.recurrent_activation = kerasActivation(layer.recurrentActivation);
  }
  Object.assign(config, {
    use_bias: true, return_sequences: returnSequences, return_state: false, go_backwards: false, stateful: false, unroll: false,
    dropout: 0, recurrent_dropout: 0,
  });
  if (cell === "GRU") config.reset_after = false;
  return config;
}

/**
 * A recurrent layer as numLayers Keras layers (each in a Bidirectional wrapper when bidirectional),
 * then GlobalAveragePooling1D for pooling "mean". tokenInput becomes an Embedding holding the first
 * layer's input weights, whose kernels become identity blocks (the same products).
 */
function writeRecurrent(w: KerasWriter, layer: RecurrentLayer, at: string): void {
  const cell = cellClassOf(layer, at);
  const dict = layer.stateDict();
  const suffixes = layer.bidirectional ? ["", "_reverse"] : [""];
  const pooledMean = !layer.returnSequences && layer.pooling === "mean";
  for (let l = 0; l < layer.numLayers; l++) {
    const directions = suffixes.map((s) => kerasCellWeights(cell, dict, `_l${l}${s}`));
    if (l === 0 && layer.tokenInput) {
      const { embeddings, kernels } = tokenEmbedding(directions.map((d) => d[0]![1]));
      w.add("Embedding", "embedding", { input_dim: layer.inputSize, output_dim: embeddings.shape[1]!, mask_zero: false }, [["embeddings", embeddings]]);
      directions.forEach((d, i) => (d[0]![1] = kernels[i]!));
    }
    const returnSequences = l < layer.numLayers - 1 || layer.returnSequences || pooledMean;
    const config = cellConfig(layer, cell, returnSequences);
    if (!layer.bidirectional) {
      w.add(cell, BASE_NAMES[cell], config, directions[0]);
      continue;
    }
    const inner = w.uniqueName(BASE_NAMES[cell]);
    const named = directions.flatMap((d, i) => d.map(([weight, t]): [string, Tensor] => [`${i === 0 ? "forward" : "backward"}_${inner}/${weight}`, t]));
    w.add("Bidirectional", "bidirectional", { layer: { class_name: cell, config: { name: inner, trainable: true, ...config } }, merge_mode: layer.mergeMode }, named);
  }
  if (pooledMean) w.add("GlobalAveragePooling1D", "global_average_pooling1d", {});
}

/** A Dense or Embedding layer's weights as Keras names and lays them out (kernel, bias; embeddings). */
function kerasWeightList(layer: Layer): [string, Tensor][] {
  return kerasWeights(layer).map(({ name, tensor }) => [name, tensor]);
}

/** Appends one wasm-rnn layer. */
function writeLayer(w: KerasWriter, layer: Layer, at: string): void {
  if (layer instanceof RecurrentLayer) {
    writeRecurrent(w, layer, at);
  } else if (layer instanceof Dense) {
    w.add("Dense", "dense", { units: layer.units, activation: kerasActivation(layer.activation), use_bias: true }, kerasWeightList(layer));
  } else if (layer instanceof Embedding) {
    w.add("Embedding", "embedding", { input_dim: layer.inputSize, output_dim: layer.units, mask_zero: false }, kerasWeightList(layer));
  } else {
    throw new RangeError(`${WHERE}: ${at} is a ${layer.constructor.name}, which has no Keras equivalent`);
  }
}

/** The loss's output activation: folded into a final linear Dense, else an Activation layer. */
function writeOutputActivation(w: KerasWriter, model: Model): void {
  const activation = probabilitiesOf(model.loss);
  if (activation === null) return;
  const last = w.layers[w.layers.length - 1]!;
  if (last.class_name === "Dense" && last.config.activation === "linear") last.config.activation = activation;
  else w.add("Activation", "activation", { activation });
}

/** The weights' specs and their float32 values concatenated in spec order. */
function packWeights(weights: readonly { name: string; tensor: Tensor }[]): { weightSpecs: TfjsWeightSpec[]; weightData: ArrayBuffer } {
  const total = weights.reduce((n, { tensor }) => n + tensor.data.length, 0);
  const values = new Float32Array(total);
  let offset = 0;
  for (const { tensor } of weights) {
    values.set(tensor.data, offset);
    offset += tensor.data.length;
  }
  return { weightSpecs: weights.map(({ name, tensor }) => ({ name, shape: [...tensor.shape], dtype: "float32" })), weightData: values.buffer };
}

/** A JSON copy of the model's metadata (tfjs keeps userDefinedMetadata as JSON). */
function jsonCopy(metadata: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>;
  } catch (e) {
    throw new RangeError(`${WHERE}: model.metadata must be JSON-serialisable; ${(e as Error).message}`);
  }
}

/**
 * The model as TF.js layers-model artifacts (what `tf.io.ModelArtifacts` holds): a Keras-2 style
 * Sequential `modelTopology` whose first layer has batch_input_shape [null, T, D] (ids: [null, T];
 * T = options.sequenceLength or null), `weightSpecs` and `weightData`. Batch-first: tfjs's
 * `predict(x [N, T, D])` equals this model's `predict(x [T, N, D])` transposed, for full-length
 * sequences, with the loss's output activation applied (`{ probabilities: true }`).
 * Maps Embedding, Dense, SimpleRNN, LSTM and GRU (resetAfter false) with numLayers,
 * bidirectional (all merge modes), returnSequences, pooling and tokenInput; refuses Jordan
 * layers, contextSize, LSTM peepholes and resetAfter GRUs with a RangeError naming the layer.
 */
export function toTfjs(model: Model, options?: ToTfjsOptions): TfjsArtifacts {
  if (!(model instanceof Model)) throw new TypeError(`${WHERE}: model must be a wasm-rnn Model; got ${describe(model)}`);
  checkOptionKeys(WHERE, options, ["sequenceLength", "name"]);
  const T = options?.sequenceLength === undefined ? null : checkInt(WHERE, "options.sequenceLength", options.sequenceLength);
  const name = options?.name ?? "sequential";
  if (typeof name !== "string" || name === "") throw new TypeError(`${WHERE}: options.name must be a non-empty string; got ${describe(name)}`);
  const w = new KerasWriter();
  model.layers.forEach((layer, i) => writeLayer(w, layer, `layers[${i}]`));
  writeOutputActivation(w, model);
  const first = w.layers[0]!.config;
  first.batch_input_shape = first.input_dim !== undefined ? [null, T] : [null, T, model.layers[0]!.inputSize];
  first.dtype = "float32";
  if (first.input_dim !== undefined) first.input_length = T;
  return {
    modelTopology: { class_name: "Sequential", config: { name, layers: w.layers }, keras_version: KERAS_VERSION, backend: "tensor_flow.js" },
    ...packWeights(w.weights),
    format: "layers-model",
    generatedBy: "wasm-rnn",
    convertedBy: "wasm-rnn toTfjs",
    userDefinedMetadata: { "wasm-rnn": { loss: model.loss, metadata: jsonCopy(model.metadata) } },
  };
}
