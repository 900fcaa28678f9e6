// Export of one SimpleRNN / LSTM / GRU layer: one ONNX RNN / LSTM / GRU node per stacked layer,
// the directions merged between them (concat: Transpose + Reshape; sum / mul / ave: Gather of each
// direction + Add / Mul), then many-to-one pooling (last: from Y_h; mean: ReduceMean, or ReduceSum
// over the valid steps / lengths). tokenInput ids become one-hot floats (Equal against 0..D-1 +
// Cast); a context [B, C] is broadcast over time and concatenated to the first layer's input,
// its weights weight_ch appended to W's columns.
import type { GraphBuilder } from "./onnx-builder.js";
import { CELL_MAPPINGS, ONNX_ACTIVATIONS, PEEPHOLE_ONNX_FROM_TORCH, permuteBlocks, type OnnxCellOp } from "./onnx-cells.js";
import { DATA_TYPE, attribute, type OnnxAttribute } from "./onnx-proto.js";
import { SimpleRNN } from "../layers/simple-rnn.js";
import { LSTM } from "../layers/lstm.js";
import type { GRU } from "../layers/gru.js";
import type { MergeMode } from "../layers/recurrent.js";
import type { ActivationName } from "../kernels/activations.js";
import type { Tensor } from "../tensor.js";

/** A value flowing between exported layers: token ids [T, B], a sequence [T, B, F] or one vector per sequence [B, F]. */
export interface Flow {
  name: string;
  kind: "ids" | "sequence" | "vector";
}

/** The graph inputs beside x that recurrent nodes read ("" when the export has none). */
export interface SideInputs {
  /** int32 [B] lengths, wired to sequence_lens. */
  lengths: string;
  /** float [B, C] context. */
  context: string;
  /** ONNX element type of the ids input. */
  idsType: number;
}

/** The recurrent layers ONNX can express. */
export type ExportableRecurrent = SimpleRNN | LSTM | GRU;

interface CellExport {
  op: OnnxCellOp;
  /** wasm-rnn activation per slot of one direction. */
  activations: ActivationName[];
  attributes: OnnxAttribute[];
  peephole: boolean;
}

function cellExport(layer: ExportableRecurrent): CellExport {
  if (layer instanceof SimpleRNN) return { op: "RNN", activations: [layer.activation], attributes: [], peephole: false };
  if (layer instanceof LSTM) {
    return { op: "LSTM", activations: [layer.recurrentActivation, layer.activation, layer.activation], attributes: [], peephole: layer.peephole };
  }
  return { op: "GRU", activations: [layer.recurrentActivation, layer.activation], attributes: [attribute("linear_before_reset", { i: layer.resetAfter ? 1 : 0 })], peephole: false };
}

/** The activations, activation_alpha and activation_beta attributes for both directions' slots. */
function activationAttributes(activations: ActivationName[], dirs: number): OnnxAttribute[] {
  const all = Array.from({ length: dirs }, () => activations.map((a) => ONNX_ACTIVATIONS[a])).flat();
  const attributes = [attribute("activations", { strings: all.map((a) => a.name) })];
  const alphas = all.flatMap((a) => (a.alpha === undefined ? [] : [a.alpha]));
  const betas = all.flatMap((a) => (a.beta === undefined ? [] : [a.beta]));
  if (alphas.length > 0) attributes.push(attribute("activation_alpha", { floats: alphas }));
  if (betas.length > 0) attributes.push(attribute("activation_beta", { floats: betas }));
  return attributes;
}

/** [rows, a] and [rows, b] side by side: [rows, a + b]. */
function concatColumns(left: Tensor, right: Tensor): Float32Array {
  const [rows, a] = left.shape as [number, number];
  const b = right.shape[1]!;
  const out = new Float32Array(rows * (a + b));
  for (let r = 0; r < rows; r++) {
    out.set(left.data.subarray(r * a, (r + 1) * a), r * (a + b));
    out.set(right.data.subarray(r * b, (r + 1) * b), r * (a + b) + a);
  }
  return out;
}

/** Concatenation of typed arrays. */
function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Merges axis `axis` (the directions) of a rank-`rank` tensor as `mode`; the result has rank - 1. */
export function mergeDirections(g: GraphBuilder, t: string, axis: number, rank: number, dirs: number, mode: MergeMode, hint: string): string {
  if (dirs === 1) return g.op("Squeeze", [t, g.ints(`${hint}.axes`, [axis])], `${hint}.Squeeze`);
  if (mode === "concat") {
    const perm = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== axis);
    perm.splice(rank - 2, 0, axis);
    const moved = g.op("Transpose", [t], `${hint}.Transpose`, [attribute("perm", { ints: perm })]);
    const shape = [...new Array<number>(rank - 2).fill(0), -1];
    return g.op("Reshape", [moved, g.ints(`${hint}.shape`, shape)], `${hint}.Reshape`);
  }
  const [forward, backward] = [0, 1].map((d) => g.op("Gather", [t, g.scalarInt(`${hint}.direction${d}`, d)], `${hint}.Gather${d}`, [attribute("axis", { i: axis })]));
  if (mode === "mul") return g.op("Mul", [forward!, backward!], `${hint}.Mul`);
  const sum = g.op("Add", [forward!, backward!], `${hint}.Add`);
  if (mode === "sum") return sum;
  return g.op("Mul", [sum, g.floats(`${hint}.half`, [], [0.5])], `${hint}.Mul`);
}

/** The mean over time of a sequence [T, B, F] -> [B, F]: over the valid steps when lengths are given. */
function meanOverTime(g: GraphBuilder, seq: string, lengths: string, hint: string): string {
  const keep = attribute("keepdims", { i: 0 });
  if (lengths !== "") {
    const sum = g.op("ReduceSum", [seq, g.ints(`${hint}.axes`, [0])], `${hint}.ReduceSum`, [keep]);
    const count = g.op("Cast", [lengths], `${hint}.Cast`, [attribute("to", { i: DATA_TYPE.float })]);
    return g.op("Div", [sum, g.op("Unsqueeze", [count, g.ints(`${hint}.countAxes`, [1])], `${hint}.Unsqueeze`)], `${hint}.Div`);
  }
  if (g.opset >= 18) return g.op("ReduceMean", [seq, g.ints(`${hint}.axes`, [0])], `${hint}.ReduceMean`, [keep]);
  return g.op("ReduceMean", [seq], `${hint}.ReduceMean`, [attribute("axes", { ints: [0] }), keep]);
}

/** Ids [T, B] as one-hot floats [T, B, size]. */
function oneHot(g: GraphBuilder, ids: string, size: number, idsType: number, hint: string): string {
  const column = g.op("Unsqueeze", [ids, g.ints(`${hint}.axes`, [2])], `${hint}.Unsqueeze`);
  const range = g.ints(`${hint}.range`, Array.from({ length: size }, (_, i) => i), idsType);
  const hot = g.op("Equal", [column, range], `${hint}.Equal`);
  return g.op("Cast", [hot], `${hint}.Cast`, [attribute("to", { i: DATA_TYPE.float })]);
}

/** x [T, B, D] with the context [B, C] repeated at every step appended: [T, B, D + C]. */
function appendContext(g: GraphBuilder, x: string, context: string, hint: string): string {
  const steps = g.op("Slice", [g.op("Shape", [x], `${hint}.Shape`), g.ints(`${hint}.start`, [0]), g.ints(`${hint}.end`, [1])], `${hint}.Slice`);
  const target = g.op("Concat", [steps, g.ints(`${hint}.ones`, [1, 1])], `${hint}.Concat`, [attribute("axis", { i: 0 })]);
  const first = g.op("Unsqueeze", [context, g.ints(`${hint}.axes`, [0])], `${hint}.Unsqueeze`);
  const repeated = g.op("Expand", [first, target], `${hint}.Expand`);
  return g.op("Concat", [x, repeated], `${hint}.ConcatContext`, [attribute("axis", { i: 2 })]);
}

/** Emits the nodes of a recurrent layer reading `input`; `hint` prefixes their names ("layers.1"). */
export function exportRecurrent(g: GraphBuilder, layer: ExportableRecurrent, input: Flow, side: SideInputs, hint: string): Flow {
  const cell = cellExport(layer);
  const { gates, onnxFromTorch } = CELL_MAPPINGS[cell.op];
  const H = layer.units;
  const dirs = layer.bidirectional ? 2 : 1;
  const params = layer.stateDict();
  const suffixes = (l: number): string[] => (dirs === 2 ? [`_l${l}`, `_l${l}_reverse`] : [`_l${l}`]);
  let x = input.kind === "ids" ? oneHot(g, input.name, layer.inputSize, side.idsType, `${hint}.oneHot`) : input.name;
  if (layer.contextSize > 0) x = appendContext(g, x, side.context, `${hint}.context`);
  let yh = "";
  for (let l = 0; l < layer.numLayers; l++) {
    const last = l === layer.numLayers - 1;
    const wantYh = last && !layer.returnSequences && layer.pooling === "last";
    const name = `${hint}.${cell.op}_l${l}`;
    const W = suffixes(l).map((s) => {
      const wih = params[`weight_ih${s}`]!;
      const full = l === 0 && layer.contextSize > 0 ? concatColumns(wih, params[`weight_ch${s}`]!) : wih.data;
      return permuteBlocks(full, gates, onnxFromTorch);
    });
    const R = suffixes(l).map((s) => permuteBlocks(params[`weight_hh${s}`]!.data, gates, onnxFromTorch));
    const Bias = suffixes(l).map((s) => concat([params[`bias_ih${s}`]!.data, params[`bias_hh${s}`]!.data].map((b) => permuteBlocks(b, gates, onnxFromTorch))));
    const D = W[0]!.length / (gates * H);
    const inputs = [x, g.floats(`${name}.W`, [dirs, gates * H, D], concat(W)), g.floats(`${name}.R`, [dirs, gates * H, H], concat(R)),
      g.floats(`${name}.B`, [dirs, 2 * gates * H], concat(Bias)), side.lengths];
    if (cell.peephole) {
      const P = suffixes(l).map((s) => permuteBlocks(concat(["i", "f", "o"].map((k) => params[`peephole_${k}${s}`]!.data)), 3, PEEPHOLE_ONNX_FROM_TORCH));
      inputs.push("", "", g.floats(`${name}.P`, [dirs, 3 * H], concat(P)));
    }
    while (inputs[inputs.length - 1] === "") inputs.pop();
    const attributes = [attribute("hidden_size", { i: H }), attribute("direction", { s: dirs === 2 ? "bidirectional" : "forward" }),
      ...activationAttributes(cell.activations, dirs), ...cell.attributes];
    const [y, h] = g.node(cell.op, inputs, attributes, name, wantYh ? ["", "Y_h"] : ["Y"]);
    if (wantYh) yh = h!;
    else x = mergeDirections(g, y!, 1, 4, dirs, layer.mergeMode, `${name}.output`);
  }
  if (layer.returnSequences) return { name: x, kind: "sequence" };
  if (layer.pooling === "last") return { name: mergeDirections(g, yh, 0, 3, dirs, layer.mergeMode, `${hint}.last`), kind: "vector" };
  return { name: meanOverTime(g, x, side.lengths, `${hint}.mean`), kind: "vector" };
}
