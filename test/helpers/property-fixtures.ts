// The objects the property-based suite calls into and watches: small models of every kind of
// input, loss and layer, standalone layers, a Seq2Seq, and a fingerprint of each (predictions on a
// fixed probe, parameters, gradients, optimizer state) that a refused call must leave unchanged.
// Built by buildFixtures() once the core is up, freed by disposeFixtures().
import {
  Model, SimpleRNN, Jordan, LSTM, GRU, Dense, Embedding, Seq2Seq, Adam, AdamW, SGD, RMSprop, Adagrad,
  type Layer, type LossName, type Tensor, type IntTensor,
} from "../../bindings/index.js";
import fc from "fast-check";
import type { Fingerprint, Watch } from "./contract.js";
import { randomArray } from "./random.js";

/** What the arbitraries need to know of a fixture model (static, so they can be built before the core). */
export interface ModelSpec {
  name: string;
  /** Ids in [0, vocab) when the first layer reads ids, else null (floats [T, N, inputSize]). */
  vocab: number | null;
  inputSize: number;
  loss: LossName;
  outputSize: number;
  /** Targets per step [T, N, ...] (else per sequence [N, ...]). */
  sequenceOutput: boolean;
  contextSize: number;
  /** No bidirectional layer: Model.step and truncatedBptt apply. */
  streamable: boolean;
  build(): Model;
}

/** The specs, each printed in a fast-check counterexample as <its name>. */
function named<T extends { name: string }>(specs: T[]): readonly T[] {
  return specs.map((spec) => Object.assign(spec, { [fc.toStringMethod]: () => `<${spec.name}>` }));
}

export const MODEL_SPECS = named<ModelSpec>([
  {
    name: "tagger", vocab: null, inputSize: 3, loss: "softmaxCrossEntropy", outputSize: 2, sequenceOutput: true, contextSize: 0, streamable: true,
    build: () => new Model({ layers: [new SimpleRNN({ inputSize: 3, units: 4, seed: 1 }), new Dense({ inputSize: 4, units: 2, seed: 2 })], loss: "softmaxCrossEntropy", optimizer: new Adam({ lr: 0.01 }) }),
  },
  {
    name: "language", vocab: 6, inputSize: 6, loss: "softmaxCrossEntropy", outputSize: 6, sequenceOutput: true, contextSize: 0, streamable: true,
    build: () => new Model({
      layers: [new Embedding({ inputSize: 6, units: 4, seed: 3 }), new LSTM({ inputSize: 4, units: 5, seed: 4 }), new Dense({ inputSize: 5, units: 6, seed: 5 })],
      loss: "softmaxCrossEntropy", optimizer: new AdamW({ lr: 0.01 }),
    }),
  },
  {
    name: "regressor", vocab: null, inputSize: 2, loss: "meanSquaredError", outputSize: 2, sequenceOutput: false, contextSize: 0, streamable: true,
    build: () => new Model({
      layers: [new GRU({ inputSize: 2, units: 3, returnSequences: false, pooling: "mean", seed: 6 }), new Dense({ inputSize: 3, units: 2, seed: 7 })],
      loss: "meanSquaredError", optimizer: new SGD({ lr: 0.05, momentum: 0.9 }), clipNorm: 1,
    }),
  },
  {
    name: "binary", vocab: null, inputSize: 2, loss: "binaryCrossEntropyWithLogits", outputSize: 1, sequenceOutput: true, contextSize: 0, streamable: true,
    build: () => new Model({
      layers: [new Jordan({ inputSize: 2, units: 3, outputUnits: 2, seed: 8 }), new Dense({ inputSize: 2, units: 1, seed: 9 })],
      loss: "binaryCrossEntropyWithLogits", optimizer: new RMSprop({ lr: 0.01 }),
    }),
  },
  {
    name: "contextual", vocab: null, inputSize: 2, loss: "meanSquaredError", outputSize: 2, sequenceOutput: true, contextSize: 2, streamable: true,
    build: () => new Model({
      layers: [new LSTM({ inputSize: 2, units: 3, contextSize: 2, peephole: true, seed: 10 }), new Dense({ inputSize: 3, units: 2, seed: 11 })],
      loss: "meanSquaredError", optimizer: new Adagrad({ lr: 0.05 }), clipValue: 1,
    }),
  },
  {
    name: "bidirectional", vocab: 5, inputSize: 5, loss: "softmaxCrossEntropy", outputSize: 3, sequenceOutput: true, contextSize: 0, streamable: false,
    build: () => new Model({
      layers: [new GRU({ inputSize: 5, units: 3, tokenInput: true, bidirectional: true, numLayers: 2, dropout: 0.1, seed: 12 }), new Dense({ inputSize: 6, units: 3, seed: 13 })],
      loss: "softmaxCrossEntropy", optimizer: new Adam({ lr: 0.01 }),
    }),
  },
  {
    name: "dense", vocab: null, inputSize: 3, loss: "meanSquaredError", outputSize: 2, sequenceOutput: true, contextSize: 0, streamable: true,
    build: () => new Model({
      layers: [new Dense({ inputSize: 3, units: 4, activation: "relu", seed: 14 }), new Dense({ inputSize: 4, units: 2, seed: 15 })],
      loss: "meanSquaredError", optimizer: new SGD({ lr: 0.01 }),
    }),
  },
]);

/** What the arbitraries need to know of a fixture layer. */
export interface LayerSpec {
  name: string;
  /** The class, as its errors name it. */
  className: string;
  /** Ids in [0, inputSize) for x (Embedding, tokenInput), else floats [T, B, inputSize]. */
  ids: boolean;
  inputSize: number;
  outputSize: number;
  returnSequences: boolean;
  contextSize: number;
  /** Initial-state names and sizes per batch row (each state is [stack, B, size]). */
  initialStates: Record<string, number>;
  /** Final-state names (backward's dFinalState) and sizes. */
  finalStates: Record<string, number>;
  /** layers * directions. */
  stack: number;
  build(): Layer;
}

export const LAYER_SPECS = named<LayerSpec>([
  {
    name: "simple-rnn", className: "SimpleRNN", ids: false, inputSize: 3, outputSize: 4, returnSequences: true, contextSize: 0,
    initialStates: { h: 4 }, finalStates: { h: 4 }, stack: 2, build: () => new SimpleRNN({ inputSize: 3, units: 4, numLayers: 2, dropout: 0.2, seed: 20 }),
  },
  {
    name: "jordan", className: "Jordan", ids: false, inputSize: 3, outputSize: 2, returnSequences: true, contextSize: 0,
    initialStates: { y: 2 }, finalStates: { y: 2, h: 4 }, stack: 1, build: () => new Jordan({ inputSize: 3, units: 4, outputUnits: 2, outputActivation: "softmax", seed: 21 }),
  },
  {
    name: "lstm", className: "LSTM", ids: false, inputSize: 3, outputSize: 8, returnSequences: true, contextSize: 2,
    initialStates: { h: 4, c: 4 }, finalStates: { h: 4, c: 4 }, stack: 2, build: () => new LSTM({ inputSize: 3, units: 4, bidirectional: true, peephole: true, contextSize: 2, seed: 22 }),
  },
  {
    name: "gru", className: "GRU", ids: true, inputSize: 5, outputSize: 3, returnSequences: false, contextSize: 0,
    initialStates: { h: 3 }, finalStates: { h: 3 }, stack: 1, build: () => new GRU({ inputSize: 5, units: 3, tokenInput: true, returnSequences: false, resetAfter: false, seed: 23 }),
  },
  {
    name: "dense", className: "Dense", ids: false, inputSize: 3, outputSize: 2, returnSequences: true, contextSize: 0,
    initialStates: {}, finalStates: {}, stack: 0, build: () => new Dense({ inputSize: 3, units: 2, activation: "tanh", seed: 24 }),
  },
  {
    name: "embedding", className: "Embedding", ids: true, inputSize: 5, outputSize: 3, returnSequences: true, contextSize: 0,
    initialStates: {}, finalStates: {}, stack: 0, build: () => new Embedding({ inputSize: 5, units: 3, seed: 25 }),
  },
]);

/** The Seq2Seq fixture's vocabulary sizes (BOS 3, EOS 2 as Vocabulary's). */
export const SEQ2SEQ_SPEC = { sourceVocab: 7, targetVocab: 6, bos: 3, eos: 2 } as const;

/** A fixed valid input [T = 2, N = 2, ...] for a model spec, with its context when it takes one. */
export function probeOf(spec: ModelSpec): { x: Tensor | IntTensor; context?: Tensor } {
  const T = 2;
  const N = 2;
  const x = spec.vocab !== null
    ? { shape: [T, N], data: Int32Array.from({ length: T * N }, (_, i) => i % spec.vocab!) }
    : { shape: [T, N, spec.inputSize], data: randomArray(T * N * spec.inputSize, 99) };
  return spec.contextSize > 0 ? { x, context: { shape: [N, spec.contextSize], data: randomArray(N * spec.contextSize, 98) } } : { x };
}

/** The live fixtures. */
export interface Fixtures {
  models: Map<string, Model>;
  layers: Map<string, Layer>;
  seq2seq: Seq2Seq;
}

let live: Fixtures | null = null;

/** Builds every fixture (call after init()). */
export function buildFixtures(): void {
  live = {
    models: new Map(MODEL_SPECS.map((s) => [s.name, s.build()])),
    layers: new Map(LAYER_SPECS.map((s) => [s.name, s.build()])),
    seq2seq: new Seq2Seq({
      sourceVocabSize: SEQ2SEQ_SPEC.sourceVocab, targetVocabSize: SEQ2SEQ_SPEC.targetVocab, units: 4, embeddingSize: 3, cell: "gru", numLayers: 2, clipNorm: 5, seed: 30,
    }),
  };
}

/** Frees every fixture. */
export function disposeFixtures(): void {
  if (live === null) return;
  for (const m of live.models.values()) m.dispose();
  for (const l of live.layers.values()) l.dispose();
  live.seq2seq.dispose();
  live = null;
}

function fixtures(): Fixtures {
  if (live === null) throw new Error("property fixtures: call buildFixtures() first");
  return live;
}

export function modelOf(spec: ModelSpec): Model {
  return fixtures().models.get(spec.name)!;
}

export function layerOf(spec: LayerSpec): Layer {
  return fixtures().layers.get(spec.name)!;
}

export function seq2seqFixture(): Seq2Seq {
  return fixtures().seq2seq;
}

/** Adds each tensor's data under `prefix.name`. */
function addTensors(out: Fingerprint, prefix: string, tensors: Record<string, Tensor>): void {
  for (const [name, t] of Object.entries(tensors)) out[`${prefix}.${name}`] = t.data;
}

/** A model's predictions on its probe, parameters and optimizer state (step count, lr, every buffer). */
export function modelFingerprint(model: Model, spec: ModelSpec): Fingerprint {
  const { x, context } = probeOf(spec);
  const out: Fingerprint = { predict: model.predict(x, context === undefined ? {} : { context }).data };
  addTensors(out, "stateDict", model.stateDict());
  const state = model.optimizer.exportState();
  out["optimizer.iterations"] = state.iterations;
  out["optimizer.config"] = JSON.stringify(model.optimizer.config);
  for (const [name, buffer] of Object.entries(state.buffers)) out[`optimizer.${name}`] = buffer;
  out.clipNorm = model.clipNorm;
  out.clipValue = model.clipValue;
  out.layers = JSON.stringify(model.layers.map((l) => l.config()));
  out.loss = model.loss;
  out.metadata = JSON.stringify(model.metadata);
  return out;
}

/** Watches a fixture model. */
export function watchModel(spec: ModelSpec): Watch {
  return () => modelFingerprint(modelOf(spec), spec);
}

/** Watches a fixture layer: its parameters and accumulated gradients. */
export function watchLayer(spec: LayerSpec): Watch {
  return () => {
    const layer = layerOf(spec);
    const out: Fingerprint = {};
    addTensors(out, "stateDict", layer.stateDict());
    addTensors(out, "gradDict", layer.gradDict());
    return out;
  };
}

/** A Seq2Seq's parameters, optimizer state and greedy decode of a fixed source. */
export function seq2seqFingerprint(model: Seq2Seq): Fingerprint {
  const out: Fingerprint = {};
  addTensors(out, "stateDict", model.stateDict());
  const state = model.optimizer.exportState();
  out["optimizer.iterations"] = state.iterations;
  for (const [name, buffer] of Object.entries(state.buffers)) out[`optimizer.${name}`] = buffer;
  out.decode = JSON.stringify(model.greedyDecode({ shape: [2, 2], data: Int32Array.from([4, 5, 6, 1]) }, { maxLength: 3 }));
  out.clipNorm = model.clipNorm;
  out.options = JSON.stringify([model.cell, model.numLayers, model.units, model.embeddingSize, model.bosId, model.eosId, model.seed, model.optimizer.config]);
  out.metadata = JSON.stringify(model.metadata);
  return out;
}

/** Watches the Seq2Seq fixture. */
export const watchSeq2seq: Watch = () => seq2seqFingerprint(seq2seqFixture());

/** The bystander every entry that touches no fixture is watched against: the first model. */
export const watchBystander: Watch = watchModel(MODEL_SPECS[0]!);
