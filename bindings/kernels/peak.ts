/** The throughput ceiling of the wasm core (assembly/peak.ts), for benchmarks. */
export interface PeakExports {
  /**
   * Runs a register-only loop of f32x4 c = c * m + m on 14 independent chains (mul + add, or one
   * FMA in the relaxed build) for `iterations` iterations and returns the floating-point operations
   * done (112 per iteration): timed, the peak f32x4 rate that the gemm kernels are measured against.
   */
  peakFlops(iterations: number): number;
}
