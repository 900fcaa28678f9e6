// Memory owned by the bindings: 16-byte aligned blocks from the runtime's TLSF heap,
// plus whole-array helpers the bindings call instead of looping in JavaScript.

/** Allocates `bytes` bytes aligned to 16; the caller frees it with `free`. */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Releases a block returned by `alloc`. */
export function free(ptr: usize): void {
  heap.free(ptr);
}

/** x[i] = value for i < n (f32). */
export function fillF32(x: usize, n: i32, value: f32): void {
  const v = f32x4.splat(value);
  const end = x + (<usize>n << 2);
  let p = x;
  for (; p + 16 <= end; p += 16) v128.store(p, v);
  for (; p < end; p += 4) store<f32>(p, value);
}

/** x[i] *= s for i < n (f32). */
export function scaleF32(x: usize, n: i32, s: f32): void {
  const v = f32x4.splat(s);
  const end = x + (<usize>n << 2);
  let p = x;
  for (; p + 16 <= end; p += 16) v128.store(p, f32x4.mul(v128.load(p), v));
  for (; p < end; p += 4) store<f32>(p, load<f32>(p) * s);
}

/** dst[i] = src[i] for i < n (f32); the ranges may overlap. */
export function copyF32(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

/** Index of the first non-finite (NaN or ±Infinity) f32 in x[0..n), or -1.
 *  x - x is 0 for a finite x and NaN otherwise, and NaN != NaN: four lanes per test. */
export function findNonFinite(x: usize, n: i32): i32 {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const d = f32x4.sub(v, v);
    if (!v128.all_true<i32>(f32x4.eq(d, d))) break;
  }
  for (; i < n; i++) {
    if (!isFinite<f32>(load<f32>(x + (<usize>i << 2)))) return i;
  }
  return -1;
}

/** Index of the first i32 in x[0..n) outside [lo, hi), or -1. */
export function findOutOfRange(x: usize, n: i32, lo: i32, hi: i32): i32 {
  for (let i = 0; i < n; i++) {
    const v = load<i32>(x + (<usize>i << 2));
    if (v < lo || v >= hi) return i;
  }
  return -1;
}

/** Index of the first i32 in x[0..n) outside [lo, hi) whose f32 weight is nonzero, or -1. */
export function findOutOfRangeWhere(x: usize, weights: usize, n: i32, lo: i32, hi: i32): i32 {
  for (let i = 0; i < n; i++) {
    const v = load<i32>(x + (<usize>i << 2));
    if ((v < lo || v >= hi) && load<f32>(weights + (<usize>i << 2)) != 0) return i;
  }
  return -1;
}

/** Index of the first f32 in x[0..n) outside [lo, hi] (NaN counts as outside), or -1. */
export function findOutsideF32(x: usize, n: i32, lo: f32, hi: f32): i32 {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (!(v >= lo && v <= hi)) return i;
  }
  return -1;
}

/** x[i] = i for i < n (i32): the identity permutation. */
export function fillIotaI32(x: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i32>(x + (<usize>i << 2), i);
}
