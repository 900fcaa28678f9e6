// Reading a Keras Sequential topology (tfjs-layers' or Keras' model.json) into the layers
// wasm-rnn can express, with clear errors naming the layer for anything else.
import type { GateActivation, MergeMode } from "../layers/recurrent.js";
import type { ActivationName } from "../kernels/activations.js";
import { describe } from "../validate.js";
import { wasmActivation, type KerasCellClass } from "./tfjs-layout.js";

const WHERE = "Model.fromTfjs";

/** A Keras activation wasm-rnn can run: its own activations, and softmax as a model's output. */
export type KerasActivation = ActivationName | "softmax";

/** A SimpleRNN, LSTM or GRU layer, possibly in a Bidirectional wrapper. */
export interface RecurrentSpec {
  kind: "recurrent";
  /** The layer name its weights are stored under (the wrapper's, for a Bidirectional layer). */
  name: string;
  cell: KerasCellClass;
  units: number;
  activation: ActivationName;
  recurrentActivation: GateActivation;
  resetAfter: boolean;
  useBias: boolean;
  returnSequences: boolean;
  /** The Bidirectional merge mode, null for a unidirectional layer. */
  mergeMode: MergeMode | null;
}

/** The layers of a topology wasm-rnn can express (Dropout-like layers dropped: inference ignores them). */
export type LayerSpec =
  | RecurrentSpec
  | { kind: "embedding"; name: string; inputDim: number; outputDim: number }
  | { kind: "dense"; name: string; units: number; activation: KerasActivation; useBias: boolean }
  | { kind: "activation"; name: string; activation: KerasActivation }
  | { kind: "averagePooling"; name: string };

/** A parsed Sequential topology. */
export interface Topology {
  name: string;
  layers: LayerSpec[];
  /** The input shape after the batch dimension ([T, D] or, for ids, [T]), when the topology gives one. */
  inputShape: (number | null)[] | null;
}

type Config = Record<string, unknown>;

/** Layers that are the identity at inference. */
const INFERENCE_IDENTITY = ["Dropout", "SpatialDropout1D", "GaussianDropout", "GaussianNoise", "AlphaDropout"];
const MERGE_MODES: readonly MergeMode[] = ["concat", "sum", "mul", "ave"];
const CELL_CLASSES: readonly KerasCellClass[] = ["SimpleRNN", "LSTM", "GRU"];

function isObject(value: unknown): value is Config {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `{ class_name, config }` with an object config. */
function layerJson(value: unknown, at: string): { className: string; config: Config } {
  if (!isObject(value) || typeof value.class_name !== "string" || !isObject(value.config)) {
    throw new TypeError(`${WHERE}: ${at} must be a Keras layer { class_name, config }; got ${describe(value)}`);
  }
  return { className: value.class_name, config: value.config };
}

/** A layer's label for messages: layer "lstm" (LSTM). */
function label(config: Config, className: string, index: number): string {
  return `layer ${typeof config.name === "string" ? `"${config.name}"` : index} (${className})`;
}

function positiveInt(config: Config, key: string, what: string): number {
  const v = config[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new RangeError(`${WHERE}: ${what}: ${key} must be a positive integer; got ${describe(v)}`);
  return v;
}

function flag(config: Config, key: string, fallback: boolean, what: string): boolean {
  const v = config[key] ?? fallback;
  if (typeof v !== "boolean") throw new TypeError(`${WHERE}: ${what}: ${key} must be a boolean; got ${describe(v)}`);
  return v;
}

/** Refuses options that change what a recurrent layer computes in ways wasm-rnn does not. */
function refuseFlags(config: Config, what: string, keys: readonly string[]): void {
  for (const key of keys) {
    if (flag(config, key, false, what)) throw new RangeError(`${WHERE}: ${what} has ${key} true, which wasm-rnn does not support (expected false)`);
  }
}

function activationOf(config: Config, key: string, fallback: string, allowed: readonly KerasActivation[], what: string): KerasActivation {
  const v = config[key] ?? fallback;
  const name = typeof v === "string" ? (v.toLowerCase() === "softmax" ? "softmax" : wasmActivation(v)) : null;
  if (name === null || !allowed.includes(name)) {
    throw new RangeError(`${WHERE}: ${what}: ${key} ${describe(v)} is not supported; expected one of ${allowed.map((a) => (a === "hardSigmoid" ? "hard_sigmoid" : a)).join(", ")}`);
  }
  return name;
}

/** A SimpleRNN / LSTM / GRU config (tfjs' defaults where a key is absent). */
function recurrentSpec(className: KerasCellClass, config: Config, name: string, what: string): RecurrentSpec {
  refuseFlags(config, what, ["stateful", "return_state", "time_major"]);
  const cellActivations: readonly KerasActivation[] = className === "SimpleRNN" ? ["tanh", "relu", "linear"] : ["tanh", "linear", "relu", "sigmoid"];
  return {
    kind: "recurrent", name, cell: className,
    units: positiveInt(config, "units", what),
    activation: activationOf(config, "activation", "tanh", cellActivations, what) as ActivationName,
    recurrentActivation: className === "SimpleRNN" ? "sigmoid" : activationOf(config, "recurrent_activation", "hard_sigmoid", ["sigmoid", "hardSigmoid"], what) as GateActivation,
    resetAfter: className === "GRU" && flag(config, "reset_after", false, what),
    useBias: flag(config, "use_bias", true, what),
    returnSequences: flag(config, "return_sequences", false, what),
    mergeMode: null,
  };
}

/** The same computation but for the name: a Bidirectional's backward_layer must mirror its layer. */
function sameCell(a: RecurrentSpec, b: RecurrentSpec): boolean {
  return a.cell === b.cell && a.units === b.units && a.activation === b.activation && a.recurrentActivation === b.recurrentActivation
    && a.resetAfter === b.resetAfter && a.useBias === b.useBias && a.returnSequences === b.returnSequences;
}

function bidirectionalSpec(config: Config, name: string, what: string): RecurrentSpec {
  const inner = layerJson(config.layer, `${what}: config.layer`);
  if (!(CELL_CLASSES as readonly string[]).includes(inner.className)) {
    throw new RangeError(`${WHERE}: ${what} wraps a ${inner.className}; expected one of ${CELL_CLASSES.join(", ")}`);
  }
  const cell = inner.className as KerasCellClass;
  const innerWhat = `${what}: its ${inner.className}`;
  refuseFlags(inner.config, innerWhat, ["go_backwards"]);
  const spec = recurrentSpec(cell, inner.config, name, innerWhat);
  if (config.backward_layer !== undefined && config.backward_layer !== null) {
    const back = layerJson(config.backward_layer, `${what}: config.backward_layer`);
    const backWhat = `${what}: its backward_layer`;
    if (!flag(back.config, "go_backwards", false, backWhat)) throw new RangeError(`${WHERE}: ${backWhat} must have go_backwards true`);
    if (back.className !== inner.className || !sameCell(spec, recurrentSpec(cell, back.config, name, backWhat))) {
      throw new RangeError(`${WHERE}: ${backWhat} must be the same ${inner.className} as its forward layer (wasm-rnn runs one cell type both ways)`);
    }
  }
  const mode = config.merge_mode ?? "concat";
  if (!(MERGE_MODES as readonly unknown[]).includes(mode)) {
    throw new RangeError(`${WHERE}: ${what}: merge_mode ${describe(mode)} is not supported; expected one of ${MERGE_MODES.join(", ")}`);
  }
  return { ...spec, mergeMode: mode as MergeMode };
}

const DENSE_ACTIVATIONS: readonly KerasActivation[] = ["linear", "tanh", "sigmoid", "relu", "hardSigmoid", "softmax"];

function denseSpec(config: Config, name: string, what: string): LayerSpec {
  return { kind: "dense", name, units: positiveInt(config, "units", what), activation: activationOf(config, "activation", "linear", DENSE_ACTIVATIONS, what), useBias: flag(config, "use_bias", true, what) };
}

/** One layer as a LayerSpec, or null for a layer that is the identity at inference. */
function layerSpec(className: string, config: Config, index: number): LayerSpec | null {
  const what = label(config, className, index);
  const name = typeof config.name === "string" ? config.name : `${index}`;
  if (INFERENCE_IDENTITY.includes(className) || className === "InputLayer") return null;
  if ((CELL_CLASSES as readonly string[]).includes(className)) {
    refuseFlags(config, what, ["go_backwards"]);
    return recurrentSpec(className as KerasCellClass, config, name, what);
  }
  switch (className) {
    case "Bidirectional":
      return bidirectionalSpec(config, name, what);
    case "Dense":
      return denseSpec(config, name, what);
    case "TimeDistributed": {
      const inner = layerJson(config.layer, `${what}: config.layer`);
      if (inner.className !== "Dense") throw new RangeError(`${WHERE}: ${what} wraps a ${inner.className}; wasm-rnn supports TimeDistributed(Dense) only`);
      return denseSpec(inner.config, name, `${what}: its Dense`);
    }
    case "Embedding":
      if (flag(config, "mask_zero", false, what)) {
        throw new RangeError(`${WHERE}: ${what} has mask_zero true; wasm-rnn takes sequence lengths instead of masks: save the model with mask_zero false and pass lengths to predict`);
      }
      return { kind: "embedding", name, inputDim: positiveInt(config, "input_dim", what), outputDim: positiveInt(config, "output_dim", what) };
    case "Activation":
      return { kind: "activation", name, activation: activationOf(config, "activation", "linear", DENSE_ACTIVATIONS, what) };
    case "GlobalAveragePooling1D":
      return { kind: "averagePooling", name };
    case "Masking":
      throw new RangeError(`${WHERE}: ${what}: wasm-rnn takes sequence lengths instead of masks: remove the Masking layer and pass lengths to predict`);
    default:
      throw new RangeError(`${WHERE}: ${what}: unsupported layer class "${className}"; expected Embedding, SimpleRNN, LSTM, GRU, Bidirectional, Dense, TimeDistributed(Dense), Activation, GlobalAveragePooling1D, Dropout or InputLayer`);
  }
}

/** The input shape after the batch dimension, from batch_input_shape / batch_shape / input_shape. */
function inputShapeOf(config: Config, what: string): (number | null)[] | null {
  const batch = config.batch_input_shape ?? config.batch_shape;
  const shape = Array.isArray(batch) ? batch.slice(1) : config.input_shape;
  if (shape === undefined || shape === null) return null;
  if (!Array.isArray(shape) || !shape.every((d) => d === null || (Number.isInteger(d) && (d as number) > 0))) {
    throw new RangeError(`${WHERE}: ${what}: the input shape must be an array of positive integers or null; got ${describe(batch ?? shape)}`);
  }
  return shape as (number | null)[];
}

/** The Sequential model config inside modelTopology (plain, or wrapped in model_config as in Keras' model.json). */
function sequentialConfig(topology: unknown): { name: string; layers: unknown[] } {
  const root = isObject(topology) && isObject(topology.model_config) ? topology.model_config : topology;
  if (!isObject(root) || typeof root.class_name !== "string") {
    throw new TypeError(`${WHERE}: artifacts.modelTopology must be a Keras model topology { class_name: "Sequential", config } (or { model_config }); got ${describe(root)}`);
  }
  if (root.class_name !== "Sequential") throw new RangeError(`${WHERE}: only Sequential models are supported; got a ${root.class_name} model`);
  const config = root.config;
  // Keras before 2.2.3 wrote a Sequential config as the bare layer list.
  if (Array.isArray(config)) return { name: "sequential", layers: config };
  if (!isObject(config) || !Array.isArray(config.layers)) throw new TypeError(`${WHERE}: the Sequential config must hold a layers array; got ${describe(config)}`);
  return { name: typeof config.name === "string" ? config.name : "sequential", layers: config.layers };
}

/** Parses a Sequential topology into the layers wasm-rnn can express. */
export function parseTopology(topology: unknown): Topology {
  const { name, layers } = sequentialConfig(topology);
  let inputShape: (number | null)[] | null = null;
  const specs: LayerSpec[] = [];
  layers.forEach((value, i) => {
    const { className, config } = layerJson(value, `layers[${i}]`);
    if (specs.length === 0 && inputShape === null) inputShape = inputShapeOf(config, label(config, className, i));
    const spec = layerSpec(className, config, i);
    if (spec !== null) specs.push(spec);
  });
  if (specs.length === 0) throw new RangeError(`${WHERE}: the model has no layer wasm-rnn can run`);
  return { name, layers: specs, inputShape };
}
