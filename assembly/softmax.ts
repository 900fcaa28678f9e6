// Row-wise softmax and log-softmax of a row-major [M, N] matrix and their backward passes.
// Every row is shifted by its max m before exp, so huge logits neither overflow nor lose the row.
import { expV, expf } from "./activations";

/** Sum of the four lanes. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  const a = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.add(a, v128.shuffle<f32>(a, a, 1, 0, 3, 2)), 0);
}

/** Max of the four lanes. */
// @ts-ignore: decorator
@inline function hmax(v: v128): f32 {
  const a = f32x4.pmax(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.pmax(a, v128.shuffle<f32>(a, a, 1, 0, 3, 2)), 0);
}

/** max_j x_j over x [n] (-Infinity for n = 0). */
// @ts-ignore: decorator
@inline export function rowMax(x: usize, n: i32): f32 {
  const end = <usize>n << 2;
  let m0 = f32x4.splat(-Infinity);
  let m1 = m0;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    m0 = f32x4.pmax(m0, v128.load(x + i));
    m1 = f32x4.pmax(m1, v128.load(x + i, 16));
  }
  if (i + 16 <= end) {
    m0 = f32x4.pmax(m0, v128.load(x + i));
    i += 16;
  }
  let m = hmax(f32x4.pmax(m0, m1));
  for (; i < end; i += 4) m = max(m, load<f32>(x + i));
  return m;
}

/** Σ_j e^(x_j - m) over x [n], writing each term to y [n] (y may be x) when `keep`, a constant at every call. */
// @ts-ignore: decorator
@inline function expRow(x: usize, m: f32, y: usize, n: i32, keep: bool): f32 {
  const end = <usize>n << 2;
  const mv = f32x4.splat(m);
  let s0 = f32x4.splat(0);
  let s1 = s0;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    const a = expV(f32x4.sub(v128.load(x + i), mv));
    const b = expV(f32x4.sub(v128.load(x + i, 16), mv));
    if (keep) {
      v128.store(y + i, a);
      v128.store(y + i, b, 16);
    }
    s0 = f32x4.add(s0, a);
    s1 = f32x4.add(s1, b);
  }
  if (i + 16 <= end) {
    const a = expV(f32x4.sub(v128.load(x + i), mv));
    if (keep) v128.store(y + i, a);
    s0 = f32x4.add(s0, a);
    i += 16;
  }
  let s = hsum(f32x4.add(s0, s1));
  for (; i < end; i += 4) {
    const e = expf(load<f32>(x + i) - m);
    if (keep) store<f32>(y + i, e);
    s += e;
  }
  return s;
}

/** y_j = e^(x_j - m) for x, y [n] (y may be x); returns Σ_j y_j. */
// @ts-ignore: decorator
@inline export function rowExp(x: usize, m: f32, y: usize, n: i32): f32 {
  return expRow(x, m, y, n, true);
}

/** Σ_j e^(x_j - m) over x [n], nothing written. */
// @ts-ignore: decorator
@inline export function rowSumExp(x: usize, m: f32, n: i32): f32 {
  return expRow(x, m, 0, n, false);
}

/** y_j *= c for y [n]. */
// @ts-ignore: decorator
@inline export function rowScale(y: usize, c: f32, n: i32): void {
  const end = <usize>n << 2;
  const cv = f32x4.splat(c);
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(y + i, f32x4.mul(v128.load(y + i), cv));
  for (; i < end; i += 4) store<f32>(y + i, load<f32>(y + i) * c);
}

/** Σ_j a_j b_j when `dot`, else Σ_j a_j, over [n] (`dot` is a constant at every call). */
// @ts-ignore: decorator
@inline export function rowSum(a: usize, b: usize, n: i32, dot: bool): f32 {
  const end = <usize>n << 2;
  let s0 = f32x4.splat(0);
  let s1 = s0;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    let u = v128.load(a + i);
    let v = v128.load(a + i, 16);
    if (dot) {
      u = f32x4.mul(u, v128.load(b + i));
      v = f32x4.mul(v, v128.load(b + i, 16));
    }
    s0 = f32x4.add(s0, u);
    s1 = f32x4.add(s1, v);
  }
  if (i + 16 <= end) {
    const u = v128.load(a + i);
    s0 = f32x4.add(s0, dot ? f32x4.mul(u, v128.load(b + i)) : u);
    i += 16;
  }
  let s = hsum(f32x4.add(s0, s1));
  for (; i < end; i += 4) s += dot ? load<f32>(a + i) * load<f32>(b + i) : load<f32>(a + i);
  return s;
}

// softmax      y_j = e^(x_j - m) / Σ_k e^(x_k - m),  m = max_k x_k
// backward     dx_j = y_j (dy_j - Σ_k dy_k y_k)

/** y = softmax of each row of x [M, N] into y [M, N] (y may be x). */
export function softmaxRows(x: usize, y: usize, M: i32, N: i32): void {
  const row = <usize>N << 2;
  for (let r = 0; r < M; r++, x += row, y += row) {
    const s = rowExp(x, rowMax(x, N), y, N);
    rowScale(y, 1 / s, N);
  }
}

/** dx = y ⊙ (dy - Σ_j dy_j y_j) per row, for y = softmax output, dy, dx [M, N] (dx may be dy). */
export function softmaxBackwardRows(y: usize, dy: usize, dx: usize, M: i32, N: i32): void {
  const row = <usize>N << 2;
  const end = row & ~15;
  for (let r = 0; r < M; r++, y += row, dy += row, dx += row) {
    const s = rowSum(dy, y, N, true);
    const sv = f32x4.splat(s);
    let i: usize = 0;
    for (; i < end; i += 16) {
      v128.store(dx + i, f32x4.mul(v128.load(y + i), f32x4.sub(v128.load(dy + i), sv)));
    }
    for (; i < row; i += 4) store<f32>(dx + i, load<f32>(y + i) * (load<f32>(dy + i) - s));
  }
}

// log-softmax  y_j = (x_j - m) - log Σ_k e^(x_k - m)
// backward     dx_j = dy_j - e^(y_j) Σ_k dy_k

/** y = log-softmax of each row of x [M, N] into y [M, N] (y may be x). */
export function logSoftmaxRows(x: usize, y: usize, M: i32, N: i32): void {
  const row = <usize>N << 2;
  const end = row & ~15;
  for (let r = 0; r < M; r++, x += row, y += row) {
    const m = rowMax(x, N);
    const ls = <f32>Math.log(rowSumExp(x, m, N));
    const mv = f32x4.splat(m);
    const lv = f32x4.splat(ls);
    let i: usize = 0;
    for (; i < end; i += 16) v128.store(y + i, f32x4.sub(f32x4.sub(v128.load(x + i), mv), lv));
    for (; i < row; i += 4) store<f32>(y + i, (load<f32>(x + i) - m) - ls);
  }
}

/** dx = dy - e^y Σ_j dy_j per row, for y = log-softmax output, dy, dx [M, N] (dx may be dy). */
export function logSoftmaxBackwardRows(y: usize, dy: usize, dx: usize, M: i32, N: i32): void {
  const row = <usize>N << 2;
  const end = row & ~15;
  for (let r = 0; r < M; r++, y += row, dy += row, dx += row) {
    const s = rowSum(dy, 0, N, false);
    const sv = f32x4.splat(s);
    let i: usize = 0;
    for (; i < end; i += 16) {
      v128.store(dx + i, f32x4.sub(v128.load(dy + i), f32x4.mul(expV(v128.load(y + i)), sv)));
    }
    for (; i < row; i += 4) store<f32>(dx + i, load<f32>(dy + i) - expf(load<f32>(y + i)) * s);
  }
}
