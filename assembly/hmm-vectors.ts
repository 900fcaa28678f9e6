// float64 vector helpers of the HMM kernels: two lanes per f64x2, then a scalar tail. The HMM works
// in float64 (its probabilities are products over thousands of steps; its parameters are small).

/** y[k] += a x[k] for k < n. */
@inline export function axpyF64(y: usize, a: f64, x: usize, n: i32): void {
  const av = f64x2.splat(a);
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const off = <usize>k << 3;
    v128.store(y + off, f64x2.add(v128.load(y + off), f64x2.mul(av, v128.load(x + off))));
  }
  for (; k < n; k++) {
    const off = <usize>k << 3;
    store<f64>(y + off, load<f64>(y + off) + a * load<f64>(x + off));
  }
}

/** Σ_k x[k] y[k] for k < n. */
@inline export function dotF64(x: usize, y: usize, n: i32): f64 {
  let acc = f64x2.splat(0);
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const off = <usize>k << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(x + off), v128.load(y + off)));
  }
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; k < n; k++) sum += load<f64>(x + (<usize>k << 3)) * load<f64>(y + (<usize>k << 3));
  return sum;
}

/** x[k] *= y[k] for k < n; returns Σ_k x[k] after the product. */
@inline export function mulSumF64(x: usize, y: usize, n: i32): f64 {
  let acc = f64x2.splat(0);
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const off = <usize>k << 3;
    const p = f64x2.mul(v128.load(x + off), v128.load(y + off));
    v128.store(x + off, p);
    acc = f64x2.add(acc, p);
  }
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; k < n; k++) {
    const off = <usize>k << 3;
    const p = load<f64>(x + off) * load<f64>(y + off);
    store<f64>(x + off, p);
    sum += p;
  }
  return sum;
}

/** dst[k] = x[k] y[k] s for k < n. */
@inline export function mulScaledF64(dst: usize, x: usize, y: usize, s: f64, n: i32): void {
  const sv = f64x2.splat(s);
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const off = <usize>k << 3;
    v128.store(dst + off, f64x2.mul(f64x2.mul(v128.load(x + off), v128.load(y + off)), sv));
  }
  for (; k < n; k++) {
    const off = <usize>k << 3;
    store<f64>(dst + off, load<f64>(x + off) * load<f64>(y + off) * s);
  }
}

/** x[k] *= s for k < n. */
@inline export function scaleF64(x: usize, n: i32, s: f64): void {
  const sv = f64x2.splat(s);
  let k = 0;
  for (; k + 2 <= n; k += 2) v128.store(x + (<usize>k << 3), f64x2.mul(v128.load(x + (<usize>k << 3)), sv));
  for (; k < n; k++) store<f64>(x + (<usize>k << 3), load<f64>(x + (<usize>k << 3)) * s);
}

/** dst[k] += x[k] y[k] for k < n. */
@inline export function addProductF64(dst: usize, x: usize, y: usize, n: i32): void {
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const off = <usize>k << 3;
    v128.store(dst + off, f64x2.add(v128.load(dst + off), f64x2.mul(v128.load(x + off), v128.load(y + off))));
  }
  for (; k < n; k++) {
    const off = <usize>k << 3;
    store<f64>(dst + off, load<f64>(dst + off) + load<f64>(x + off) * load<f64>(y + off));
  }
}

/** x[k] = v for k < n (f64). */
@inline export function fillF64(x: usize, n: i32, v: f64): void {
  for (let k = 0; k < n; k++) store<f64>(x + (<usize>k << 3), v);
}

/** The longest sequence of a batch: max_n offsets[n + 1] - offsets[n] over offsets i32 [N + 1]. */
@inline export function longestSequence(offsets: usize, N: i32): i32 {
  let longest = 0;
  for (let n = 0; n < N; n++) {
    const T = load<i32>(offsets + (<usize>(n + 1) << 2)) - load<i32>(offsets + (<usize>n << 2));
    if (T > longest) longest = T;
  }
  return longest;
}
