// The f32x4 throughput ceiling the gemm kernels are measured against: a loop that keeps 14 independent
// chains in registers and does nothing but c = c * m + m on them, with the same instruction choice as
// the gemm micro-kernels (f32x4 mul + add, or one f32x4.relaxed_madd FMA in the relaxed build).
// Why this shape (measured with V8 11.3, Node 20):
// - each chain carries its mul on the dependency path, since V8 hoists loop-invariant products out of a
//   gemm-like `c += x * b` register loop (only the adds would be left);
// - 14 chains (15 registers with m; V8 has 15 allocatable xmm) cover the mul + add latency: 12 chains
//   ran about 8% slower with mul + add; 16 would spill;
// - m = 0.999 keeps every chain bounded (it converges to 999: no infinities, no denormals).
// Nothing is loaded or stored inside the loop.

/** The multiplier, also the addend: loaded (V8 would rebuild a splat of a constant inside the loop). */
const K = memory.data<f32>([0.999]);
/** Where the result goes, so that the loop is not dead code. */
const sink = memory.data(16, 16);

/** One step of a chain: c * m + m per lane (an FMA in the relaxed-SIMD build). */
// @ts-ignore: decorator
@inline
function step(c: v128, m: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(c, m, m);
  return f32x4.add(f32x4.mul(c, m), m);
}

/** Floating-point operations per loop iteration: 14 chains x 4 lanes x (mul + add). */
const FLOPS_PER_ITERATION: f64 = 14 * 4 * 2;

/**
 * Runs `iterations` iterations of the register-only loop and returns the floating-point operations it
 * performed (iterations * 112): time the call for the peak f32x4 mul + add (or FMA) rate of this core.
 */
export function peakFlops(iterations: i32): f64 {
  const m = v128.load32_splat(K);
  let c0 = f32x4.splat(1), c1 = f32x4.splat(2), c2 = f32x4.splat(3), c3 = f32x4.splat(4);
  let c4 = f32x4.splat(5), c5 = f32x4.splat(6), c6 = f32x4.splat(7), c7 = f32x4.splat(8);
  let c8 = f32x4.splat(9), c9 = f32x4.splat(10), c10 = f32x4.splat(11), c11 = f32x4.splat(12);
  let c12 = f32x4.splat(13), c13 = f32x4.splat(14);
  for (let i = 0; i < iterations; i++) {
    c0 = step(c0, m);
    c1 = step(c1, m);
    c2 = step(c2, m);
    c3 = step(c3, m);
    c4 = step(c4, m);
    c5 = step(c5, m);
    c6 = step(c6, m);
    c7 = step(c7, m);
    c8 = step(c8, m);
    c9 = step(c9, m);
    c10 = step(c10, m);
    c11 = step(c11, m);
    c12 = step(c12, m);
    c13 = step(c13, m);
  }
  const s = f32x4.add(
    f32x4.add(
      f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)),
      f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)),
    ),
    f32x4.add(f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11)), f32x4.add(c12, c13)),
  );
  v128.store(sink, s);
  return <f64>max(iterations, 0) * FLOPS_PER_ITERATION;
}
