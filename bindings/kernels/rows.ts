/** Row broadcast / reduction exports of the wasm core (assembly/rows.ts); [M, N] row-major. */
export interface RowsExports {
  /** dst[i] += src[i]. */
  addInPlace(dst: number, src: number, n: number): void;
  /** dst[i, :] = src[index[i], :] (index: i32 [M]). */
  gatherRows(dst: number, src: number, index: number, M: number, N: number): void;
  /** dst[index[i], :] += src[i, :]. */
  scatterAddRows(dst: number, src: number, index: number, M: number, N: number): void;
  /** dst[t, b, :] = src[t, index[b], :] for src [T, N, F], dst [T, B, F]. */
  gatherTimeMajor(dst: number, src: number, index: number, T: number, N: number, B: number, F: number): void;
  /** dst[t, b, :] = src[index[b], t, :] for src [N, T, F] (batch-first), dst [T, B, F] (time-major). */
  gatherBatchFirst(dst: number, src: number, index: number, T: number, N: number, B: number, F: number): void;
  /** dst[b, a, :] = src[a, b, :] for src [A, B, F], dst [B, A, F]. */
  swapLeadingAxes(dst: number, src: number, A: number, B: number, F: number): void;
}
