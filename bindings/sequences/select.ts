// Taking some sequences (columns of a time-major tensor) in a given order, as torch.index_select.
import { toFiniteTensor, toIntTensor, sizeOf, type Tensor, type IntTensor, type TensorLike } from "../tensor.js";
import { checkOptionKeys, checkInt, shapeString } from "../validate.js";
import { toIndexArray, type IdArray } from "./check.js";
import { checkAllocation } from "../sizes.js";

/** Options of `selectSequences`. */
export interface SelectOptions {
  /** The sequence axis: 1 (default) for time-major [T, N, ...] data, 0 for per-sequence [N, ...] targets. */
  axis?: number;
}

/** out[o, k, i] = src[o, indices[k], i] with `outer` blocks of `N` rows of `inner` values. */
function gather<A extends Float32Array | Int32Array>(src: A, out: A, indices: Int32Array, outer: number, N: number, inner: number): A {
  const B = indices.length;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < B; k++) {
      const from = (o * N + indices[k]!) * inner;
      out.set(src.subarray(from, from + inner), (o * B + k) * inner);
    }
  }
  return out;
}

/**
 * The sequences `indices` (integers in [0, N), repeats allowed) of a tensor, in that order:
 * `selectSequences(x, [2, 0])` of x [T, N, F] is [T, 2, F]. Ids stay ids (Int32Array data).
 * Use it with `shuffledIndices`, `bucketByLength` or `trainValidationSplit` on x, targets and mask alike.
 */
export function selectSequences(tensor: IntTensor, indices: IdArray, options?: SelectOptions): IntTensor;
export function selectSequences(tensor: TensorLike, indices: IdArray, options?: SelectOptions): Tensor;
export function selectSequences(tensor: TensorLike | IntTensor, indices: IdArray, options: SelectOptions = {}): Tensor | IntTensor {
  const where = "selectSequences";
  checkOptionKeys(where, options, ["axis"]);
  const axis = checkInt(where, "axis", options.axis ?? 1, 0);
  const ints = tensor !== null && typeof tensor === "object" && "data" in tensor && tensor.data instanceof Int32Array;
  const t = ints ? toIntTensor(where, "tensor", tensor) : toFiniteTensor(where, "tensor", tensor);
  if (t.shape.length <= axis) throw new RangeError(`${where}: tensor must have more than ${axis} dimensions to select along axis ${axis}; got shape ${shapeString(t.shape)}`);
  const N = t.shape[axis]!;
  const index = toIndexArray(where, "indices", indices, N);
  const outer = sizeOf(t.shape.slice(0, axis));
  const inner = sizeOf(t.shape.slice(axis + 1));
  const shape = [...t.shape];
  shape[axis] = index.length;
  const size = checkAllocation(where, `the selection ${shapeString(shape)}`, outer * index.length * inner);
  const out = t.data instanceof Int32Array ? new Int32Array(size) : new Float32Array(size);
  return { shape, data: gather(t.data, out, index, outer, N, inner) } as Tensor | IntTensor;
}
