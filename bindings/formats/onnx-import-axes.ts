// Nodes that move the axes of data tensors — Shape, Transpose, Reshape, Squeeze, Unsqueeze,
// Gather of one direction or time step, Cast, Identity — and the merging of a recurrent node's
// directions that some of them perform (Transpose + Reshape: concat; Squeeze of one direction).
import type { NodeContext } from "./onnx-import-context.js";
import { DATA_TYPE } from "./onnx-proto.js";
import {
  closeOpen, dimEquals, dimNumber, dimProduct, dimQuotient, dimString, fixedDim, isOpen, rolesOf,
  type Axis, type DataValue, type Dim, type SizesValue, type Value,
} from "./onnx-import-values.js";
import { gatherState } from "./onnx-import-states.js";

/** A copy of `v` with new axes, merging the directions if they were merged (concat) or squeezed away (one direction). */
function withAxes(v: DataValue, axes: Axis[], merged: boolean): DataValue {
  if (isOpen(v) && v.tag.direction === null && (merged || !axes.some((a) => a.role === "dir"))) return closeOpen(v, "concat", axes);
  return { ...v, axes };
}

/** Reshape's target dims: 0 copies the input's dim (allowzero 0), one -1 takes what is left. */
function resolveTarget(ctx: NodeContext, axes: readonly Axis[], target: readonly Dim[]): Dim[] {
  const allowZero = ctx.int("allowzero", 0) !== 0;
  const dims = target.map((d, i) => (!allowZero && dimNumber(d) === 0 ? axes[i]?.size ?? ctx.fail(`shape entry ${i} copies a dim the input does not have`) : d));
  const free = dims.findIndex((d) => dimNumber(d) === -1);
  if (free < 0) return dims;
  const known = dimProduct(dims.filter((_, i) => i !== free));
  const rest = dimQuotient(dimProduct(axes.map((a) => a.size)), known);
  if (rest === null) ctx.fail(`cannot infer the -1 of shape [${dims.map(dimString).join(", ")}] from input dims [${axes.map((a) => dimString(a.size)).join(", ")}]`);
  dims[free] = rest;
  return dims;
}

/**
 * The axes after a reshape to `target`, matched in order: equal dims keep their meaning, a
 * direction axis followed by features merges into features (concat), unit axes (and a single
 * direction) may disappear or appear. Anything else mixes batch, time and features: refused.
 */
function reshapedAxes(ctx: NodeContext, axes: readonly Axis[], target: readonly Dim[]): { axes: Axis[]; merged: boolean } {
  const out: Axis[] = [];
  let merged = false;
  let i = 0;
  let j = 0;
  while (i < axes.length || j < target.length) {
    const a = axes[i];
    const next = axes[i + 1];
    const o = target[j];
    if (a !== undefined && o !== undefined && dimEquals(a.size, o)) {
      out.push(a);
      i++;
      j++;
    } else if (a?.role === "dir" && next?.role === "F" && o !== undefined && dimEquals(dimProduct([a.size, next.size]), o)) {
      out.push({ role: "F", size: o });
      merged = true;
      i += 2;
      j++;
    } else if (a !== undefined && (a.role === "unit" || a.role === "dir") && dimNumber(a.size) === 1) {
      i++;
    } else if (o !== undefined && dimNumber(o) === 1) {
      out.push({ role: "unit", size: o });
      j++;
    } else {
      ctx.fail(`reshaping axes ${rolesOf(axes)} of dims [${axes.map((x) => dimString(x.size)).join(", ")}] to [${target.map(dimString).join(", ")}] mixes time, batch and features`);
    }
  }
  return { axes: out, merged };
}

/** The target shape of a Reshape / Expand: constant or computed sizes. */
function targetDims(ctx: NodeContext, i: number): Dim[] {
  const v = ctx.required(i, "shape");
  if (v.kind === "sizes") return v.items;
  if (v.kind === "const" && v.dims.length === 1) return Array.from(v.values, fixedDim);
  return ctx.fail(`input ${i} (shape) must be a 1-D integer tensor`);
}

/** A scalar constant index (Gather), or null when the indices are not one scalar. */
function scalarIndex(ctx: NodeContext): number | null {
  const v = ctx.input(1);
  return v !== null && v.kind === "const" && v.dims.length === 0 ? v.values[0]! : null;
}

/** Gather of one direction of an open recurrent output, or of the last step of a unidirectional recurrent output (out[-1]). */
function gatherStep(ctx: NodeContext, v: DataValue): DataValue {
  const index = scalarIndex(ctx) ?? ctx.fail("indices must be one constant scalar");
  if (v.tag.t === "stateStack") return gatherState(ctx, v as DataValue & { tag: { t: "stateStack" } }, index);
  const axis = ctx.axis(ctx.int("axis", 0), v.axes.length);
  const size = dimNumber(v.axes[axis]!.size);
  const axes = v.axes.filter((_, k) => k !== axis);
  const role = v.axes[axis]!.role;
  if (size !== null && (index >= size || index < -size)) ctx.fail(`index ${index} is out of range for an axis of ${size}`);
  if (isOpen(v) && role === "dir" && v.tag.direction === null) {
    if (size === 1) return closeOpen(v, "concat", axes);
    return { ...v, axes, tag: { ...v.tag, direction: index < 0 ? index + 2 : index } };
  }
  const last = v.stages[v.stages.length - 1];
  const lastStep = index === -1 || (size !== null && index === size - 1);
  if (role === "T" && v.tag.t === "output" && rolesOf(v.axes) === "[T, B, F]" && last?.type === "recurrent" && last.returnSequences && lastStep) {
    const node = last.layers[last.layers.length - 1]!;
    if (node.dirs === 2) ctx.fail("the last step of a bidirectional output is not its final state (the reverse direction ends at step 0); use Y_h");
    if (node.lengths !== "") ctx.fail("the last step of padded sequences is not their final state; use Y_h");
    return { ...v, axes, stages: [...v.stages.slice(0, -1), { ...last, returnSequences: false, pooling: "last" }] };
  }
  return ctx.fail(`Gather over axis ${axis} (${role}) of axes ${rolesOf(v.axes)} is not a layer wasm-rnn has`);
}

/** Axis-moving nodes on data, by operator: each maps its data input (input 0) to its output. */
export const AXIS_NODES: Record<string, (ctx: NodeContext, v: DataValue) => Value> = {
  Identity: (_ctx, v) => v,
  Dropout(ctx, v) {
    const training = ctx.input(2);
    if (training !== null && !(training.kind === "const" && training.values[0] === 0)) ctx.fail("training_mode must be absent or false");
    return v;
  },
  Cast(ctx, v) {
    const to = ctx.int("to", 0);
    if (to !== DATA_TYPE.float) ctx.fail(`Cast of data to ONNX type ${to} is not supported (only to float)`);
    if (v.tag.t === "lengths") return { ...v, tag: { t: "lengthsFloat" } };
    if (v.tag.t === "oneHotMask") return { ...v, tag: { t: "oneHot", size: v.tag.size } };
    return v;
  },
  Shape(ctx, v): SizesValue {
    const n = v.axes.length;
    const clamp = (x: number): number => Math.min(Math.max(x < 0 ? x + n : x, 0), n);
    const items = v.axes.map((a) => a.size).slice(clamp(ctx.int("start", 0)), clamp(ctx.int("end", n)));
    return { kind: "sizes", scalar: false, items };
  },
  Transpose(ctx, v) {
    const n = v.axes.length;
    const perm = ctx.ints("perm") ?? v.axes.map((_, i) => n - 1 - i);
    if (perm.length !== n || new Set(perm).size !== n || perm.some((p) => !Number.isInteger(p) || p < 0 || p >= n)) ctx.fail(`perm [${perm.join(", ")}] is not a permutation of ${n} axes`);
    return { ...v, axes: perm.map((p) => v.axes[p]!) };
  },
  Reshape(ctx, v) {
    const { axes, merged } = reshapedAxes(ctx, v.axes, resolveTarget(ctx, v.axes, targetDims(ctx, 1)));
    return withAxes(v, axes, merged);
  },
  Squeeze(ctx, v) {
    const given = ctx.axes(1);
    const axes = (given ?? v.axes.flatMap((a, i) => (dimNumber(a.size) === 1 ? [i] : []))).map((a) => ctx.axis(a, v.axes.length));
    const bad = axes.find((a) => dimNumber(v.axes[a]!.size) !== 1);
    if (bad !== undefined) ctx.fail(`axis ${bad} (${v.axes[bad]!.role}, ${dimString(v.axes[bad]!.size)}) is not of size 1`);
    return withAxes(v, v.axes.filter((_, i) => !axes.includes(i)), false);
  },
  Unsqueeze(ctx, v) {
    const given = ctx.axes(1) ?? ctx.fail("axes are missing");
    const rank = v.axes.length + given.length;
    const at = given.map((a) => ctx.axis(a, rank));
    const axes: Axis[] = [];
    for (let i = 0, k = 0; i < rank; i++) axes.push(at.includes(i) ? { role: "unit", size: fixedDim(1) } : v.axes[k++]!);
    return { ...v, axes };
  },
  Gather: gatherStep,
  Expand(ctx, v) {
    const target = targetDims(ctx, 1);
    if (v.tag.t !== "context" || rolesOf(v.axes) !== "[unit, B, F]" || target.length !== 3 || dimNumber(target[1]!) !== 1 || dimNumber(target[2]!) !== 1) {
      ctx.fail("Expand is supported for repeating a context [1, B, C] over time (shape [T, 1, 1]) only");
    }
    return { ...v, axes: [{ role: "T", size: target[0]! }, v.axes[1]!, v.axes[2]!], tag: { t: "contextSequence" } };
  },
};
