// Elementwise activations y = f(x) and their derivatives written through the output y:
//
//   code  name          y = f(x)                      f'(x) as a function of y
//   0     linear        x                             1
//   1     tanh          tanh x                        1 - y²
//   2     sigmoid       1 / (1 + e^-x)                y (1 - y)
//   3     relu          max(x, 0)                     [y > 0]
//   4     hard sigmoid  clip(0.2 x + 0.5, 0, 1)       0.2 [0 < y < 1]
//
// tanh is Eigen's rational [13/6] approximation on a clamped input (max abs error ~3e-7),
// sigmoid(x) = 0.5 + 0.5 tanh(x / 2). The v128 helpers are @inline for the fused RNN passes;
// each has a scalar twin that runs the same lanes, so array tails match vector lanes bit for bit.

import { ACT_LINEAR, ACT_TANH, ACT_SIGMOID, ACT_RELU, ACT_HARD_SIGMOID } from "./constants";

// Constants are splat-loaded from this table: V8 rebuilds f32x4.splat(const) inside loops.
const K = memory.data<f32>([
  0.5, 1.0, 0.2, 7.90531110763549805, -7.90531110763549805,
  // tanh numerator (odd): alpha_13 .. alpha_1
  -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-08,
  1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03,
  // tanh denominator (even): beta_6 .. beta_0
  1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03,
  // exp: input clamp, log2(e), 1.5 * 2^23 (adding it rounds to an integer, kept in the low
  // mantissa bits), ln 2 split in a high part exact in f32 and a low part
  -110.0, 89.0, 1.44269504088896341, 12582912.0, 0.693359375, -2.12194440e-4,
  // exp: Cephes expf polynomial p5 .. p0 on [-ln2/2, ln2/2]
  1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
]);
const HALF = 0, ONE = 1, FIFTH = 2, TANH_HI = 3, TANH_LO = 4, TANH_P = 5, TANH_Q = 12;
const EXP_LO = 16, EXP_HI = 17, LOG2E = 18, MAGIC = 19, LN2_HI = 20, LN2_LO = 21, EXP_P = 22;

/** The constant at index i of the table, in all four lanes. */
// @ts-ignore: decorator
@inline function k(i: i32): v128 {
  return v128.load32_splat(K + (<usize>i << 2));
}

/** p * x + c, one Horner step. */
// @ts-ignore: decorator
@inline export function madd(p: v128, x: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(p, x), c);
}

/** tanh on four lanes: x clamped to ±7.9053 (where tanh rounds to ±1), then p(x) / q(x). NaN stays NaN. */
// @ts-ignore: decorator
@inline export function tanhV(x: v128): v128 {
  const c = f32x4.pmax(f32x4.pmin(x, k(TANH_HI)), k(TANH_LO));
  const c2 = f32x4.mul(c, c);
  const p = madd(madd(madd(madd(madd(madd(k(TANH_P), c2, k(TANH_P + 1)), c2, k(TANH_P + 2)), c2,
    k(TANH_P + 3)), c2, k(TANH_P + 4)), c2, k(TANH_P + 5)), c2, k(TANH_P + 6));
  const q = madd(madd(madd(k(TANH_Q), c2, k(TANH_Q + 1)), c2, k(TANH_Q + 2)), c2, k(TANH_Q + 3));
  return f32x4.div(f32x4.mul(c, p), q);
}

/** sigmoid on four lanes: 0.5 + 0.5 tanh(x / 2). */
// @ts-ignore: decorator
@inline export function sigmoidV(x: v128): v128 {
  const h = k(HALF);
  return f32x4.add(h, f32x4.mul(h, tanhV(f32x4.mul(x, h))));
}

/**
 * e^x on four lanes, ~1e-7 relative: x = n ln2 + r with |r| <= ln2/2, e^r by Cephes' polynomial,
 * times 2^n built in two halves so that x < -103.9 gives 0 and x > 88.72 gives +Infinity.
 */
// @ts-ignore: decorator
@inline export function expV(x: v128): v128 {
  const c = f32x4.pmax(f32x4.pmin(x, k(EXP_HI)), k(EXP_LO));
  const magic = k(MAGIC);
  const y = f32x4.add(f32x4.mul(c, k(LOG2E)), magic);
  const nf = f32x4.sub(y, magic);
  const r = f32x4.sub(f32x4.sub(c, f32x4.mul(nf, k(LN2_HI))), f32x4.mul(nf, k(LN2_LO)));
  const e = madd(madd(madd(madd(madd(k(EXP_P), r, k(EXP_P + 1)), r, k(EXP_P + 2)), r, k(EXP_P + 3)), r,
    k(EXP_P + 4)), r, k(EXP_P + 5));
  const p = f32x4.add(madd(e, f32x4.mul(r, r), r), k(ONE));
  // y's bits are those of 1.5 * 2^23 plus n, whose shift by 23 vanishes, and
  // (v << 23) + bits(1.0) = bits(2^v): so 2^n = s1 s2 with n1 = n >> 1 in s1 and n - n1 in s2.
  const h = i32x4.shr_s(y, 1);
  const s1 = i32x4.add(i32x4.shl(h, 23), k(ONE));
  const s2 = i32x4.add(i32x4.shl(i32x4.sub(y, h), 23), k(ONE));
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** Scalar twin of `expV` (lane 0 of the same computation). */
// @ts-ignore: decorator
@inline export function expf(x: f32): f32 {
  return f32x4.extract_lane(expV(f32x4.splat(x)), 0);
}

/** y = f(x) on four lanes for activation code `kind` (unknown codes act as linear). */
// @ts-ignore: decorator
@inline export function activateV(kind: i32, x: v128): v128 {
  if (kind == ACT_TANH) return tanhV(x);
  if (kind == ACT_SIGMOID) return sigmoidV(x);
  if (kind == ACT_RELU) return f32x4.pmax(x, f32x4.splat(0));
  if (kind == ACT_HARD_SIGMOID) {
    const a = f32x4.add(f32x4.mul(x, k(FIFTH)), k(HALF));
    return f32x4.pmax(f32x4.pmin(a, k(ONE)), f32x4.splat(0));
  }
  return x;
}

/** f'(x) on four lanes, from the output y = f(x) of activation code `kind`. */
// @ts-ignore: decorator
@inline export function activationGradV(kind: i32, y: v128): v128 {
  const zero = f32x4.splat(0);
  if (kind == ACT_TANH) return f32x4.sub(k(ONE), f32x4.mul(y, y));
  if (kind == ACT_SIGMOID) return f32x4.mul(y, f32x4.sub(k(ONE), y));
  if (kind == ACT_RELU) return v128.and(f32x4.gt(y, zero), k(ONE));
  if (kind == ACT_HARD_SIGMOID) return v128.and(v128.and(f32x4.gt(y, zero), f32x4.lt(y, k(ONE))), k(FIFTH));
  return k(ONE);
}

/** Scalar twin of `activateV`: bit-identical to a vector lane. */
// @ts-ignore: decorator
@inline export function activate(kind: i32, x: f32): f32 {
  return f32x4.extract_lane(activateV(kind, f32x4.splat(x)), 0);
}

/** Scalar twin of `activationGradV`: bit-identical to a vector lane. */
// @ts-ignore: decorator
@inline export function activationGrad(kind: i32, y: f32): f32 {
  return f32x4.extract_lane(activationGradV(kind, f32x4.splat(y)), 0);
}

// The array kernels call these loops with a constant `kind`, so that after inlining the
// optimizer keeps one specialized loop per activation instead of branching per vector.

/** y = f(x) over n floats, two vectors per iteration, scalar-twin tail. */
// @ts-ignore: decorator
@inline function forwardLoop(kind: i32, x: usize, y: usize, n: i32): void {
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    const a = v128.load(x + i);
    const b = v128.load(x + i, 16);
    v128.store(y + i, activateV(kind, a));
    v128.store(y + i, activateV(kind, b), 16);
  }
  if (i + 16 <= end) {
    v128.store(y + i, activateV(kind, v128.load(x + i)));
    i += 16;
  }
  for (; i < end; i += 4) store<f32>(y + i, activate(kind, load<f32>(x + i)));
}

/** dx = dy ⊙ f'(y) over n floats, two vectors per iteration, scalar-twin tail. */
// @ts-ignore: decorator
@inline function backwardLoop(kind: i32, y: usize, dy: usize, dx: usize, n: i32): void {
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    const a = f32x4.mul(v128.load(dy + i), activationGradV(kind, v128.load(y + i)));
    const b = f32x4.mul(v128.load(dy + i, 16), activationGradV(kind, v128.load(y + i, 16)));
    v128.store(dx + i, a);
    v128.store(dx + i, b, 16);
  }
  if (i + 16 <= end) {
    v128.store(dx + i, f32x4.mul(v128.load(dy + i), activationGradV(kind, v128.load(y + i))));
    i += 16;
  }
  for (; i < end; i += 4) store<f32>(dx + i, load<f32>(dy + i) * activationGrad(kind, load<f32>(y + i)));
}

/** y = f(x) for x, y [n] (y may be x). */
export function activationForward(kind: i32, x: usize, y: usize, n: i32): void {
  assert(kind >= ACT_LINEAR && kind <= ACT_HARD_SIGMOID, "unknown activation code");
  if (kind == ACT_TANH) forwardLoop(ACT_TANH, x, y, n);
  else if (kind == ACT_SIGMOID) forwardLoop(ACT_SIGMOID, x, y, n);
  else if (kind == ACT_RELU) forwardLoop(ACT_RELU, x, y, n);
  else if (kind == ACT_HARD_SIGMOID) forwardLoop(ACT_HARD_SIGMOID, x, y, n);
  else if (x != y) memory.copy(y, x, <usize>n << 2);
}

/** dx = dy ⊙ f'(y) for y, dy, dx [n], y the forward output; dx is overwritten and may be dy. */
export function activationBackward(kind: i32, y: usize, dy: usize, dx: usize, n: i32): void {
  assert(kind >= ACT_LINEAR && kind <= ACT_HARD_SIGMOID, "unknown activation code");
  if (kind == ACT_TANH) backwardLoop(ACT_TANH, y, dy, dx, n);
  else if (kind == ACT_SIGMOID) backwardLoop(ACT_SIGMOID, y, dy, dx, n);
  else if (kind == ACT_RELU) backwardLoop(ACT_RELU, y, dy, dx, n);
  else if (kind == ACT_HARD_SIGMOID) backwardLoop(ACT_HARD_SIGMOID, y, dy, dx, n);
  else if (dx != dy) memory.copy(dx, dy, <usize>n << 2);
}
