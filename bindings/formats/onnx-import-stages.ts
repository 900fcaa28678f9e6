// The layers recognised in an ONNX graph, in data-flow order, and how they become wasm-rnn layers:
// one recurrent stage per ONNX recurrent node, consecutive compatible ones stacked (numLayers)
// as torch.onnx exports nn.LSTM(num_layers=n).
import type { OnnxCellOp } from "./onnx-cells.js";
import type { Layer } from "../layers/layer.js";
import { Embedding } from "../layers/embedding.js";
import { Dense } from "../layers/dense.js";
import { SimpleRNN, type SimpleRNNActivation } from "../layers/simple-rnn.js";
import { LSTM } from "../layers/lstm.js";
import { GRU } from "../layers/gru.js";
import { withoutIneffectiveOptions, type CellActivation, type GateActivation, type MergeMode, type Pooling } from "../layers/recurrent.js";
import type { ActivationName } from "../kernels/activations.js";
import type { Tensor } from "../tensor.js";

/** nn.Embedding: weight [V, E]. */
export interface EmbeddingStage {
  type: "embedding";
  weight: Tensor;
}

/** nn.Linear: weight [O, I], bias [O], then an activation. */
export interface DenseStage {
  type: "dense";
  weight: Tensor;
  bias: Tensor;
  activation: ActivationName;
}

/** One ONNX RNN / LSTM / GRU node, its weights in PyTorch's layout and gate order. */
export interface RecurrentNodeSpec {
  op: OnnxCellOp;
  /** `node "name" (LSTM)`, for messages. */
  label: string;
  hidden: number;
  dirs: 1 | 2;
  /** Features per step of X (without the context). */
  inputSize: number;
  activation: CellActivation;
  /** LSTM / GRU gate activation. */
  recurrentActivation: GateActivation;
  /** GRU: linear_before_reset. */
  resetAfter: boolean;
  peephole: boolean;
  /** X is the one-hot of the ids input. */
  tokenInput: boolean;
  contextSize: number;
  /** The graph input wired to sequence_lens ("" when none). */
  lengths: string;
  /** Per direction: weight_ih, weight_hh, bias_ih, bias_hh, peephole_i/f/o, weight_ch. */
  params: Record<string, Tensor>[];
}

/** Recurrent nodes stacked into one layer, their directions merged by mergeMode. */
export interface RecurrentStage {
  type: "recurrent";
  layers: RecurrentNodeSpec[];
  mergeMode: MergeMode;
  returnSequences: boolean;
  pooling: Pooling;
}

export type Stage = EmbeddingStage | DenseStage | RecurrentStage;

/** Whether node `b` can be stacked on top of the stage ending in `a` (one wasm-rnn layer with numLayers). */
function stackable(a: RecurrentStage, b: RecurrentStage): boolean {
  const x = a.layers[0]!;
  const y = b.layers[0]!;
  return a.returnSequences && b.layers.length === 1 && a.mergeMode === b.mergeMode && x.op === y.op && x.hidden === y.hidden
    && x.dirs === y.dirs && x.activation === y.activation && x.recurrentActivation === y.recurrentActivation
    && x.resetAfter === y.resetAfter && x.peephole === y.peephole && x.lengths === y.lengths && !y.tokenInput && y.contextSize === 0;
}

/** Stacks consecutive compatible recurrent stages. */
export function stackStages(stages: readonly Stage[]): Stage[] {
  const out: Stage[] = [];
  for (const stage of stages) {
    const prev = out[out.length - 1];
    if (prev?.type === "recurrent" && stage.type === "recurrent" && stackable(prev, stage)) {
      out[out.length - 1] = { ...stage, layers: [...prev.layers, ...stage.layers] };
    } else {
      out.push(stage);
    }
  }
  return out;
}

/** The stage's PyTorch state dict (parameter names of the wasm-rnn layer). */
function recurrentStateDict(stage: RecurrentStage): Record<string, Tensor> {
  const dict: Record<string, Tensor> = {};
  stage.layers.forEach((node, l) => {
    node.params.forEach((params, d) => {
      for (const [name, t] of Object.entries(params)) dict[`${name}_l${l}${d === 1 ? "_reverse" : ""}`] = t;
    });
  });
  return dict;
}

function recurrentLayer(stage: RecurrentStage): Layer {
  const first = stage.layers[0]!;
  const options = withoutIneffectiveOptions({
    units: first.hidden, inputSize: first.inputSize, numLayers: stage.layers.length, bidirectional: first.dirs === 2,
    mergeMode: stage.mergeMode, returnSequences: stage.returnSequences, pooling: stage.pooling,
    contextSize: first.contextSize, tokenInput: first.tokenInput, seed: 0,
  });
  if (first.op === "RNN") return new SimpleRNN({ ...options, activation: first.activation as SimpleRNNActivation });
  const gated = { ...options, activation: first.activation, recurrentActivation: first.recurrentActivation };
  if (first.op === "LSTM") return new LSTM({ ...gated, peephole: first.peephole });
  return new GRU({ ...gated, resetAfter: first.resetAfter });
}

/** A new wasm-rnn layer holding the stage's weights. */
function layerOf(stage: Stage): Layer {
  if (stage.type === "embedding") {
    const [V, E] = stage.weight.shape as [number, number];
    const layer = new Embedding({ inputSize: V, units: E, seed: 0 });
    return loaded(layer, { weight: stage.weight });
  }
  if (stage.type === "dense") {
    const [O, I] = stage.weight.shape as [number, number];
    return loaded(new Dense({ inputSize: I, units: O, activation: stage.activation, seed: 0 }), { weight: stage.weight, bias: stage.bias });
  }
  return loaded(recurrentLayer(stage), recurrentStateDict(stage));
}

/** Loads `dict` into `layer` (disposing it when the values are refused). */
function loaded(layer: Layer, dict: Record<string, Tensor>): Layer {
  try {
    layer.loadStateDict(dict);
    return layer;
  } catch (e) {
    layer.dispose();
    throw e;
  }
}

/** The wasm-rnn layers of the stages; none is left allocated when one fails. */
export function buildLayers(stages: readonly Stage[]): Layer[] {
  const layers: Layer[] = [];
  try {
    for (const stage of stackStages(stages)) layers.push(layerOf(stage));
    return layers;
  } catch (e) {
    for (const layer of layers) layer.dispose();
    throw e;
  }
}
