// Nodes that compute on data and become (parts of) wasm-rnn layers: Gather on a table (Embedding),
// MatMul + Add / Gemm and an activation (Dense), RNN / LSTM / GRU, the Add / Mul of two
// directions (sum, mul, ave merges), ReduceMean / ReduceSum + Div (mean pooling), Softmax, and the
// tokenInput (Equal) and context (Concat) patterns toOnnx writes.
import type { NodeContext } from "./onnx-import-context.js";
import { importRecurrent } from "./onnx-import-recurrent.js";
import { AXIS_NODES } from "./onnx-import-axes.js";
import { concatStates } from "./onnx-import-states.js";
import type { DenseStage, Stage } from "./onnx-import-stages.js";
import { closeOpen, dimNumber, fixedDim, isOpen, rolesOf, type ConstValue, type DataValue, type Value } from "./onnx-import-values.js";
import type { ActivationName } from "../kernels/activations.js";
import { shapeString } from "../validate.js";

/** A node with at least one input computed from the graph inputs. */
export type DataHandler = (ctx: NodeContext) => Value[];

/** Whether v is the output of the last stage as a sequence [T, B, F] or a vector per sequence [B, F]. */
function isLayerOutput(v: Value | null): boolean {
  return v !== null && v.kind === "data" && v.tag.t === "output" && (rolesOf(v.axes) === "[T, B, F]" || rolesOf(v.axes) === "[B, F]");
}

/** Input i as the output of the layers so far. */
function layerOutput(ctx: NodeContext, i: number): DataValue {
  const v = ctx.data(i, "input");
  if (!isLayerOutput(v)) ctx.fail(`input ${i} must be a layer's output [T, B, F] or [B, F]; got axes ${rolesOf(v.axes)} (${v.tag.t})`);
  return v;
}

function featuresOf(v: DataValue): number {
  return dimNumber(v.axes[v.axes.length - 1]!.size)!;
}

function replaceLast(v: DataValue, stage: Stage, fuse: "none" | "sum" | "bias" | "activation"): DataValue {
  return { ...v, stages: [...v.stages.slice(0, -1), stage], tag: { t: "output", fuse } };
}

/** x · W (+ C): a new Dense stage; `weight` is [I, O] (transposed to nn.Linear's [O, I]), scaled by alpha. */
function denseFrom(ctx: NodeContext, x: DataValue, weight: ConstValue, transposed: boolean, alpha: number): { stage: DenseStage; out: DataValue } {
  if (weight.dims.length !== 2) ctx.fail(`the weight must be a matrix; got shape ${shapeString(weight.dims)}`);
  const [rows, cols] = weight.dims as [number, number];
  const [I, O] = transposed ? [cols, rows] : [rows, cols];
  if (I !== featuresOf(x)) ctx.fail(`the weight reads ${I} features; the input has ${featuresOf(x)}`);
  const w = new Float32Array(O * I);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) w[o * I + i] = alpha * (transposed ? weight.values[o * I + i]! : weight.values[i * O + o]!);
  const stage: DenseStage = { type: "dense", weight: { shape: [O, I], data: w }, bias: { shape: [O], data: new Float32Array(O) }, activation: "linear" };
  return { stage, out: { kind: "data", stages: [...x.stages, stage], axes: [...x.axes.slice(0, -1), { role: "F", size: fixedDim(O) }], tag: { t: "output", fuse: "bias" } } };
}

/** A bias constant of O values ([O], or with leading ones), scaled by beta. */
function biasValues(ctx: NodeContext, c: ConstValue, O: number, beta: number): Float32Array {
  if (c.dims.length === 0 || c.dims[c.dims.length - 1] !== O || c.values.length !== O) ctx.fail(`the bias must have shape [${O}]; got ${shapeString(c.dims)}`);
  return Float32Array.from(c.values, (v) => beta * v);
}

/** The data input and the constant input of a binary node (in either order), or null. */
function dataAndConstant(ctx: NodeContext): { data: DataValue; constant: ConstValue } | null {
  const [a, b] = [ctx.input(0), ctx.input(1)];
  if (a?.kind === "data" && b?.kind === "const") return { data: a, constant: b };
  if (b?.kind === "data" && a?.kind === "const") return { data: b, constant: a };
  return null;
}

/** Add / Mul of the two directions of one recurrent output: a sum or mul merge. */
function mergeDirections(ctx: NodeContext, mode: "sum" | "mul"): DataValue | null {
  const [a, b] = [ctx.input(0), ctx.input(1)];
  if (!isOpen(a) || !isOpen(b)) return null;
  if (a.tag.node !== b.tag.node || a.tag.output !== b.tag.output || a.tag.direction === null || b.tag.direction === null || a.tag.direction === b.tag.direction) {
    ctx.fail("adds or multiplies recurrent outputs that are not the two directions of one output");
  }
  return closeOpen(a, mode, a.axes);
}

const DENSE_ACTIVATIONS: Record<string, ActivationName> = { Tanh: "tanh", Sigmoid: "sigmoid", Relu: "relu", HardSigmoid: "hardSigmoid" };

/** An activation node after a Dense: becomes the Dense's activation. */
function activation(ctx: NodeContext): Value[] {
  const x = layerOutput(ctx, 0);
  const last = x.stages[x.stages.length - 1];
  if (last?.type !== "dense" || x.tag.t !== "output" || (x.tag.fuse !== "bias" && x.tag.fuse !== "activation")) {
    ctx.fail("an activation is supported right after a Linear (MatMul + Add or Gemm) only");
  }
  if (ctx.node.opType === "HardSigmoid" && (Math.fround(ctx.float("alpha", 0.2)) !== Math.fround(0.2) || Math.fround(ctx.float("beta", 0.5)) !== Math.fround(0.5))) {
    ctx.fail("HardSigmoid must have alpha 0.2 and beta 0.5 (wasm-rnn's hardSigmoid)");
  }
  return [replaceLast(x, { ...last, activation: DENSE_ACTIVATIONS[ctx.node.opType]! }, "none")];
}

/** ReduceMean / ReduceSum over time of a recurrent output. */
function reduceOverTime(ctx: NodeContext, mean: boolean): Value[] {
  const x = layerOutput(ctx, 0);
  const axes = (ctx.axes(1) ?? []).map((a) => ctx.axis(a, x.axes.length));
  const last = x.stages[x.stages.length - 1];
  if (axes.length !== 1 || x.axes[axes[0]!]!.role !== "T" || last?.type !== "recurrent" || !last.returnSequences) {
    ctx.fail("a reduction is supported over the time axis of a recurrent layer's output (mean pooling) only");
  }
  const withLengths = last.layers[0]!.lengths !== "";
  if (mean && withLengths) ctx.fail("ReduceMean over padded sequences counts the padding; mean pooling over lengths is ReduceSum / lengths");
  if (!mean && !withLengths) ctx.fail("ReduceSum over time is supported divided by the lengths (mean pooling) only");
  const axesOut = ctx.int("keepdims", 1) !== 0 ? x.axes.map((a, i) => (i === axes[0] ? { role: "unit" as const, size: fixedDim(1) } : a)) : x.axes.filter((_, i) => i !== axes[0]);
  const pooled = { ...last, returnSequences: false, pooling: "mean" as const };
  if (mean) return [{ ...x, axes: axesOut, stages: [...x.stages.slice(0, -1), pooled] }];
  return [{ ...x, axes: axesOut, stages: [...x.stages.slice(0, -1), pooled], tag: { t: "timeSum" } }];
}

export const LAYER_NODES: Record<string, DataHandler> = {
  RNN: (ctx) => importRecurrent(ctx, "RNN"),
  LSTM: (ctx) => importRecurrent(ctx, "LSTM"),
  GRU: (ctx) => importRecurrent(ctx, "GRU"),
  Gather(ctx) {
    const table = ctx.input(0);
    if (table?.kind === "data") return [AXIS_NODES.Gather!(ctx, table)];
    const ids = ctx.data(1, "indices");
    const weight = ctx.constant(0, "data");
    if (ids.tag.t !== "ids" || rolesOf(ids.axes) !== "[T, B]" || ctx.int("axis", 0) !== 0 || weight.dims.length !== 2) {
      ctx.fail("Gather of a constant is supported as an Embedding: a table [V, E] indexed by the ids input [T, B] on axis 0");
    }
    const stage: Stage = { type: "embedding", weight: { shape: [...weight.dims], data: Float32Array.from(weight.values) } };
    return [{ kind: "data", stages: [stage], axes: [...ids.axes, { role: "F", size: fixedDim(weight.dims[1]!) }], tag: { t: "output", fuse: "none" } }];
  },
  MatMul(ctx) {
    const x = layerOutput(ctx, 0);
    return [denseFrom(ctx, x, ctx.constant(1, "weight"), false, 1).out];
  },
  Gemm(ctx) {
    const x = layerOutput(ctx, 0);
    if (rolesOf(x.axes) !== "[B, F]" || ctx.int("transA", 0) !== 0) ctx.fail("Gemm is supported on vectors [B, F] (transA 0)");
    const { stage, out } = denseFrom(ctx, x, ctx.constant(1, "B"), ctx.int("transB", 0) !== 0, ctx.float("alpha", 1));
    if (ctx.input(2) === null) return [out];
    const bias = biasValues(ctx, ctx.constant(2, "C"), stage.weight.shape[0]!, ctx.float("beta", 1));
    return [replaceLast(out, { ...stage, bias: { shape: [bias.length], data: bias } }, "activation")];
  },
  Add(ctx) {
    const merged = mergeDirections(ctx, "sum");
    if (merged !== null) return [merged];
    const pair = dataAndConstant(ctx);
    const last = pair?.data.stages[pair.data.stages.length - 1];
    if (pair === null || !isLayerOutput(pair.data) || pair.data.tag.t !== "output" || pair.data.tag.fuse !== "bias" || last?.type !== "dense") {
      return ctx.fail("Add is supported as the bias of a Linear (after its MatMul) or the sum of two directions");
    }
    const bias = biasValues(ctx, pair.constant, last.bias.shape[0]!, 1);
    return [replaceLast(pair.data, { ...last, bias: { shape: [bias.length], data: bias } }, "activation")];
  },
  Mul(ctx) {
    const merged = mergeDirections(ctx, "mul");
    if (merged !== null) return [merged];
    const pair = dataAndConstant(ctx);
    const last = pair?.data.stages[pair.data.stages.length - 1];
    const half = pair !== null && pair.constant.values.length === 1 && pair.constant.values[0] === 0.5;
    if (pair === null || pair.data.tag.t !== "output" || pair.data.tag.fuse !== "sum" || last?.type !== "recurrent" || !half) {
      return ctx.fail("Mul is supported as the product of two directions, or 0.5 × their sum (the ave merge)");
    }
    return [replaceLast(pair.data, { ...last, mergeMode: "ave" }, "none")];
  },
  Div(ctx) {
    const [sum, count] = [ctx.input(0), ctx.input(1)];
    if (sum?.kind !== "data" || sum.tag.t !== "timeSum" || count?.kind !== "data" || count.tag.t !== "lengthsFloat" || rolesOf(count.axes) !== "[B, unit]") {
      return ctx.fail("Div is supported as a sum over time divided by the lengths [B, 1] (mean pooling) only");
    }
    return [{ ...sum, tag: { t: "output", fuse: "none" } }];
  },
  Tanh: activation,
  Sigmoid: activation,
  Relu: activation,
  HardSigmoid: activation,
  Softmax(ctx) {
    const x = layerOutput(ctx, 0);
    const rank = x.axes.length;
    if (ctx.axis(ctx.int("axis", -1), rank) !== rank - 1) ctx.fail("Softmax must be over the last axis (the classes)");
    return [{ ...x, tag: { t: "probabilities" } }];
  },
  ReduceMean: (ctx) => reduceOverTime(ctx, true),
  ReduceSum: (ctx) => reduceOverTime(ctx, false),
  Equal(ctx) {
    const pair = dataAndConstant(ctx);
    const D = pair?.constant.values.length ?? 0;
    if (pair === null || pair.data.tag.t !== "ids" || rolesOf(pair.data.axes) !== "[T, B, unit]" || pair.constant.dims.length !== 1 || !pair.constant.values.every((v, i) => v === i)) {
      return ctx.fail("Equal is supported as the one-hot of the ids [T, B, 1] against 0, 1, ..., D-1 (tokenInput) only");
    }
    return [{ ...pair.data, axes: [pair.data.axes[0]!, pair.data.axes[1]!, { role: "F", size: fixedDim(D) }], tag: { t: "oneHotMask", size: D } }];
  },
  Concat(ctx) {
    const states = concatStates(ctx);
    if (states !== null) return [states];
    const [x, context] = [ctx.input(0), ctx.input(1)];
    const axis = x?.kind === "data" ? ctx.axis(ctx.int("axis", 0), x.axes.length) : -1;
    if (ctx.node.input.length !== 2 || !(x?.kind === "data" && (x.tag.t === "output" || x.tag.t === "oneHot")) || rolesOf(x.axes) !== "[T, B, F]"
      || context?.kind !== "data" || context.tag.t !== "contextSequence" || axis !== 2) {
      return ctx.fail("Concat of data is supported as a sequence [T, B, D] followed by the context repeated over time [T, B, C] on axis 2 only");
    }
    const C = dimNumber(context.axes[2]!.size)!;
    return [{ ...x, axes: [x.axes[0]!, x.axes[1]!, { role: "F", size: fixedDim(featuresOf(x) + C) }], tag: { t: "withContext", contextSize: C, tokenInput: x.tag.t === "oneHot" } }];
  },
};
