// A layer's parameters as Keras lists its weights (layer.get_weights()), and back: Dense kernel
// [I, O], bias [O]; Embedding embeddings [V, E]; per recurrent cell (stacked layer, then forward
// and backward direction as Keras' Bidirectional lists them) kernel [D, G·H], recurrent_kernel
// [H, G·H] and one bias [G·H] = bias_ih + bias_hh ([2, G·H] for a resetAfter GRU: input, recurrent),
// gates in Keras order (LSTM i,f,c,o; GRU z,r,h). What Keras lacks keeps a Keras-like form: LSTM
// peepholes follow their cell's bias as PeepholeLSTMCell's input/forget/output_gate_peephole_weights
// [H]; a context weight is a kernel [C, G·H]; layers Keras has no counterpart of (Jordan, MGU,
// Attention) list their PyTorch parameters as stateDict() does. The layouts are tfjs-layout.ts'.
import type { Layer } from "../layers/layer.js";
import { RecurrentLayer } from "../layers/recurrent.js";
import { SimpleRNN } from "../layers/simple-rnn.js";
import { LSTM } from "../layers/lstm.js";
import { GRU } from "../layers/gru.js";
import { Dense } from "../layers/dense.js";
import { Embedding } from "../layers/embedding.js";
import type { Tensor } from "../tensor.js";
import { addVectors, kerasMatrix, kerasVector, torchMatrix, torchVector, transposed, zeros, type KerasCellClass } from "./tfjs-layout.js";

/** Some of a layer's weights in Keras layout, converted together from and to its PyTorch parameters. */
interface WeightGroup {
  /** The weights' names, e.g. "kernel_l1_reverse" (Keras' names, with the cell's suffix). */
  names: readonly string[];
  /** The weights from the layer's state dict. */
  toKeras(dict: Readonly<Record<string, Tensor>>): Tensor[];
  /** The PyTorch parameters from the weights (in `names` order, shapes checked). */
  toTorch(weights: readonly Tensor[]): Record<string, Tensor>;
}

/**
 * One Keras cell's kernel, recurrent_kernel and bias from PyTorch's parameters of cell `suffix`
 * ("_l0", "_l1_reverse", ...): the one bias is bias_ih + bias_hh, or both as rows of [2, G·H] with `resetAfter`.
 */
export function kerasCellWeights(cell: KerasCellClass, dict: Readonly<Record<string, Tensor>>, suffix: string, resetAfter = false): [string, Tensor][] {
  const [ih, hh] = [dict[`bias_ih${suffix}`]!.data, dict[`bias_hh${suffix}`]!.data];
  let bias = kerasVector(cell, addVectors(ih, hh));
  if (resetAfter) {
    const rows = new Float32Array(2 * ih.length);
    rows.set(kerasVector(cell, ih).data);
    rows.set(kerasVector(cell, hh).data, ih.length);
    bias = { shape: [2, ih.length], data: rows };
  }
  return [
    ["kernel", kerasMatrix(cell, dict[`weight_ih${suffix}`]!)],
    ["recurrent_kernel", kerasMatrix(cell, dict[`weight_hh${suffix}`]!)],
    ["bias", bias],
  ];
}

/**
 * PyTorch's parameters of cell `suffix` from Keras' kernel, recurrent_kernel and bias (null: no
 * bias): the one bias goes to bias_ih with bias_hh = 0 (the same sums), a [2, G·H] bias to both.
 */
export function torchCellParams(cell: KerasCellClass, suffix: string, kernel: Tensor, recurrent: Tensor, bias: Tensor | null): Record<string, Tensor> {
  const GH = kernel.shape[1]!;
  const split = bias !== null && bias.shape.length === 2;
  return {
    [`weight_ih${suffix}`]: torchMatrix(cell, kernel),
    [`weight_hh${suffix}`]: torchMatrix(cell, recurrent),
    [`bias_ih${suffix}`]: bias === null ? zeros(GH) : torchVector(cell, bias.data.subarray(0, GH)),
    [`bias_hh${suffix}`]: split ? torchVector(cell, bias.data.subarray(GH)) : zeros(GH),
  };
}

/** PyTorch parameter `name` as it is (a layer without a Keras counterpart). */
function asIs(name: string): WeightGroup {
  return { names: [name], toKeras: (dict) => [dict[name]!], toTorch: ([t]) => ({ [name]: t! }) };
}

const PEEPHOLES = [["i", "input_gate_peephole_weights"], ["f", "forget_gate_peephole_weights"], ["o", "output_gate_peephole_weights"]] as const;

/** One recurrent cell's Keras weights (kernel, recurrent_kernel, bias, then an LSTM's peepholes). */
function cellGroup(layer: RecurrentLayer, cell: KerasCellClass, suffix: string): WeightGroup {
  const peepholes = layer instanceof LSTM && layer.peephole ? PEEPHOLES : [];
  const resetAfter = layer instanceof GRU && layer.resetAfter;
  return {
    names: [...["kernel", "recurrent_kernel", "bias"], ...peepholes.map(([, keras]) => keras)].map((n) => `${n}${suffix}`),
    toKeras: (dict) => [...kerasCellWeights(cell, dict, suffix, resetAfter).map(([, t]) => t), ...peepholes.map(([gate]) => dict[`peephole_${gate}${suffix}`]!)],
    toTorch: ([kernel, recurrent, bias, ...rest]) => {
      const params = torchCellParams(cell, suffix, kernel!, recurrent!, bias!);
      peepholes.forEach(([gate], k) => (params[`peephole_${gate}${suffix}`] = rest[k]!));
      return params;
    },
  };
}

/** A context weight weight_ch [G·H, C] as a kernel [C, G·H]. */
function contextGroup(cell: KerasCellClass, name: string): WeightGroup {
  return { names: [name.replace("weight_ch", "context_kernel")], toKeras: (dict) => [kerasMatrix(cell, dict[name]!)], toTorch: ([t]) => ({ [name]: torchMatrix(cell, t!) }) };
}

/** The Keras cell of a recurrent layer, or null for a cell Keras has no counterpart of. */
function kerasCell(layer: RecurrentLayer): KerasCellClass | null {
  if (layer instanceof LSTM) return "LSTM";
  if (layer instanceof GRU) return "GRU";
  if (layer instanceof SimpleRNN) return "SimpleRNN";
  return null;
}

/** A layer's weights in Keras order, in groups converted together. */
function weightGroups(layer: Layer): WeightGroup[] {
  const names = layer.paramSpecs().map((s) => s.name);
  if (layer instanceof Embedding) return [{ names: ["embeddings"], toKeras: (d) => [d.weight!], toTorch: ([t]) => ({ weight: t! }) }];
  if (layer instanceof Dense) {
    return [{ names: ["kernel", "bias"], toKeras: (d) => [transposed(d.weight!), d.bias!], toTorch: ([kernel, bias]) => ({ weight: transposed(kernel!), bias: bias! }) }];
  }
  const cell = layer instanceof RecurrentLayer ? kerasCell(layer) : null;
  if (cell === null) return names.map(asIs);
  const rnn = layer as RecurrentLayer;
  const suffixes = names.filter((n) => n.startsWith("weight_ih")).map((n) => n.slice("weight_ih".length));
  return [...suffixes.map((s) => cellGroup(rnn, cell, s)), ...names.filter((n) => n.startsWith("weight_ch")).map((n) => contextGroup(cell, n))];
}

/** The layer's weights in Keras layout and order, with their names ("kernel_l0", "bias", "embeddings" ...). */
export function kerasWeights(layer: Layer): { name: string; tensor: Tensor }[] {
  const dict = layer.stateDict();
  return weightGroups(layer).flatMap((g) => {
    const tensors = g.toKeras(dict);
    return g.names.map((name, i) => ({ name, tensor: tensors[i]! }));
  });
}

/** The layer's PyTorch parameters (a state dict) from its weights in kerasWeights' layout and order, shapes already checked. */
export function torchParams(layer: Layer, weights: readonly Tensor[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  let at = 0;
  for (const g of weightGroups(layer)) {
    Object.assign(out, g.toTorch(weights.slice(at, at + g.names.length)));
    at += g.names.length;
  }
  return out;
}
