/**
 * Matrix-product exports of the wasm core (assembly/gemm.ts): row-major f32, C[M, N] = A[M, K] · B[K, N]
 * or C += A · B. Pointers are byte addresses (numbers) into wasm memory; strides count floats:
 * A(i, k) is at A + 4*(i*rsA + k*csA) and B(k, n) at B + 4*(k*rsB + n*csB), so a transposed
 * operand is just swapped strides. C(i, n) is at C + 4*(i*ldc + n); only its N valid columns are written.
 */
export interface GemmExports {
  /** 1 when the core was compiled with relaxed SIMD (the micro-kernels use `f32x4.relaxed_madd`, an FMA), else 0. */
  relaxedSimd(): number;
  /** Floats needed to pack a [K, N] B for `gemmPacked` (N rounded up to a multiple of GEMM_NR, times K). */
  gemmPackedSize(K: number, N: number): number;
  /** Floats of the scratch `gemm` keeps to pack a [K, N] B: one slice of GEMM_KC (128) rows at a time. */
  gemmScratchSize(K: number, N: number): number;
  /** Packs B [K, N] into column panels for `gemmPacked`; `packed` is 16-byte aligned, `gemmPackedSize(K, N)` floats. */
  gemmPackB(K: number, N: number, B: number, rsB: number, csB: number, packed: number): void;
  /**
   * C[M, N] = A[M, K] · B[K, N] (accumulate 0) or C += A · B (accumulate 1), B packed by `gemmPackB`.
   * K = 0 zeroes C (accumulate 0) or leaves it unchanged; M = 0 or N = 0 does nothing.
   */
  gemmPacked(
    M: number, N: number, K: number, A: number, rsA: number, csA: number,
    packed: number, C: number, ldc: number, accumulate: number,
  ): void;
  /**
   * The same product with B unpacked: packs B per call, a slice of GEMM_KC rows at a time, into a
   * scratch buffer owned by the core (`gemmScratchSize` floats; growing it may grow wasm memory,
   * detaching existing views), and runs `gemmPacked` on each slice.
   */
  gemm(
    M: number, N: number, K: number, A: number, rsA: number, csA: number,
    B: number, rsB: number, csB: number, C: number, ldc: number, accumulate: number,
  ): void;
}
