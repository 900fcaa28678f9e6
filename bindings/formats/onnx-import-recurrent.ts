// Import of one ONNX RNN / LSTM / GRU node: attributes checked against what wasm-rnn computes
// (direction, activations with their alpha / beta, linear_before_reset, layout, no clip), W / R /
// B / P read by position and returned to PyTorch's gate order, zero initial states only.
import { ACTIVATION_PARAMETERS, CELL_MAPPINGS, ONNX_ACTIVATIONS, PEEPHOLE_ONNX_FROM_TORCH, inverseOrder, permuteBlocks, type OnnxCellOp } from "./onnx-cells.js";
import type { NodeContext } from "./onnx-import-context.js";
import type { RecurrentNodeSpec } from "./onnx-import-stages.js";
import { dimNumber, fixedDim, rolesOf, type ConstValue, type DataValue, type Value } from "./onnx-import-values.js";
import { CELL_ACTIVATIONS, GATE_ACTIVATIONS, type CellActivation, type GateActivation } from "../layers/recurrent.js";
import type { ActivationName } from "../kernels/activations.js";
import type { Tensor } from "../tensor.js";
import { shapeString } from "../validate.js";

const DEFAULT_ACTIVATIONS: Record<OnnxCellOp, string[]> = { RNN: ["Tanh"], LSTM: ["Sigmoid", "Tanh", "Tanh"], GRU: ["Sigmoid", "Tanh"] };
/** Cell activations each wasm-rnn layer type offers. */
const CELL_CHOICES: Record<OnnxCellOp, readonly ActivationName[]> = { RNN: ["tanh", "relu", "linear"], LSTM: CELL_ACTIVATIONS, GRU: CELL_ACTIVATIONS };

/** The wasm-rnn activation of an ONNX recurrent activation with its alpha / beta, or null. */
function wasmActivation(name: string, alpha: number | null, beta: number | null): ActivationName | null {
  for (const [wasm, onnx] of Object.entries(ONNX_ACTIVATIONS) as [ActivationName, (typeof ONNX_ACTIVATIONS)[ActivationName]][]) {
    if (onnx.name.toLowerCase() !== name.toLowerCase()) continue;
    const same = (a: number | undefined, b: number | null): boolean => a === undefined || (b !== null && Math.fround(a) === Math.fround(b));
    if (same(onnx.alpha, alpha) && same(onnx.beta, beta)) return wasm;
  }
  return null;
}

/** The activations of every slot of every direction, alpha / beta consumed in order by the functions that take them (as onnxruntime). */
function readActivations(ctx: NodeContext, op: OnnxCellOp, dirs: number): { activation: CellActivation; recurrentActivation: GateActivation } {
  const slots = CELL_MAPPINGS[op].slots;
  let names = ctx.strings("activations") ?? DEFAULT_ACTIVATIONS[op];
  if (names.length === slots.length && dirs === 2) names = [...names, ...names];
  if (names.length !== slots.length * dirs) ctx.fail(`activations lists ${names.length} functions; expected ${slots.length * dirs} (${slots.length} per direction)`);
  const alphas = ctx.floats("activation_alpha");
  const betas = ctx.floats("activation_beta");
  let a = 0;
  let b = 0;
  const chosen = names.map((name) => {
    const params = Object.entries(ACTIVATION_PARAMETERS).find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
    if (params === undefined) ctx.fail(`activation "${name}" is not an ONNX recurrent activation`);
    const alpha = params.alpha === null ? null : (alphas[a++] ?? params.alpha);
    const beta = params.beta === null ? null : (betas[b++] ?? params.beta);
    const wasm = wasmActivation(name, alpha, beta);
    if (wasm === null) ctx.fail(`activation ${name}${alpha === null ? "" : `(alpha ${alpha}${beta === null ? "" : `, beta ${beta}`})`} has no wasm-rnn equivalent; expected Tanh, Sigmoid, Relu, Affine(1, 0) or HardSigmoid(0.2, 0.5)`);
    return wasm;
  });
  const perDirection = chosen.slice(0, slots.length);
  if (dirs === 2 && chosen.slice(slots.length).some((x, i) => x !== perDirection[i])) ctx.fail(`the two directions use different activations (${names.join(", ")}); wasm-rnn uses one set for both`);
  const gate = slots.indexOf("gate");
  const cells = perDirection.filter((_, i) => slots[i] === "cell");
  if (cells.some((c) => c !== cells[0])) ctx.fail(`the cell input and output activations differ (${names.slice(0, slots.length).join(", ")}); wasm-rnn's LSTM uses one activation for both`);
  const activation = cells[0]!;
  if (!CELL_CHOICES[op].includes(activation)) ctx.fail(`activation ${activation} is not one a wasm-rnn ${op} offers (${CELL_CHOICES[op].join(", ")})`);
  const recurrentActivation = gate < 0 ? "sigmoid" : perDirection[gate]!;
  if (!(GATE_ACTIVATIONS as readonly string[]).includes(recurrentActivation)) ctx.fail(`gate activation ${recurrentActivation} is not one wasm-rnn offers (sigmoid, hardSigmoid)`);
  return { activation: activation as CellActivation, recurrentActivation: recurrentActivation as GateActivation };
}

/** Checks a constant's dims. */
function expectDims(ctx: NodeContext, c: ConstValue, dims: number[], what: string): void {
  if (shapeString(c.dims) !== shapeString(dims)) ctx.fail(`${what} must have shape ${shapeString(dims)}; got ${shapeString(c.dims)}`);
}

/** Rows [from, to) of every block of `rows` rows: a column range of a [rows, cols] matrix. */
function columns(data: Float32Array, rows: number, cols: number, from: number, to: number): Float32Array {
  const out = new Float32Array(rows * (to - from));
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols + from, r * cols + to), r * (to - from));
  return out;
}

/** Direction d's part of a constant with dirs equal parts, in PyTorch's block order. */
function directionPart(c: ConstValue | null, d: number, size: number, blocks: number, order: readonly number[]): Float32Array {
  if (c === null) return new Float32Array(size);
  return permuteBlocks(Float32Array.from(c.values.subarray(d * size, (d + 1) * size)), blocks, inverseOrder(order));
}

/** Initial states must be absent or zeros: a wasm-rnn model starts every sequence from zero states. */
function expectZeroState(ctx: NodeContext, i: number, what: string): void {
  const v = ctx.input(i);
  if (v === null || v.kind === "zeros" || (v.kind === "const" && v.values.every((x) => x === 0))) return;
  ctx.fail(`${what} must be absent or zeros; a wasm-rnn model starts every sequence from zero states`);
}

/** The X input: a time-major sequence, the one-hot of the ids, or a sequence with the context appended. */
function sequenceInput(ctx: NodeContext): { x: DataValue; tokenInput: boolean; contextSize: number } {
  const x = ctx.data(0, "X");
  if (rolesOf(x.axes) !== "[T, B, F]") ctx.fail(`X must be a time-major sequence [T, B, F] (layout 0); got axes ${rolesOf(x.axes)}`);
  if (x.tag.t === "oneHot") return { x, tokenInput: true, contextSize: 0 };
  if (x.tag.t === "withContext") return { x, tokenInput: x.tag.tokenInput, contextSize: x.tag.contextSize };
  if (x.tag.t !== "output") ctx.fail("X must be the output of the layers before (or of the graph input)");
  return { x, tokenInput: false, contextSize: 0 };
}

/** Outputs Y [T, dirs, B, H], Y_h [dirs, B, H] (and Y_c) of a recurrent node reading a sequence. */
export function importRecurrent(ctx: NodeContext, op: OnnxCellOp): Value[] {
  const { gates, onnxFromTorch } = CELL_MAPPINGS[op];
  const { x, tokenInput, contextSize } = sequenceInput(ctx);
  if (ctx.int("layout", 0) !== 0) ctx.fail("layout 1 (batch-major) is not supported; wasm-rnn sequences are time-major (layout 0)");
  if (ctx.has("clip")) ctx.fail("clip (cell clipping) has no wasm-rnn equivalent");
  if (ctx.int("input_forget", 0) !== 0) ctx.fail("input_forget 1 (coupled input and forget gates) has no wasm-rnn equivalent");
  const direction = ctx.string("direction", "forward");
  if (direction !== "forward" && direction !== "bidirectional") ctx.fail(`direction "${direction}": wasm-rnn layers run forward or bidirectional`);
  const dirs = direction === "bidirectional" ? 2 : 1;
  const W = ctx.constant(1, "W");
  const R = ctx.constant(2, "R");
  const H = ctx.int("hidden_size", R.dims[2] ?? 0);
  if (!Number.isSafeInteger(H) || H < 1) ctx.fail(`hidden_size must be a positive integer; got ${H}`);
  if (W.dims.length !== 3) ctx.fail(`W must have shape [${dirs}, ${gates * H}, input size]; got ${shapeString(W.dims)}`);
  const Din = W.dims[2]!;
  expectDims(ctx, W, [dirs, gates * H, Din], "W");
  expectDims(ctx, R, [dirs, gates * H, H], "R");
  const xFeatures = dimNumber(x.axes[2]!.size);
  if (xFeatures !== Din) ctx.fail(`W reads ${Din} features per step; X has ${xFeatures ?? "an unknown number of"}`);
  if (Din <= contextSize) ctx.fail(`W has ${Din} input columns, not more than the ${contextSize} of the context`);
  const B = ctx.input(3) === null ? null : ctx.constant(3, "B");
  if (B !== null) expectDims(ctx, B, [dirs, 2 * gates * H], "B");
  const lengths = ctx.input(4);
  if (lengths !== null && !(lengths.kind === "data" && lengths.tag.t === "lengths")) ctx.fail("sequence_lens must be absent or an int32 graph input [B] (the lengths)");
  expectZeroState(ctx, 5, "initial_h");
  if (op === "LSTM") expectZeroState(ctx, 6, "initial_c");
  const P = op === "LSTM" && ctx.input(7) !== null ? ctx.constant(7, "P") : null;
  if (P !== null) expectDims(ctx, P, [dirs, 3 * H], "P");
  const { activation, recurrentActivation } = readActivations(ctx, op, dirs);
  const G = gates * H;
  const D = Din - contextSize;
  const params = Array.from({ length: dirs }, (_, d) => {
    const w = directionPart(W, d, G * Din, gates, onnxFromTorch);
    const bias = directionPart(B, d, 2 * G, 2 * gates, [...onnxFromTorch, ...onnxFromTorch.map((k) => k + gates)]);
    const p: Record<string, Tensor> = {
      weight_ih: { shape: [G, D], data: contextSize > 0 ? columns(w, G, Din, 0, D) : w },
      weight_hh: { shape: [G, H], data: directionPart(R, d, G * H, gates, onnxFromTorch) },
      bias_ih: { shape: [G], data: bias.subarray(0, G) },
      bias_hh: { shape: [G], data: bias.subarray(G) },
    };
    if (P !== null) {
      const peep = directionPart(P, d, 3 * H, 3, PEEPHOLE_ONNX_FROM_TORCH);
      ["i", "f", "o"].forEach((k, j) => (p[`peephole_${k}`] = { shape: [H], data: peep.subarray(j * H, (j + 1) * H) }));
    }
    if (contextSize > 0) p.weight_ch = { shape: [G, contextSize], data: columns(w, G, Din, D, Din) };
    return p;
  });
  const spec: RecurrentNodeSpec = {
    op, label: ctx.label, hidden: H, dirs: dirs as 1 | 2, inputSize: D, activation, recurrentActivation,
    resetAfter: op === "GRU" && ctx.int("linear_before_reset", 0) !== 0, peephole: P !== null, tokenInput, contextSize,
    lengths: lengths === null ? "" : ctx.node.input[4]!, params,
  };
  const [T, batch] = [x.axes[0]!, x.axes[1]!];
  const dir = { role: "dir" as const, size: fixedDim(dirs) };
  const hidden = { role: "F" as const, size: fixedDim(H) };
  const outputs: Value[] = [
    { kind: "data", stages: x.stages, axes: [T, dir, batch, hidden], tag: { t: "open", node: spec, output: "Y", direction: null } },
    { kind: "data", stages: x.stages, axes: [dir, batch, hidden], tag: { t: "open", node: spec, output: "Y_h", direction: null } },
  ];
  if (op === "LSTM") outputs.push({ kind: "data", stages: x.stages, axes: [dir, batch, hidden], tag: { t: "cellState" } });
  return outputs;
}
