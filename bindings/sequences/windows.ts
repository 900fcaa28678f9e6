// Sliding windows over a time series: inputs of W steps and the value h steps after each window.
import type { Tensor } from "../tensor.js";
import { checkOptionKeys, checkInt, shapeString } from "../validate.js";
import { toSeries, type SeriesLike } from "./series.js";
import { checkAllocation } from "../sizes.js";

/** Options of `slidingWindows`. */
export interface WindowOptions {
  /** Steps W per window. */
  window: number;
  /** How many steps after a window's last step its target lies (default 1: the next value). */
  horizon?: number;
  /** Steps between the starts of consecutive windows (default 1). */
  stride?: number;
}

/** Windows and their targets, ready for a many-to-one model (returnSequences: false). */
export interface Windows {
  /** [W, N, F], time-major: x[t, i] = series[i * stride + t]. */
  x: Tensor;
  /** [N, F]: y[i] = series[i * stride + W - 1 + horizon]. */
  y: Tensor;
}

/**
 * Cuts a series of L steps (1-D, or [L, F] with F features) into the N = floor((L - W - h) / stride) + 1
 * windows that have a target, the windows as columns of a time-major batch.
 */
export function slidingWindows(series: SeriesLike, options: WindowOptions): Windows {
  const where = "slidingWindows";
  checkOptionKeys(where, options, ["window", "horizon", "stride"]);
  const W = checkInt(where, "window", options?.window);
  const h = checkInt(where, "horizon", options.horizon ?? 1);
  const stride = checkInt(where, "stride", options.stride ?? 1);
  const s = toSeries(where, "series", series);
  if (s.shape.length > 2) throw new RangeError(`${where}: series must have shape [L] or [L, F]; got ${shapeString(s.shape)}`);
  const L = s.shape[0]!;
  const F = s.features;
  if (W + h > L) throw new RangeError(`${where}: window + horizon must be <= the series length ${L}; got ${W} + ${h} = ${W + h}`);
  const N = Math.floor((L - W - h) / stride) + 1;
  const x = new Float32Array(checkAllocation(where, `window (${W}) × windows (${N}) × features (${F})`, W * N * F));
  const y = new Float32Array(N * F);
  for (let i = 0; i < N; i++) {
    const start = i * stride;
    for (let t = 0; t < W; t++) x.set(s.data.subarray((start + t) * F, (start + t + 1) * F), (t * N + i) * F);
    const target = start + W - 1 + h;
    y.set(s.data.subarray(target * F, (target + 1) * F), i * F);
  }
  return { x: { shape: [W, N, F], data: x }, y: { shape: [N, F], data: y } };
}
