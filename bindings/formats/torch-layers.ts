// The layers a PyTorch state dict describes, read off its names and shapes: each submodule's
// keys ("lstm.weight_ih_l0", "fc.weight", ...) in the order the module registered them become one
// layer. nn.LSTM/GRU/RNN by their gate count (4, 3, 1 blocks of H rows), layers (_l{k}), directions
// (_reverse) and peepholes; nn.Linear by weight + bias; nn.Embedding by a lone weight in front.
import type { Layer } from "../layers/layer.js";
import { Embedding } from "../layers/embedding.js";
import { Dense } from "../layers/dense.js";
import { LSTM } from "../layers/lstm.js";
import { GRU } from "../layers/gru.js";
import { SimpleRNN, SIMPLE_RNN_ACTIVATIONS, type SimpleRNNActivation } from "../layers/simple-rnn.js";
import { toTensor, type TensorLike } from "../tensor.js";
import { checkChoice, shapeString } from "../validate.js";
import { labelErrors } from "../errors.js";

/** Options of the inference that names and shapes cannot answer. */
export interface TorchLayerOptions {
  /** nn.RNN's nonlinearity ("tanh" by default, as PyTorch's). */
  rnnActivation?: SimpleRNNActivation;
}

/** A submodule: its name (the key prefix; "" for a bare module's own parameters) and its parameter shapes by name. */
interface Submodule {
  name: string;
  params: Map<string, readonly number[]>;
}

/** Groups keys by submodule, in first-appearance order (a state dict keeps registration order). */
function submodules(where: string, tensors: Record<string, TensorLike>): Submodule[] {
  const groups = new Map<string, Submodule>();
  for (const key of Object.keys(tensors)) {
    const dot = key.lastIndexOf(".");
    const name = dot < 0 ? "" : key.slice(0, dot);
    const group = groups.get(name) ?? { name, params: new Map() };
    group.params.set(key.slice(dot + 1), toTensor(where, `dict["${key}"]`, tensors[key]).shape);
    groups.set(name, group);
  }
  return [...groups.values()];
}

/** The shape of `param` of `m`, which must exist with `rank` dimensions. */
function shapeOf(where: string, m: Submodule, param: string, rank: number): readonly number[] {
  const shape = m.params.get(param);
  if (shape === undefined || shape.length !== rank) {
    throw new RangeError(`${where}: submodule "${m.name}" needs a ${rank}-D "${param}"; got ${shape === undefined ? "none" : shapeString(shape)}`);
  }
  return shape;
}

/** An nn.LSTM / nn.GRU / nn.RNN from its weight_ih_l0 [G·H, D] and weight_hh_l0 [G·H, H]. */
function recurrentLayer(where: string, m: Submodule, options: TorchLayerOptions, seed: number): Layer {
  const [rows, inputSize] = shapeOf(where, m, "weight_ih_l0", 2) as [number, number];
  const units = shapeOf(where, m, "weight_hh_l0", 2)[1]!;
  const gates = rows / units;
  const names = [...m.params.keys()];
  const numLayers = 1 + Math.max(...names.map((n) => Number(/_l(\d+)/.exec(n)?.[1] ?? 0)));
  const shared = { inputSize, units, numLayers, bidirectional: names.some((n) => n.endsWith("_reverse")), seed };
  if (gates === 4) return new LSTM({ ...shared, peephole: m.params.has("peephole_i_l0") });
  if (gates === 3) return new GRU(shared);
  if (gates === 1) return new SimpleRNN({ ...shared, activation: options.rnnActivation ?? "tanh" });
  throw new RangeError(`${where}: submodule "${m.name}": weight_ih_l0 has ${rows} rows for ${units} units; expected 4, 3 or 1 blocks (LSTM, GRU, RNN)`);
}

/** One layer per submodule, freshly initialised (load the dict into a Model of them afterwards). */
export function layersFromTorchStateDict(where: string, tensors: Record<string, TensorLike>, options: TorchLayerOptions = {}): { layers: Layer[]; names: string[] } {
  if (options.rnnActivation !== undefined) checkChoice(where, "rnnActivation", options.rnnActivation, SIMPLE_RNN_ACTIVATIONS);
  const modules = submodules(where, tensors);
  if (modules.length === 0) throw new RangeError(`${where}: the state dict holds no tensors`);
  const layers: Layer[] = [];
  const build = (m: Submodule, i: number): Layer => {
    const keys = [...m.params.keys()].sort().join(",");
    if (m.params.has("weight_ih_l0")) return recurrentLayer(where, m, options, i);
    if (keys === "bias,weight") {
      const [units, inputSize] = shapeOf(where, m, "weight", 2) as [number, number];
      return new Dense({ inputSize, units, seed: i });
    }
    if (keys === "weight" && i === 0) {
      const [inputSize, units] = shapeOf(where, m, "weight", 2) as [number, number];
      return new Embedding({ inputSize, units, seed: i });
    }
    throw new RangeError(`${where}: submodule "${m.name}" with parameters ${[...m.params.keys()].join(", ")} is not an nn.Embedding (first), nn.LSTM/GRU/RNN or nn.Linear with bias`);
  };
  try {
    modules.forEach((m, i) => layers.push(labelErrors(where, () => build(m, i), { path: `submodule "${m.name}"` })));
  } catch (e) {
    for (const l of layers) l.dispose();
    throw e;
  }
  return { layers, names: modules.map((m) => m.name) };
}
