/** Decoding exports of the wasm core (assembly/decoding.ts), over row-major [M, N] rows. */
export interface DecodingExports {
  /** out i32 [M] = the first index of each row's max, for rows without NaN. */
  argmaxRows(x: number, out: number, M: number, N: number): void;
  /**
   * Per group g of rows [start[g], start[g + 1]) of logp [R, V]: the K best base[r] + logp[r, v]
   * (base f64 [R]) into score f64 [G, K], row and token i32 [G, K], best first, ties to the lower
   * row and token; count i32 [G] = how many a group has.
   */
  beamCandidates(logp: number, base: number, start: number, G: number, V: number, K: number, score: number, row: number, token: number, count: number): void;
}
