/** Whole-sequence exports of the wasm core (assembly/sequence.ts); lengths: i32 [B] or 0 (all T). */
export interface SequenceExports {
  /** dst[t, b] = src[len_b - 1 - t, b] for t < len_b, else 0 (self-inverse). */
  reverseWithinLengths(dst: number, src: number, lengths: number, T: number, B: number, F: number): void;
  /** Zeroes padded steps t >= len_b (dst may be src). */
  maskPaddedSteps(dst: number, src: number, lengths: number, T: number, B: number, F: number): void;
  /** mask [T, B] = [t < len_b]. */
  lengthMask(mask: number, lengths: number, T: number, B: number): void;
  /** x *= y elementwise. */
  mulInPlace(x: number, y: number, n: number): void;
  /** sum [B, F] = Σ_t x[t]. */
  sumSteps(sum: number, x: number, T: number, BF: number): void;
  /** dst[m, dstOff + j] = src[m, srcOff + j] for j < F over M rows (rows of dstCols and srcCols floats). */
  copyColumns(dst: number, dstCols: number, dstOff: number, src: number, srcCols: number, srcOff: number, M: number, F: number): void;
  /** Merges two directions (0 concat, 1 sum, 2 mul, 3 ave). */
  mergeForward(mode: number, a: number, b: number, out: number, M: number, H: number): void;
  /** Gradients of mergeForward. */
  mergeBackward(mode: number, a: number, b: number, dOut: number, da: number, db: number, M: number, H: number): void;
  /** y [B, F] = mean of x [T, B, F] over valid steps. */
  meanOverValidSteps(y: number, x: number, lengths: number, T: number, B: number, F: number): void;
  /** Backward of meanOverValidSteps. */
  meanOverValidStepsBackward(dx: number, dy: number, lengths: number, T: number, B: number, F: number): void;
  /** dst[b] = clamp(lengths[b] - t0, 0, T). */
  chunkLengths(dst: number, lengths: number, B: number, t0: number, T: number): void;
}
