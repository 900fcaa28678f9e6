// Nodes on constants, sizes and zeros — the shape plumbing torch.onnx emits around recurrent
// nodes (Shape -> Gather -> Unsqueeze -> Concat -> ConstantOfShape for zero initial states,
// Slice of them per layer) — evaluated at import time.
import type { NodeContext } from "./onnx-import-context.js";
import { DATA_TYPE } from "./onnx-proto.js";
import { tensorNumbers } from "./onnx-tensor.js";
import { IMPORT_WHERE } from "./onnx-import-context.js";
import { fixedDim, type ConstValue, type Dim, type SizesValue, type Value } from "./onnx-import-values.js";

/** A node evaluated on values none of which comes from the graph inputs. */
export type PlumbingHandler = (ctx: NodeContext) => Value[];

const ZEROS: Value = { kind: "zeros" };

function constant(dataType: number, dims: number[], values: ArrayLike<number>): ConstValue {
  return { kind: "const", dataType, dims, values: Float64Array.from(values) };
}

/** Input i as sizes: a sizes value, or a constant integer vector (or scalar). */
function sizesInput(ctx: NodeContext, i: number, what: string): SizesValue {
  const v = ctx.required(i, what);
  if (v.kind === "sizes") return v;
  if (v.kind === "const" && v.dims.length <= 1) return { kind: "sizes", scalar: v.dims.length === 0, items: Array.from(v.values, fixedDim) };
  return ctx.fail(`input ${i} (${what}) must be a shape: a 1-D integer tensor`);
}

/** Position `index` of an axis of length `n`, negative counting from the end. */
function position(ctx: NodeContext, index: number, n: number): number {
  const p = index < 0 ? index + n : index;
  if (!Number.isInteger(p) || p < 0 || p >= n) ctx.fail(`index ${index} is out of range for length ${n}`);
  return p;
}

/** Slice bounds of a 1-D range of length n, as ONNX clamps them (step 1). */
function sliceRange(start: number, end: number, n: number): [number, number] {
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  return [clamp(start), clamp(end)];
}

/** Whether input i is zeros: a zeros value or a constant of zeros. */
function isZeros(v: Value | null): boolean {
  return v !== null && (v.kind === "zeros" || (v.kind === "const" && v.values.every((x) => x === 0)));
}

function castValues(ctx: NodeContext, values: Float64Array, to: number): Float64Array {
  if (to === DATA_TYPE.float) return values.map(Math.fround);
  if (to === DATA_TYPE.double) return values;
  if (to === DATA_TYPE.bool) return values.map((x) => (x !== 0 ? 1 : 0));
  if (to === DATA_TYPE.int64 || to === DATA_TYPE.int32) return values.map(Math.trunc);
  return ctx.fail(`Cast to ONNX data type ${to} is not supported on constants`);
}

export const PLUMBING: Record<string, PlumbingHandler> = {
  Constant(ctx) {
    const a = ctx.node.attribute[0];
    if (a === undefined) return ctx.fail("has no value attribute");
    if (a.name === "value" && a.t !== null) {
      return [constant(a.t.dataType, a.t.dims, tensorNumbers(`${IMPORT_WHERE}: ${ctx.label}`, "value", a.t))];
    }
    if (a.name === "value_float") return [constant(DATA_TYPE.float, [], [a.f])];
    if (a.name === "value_floats") return [constant(DATA_TYPE.float, [a.floats.length], a.floats)];
    if (a.name === "value_int") return [constant(DATA_TYPE.int64, [], [a.i])];
    if (a.name === "value_ints") return [constant(DATA_TYPE.int64, [a.ints.length], a.ints)];
    return ctx.fail(`value attribute "${a.name}" is not supported (expected value, value_float(s) or value_int(s))`);
  },
  Identity: (ctx) => [ctx.required(0, "input")],
  Cast(ctx) {
    const v = ctx.required(0, "input");
    const to = ctx.int("to", 0);
    if (v.kind === "const") return [{ ...v, dataType: to, values: castValues(ctx, v.values, to) }];
    return [v];
  },
  Shape(ctx) {
    const v = ctx.constant(0, "data");
    return [constant(DATA_TYPE.int64, [v.dims.length], v.dims)];
  },
  Gather(ctx) {
    const indices = ctx.constant(1, "indices");
    const data = sizesInput(ctx, 0, "data");
    if (ctx.int("axis", 0) !== 0) ctx.fail("Gather on a shape must use axis 0");
    const items = Array.from(indices.values, (i) => data.items[position(ctx, i, data.items.length)]!);
    if (ctx.input(0)!.kind === "sizes") return [{ kind: "sizes", scalar: indices.dims.length === 0, items }];
    return [constant(DATA_TYPE.int64, indices.dims, items.map((d) => d.c))];
  },
  Unsqueeze(ctx) {
    const v = ctx.required(0, "data");
    const axes = ctx.axes(1) ?? ctx.fail("axes are missing");
    if (v.kind === "sizes" && v.scalar && axes.length === 1 && (axes[0] === 0 || axes[0] === -1)) return [{ ...v, scalar: false }];
    if (v.kind !== "const") return ctx.fail("Unsqueeze of a shape must turn a scalar into a vector (axes [0])");
    const rank = v.dims.length + axes.length;
    const at = axes.map((a) => ctx.axis(a, rank));
    const dims: number[] = [];
    for (let i = 0, k = 0; i < rank; i++) dims.push(at.includes(i) ? 1 : v.dims[k++]!);
    return [{ ...v, dims }];
  },
  Squeeze(ctx) {
    const v = ctx.constant(0, "data");
    const axes = (ctx.axes(1) ?? v.dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => ctx.axis(a, v.dims.length));
    if (axes.some((a) => v.dims[a] !== 1)) ctx.fail(`cannot squeeze axes [${axes.join(", ")}] of shape [${v.dims.join(", ")}]`);
    return [{ ...v, dims: v.dims.filter((_, i) => !axes.includes(i)) }];
  },
  Concat(ctx) {
    if (ctx.int("axis", 0) !== 0 && ctx.int("axis", 0) !== -1) ctx.fail("Concat of shapes must use axis 0");
    const parts = ctx.node.input.map((_, i) => sizesInput(ctx, i, `input ${i}`));
    const items = parts.flatMap((p) => p.items);
    if (ctx.node.input.some((_, i) => ctx.input(i)?.kind === "sizes")) return [{ kind: "sizes", scalar: false, items }];
    return [constant(DATA_TYPE.int64, [items.length], items.map((d) => d.c))];
  },
  Slice(ctx) {
    const v = ctx.required(0, "data");
    if (v.kind === "zeros") return [ZEROS];
    const data = sizesInput(ctx, 0, "data");
    const [start] = ctx.intValues(1, "starts");
    const [end] = ctx.intValues(2, "ends");
    const axes = ctx.input(3) === null ? [0] : ctx.intValues(3, "axes");
    const steps = ctx.input(4) === null ? [1] : ctx.intValues(4, "steps");
    if (axes.length !== 1 || (axes[0] !== 0 && axes[0] !== -1) || steps[0] !== 1 || start === undefined || end === undefined) {
      ctx.fail("Slice of a shape must take one range of axis 0 with step 1");
    }
    const [from, to] = sliceRange(start, end, data.items.length);
    const items: Dim[] = data.items.slice(from, to);
    if (v.kind === "sizes") return [{ kind: "sizes", scalar: false, items }];
    return [constant(v.kind === "const" ? v.dataType : DATA_TYPE.int64, [items.length], items.map((d) => d.c))];
  },
  ConstantOfShape(ctx) {
    sizesInput(ctx, 0, "shape");
    const value = ctx.node.attribute.find((a) => a.name === "value")?.t ?? null;
    if (value !== null && tensorNumbers(`${IMPORT_WHERE}: ${ctx.label}`, "value", value).some((x) => x !== 0)) {
      ctx.fail("only tensors of zeros (initial states) are supported");
    }
    return [ZEROS];
  },
  Expand(ctx) {
    if (!isZeros(ctx.input(0))) ctx.fail("Expand of a constant is supported for zeros (initial states) only");
    return [ZEROS];
  },
};
