// What the micro-kernels of gemm.ts and gemv.ts share: the multiply-add of their accumulators and the
// store of a row of results into C (only the columns that exist).
import { threadStaging } from "./scratch";

/** Staging for the columns of a tile beyond N, on the main thread: only the valid ones are copied out. */
const mainStaging = memory.data(32, 16);

/** This thread's 32-byte staging block (a worker has its own: scratch.ts); gemm's touch-ahead also sums its loads into it. */
export function stagingBlock(): usize {
  return threadStaging(mainStaging);
}

/**
 * c + a * b per lane: one f32x4.relaxed_madd when compiled with relaxed SIMD (`--enable relaxed-simd`;
 * V8 emits an FMA where the CPU has one, so a product may be rounded once instead of twice), and
 * f32x4 mul + add otherwise. The `if` on the compile-time constant folds away: each build has one body.
 */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** c[0, min(n, 8)) = (v0, v1) (or += when acc); nothing for n <= 0. */
@inline
export function storeRow8(c: usize, v0: v128, v1: v128, n: i32, acc: bool): void {
  if (n >= 8) {
    if (acc) {
      v0 = f32x4.add(v0, v128.load(c));
      v1 = f32x4.add(v1, v128.load(c, 16));
    }
    v128.store(c, v0);
    v128.store(c, v1, 16);
  } else if (n > 0) {
    storePartial(c, v0, v1, n, acc);
  }
}

/** The tail of storeRow8: writes only the first n (< 8) floats, through the staging buffer. */
function storePartial(c: usize, v0: v128, v1: v128, n: i32, acc: bool): void {
  const staging = stagingBlock();
  v128.store(staging, v0);
  v128.store(staging, v1, 16);
  for (let j = 0; j < n; j++) {
    const q = c + (<usize>j << 2);
    const v = load<f32>(staging + (<usize>j << 2));
    store<f32>(q, acc ? load<f32>(q) + v : v);
  }
}
