// Optimizer updates and gradient clipping: one fused pass over whole f32 blocks (a
// ParameterArena's parameters, gradients and state), four lanes at a time.
//
// The rules are torch.optim's single-tensor (foreach=False) formulas, operation for operation.
// Hyperparameters arrive as f64, like Python floats in torch: the per-call coefficients
// (1 - dampening, 1 - lr wd, bias corrections...) are computed in f64 and rounded to f32 once.
//
// Each kernel's update lives in one @inline body over byte offset `o`; `wide` (a constant at
// every call site) picks 4 lanes for the main loop or lane 0 alone for the last n % 4 floats,
// so the vector loop and the tail share one formula and nothing is written past n.

@inline function ld(ptr: usize, wide: bool): v128 {
  return wide ? v128.load(ptr) : v128.load32_zero(ptr);
}

@inline function st(ptr: usize, value: v128, wide: bool): void {
  if (wide) v128.store(ptr, value);
  else v128.store32_lane(ptr, value, 0);
}

@inline function sgdAt(
  o: usize, p: usize, g: usize, buf: usize, wide: bool,
  negLr: v128, momentum: v128, keep: v128, wd: v128,
  useWd: bool, useMomentum: bool, nesterov: bool, firstStep: bool,
): void {
  const pv = ld(p + o, wide);
  let gv = ld(g + o, wide);
  if (useWd) gv = f32x4.add(gv, f32x4.mul(wd, pv));
  if (useMomentum) {
    const bv = firstStep ? gv : f32x4.add(f32x4.mul(ld(buf + o, wide), momentum), f32x4.mul(keep, gv));
    st(buf + o, bv, wide);
    gv = nesterov ? f32x4.add(gv, f32x4.mul(momentum, bv)) : bv;
  }
  st(p + o, f32x4.add(pv, f32x4.mul(negLr, gv)), wide);
}

/**
 * SGD with momentum (torch.optim.SGD). `buf` may be 0 when momentum is 0.
 *   g' = g + wd p
 *   buf = g' on the first step, else momentum buf + (1 - dampening) g'   (momentum != 0)
 *   g' = nesterov ? g' + momentum buf : buf                             (momentum != 0)
 *   p -= lr g'
 */
export function sgdStep(
  p: usize, g: usize, buf: usize, n: i32,
  lr: f64, momentum: f64, dampening: f64, nesterov: i32, weightDecay: f64, firstStep: i32,
): void {
  const negLr = f32x4.splat(<f32>-lr);
  const mom = f32x4.splat(<f32>momentum);
  const keep = f32x4.splat(<f32>(1.0 - dampening));
  const wd = f32x4.splat(<f32>weightDecay);
  const useWd = weightDecay != 0;
  const useMomentum = momentum != 0;
  const nest = nesterov != 0;
  const first = firstStep != 0;
  const bytes = <usize>n << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) sgdAt(o, p, g, buf, true, negLr, mom, keep, wd, useWd, useMomentum, nest, first);
  for (; o < bytes; o += 4) sgdAt(o, p, g, buf, false, negLr, mom, keep, wd, useWd, useMomentum, nest, first);
}

@inline function adamAt(
  o: usize, p: usize, g: usize, m: usize, v: usize, wide: bool,
  negStepSize: v128, oneMinusB1: v128, b2: v128, oneMinusB2: v128, eps: v128, bc2Sqrt: v128,
  l2: v128, decay: v128, useL2: bool, useDecay: bool,
): void {
  let pv = ld(p + o, wide);
  let gv = ld(g + o, wide);
  if (useDecay) pv = f32x4.mul(pv, decay);
  if (useL2) gv = f32x4.add(gv, f32x4.mul(l2, pv));
  let mv = ld(m + o, wide);
  mv = f32x4.add(mv, f32x4.mul(oneMinusB1, f32x4.sub(gv, mv)));
  const vv = f32x4.add(f32x4.mul(ld(v + o, wide), b2), f32x4.mul(f32x4.mul(oneMinusB2, gv), gv));
  const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), bc2Sqrt), eps);
  st(m + o, mv, wide);
  st(v + o, vv, wide);
  st(p + o, f32x4.add(pv, f32x4.div(f32x4.mul(negStepSize, mv), denom)), wide);
}

/**
 * Adam (torch.optim.Adam) or, with `decoupled`, AdamW (torch.optim.AdamW); `step` counts from 1.
 *   Adam: g += wd p          AdamW: p *= 1 - lr wd
 *   m = lerp(m, g, 1 - b1) = m + (1 - b1)(g - m)
 *   v = b2 v + (1 - b2) g²
 *   p -= (lr / (1 - b1^step)) m / (sqrt(v) / sqrt(1 - b2^step) + eps)
 */
export function adamStep(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, decoupled: i32, step: i32,
): void {
  const bc1 = 1.0 - Math.pow(beta1, <f64>step);
  const bc2 = 1.0 - Math.pow(beta2, <f64>step);
  const negStepSize = f32x4.splat(<f32>(-lr / bc1));
  const bc2Sqrt = f32x4.splat(<f32>Math.sqrt(bc2));
  const oneMinusB1 = f32x4.splat(<f32>(1.0 - beta1));
  const b2 = f32x4.splat(<f32>beta2);
  const oneMinusB2 = f32x4.splat(<f32>(1.0 - beta2));
  const epsV = f32x4.splat(<f32>eps);
  const l2 = f32x4.splat(<f32>weightDecay);
  const decay = f32x4.splat(<f32>(1.0 - lr * weightDecay));
  const useL2 = decoupled == 0 && weightDecay != 0;
  const useDecay = decoupled != 0 && weightDecay != 0;
  const bytes = <usize>n << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    adamAt(o, p, g, m, v, true, negStepSize, oneMinusB1, b2, oneMinusB2, epsV, bc2Sqrt, l2, decay, useL2, useDecay);
  }
  for (; o < bytes; o += 4) {
    adamAt(o, p, g, m, v, false, negStepSize, oneMinusB1, b2, oneMinusB2, epsV, bc2Sqrt, l2, decay, useL2, useDecay);
  }
}

@inline function rmspropAt(
  o: usize, p: usize, g: usize, sq: usize, buf: usize, wide: bool,
  negLr: v128, alpha: v128, oneMinusAlpha: v128, eps: v128, wd: v128, momentum: v128,
  useWd: bool, useMomentum: bool,
): void {
  const pv = ld(p + o, wide);
  let gv = ld(g + o, wide);
  if (useWd) gv = f32x4.add(gv, f32x4.mul(wd, pv));
  const sv = f32x4.add(f32x4.mul(ld(sq + o, wide), alpha), f32x4.mul(f32x4.mul(oneMinusAlpha, gv), gv));
  const avg = f32x4.add(f32x4.sqrt(sv), eps);
  st(sq + o, sv, wide);
  if (useMomentum) {
    const bv = f32x4.add(f32x4.mul(ld(buf + o, wide), momentum), f32x4.div(gv, avg));
    st(buf + o, bv, wide);
    st(p + o, f32x4.add(pv, f32x4.mul(negLr, bv)), wide);
  } else {
    st(p + o, f32x4.add(pv, f32x4.div(f32x4.mul(negLr, gv), avg)), wide);
  }
}

/**
 * RMSprop (torch.optim.RMSprop, not centered). `buf` may be 0 when momentum is 0.
 *   g += wd p
 *   sq = alpha sq + (1 - alpha) g²;   a = sqrt(sq) + eps
 *   momentum > 0: buf = momentum buf + g / a;  p -= lr buf
 *   otherwise:    p -= lr g / a
 */
export function rmspropStep(
  p: usize, g: usize, sq: usize, buf: usize, n: i32,
  lr: f64, alpha: f64, eps: f64, weightDecay: f64, momentum: f64,
): void {
  const negLr = f32x4.splat(<f32>-lr);
  const alphaV = f32x4.splat(<f32>alpha);
  const oneMinusAlpha = f32x4.splat(<f32>(1.0 - alpha));
  const epsV = f32x4.splat(<f32>eps);
  const wd = f32x4.splat(<f32>weightDecay);
  const mom = f32x4.splat(<f32>momentum);
  const useWd = weightDecay != 0;
  const useMomentum = momentum > 0;
  const bytes = <usize>n << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    rmspropAt(o, p, g, sq, buf, true, negLr, alphaV, oneMinusAlpha, epsV, wd, mom, useWd, useMomentum);
  }
  for (; o < bytes; o += 4) {
    rmspropAt(o, p, g, sq, buf, false, negLr, alphaV, oneMinusAlpha, epsV, wd, mom, useWd, useMomentum);
  }
}

@inline function adagradAt(
  o: usize, p: usize, g: usize, sum: usize, wide: bool,
  negClr: v128, eps: v128, wd: v128, useWd: bool,
): void {
  const pv = ld(p + o, wide);
  let gv = ld(g + o, wide);
  if (useWd) gv = f32x4.add(gv, f32x4.mul(wd, pv));
  const sv = f32x4.add(ld(sum + o, wide), f32x4.mul(gv, gv));
  st(sum + o, sv, wide);
  st(p + o, f32x4.add(pv, f32x4.div(f32x4.mul(negClr, gv), f32x4.add(f32x4.sqrt(sv), eps))), wide);
}

/**
 * Adagrad (torch.optim.Adagrad); `step` counts from 1.
 *   g += wd p;   clr = lr / (1 + (step - 1) lrDecay)
 *   sum += g²;   p -= clr g / (sqrt(sum) + eps)
 */
export function adagradStep(
  p: usize, g: usize, sum: usize, n: i32,
  lr: f64, eps: f64, weightDecay: f64, lrDecay: f64, step: i32,
): void {
  const negClr = f32x4.splat(<f32>(-lr / (1.0 + <f64>(step - 1) * lrDecay)));
  const epsV = f32x4.splat(<f32>eps);
  const wd = f32x4.splat(<f32>weightDecay);
  const useWd = weightDecay != 0;
  const bytes = <usize>n << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) adagradAt(o, p, g, sum, true, negClr, epsV, wd, useWd);
  for (; o < bytes; o += 4) adagradAt(o, p, g, sum, false, negClr, epsV, wd, useWd);
}

/**
 * Sum of x[i]² for i < n, in f64: each f32 is widened before squaring (exact) and summed in
 * two f64x2 accumulators, so neither overflow nor f32 rounding can creep in.
 */
export function sumSquares(x: usize, n: i32): f64 {
  const bytes = <usize>n << 2;
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    const v = v128.load(x + o);
    const a = f64x2.promote_low_f32x4(v);
    const b = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
    lo = f64x2.add(lo, f64x2.mul(a, a));
    hi = f64x2.add(hi, f64x2.mul(b, b));
  }
  const acc = f64x2.add(lo, hi);
  let total = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; o < bytes; o += 4) {
    const e = <f64>load<f32>(x + o);
    total += e * e;
  }
  return total;
}

@inline function clipAt(o: usize, x: usize, wide: bool, lo: v128, hi: v128): void {
  st(x + o, f32x4.pmin(f32x4.pmax(ld(x + o, wide), lo), hi), wide);
}

/** x[i] = clamp(x[i], -c, c) for i < n; NaN stays NaN (as torch.clamp). */
export function clipByValue(x: usize, n: i32, c: f32): void {
  const lo = f32x4.splat(-c);
  const hi = f32x4.splat(c);
  const bytes = <usize>n << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) clipAt(o, x, true, lo, hi);
  for (; o < bytes; o += 4) clipAt(o, x, false, lo, hi);
}
