// What the importer knows about each tensor of an ONNX graph while following its data flow:
// constants (initializers, Constant nodes), shape arithmetic over symbolic sizes (Shape, Gather,
// Concat, ...), zero tensors (initial states), and data: tensors computed from the inputs by the
// layers recognised so far, with the meaning of each axis.
import type { OnnxNode } from "./onnx-proto.js";
import type { Stage, RecurrentNodeSpec, RecurrentStage } from "./onnx-import-stages.js";
import type { MergeMode } from "../layers/recurrent.js";

/** A dimension: coefficient × product of symbolic sizes (a graph input's named dims, e.g. "batch"). */
export interface Dim {
  c: number;
  syms: string[];
}

/** A known dimension. */
export function fixedDim(n: number): Dim {
  return { c: n, syms: [] };
}

/** A symbolic dimension. */
export function symbolDim(name: string): Dim {
  return { c: 1, syms: [name] };
}

export function dimEquals(a: Dim, b: Dim): boolean {
  return a.c === b.c && a.syms.length === b.syms.length && a.syms.every((s, i) => s === b.syms[i]);
}

export function dimProduct(dims: readonly Dim[]): Dim {
  return { c: dims.reduce((c, d) => c * d.c, 1), syms: dims.flatMap((d) => d.syms).sort() };
}

/** a / b when it is a whole dimension, else null. */
export function dimQuotient(a: Dim, b: Dim): Dim | null {
  if (b.c === 0 || a.c % b.c !== 0) return null;
  const syms = [...a.syms];
  for (const s of b.syms) {
    const at = syms.indexOf(s);
    if (at < 0) return null;
    syms.splice(at, 1);
  }
  return { c: a.c / b.c, syms };
}

/** The dimension as a number when it is known. */
export function dimNumber(d: Dim): number | null {
  return d.syms.length === 0 ? d.c : null;
}

export function dimString(d: Dim): string {
  return [...(d.c !== 1 || d.syms.length === 0 ? [String(d.c)] : []), ...d.syms].join("·");
}

/** A tensor known at import time. */
export interface ConstValue {
  kind: "const";
  dataType: number;
  dims: number[];
  values: Float64Array;
}

/** A 1-D (or scalar) integer tensor of sizes computed from shapes: Shape(x), Gather of it, Concat, ... */
export interface SizesValue {
  kind: "sizes";
  scalar: boolean;
  items: Dim[];
}

/** A tensor of zeros whatever its shape (ConstantOfShape(0), slices of it): initial states. */
export interface ZerosValue {
  kind: "zeros";
}

/** What an axis of a data tensor stands for. */
export type AxisRole = "T" | "B" | "F" | "dir" | "unit";

export interface Axis {
  role: AxisRole;
  size: Dim;
}

/**
 * How a data tensor relates to the layers recognised so far (`stages`):
 * - cellState: an LSTM's Y_c, which no wasm-rnn layer outputs;
 * - probabilities: the Softmax of the last stage's output (the end of the graph);
 * - ids / lengths / context: a graph input (token ids [T, B], lengths [B], context [B, C]), or
 *   their Cast / Unsqueeze (lengthsFloat, context with a unit axis);
 * - oneHotMask / oneHot: Equal(ids, 0..D-1) and its Cast to float (tokenInput);
 * - contextSequence: the context repeated over time; withContext: a sequence with it concatenated;
 * - open: an output (Y or Y_h) of a recurrent node whose directions are not merged yet
 *   (`direction`: one direction taken by a Gather);
 * - output: the output of the last stage; `fuse` says what may still fold into that stage
 *   (a bias after MatMul, an activation after a Dense, ave after a sum merge);
 * - stateStack: final states Y_h of several recurrent nodes concatenated, as torch's h_n of a stacked
 *   nn.LSTM / GRU / RNN (`entries`: the source Y_h and direction of each row);
 * - timeSum: ReduceSum over time of a recurrent output (mean pooling once divided by the lengths).
 */
export type DataTag =
  | { t: "ids" | "lengths" | "lengthsFloat" | "context" | "contextSequence" | "cellState" | "probabilities" }
  | { t: "oneHotMask" | "oneHot"; size: number }
  | { t: "withContext"; contextSize: number; tokenInput: boolean }
  | { t: "open"; node: RecurrentNodeSpec; output: "Y" | "Y_h"; direction: number | null }
  | { t: "output"; fuse: "none" | "sum" | "bias" | "activation" }
  | { t: "stateStack"; entries: { source: DataValue; direction: number }[] }
  | { t: "timeSum" };

/** A tensor computed from the graph inputs. */
export interface DataValue {
  kind: "data";
  stages: readonly Stage[];
  axes: Axis[];
  tag: DataTag;
}

export type Value = ConstValue | SizesValue | ZerosValue | DataValue;

/** A data tensor that is an unmerged recurrent output. */
export type OpenValue = DataValue & { tag: { t: "open" } };

export function isOpen(v: Value | null): v is OpenValue {
  return v !== null && v.kind === "data" && v.tag.t === "open";
}

/** The recurrent stage an open output becomes once its directions are merged by `merge`, with the resulting axes. */
export function closeOpen(v: OpenValue, merge: MergeMode, axes: Axis[]): DataValue {
  const { node, output } = v.tag;
  const stage: RecurrentStage = { type: "recurrent", layers: [node], mergeMode: merge, returnSequences: output === "Y", pooling: "last" };
  return { kind: "data", stages: [...v.stages, stage], axes, tag: { t: "output", fuse: merge === "sum" ? "sum" : "none" } };
}

/** Names a node in messages: `node "name" (OpType)`, or its position when unnamed. */
export function nodeLabel(node: OnnxNode, index: number): string {
  return `node ${node.name !== "" ? `"${node.name}"` : `#${index}`} (${node.opType})`;
}

/** The axes' roles, e.g. "[T, B, F]", for messages and pattern checks. */
export function rolesOf(axes: readonly Axis[]): string {
  return `[${axes.map((a) => a.role).join(", ")}]`;
}
