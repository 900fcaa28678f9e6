// Losses over the rows of [M, N] predictions. Every loss takes per-row weights `mask` (f32 [M],
// 0/1; pointer 0 means every row counts) and a `scale` for the weighted sum (the bindings pass
// 1 / count for a mean). It returns scale Σ_i mask_i L_i, summed in f64, and when grad != 0
// overwrites grad [M, N] with scale mask_i dL_i/dx_i (exactly 0 in masked rows).
import { expV, madd } from "./activations";
import { rowMax, rowExp, rowSumExp, rowScale } from "./softmax";
import { fillF32 } from "./memory";
import { rowWeight } from "./row-weight";

// Constants for the element losses (splat-loaded, as in activations.ts).
const K = memory.data<f32>([
  1.0, 2.0, 0.5,
  // log(1 + e) = 2 s P(s²), s = e / (2 + e): P's Taylor coefficients 1/13 .. 1/3, 1
  0.07692307692307693, 0.09090909090909091, 0.1111111111111111, 0.14285714285714285,
  0.2, 0.3333333333333333,
]);
const ONE = 0, TWO = 1, HALF = 2, LOG1P_P = 3;

// @ts-ignore: decorator
@inline function k(i: i32): v128 {
  return v128.load32_splat(K + (<usize>i << 2));
}


/** Σ mask over mask [M] (M when mask is 0): the count a mean over rows divides by. */
export function maskWeight(mask: usize, M: i32): f64 {
  if (mask == 0) return M;
  let s: f64 = 0;
  for (let i = 0; i < M; i++) s += load<f32>(mask + (<usize>i << 2));
  return s;
}

// softmax cross-entropy, x [M, N] logits, t [M] class ids (not read in masked rows):
//   L_i = logsumexp(x_i) - x_i[t_i] = (m_i - x_i[t_i]) + log Σ_j e^(x_ij - m_i),  m_i = max_j x_ij
//   dL_i/dx_ij = softmax(x_i)_j - [j = t_i]

/** Softmax cross-entropy row by row; `withGrad` is a constant at every call, so each call site gets its own loop. */
// @ts-ignore: decorator
@inline function crossEntropyRows(x: usize, t: usize, mask: usize, M: i32, N: i32, scale: f64, grad: usize, withGrad: bool): f64 {
  const row = <usize>N << 2;
  let total: f64 = 0;
  for (let i = 0; i < M; i++, x += row, grad += row) {
    const w = rowWeight(mask, i);
    if (w == 0) {
      if (withGrad) fillF32(grad, N, 0);
      continue;
    }
    const target = load<i32>(t + (<usize>i << 2));
    assert(target >= 0 && target < N, "class id out of range");
    const m = rowMax(x, N);
    const s = withGrad ? rowExp(x, m, grad, N) : rowSumExp(x, m, N);
    total += <f64>w * ((<f64>m - <f64>load<f32>(x + (<usize>target << 2))) + Math.log(s));
    if (withGrad) {
      const c = <f32>(scale * w);
      rowScale(grad, c / s, N);
      const at = grad + (<usize>target << 2);
      store<f32>(at, load<f32>(at) - c);
    }
  }
  return total * scale;
}

/** Softmax cross-entropy of logits [M, N] against class ids targets (i32 [M]). */
export function softmaxCrossEntropy(logits: usize, targets: usize, mask: usize, M: i32, N: i32, scale: f64, grad: usize): f64 {
  return grad != 0
    ? crossEntropyRows(logits, targets, mask, M, N, scale, grad, true)
    : crossEntropyRows(logits, targets, mask, M, N, scale, 0, false);
}

// Element losses, p [M, N] predictions, t [M, N] targets, d = p - t:
//   mean squared error      L = Σ_j d²                                    dL/dp = 2 d
//   BCE with logits x = p   L = Σ_j max(x, 0) - x t + log(1 + e^-|x|)    dL/dx = sigmoid(x) - t
//   Huber, δ > 0            L = Σ_j m (|d| - m / 2),  m = min(|d|, δ)    dL/dp = clamp(d, -δ, δ)
// with sigmoid(x) = 1 / (1 + e) for x >= 0, e / (1 + e) otherwise, e = e^-|x|. Huber is d² / 2
// for |d| <= δ and δ (|d| - δ / 2) beyond (torch.nn.HuberLoss).
const MSE = 0, BCE = 1, HUBER = 2;

/** What loss and gradient share: e^-|p| for BCE, p - t for MSE and Huber. */
// @ts-ignore: decorator
@inline function elementShared(loss: i32, p: v128, t: v128): v128 {
  return loss == BCE ? expV(f32x4.neg(f32x4.abs(p))) : f32x4.sub(p, t);
}

/** Per-lane loss of predictions p against targets t, e from `elementShared`, δ = delta (Huber). */
// @ts-ignore: decorator
@inline function elementLoss(loss: i32, p: v128, t: v128, e: v128, delta: v128): v128 {
  if (loss == MSE) return f32x4.mul(e, e);
  if (loss == HUBER) {
    const a = f32x4.abs(e);
    const m = f32x4.min(a, delta);
    return f32x4.mul(m, f32x4.sub(a, f32x4.mul(m, k(HALF))));
  }
  const s = f32x4.div(e, f32x4.add(k(TWO), e));
  const z = f32x4.mul(s, s);
  const q = madd(madd(madd(madd(madd(madd(k(LOG1P_P), z, k(LOG1P_P + 1)), z, k(LOG1P_P + 2)), z,
    k(LOG1P_P + 3)), z, k(LOG1P_P + 4)), z, k(LOG1P_P + 5)), z, k(ONE));
  const log1p = f32x4.mul(f32x4.add(s, s), q);
  return f32x4.add(f32x4.sub(f32x4.pmax(p, f32x4.splat(0)), f32x4.mul(p, t)), log1p);
}

/** c ⊙ dL/dp per lane, e from `elementShared`. */
// @ts-ignore: decorator
@inline function elementGrad(loss: i32, p: v128, t: v128, e: v128, delta: v128, c: v128): v128 {
  if (loss == MSE) return f32x4.mul(f32x4.mul(c, k(TWO)), e);
  if (loss == HUBER) return f32x4.mul(c, f32x4.max(f32x4.min(e, delta), f32x4.neg(delta)));
  const r = f32x4.div(k(ONE), f32x4.add(k(ONE), e));
  const sig = v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(p, f32x4.splat(0)));
  return f32x4.mul(c, f32x4.sub(sig, t));
}

/** n < 4 floats from p into the low lanes, zeros above. */
// @ts-ignore: decorator
@inline function loadPartial(p: usize, n: usize): v128 {
  if (n == 1) return v128.load32_zero(p);
  const v = v128.load64_zero(p);
  return n == 2 ? v : v128.load32_lane(p, v, 2, 8);
}

/** Stores the n < 4 low lanes of v at p. */
// @ts-ignore: decorator
@inline function storePartial(p: usize, v: v128, n: usize): void {
  if (n == 1) {
    v128.store32_lane(p, v, 0);
  } else {
    v128.store64_lane(p, v, 0);
    if (n == 3) v128.store32_lane(p, v, 2, 8);
  }
}

/**
 * One vector of element loss `loss` at p, t: stores c ⊙ dL/dp at g when `withGrad` and returns
 * the lane losses. When `partial` only the first n < 4 floats are read and written and the
 * other lanes' losses are 0. `loss`, `partial` and `withGrad` are constants at every call.
 */
// @ts-ignore: decorator
@inline function elementVector(loss: i32, p: usize, t: usize, g: usize, delta: v128, c: v128, n: usize, partial: bool, withGrad: bool): v128 {
  const pv = partial ? loadPartial(p, n) : v128.load(p);
  const tv = partial ? loadPartial(t, n) : v128.load(t);
  const e = elementShared(loss, pv, tv);
  if (withGrad) {
    const gv = elementGrad(loss, pv, tv, e, delta, c);
    if (partial) storePartial(g, gv, n);
    else v128.store(g, gv);
  }
  const l = elementLoss(loss, pv, tv, e, delta);
  return partial ? v128.and(l, i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(<i32>n))) : l;
}

/** acc (f64x2) + the four f32 lanes of v. */
// @ts-ignore: decorator
@inline function addF64(acc: v128, v: v128): v128 {
  const hi = v128.shuffle<f32>(v, v, 2, 3, 2, 3);
  return f64x2.add(acc, f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(hi)));
}

/**
 * Element loss `loss` (Huber's δ = delta, unread by the others) over the rows of p, t [M, N], two
 * vectors per iteration, a row's last N mod 4 floats as one partial vector. Without a mask every
 * weight is 1, so the whole matrix runs as one row of M N floats.
 */
// @ts-ignore: decorator
@inline function elementRows(loss: i32, p: usize, t: usize, mask: usize, M: i32, N: i32, delta: f32, scale: f64, g: usize, withGrad: bool): f64 {
  if (mask == 0) {
    N *= M;
    M = 1;
  }
  const row = <usize>N << 2;
  const body = row & ~15;
  const tail = (row - body) >> 2;
  const d = f32x4.splat(delta);
  let total: f64 = 0;
  for (let r = 0; r < M; r++, p += row, t += row, g += row) {
    const w = rowWeight(mask, r);
    if (w == 0) {
      if (withGrad) fillF32(g, N, 0);
      continue;
    }
    const c = f32x4.splat(<f32>(scale * w));
    let a0 = f64x2.splat(0);
    let a1 = a0;
    let i: usize = 0;
    for (; i + 32 <= body; i += 32) {
      a0 = addF64(a0, elementVector(loss, p + i, t + i, g + i, d, c, 4, false, withGrad));
      a1 = addF64(a1, elementVector(loss, p + i + 16, t + i + 16, g + i + 16, d, c, 4, false, withGrad));
    }
    if (i < body) a0 = addF64(a0, elementVector(loss, p + i, t + i, g + i, d, c, 4, false, withGrad));
    if (tail != 0) a1 = addF64(a1, elementVector(loss, p + body, t + body, g + body, d, c, tail, true, withGrad));
    const a = f64x2.add(a0, a1);
    total += <f64>w * (f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1));
  }
  return total * scale;
}

/** Mean squared error terms of pred against target, both f32 [M, N]. */
export function meanSquaredError(pred: usize, target: usize, mask: usize, M: i32, N: i32, scale: f64, grad: usize): f64 {
  return grad != 0
    ? elementRows(MSE, pred, target, mask, M, N, 0, scale, grad, true)
    : elementRows(MSE, pred, target, mask, M, N, 0, scale, 0, false);
}

/** Binary cross-entropy of logits [M, N] against probabilities target (f32 [M, N] in [0, 1]). */
export function binaryCrossEntropyWithLogits(logits: usize, target: usize, mask: usize, M: i32, N: i32, scale: f64, grad: usize): f64 {
  return grad != 0
    ? elementRows(BCE, logits, target, mask, M, N, 0, scale, grad, true)
    : elementRows(BCE, logits, target, mask, M, N, 0, scale, 0, false);
}

/** Huber loss (δ = delta > 0) of pred against target, both f32 [M, N]. */
export function huber(pred: usize, target: usize, mask: usize, M: i32, N: i32, delta: f32, scale: f64, grad: usize): f64 {
  return grad != 0
    ? elementRows(HUBER, pred, target, mask, M, N, delta, scale, grad, true)
    : elementRows(HUBER, pred, target, mask, M, N, delta, scale, 0, false);
}
