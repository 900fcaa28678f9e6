// Sequence tagging (slot filling, named entities): per-step argmax of a tagger's logits and
// token-level accuracy.
import { toFiniteTensor, toIntTensor, type TensorLike, type IntTensorLike } from "../tensor.js";
import { describe, shapeString } from "../validate.js";
import { toIndexArray, type IdArray } from "../sequences/check.js";

/** Sequences of tags, one list per sequence: ids (number[] or Int32Array) or tag strings. */
export type TagSequences = readonly (readonly (number | string)[] | Int32Array)[];

/**
 * The most probable class at every valid step of time-major logits [T, N, C] (ties: the lowest
 * class): one tag-id sequence per column n, holding its first lengths[n] steps (integers in
 * [0, T]; all T steps when lengths is absent), as for a model fed post-padded batches with lengths.
 */
export function argmaxTags(logits: TensorLike, lengths?: IdArray | IntTensorLike): number[][] {
  const where = "argmaxTags";
  const l = toFiniteTensor(where, "logits", logits);
  if (l.shape.length !== 3) throw new RangeError(`${where}: logits must have shape [T, N, C]; got ${shapeString(l.shape)}`);
  const [T, N, C] = l.shape as [number, number, number];
  if (C === 0) throw new RangeError(`${where}: logits must have at least one class; got ${shapeString(l.shape)}`);
  let lens: Int32Array;
  if (lengths === undefined) lens = new Int32Array(N).fill(T);
  else if (Array.isArray(lengths) || lengths instanceof Int32Array) lens = toIndexArray(where, "lengths", lengths, T + 1);
  else {
    const t = toIntTensor(where, "lengths", lengths);
    if (t.shape.length !== 1) throw new RangeError(`${where}: lengths must have shape [N]; got ${shapeString(t.shape)}`);
    lens = toIndexArray(where, "lengths", t.data, T + 1);
  }
  if (lens.length !== N) throw new RangeError(`${where}: lengths must hold one length per sequence (N = ${N}); got ${lens.length}`);
  const out: number[][] = [];
  for (let n = 0; n < N; n++) {
    const tags: number[] = [];
    for (let t = 0; t < lens[n]!; t++) {
      const offset = (t * N + n) * C;
      let best = 0;
      for (let c = 1; c < C; c++) if (l.data[offset + c]! > l.data[offset + best]!) best = c;
      tags.push(best);
    }
    out.push(tags);
  }
  return out;
}

function checkSequences(where: string, name: string, value: unknown): TagSequences {
  if (!Array.isArray(value)) throw new TypeError(`${where}: ${name} must be an array of tag sequences or a { shape, data } tensor; got ${describe(value)}`);
  value.forEach((s, i) => {
    if (!Array.isArray(s) && !(s instanceof Int32Array)) throw new TypeError(`${where}: ${name}[${i}] must be an array of tags or an Int32Array; got ${describe(s)}`);
  });
  return value as TagSequences;
}

/**
 * The fraction of tokens whose predicted tag equals the gold one. Either lists of sequences
 * (tag ids or strings; predicted[i] and gold[i] of equal lengths; mask, if given, a list of
 * per-token weights of the same lengths) or time-major tensors [T, N] of ids with a mask [T, N]
 * (e.g. padSequences' mask, 0 at padding). Mask weights lie in [0, 1]; the accuracy is
 * Σ mask·[predicted = gold] / Σ mask.
 */
export function tokenAccuracy(
  predicted: TagSequences | IntTensorLike,
  gold: TagSequences | IntTensorLike,
  mask?: readonly (readonly number[] | Float32Array)[] | TensorLike,
): number {
  const where = "tokenAccuracy";
  const pairs: { p: ArrayLike<number | string>; g: ArrayLike<number | string>; w: ArrayLike<number> | null; name: string }[] = [];
  const isTensor = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v) && "shape" in v && "data" in v;
  if (isTensor(predicted) || isTensor(gold)) {
    if (!isTensor(predicted) || !isTensor(gold)) throw new TypeError(`${where}: predicted and gold must both be tensors or both be lists of sequences`);
    const p = toIntTensor(where, "predicted", predicted);
    const g = toIntTensor(where, "gold", gold);
    if (shapeString(p.shape) !== shapeString(g.shape)) throw new RangeError(`${where}: gold must have predicted's shape ${shapeString(p.shape)}; got ${shapeString(g.shape)}`);
    let w: Float32Array | null = null;
    if (mask !== undefined) {
      const m = toFiniteTensor(where, "mask", mask);
      if (shapeString(m.shape) !== shapeString(p.shape)) throw new RangeError(`${where}: mask must have predicted's shape ${shapeString(p.shape)}; got ${shapeString(m.shape)}`);
      const outside = m.data.findIndex((v) => v < 0 || v > 1);
      if (outside >= 0) throw new RangeError(`${where}: mask must hold weights in [0, 1]; got ${m.data[outside]} at flat index ${outside}`);
      w = m.data;
    }
    pairs.push({ p: p.data, g: g.data, w, name: "" });
  } else {
    const p = checkSequences(where, "predicted", predicted);
    const g = checkSequences(where, "gold", gold);
    if (p.length !== g.length) throw new RangeError(`${where}: gold must hold as many sequences as predicted (${p.length}); got ${g.length}`);
    let m: readonly ArrayLike<number>[] | null = null;
    if (mask !== undefined) {
      if (!Array.isArray(mask)) throw new TypeError(`${where}: mask must be a list of weight sequences when predicted and gold are lists; got ${describe(mask)}`);
      if (mask.length !== p.length) throw new RangeError(`${where}: mask must hold as many sequences as predicted (${p.length}); got ${mask.length}`);
      m = mask as readonly ArrayLike<number>[];
    }
    p.forEach((ps, i) => {
      const gs = g[i]!;
      if (ps.length !== gs.length) throw new RangeError(`${where}: gold[${i}] must have the length of predicted[${i}] (${ps.length}); got ${gs.length}`);
      const w = m === null ? null : m[i]!;
      if (w !== null && (!(Array.isArray(w) || w instanceof Float32Array) || w.length !== ps.length)) {
        throw new RangeError(`${where}: mask[${i}] must be ${ps.length} weights; got ${describe(w)}`);
      }
      pairs.push({ p: ps, g: gs, w, name: `[${i}]` });
    });
  }
  let hits = 0;
  let total = 0;
  for (const { p, g, w, name } of pairs) {
    for (let j = 0; j < p.length; j++) {
      const weight = w === null ? 1 : w[j]!;
      if (typeof weight !== "number" || !(weight >= 0 && weight <= 1)) throw new RangeError(`${where}: mask${name} must hold weights in [0, 1]; got ${describe(weight)} at index ${j}`);
      total += weight;
      if (p[j] === g[j]) hits += weight;
    }
  }
  if (total === 0) throw new RangeError(`${where}: there is no token to score (no tokens, or every mask weight is 0)`);
  return hits / total;
}
