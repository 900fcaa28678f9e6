// Central finite differences against an analytic gradient, for float32 kernels.
import assert from "node:assert/strict";

export interface GradCheckOptions {
  /** What is checked, for the failure message (e.g. "SimpleRNN dW_hh"). */
  name: string;
  /** Returns a fresh view of the values to perturb (views die when wasm memory grows). */
  values: () => Float32Array;
  /** The analytic gradient, same length as `values()`. */
  analytic: Float32Array;
  /** Recomputes the scalar loss (in float64 where possible) from the current values. */
  loss: () => number;
  /** Step of the central difference; default 1e-3. */
  eps?: number;
  /** Allowed |numeric - analytic| <= atol + rtol * max(|numeric|, |analytic|). */
  rtol?: number;
  atol?: number;
  /** Check at most this many entries (spread evenly); default all. */
  maxChecks?: number;
}

/** Compares `analytic` to (L(x+eps) - L(x-eps)) / 2eps entry by entry; returns entries checked. */
export function checkGradient(o: GradCheckOptions): number {
  const eps = o.eps ?? 1e-3;
  const rtol = o.rtol ?? 2e-2;
  const atol = o.atol ?? 2e-3;
  const n = o.values().length;
  assert.equal(o.analytic.length, n, `${o.name}: analytic gradient has ${o.analytic.length} entries, values ${n}`);
  const stride = o.maxChecks && n > o.maxChecks ? n / o.maxChecks : 1;
  let checked = 0;
  for (let f = 0; f < n; f += stride) {
    const i = Math.floor(f);
    const orig = o.values()[i]!;
    o.values()[i] = orig + eps;
    const plus = o.loss();
    o.values()[i] = orig - eps;
    const minus = o.loss();
    o.values()[i] = orig;
    const numeric = (plus - minus) / (2 * eps);
    const a = o.analytic[i]!;
    const tol = atol + rtol * Math.max(Math.abs(numeric), Math.abs(a));
    assert.ok(Math.abs(numeric - a) <= tol,
      `${o.name}[${i}]: analytic ${a}, numeric ${numeric} (|diff| ${Math.abs(numeric - a)} > ${tol})`);
    checked++;
  }
  return checked;
}

/** Σ a_i b_i in float64: the scalar losses of the gradient checks. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
