// From counts to the parameters of a discrete HMM (layout as in hmm.ts): the counts of labelled
// state paths (supervised training), additive smoothing and normalization (both trainings' M-step),
// and the parameters' logs for Viterbi decoding.

/**
 * Overwrites startCounts [S], transitionCounts [S, S] and emissionCounts [V, S] (transposed as Bt)
 * with the counts of a batch of labelled sequences: symbols obs and states i32 [ΣT] side by side,
 * sequence n at offsets[n] .. offsets[n + 1] (ids already checked to be in range).
 */
export function hmmCountPaths(obs: usize, states: usize, offsets: usize, N: i32, S: i32, V: i32, startCounts: usize, transitionCounts: usize, emissionCounts: usize): void {
  memory.fill(startCounts, 0, <usize>S << 3);
  memory.fill(transitionCounts, 0, <usize>(S * S) << 3);
  memory.fill(emissionCounts, 0, <usize>(V * S) << 3);
  for (let n = 0; n < N; n++) {
    const start = load<i32>(offsets + (<usize>n << 2));
    const end = load<i32>(offsets + (<usize>(n + 1) << 2));
    let previous = -1;
    for (let t = start; t < end; t++) {
      const state = load<i32>(states + (<usize>t << 2));
      const symbol = load<i32>(obs + (<usize>t << 2));
      const counter = previous < 0 ? startCounts + (<usize>state << 3) : transitionCounts + (<usize>(previous * S + state) << 3);
      store<f64>(counter, load<f64>(counter) + 1);
      const emission = emissionCounts + (<usize>(symbol * S + state) << 3);
      store<f64>(emission, load<f64>(emission) + 1);
      previous = state;
    }
  }
}

/**
 * Additive smoothing and normalization of `groups` distributions of `size` entries each, entry k of
 * group g at counts[g·groupStride + k·entryStride] (f64; out laid out the same, may be counts):
 * out = (counts + smoothing) / Σ_k (counts + smoothing), and 1 / size for a group whose sum is 0.
 * Rows of A: (S, S, S, 1); states of Bt [V, S]: (S, V, 1, S); π: (1, S, 0, 1).
 */
export function hmmNormalize(counts: usize, out: usize, groups: i32, size: i32, groupStride: i32, entryStride: i32, smoothing: f64): void {
  for (let g = 0; g < groups; g++) {
    const base = <usize>(g * groupStride) << 3;
    const step = <usize>entryStride << 3;
    let total: f64 = 0;
    for (let k = 0; k < size; k++) total += load<f64>(counts + base + <usize>k * step) + smoothing;
    const uniform = !(total > 0);
    const inverse = uniform ? 0 : 1.0 / total;
    for (let k = 0; k < size; k++) {
      const at = base + <usize>k * step;
      store<f64>(out + at, uniform ? 1.0 / <f64>size : (load<f64>(counts + at) + smoothing) * inverse);
    }
  }
}

/**
 * The logs Viterbi decodes with: logInitial = log π [S], logTransitionT[j, i] = log A[i, j]
 * (transposed), logEmissionT = log Bt [V, S]; log 0 = -Infinity.
 */
export function hmmLogParameters(initial: usize, transition: usize, emissionT: usize, S: i32, V: i32, logInitial: usize, logTransitionT: usize, logEmissionT: usize): void {
  for (let j = 0; j < S; j++) store<f64>(logInitial + (<usize>j << 3), Math.log(load<f64>(initial + (<usize>j << 3))));
  for (let i = 0; i < S; i++) {
    for (let j = 0; j < S; j++) {
      store<f64>(logTransitionT + (<usize>(j * S + i) << 3), Math.log(load<f64>(transition + (<usize>(i * S + j) << 3))));
    }
  }
  const n = V * S;
  for (let k = 0; k < n; k++) store<f64>(logEmissionT + (<usize>k << 3), Math.log(load<f64>(emissionT + (<usize>k << 3))));
}
