/**
 * Random-number exports of the wasm core (assembly/random.ts). `state` points at 16 bytes of
 * xoshiro128** state; u32 results come back as signed i32 (apply `>>> 0`).
 */
export interface RandomExports {
  rngSeed(state: number, seed: number): void;
  rngNextU32(state: number): number;
  /** Uniform in [0, 1) with 53 random bits. */
  rngNextFloat(state: number): number;
  /** Uniform integer in [0, bound), unbiased; bound in [1, 2^32 - 1]. */
  rngNextBelow(state: number, bound: number): number;
  rngFillUniform(state: number, x: number, n: number, lo: number, hi: number): void;
  rngFillNormal(state: number, x: number, n: number, mean: number, std: number): void;
  rngShuffleI32(state: number, x: number, n: number): void;
  rngFillBernoulliScaled(state: number, x: number, n: number, keepProb: number): void;
}
