// Tensors as they cross the public API: plain { shape, data } objects, row-major.
// Sequences are time-major [T, B, F]. Nested number arrays are accepted as input too.
import { core } from "./core.js";
import type { WasmArray } from "./buffer.js";
import { describe, shapeString } from "./validate.js";
import { checkAllocation } from "./sizes.js";

/** A float32 tensor: `data.length` equals the product of `shape`. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** An int32 tensor of token ids or class indices. */
export interface IntTensor {
  shape: number[];
  data: Int32Array;
}

/** Nested number arrays, as `torch.tensor(...).tolist()` gives. */
export type NestedArray = number[] | NestedArray[];

/** A typed array of numbers (not BigInt64Array/BigUint64Array, not a DataView). */
export type NumberArray = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint8ClampedArray | Uint16Array | Uint32Array;

/**
 * A tensor of another library, read by duck typing: a tf.Tensor (`shape` and `dataSync()`), or
 * `shape` with any numeric typed array as `data` (a contiguous ndarray). Values are
 * converted to float32 (int32 for ids) as tf.tensor would.
 */
export type ForeignTensor = { readonly shape: readonly number[]; dataSync(): ArrayLike<number> } | { readonly shape: readonly number[]; readonly data: NumberArray };

/** Anything accepted where a float tensor is expected. */
export type TensorLike = Tensor | NestedArray | ForeignTensor;

/** Anything accepted where an int tensor is expected (a bare Int32Array is a 1-D tensor). */
export type IntTensorLike = IntTensor | Tensor | NestedArray | Int32Array | ForeignTensor;

/** Product of a shape's dimensions. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function nestedShape(value: NestedArray): number[] {
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  return shape;
}

function flattenInto(where: string, name: string, value: unknown, shape: number[], depth: number, out: number[]): void {
  if (depth === shape.length) {
    if (typeof value !== "number") throw new TypeError(`${where}: ${name} must hold numbers; got ${describe(value)}`);
    out.push(value);
    return;
  }
  if (!Array.isArray(value) || value.length !== shape[depth]) {
    throw new RangeError(`${where}: ${name} is ragged: expected ${shape[depth]} entries at depth ${depth}; got ${describe(value)}`);
  }
  for (const v of value) flattenInto(where, name, v, shape, depth + 1, out);
}

function fromNested(where: string, name: string, value: NestedArray): { shape: number[]; values: number[] } {
  const shape = nestedShape(value);
  const values: number[] = [];
  flattenInto(where, name, value, shape, 0, values);
  return { shape, values };
}

function checkShapeField(where: string, name: string, shape: unknown, length: number): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`${where}: ${name}.shape must be an array of non-negative integers; got ${describe(shape)}`);
  }
  if (sizeOf(shape) !== length) {
    throw new RangeError(`${where}: ${name}.shape ${shapeString(shape)} holds ${sizeOf(shape)} values but ${name}.data has ${length}`);
  }
  return shape;
}

/** Whether `stride` is the row-major stride of `shape` (ndarray's layout of a fresh array). */
function isRowMajor(shape: unknown, stride: unknown): boolean {
  if (!Array.isArray(shape) || !Array.isArray(stride) || stride.length !== shape.length) return false;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (stride[i] !== expected && shape[i] !== 1) return false;
    expected *= shape[i] as number;
  }
  return true;
}

function isNumberArray(value: unknown): value is NumberArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}

/**
 * The shape and values of a tensor from another library, by duck typing: an object with `shape`
 * and `dataSync()` (a tf.Tensor: its values are read synchronously) or with `shape` and a typed
 * array `data` read row-major (our tensors; an ndarray only when contiguous: one with an `offset`
 * or other `stride`s would be read in the wrong order, so it is refused). Null for anything else.
 */
function tensorFields(where: string, name: string, value: unknown): { shape: unknown; data: NumberArray } | null {
  if (value === null || typeof value !== "object" || !("shape" in value)) return null;
  const { shape, data, dataSync } = value as { shape: unknown; data?: unknown; dataSync?: unknown };
  if (typeof dataSync === "function") {
    const values: unknown = (dataSync as () => unknown).call(value);
    if (!isNumberArray(values)) throw new TypeError(`${where}: ${name}.dataSync() must return a typed array of numbers; got ${describe(values)}`);
    return { shape, data: values };
  }
  if (!("data" in value)) return null;
  if (!isNumberArray(data)) throw new TypeError(`${where}: ${name}.data must be a Float32Array (or another typed array of numbers); got ${describe(data)}`);
  const { stride, offset } = value as { stride?: unknown; offset?: unknown };
  if ((offset !== undefined && offset !== 0) || (stride !== undefined && !isRowMajor(shape, stride))) {
    throw new TypeError(`${where}: ${name} must be contiguous and row-major; got offset ${describe(offset)} and stride ${describe(stride)} (copy it first, e.g. ndarray's pool.clone)`);
  }
  return { shape, data };
}

/**
 * Validates a float tensor (or converts nested arrays, or a tensor of another library: see
 * tensorFields); the data is not copied when it is already a Float32Array.
 */
export function toTensor(where: string, name: string, value: unknown): Tensor {
  if (Array.isArray(value)) {
    const { shape, values } = fromNested(where, name, value as NestedArray);
    return { shape, data: Float32Array.from(values) };
  }
  const fields = tensorFields(where, name, value);
  if (fields !== null) {
    const data = fields.data instanceof Float32Array ? fields.data : new Float32Array(fields.data);
    return { shape: checkShapeField(where, name, fields.shape, data.length), data };
  }
  throw new TypeError(`${where}: ${name} must be a { shape, data: Float32Array } tensor, a tensor with shape and dataSync() (tf.Tensor), or nested number arrays; got ${describe(value)}`);
}

/** Throws a RangeError naming the first value of `data` that is NaN or infinite. */
export function checkFiniteValues(where: string, name: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new RangeError(`${where}: ${name} must be finite; got ${data[i]} at flat index ${i}`);
  }
}

/** toTensor for values read in JavaScript rather than staged into the core: every value must be finite. */
export function toFiniteTensor(where: string, name: string, value: unknown): Tensor {
  const t = toTensor(where, name, value);
  checkFiniteValues(where, name, t.data);
  return t;
}

/** Validates an int tensor of ids/indices (Int32Array data; integral Float32Array or nested arrays are converted). */
export function toIntTensor(where: string, name: string, value: unknown): IntTensor {
  let shape: number[];
  let values: ArrayLike<number>;
  if (value instanceof Int32Array) return { shape: [value.length], data: value };
  const fields = Array.isArray(value) ? null : tensorFields(where, name, value);
  if (Array.isArray(value)) {
    ({ shape, values } = fromNested(where, name, value as NestedArray));
  } else if (fields !== null) {
    if (fields.data instanceof Int32Array) return { shape: checkShapeField(where, name, fields.shape, fields.data.length), data: fields.data };
    shape = checkShapeField(where, name, fields.shape, fields.data.length);
    values = fields.data;
  } else {
    throw new TypeError(`${where}: ${name} must be a { shape, data: Int32Array } tensor, a tensor with shape and dataSync() (tf.Tensor), or nested integer arrays; got ${describe(value)}`);
  }
  const data = Int32Array.from(values);
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== values[i]) throw new RangeError(`${where}: ${name} must hold integers; got ${values[i]} at flat index ${i}`);
  }
  return { shape, data };
}

/**
 * Checks a shape against an expected one; `null` entries match any size, strings name a size in
 * the message (e.g. expectShape(w, "x", x.shape, [null, null, 3], ["T", "B", "D"])).
 */
export function expectShape(where: string, name: string, shape: readonly number[], expected: readonly (number | null)[], dimNames?: readonly string[]): void {
  const ok = shape.length === expected.length && expected.every((e, i) => e === null || e === shape[i]);
  if (!ok) {
    const want = expected.map((e, i) => (e === null ? dimNames?.[i] ?? "*" : e));
    throw new RangeError(`${where}: ${name} must have shape ${shapeString(want)}; got ${shapeString(shape)}`);
  }
}

/** Copies float data into a wasm block (grown to fit; checkAllocation first) and rejects NaN/±Infinity, naming the flat index. */
export function stageF32(where: string, name: string, data: Float32Array, buf: WasmArray): number {
  buf.ensure(checkAllocation(where, `${name} (${data.length} values)`, data.length));
  buf.f32().set(data);
  const bad = core().findNonFinite(buf.ptr, data.length);
  if (bad >= 0) throw new RangeError(`${where}: ${name} must be finite; got ${data[bad]} at flat index ${bad}`);
  return buf.ptr;
}

/**
 * Copies int data into a wasm block and rejects values outside [0, limit), naming the flat index;
 * with `weights` (a pointer to f32 [n]) only where the weight is nonzero (padding may hold anything).
 */
export function stageIds(where: string, name: string, data: Int32Array, limit: number, buf: WasmArray, weights = 0, what = "ids"): number {
  buf.ensure(checkAllocation(where, `${name} (${data.length} ${what})`, data.length));
  buf.i32().set(data);
  const bad = weights === 0
    ? core().findOutOfRange(buf.ptr, data.length, 0, limit)
    : core().findOutOfRangeWhere(buf.ptr, weights, data.length, 0, limit);
  if (bad >= 0) throw new RangeError(`${where}: ${name} must hold ${what} in [0, ${limit}); got ${data[bad]} at flat index ${bad}`);
  return buf.ptr;
}

/**
 * stageF32 for data that must lie in [0, 1] (masks, probabilities), naming the flat index of the
 * first value outside; `what` names the values in the message.
 */
export function stageUnitF32(where: string, name: string, data: Float32Array, buf: WasmArray, what = "values"): number {
  const ptr = stageF32(where, name, data, buf);
  const bad = core().findOutsideF32(ptr, data.length, 0, 1);
  if (bad >= 0) throw new RangeError(`${where}: ${name} must hold ${what} in [0, 1]; got ${data[bad]} at flat index ${bad}`);
  return ptr;
}

/** Validates sequence lengths [N] (ints in [1, T]) and copies them into `buf`; returns its pointer. */
export function stageLengths(where: string, lengths: unknown, T: number, N: number, buf: WasmArray): number {
  const t = toIntTensor(where, "lengths", lengths);
  expectShape(where, "lengths", t.shape, [N], ["N"]);
  buf.ensure(N);
  buf.i32().set(t.data);
  const bad = core().findOutOfRange(buf.ptr, N, 1, T + 1);
  if (bad >= 0) throw new RangeError(`${where}: lengths must lie in [1, T=${T}]; got ${t.data[bad]} at index ${bad}`);
  return buf.ptr;
}

/** The tensor as nested number arrays, as `torch.tensor(...).tolist()` gives (a scalar shape [] gives []). */
export function toNestedArray(tensor: Tensor): NestedArray {
  const t = toFiniteTensor("toNestedArray", "t", tensor);
  const build = (depth: number, offset: number): NestedArray => {
    const n = t.shape[depth]!;
    if (depth === t.shape.length - 1) return Array.from(t.data.subarray(offset, offset + n));
    const stride = sizeOf(t.shape.slice(depth + 1));
    return Array.from({ length: n }, (_, i) => build(depth + 1, offset + i * stride)) as NestedArray;
  };
  return t.shape.length === 0 ? [] : build(0, 0);
}
