/**
 * Discrete-HMM exports of the wasm core (assembly/hmm.ts, hmm-viterbi.ts, hmm-counts.ts). Every
 * array is float64 but the i32 symbols, states, offsets [N + 1] and paths; emissions are stored
 * transposed, [V, S].
 */
export interface HmmExports {
  /** logProbabilities[n] = log P(sequence n) (scaled forward); returns the sum. work f64 [2S]. */
  hmmLogProbabilities(initial: number, transition: number, emissionT: number, S: number, obs: number, offsets: number, N: number, logProbabilities: number, work: number): number;
  /** Baum-Welch E-step: overwrites the expected counts and logLikelihoods [N]; returns Σ log P. work f64 [Tmax (S + 1) + 3S]. */
  hmmExpectedCounts(
    initial: number, transition: number, emissionT: number, S: number, V: number, obs: number, offsets: number, N: number,
    startCounts: number, transitionCounts: number, emissionCounts: number, logLikelihoods: number, work: number,
  ): number;
  /** Most likely paths (i32 [ΣT]) and their log P(o, s) [N]; returns the sum. work f64 [2S] + i32 [Tmax S]. */
  hmmViterbi(
    logInitial: number, logTransitionT: number, logEmissionT: number, S: number, obs: number, offsets: number, N: number,
    paths: number, logProbabilities: number, work: number,
  ): number;
  /** Overwrites the counts with those of labelled paths (symbols and states i32 [ΣT]). */
  hmmCountPaths(obs: number, states: number, offsets: number, N: number, S: number, V: number, startCounts: number, transitionCounts: number, emissionCounts: number): void;
  /** out = (counts + smoothing) / Σ per group (strided); uniform for a group summing to 0. */
  hmmNormalize(counts: number, out: number, groups: number, size: number, groupStride: number, entryStride: number, smoothing: number): void;
  /** log π, log A transposed, log Bt. */
  hmmLogParameters(initial: number, transition: number, emissionT: number, S: number, V: number, logInitial: number, logTransitionT: number, logEmissionT: number): void;
}
