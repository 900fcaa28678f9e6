// Time-series input as the window and normalization utilities take it.
import { toTensor, checkFiniteValues, type Tensor, type TensorLike } from "../tensor.js";
import { shapeString } from "../validate.js";

/** A series: a Float32Array or number[] (one feature), or a Tensor / nested arrays [L, F] (F features per step). */
export type SeriesLike = Float32Array | TensorLike;

/** A validated series: finite, non-empty, with F = the last dimension (1 for a 1-D series). */
export interface Series extends Tensor {
  features: number;
}

/** Checks a series (or any tensor whose last dimension holds the features): non-empty and finite. */
export function toSeries(where: string, name: string, value: unknown): Series {
  const t = value instanceof Float32Array ? { shape: [value.length], data: value } : toTensor(where, name, value);
  if (t.shape.length === 0 || t.data.length === 0) throw new RangeError(`${where}: ${name} must hold at least one value; got shape ${shapeString(t.shape)}`);
  checkFiniteValues(where, name, t.data);
  return { ...t, features: t.shape.length === 1 ? 1 : t.shape[t.shape.length - 1]! };
}
