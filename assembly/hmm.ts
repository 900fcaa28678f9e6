// Discrete hidden Markov model: the forward algorithm (log P of a sequence) and the forward-backward
// E-step of Baum-Welch, over a batch of variable-length sequences, in float64 with per-step scaling.
// Parameters: initial π [S], transition A [S, S] (A[i, j] = P(state j | state i)) and emissions
// stored transposed, Bt [V, S] (Bt[o, j] = P(symbol o | state j)), so that the column of a symbol
// is one contiguous row. A batch: symbols i32 [ΣT], sequence n at offsets[n] .. offsets[n + 1].
//
// Scaled forward:  α̂_0 = π ⊙ Bt[o_0] / c_0,  α̂_t = (α̂_{t-1} A) ⊙ Bt[o_t] / c_t,  c_t = Σ_j (unscaled α̂_t)[j],
//                  log P(o) = Σ_t log c_t (no underflow however long the sequence).
// Scaled backward: β̂_{T-1} = 1,  β̂_t = A (Bt[o_{t+1}] ⊙ β̂_{t+1}) / c_{t+1}.
// Posteriors:      γ_t = α̂_t ⊙ β̂_t,  ξ_t[i, j] = α̂_t[i] A[i, j] Bt[o_{t+1}, j] β̂_{t+1}[j] / c_{t+1}.
// Expected counts: start = Σ_n γ_0,  transition = Σ_n Σ_{t<T-1} ξ_t,  emission[o] = Σ_n Σ_{t: o_t = o} γ_t.
import { axpyF64, dotF64, mulSumF64, mulScaledF64, scaleF64, addProductF64, fillF64, longestSequence } from "./hmm-vectors";

/**
 * The scaled forward pass of one sequence (T symbols at `obs`): row t of α̂ at alpha + t·S when
 * `keepRows`, else rows alternate between two; c_t into scales[t] when `keepRows`. Returns
 * log P(o), -Infinity as soon as a step has probability 0.
 */
@inline function forwardSequence(initial: usize, transition: usize, emissionT: usize, S: i32, obs: usize, T: i32, alpha: usize, keepRows: bool, scales: usize): f64 {
  const rowBytes = <usize>S << 3;
  let logP: f64 = 0;
  for (let t = 0; t < T; t++) {
    const row = alpha + <usize>(keepRows ? t : t & 1) * rowBytes;
    const column = emissionT + <usize>load<i32>(obs + (<usize>t << 2)) * rowBytes;
    if (t == 0) {
      memory.copy(row, initial, rowBytes);
    } else {
      const previous = alpha + <usize>(keepRows ? t - 1 : (t - 1) & 1) * rowBytes;
      fillF64(row, S, 0);
      for (let i = 0; i < S; i++) axpyF64(row, load<f64>(previous + (<usize>i << 3)), transition + <usize>i * rowBytes, S);
    }
    const c = mulSumF64(row, column, S);
    if (keepRows) store<f64>(scales + (<usize>t << 3), c);
    if (!(c > 0)) return -Infinity;
    scaleF64(row, S, 1.0 / c);
    logP += Math.log(c);
  }
  return logP;
}

/**
 * logProbabilities[n] = log P(sequence n) by the scaled forward algorithm; returns their sum.
 * work: f64 [2S].
 */
export function hmmLogProbabilities(initial: usize, transition: usize, emissionT: usize, S: i32, obs: usize, offsets: usize, N: i32, logProbabilities: usize, work: usize): f64 {
  let total: f64 = 0;
  for (let n = 0; n < N; n++) {
    const start = load<i32>(offsets + (<usize>n << 2));
    const T = load<i32>(offsets + (<usize>(n + 1) << 2)) - start;
    const logP = forwardSequence(initial, transition, emissionT, S, obs + (<usize>start << 2), T, work, false, 0);
    store<f64>(logProbabilities + (<usize>n << 3), logP);
    total += logP;
  }
  return total;
}

/**
 * The Baum-Welch E-step: overwrites startCounts [S], transitionCounts [S, S] and emissionCounts
 * [V, S] (transposed as Bt) with the expected counts of the batch, logLikelihoods[n] with
 * log P(sequence n); returns their sum. A sequence of probability 0 adds no counts.
 * work: f64 [Tmax (S + 1) + 3S] for the longest sequence's Tmax.
 */
export function hmmExpectedCounts(
  initial: usize, transition: usize, emissionT: usize, S: i32, V: i32, obs: usize, offsets: usize, N: i32,
  startCounts: usize, transitionCounts: usize, emissionCounts: usize, logLikelihoods: usize, work: usize,
): f64 {
  const rowBytes = <usize>S << 3;
  const Tmax = longestSequence(offsets, N);
  const alpha = work; //                                   [Tmax, S]
  const scales = alpha + <usize>Tmax * rowBytes; //        [Tmax]
  const beta = scales + (<usize>Tmax << 3); //             [2, S]: β̂_{t+1} and β̂_t
  const weighted = beta + 2 * rowBytes; //                 [S]: Bt[o_{t+1}] ⊙ β̂_{t+1} / c_{t+1}
  fillF64(startCounts, S, 0);
  fillF64(transitionCounts, S * S, 0);
  fillF64(emissionCounts, V * S, 0);
  let total: f64 = 0;
  for (let n = 0; n < N; n++) {
    const start = load<i32>(offsets + (<usize>n << 2));
    const T = load<i32>(offsets + (<usize>(n + 1) << 2)) - start;
    const o = obs + (<usize>start << 2);
    const logP = forwardSequence(initial, transition, emissionT, S, o, T, alpha, true, scales);
    store<f64>(logLikelihoods + (<usize>n << 3), logP);
    total += logP;
    if (logP == -Infinity) continue;
    let next = beta;
    let current = beta + rowBytes;
    fillF64(next, S, 1);
    for (let t = T - 1; t >= 0; t--) {
      const alphaT = alpha + <usize>t * rowBytes;
      // γ_t = α̂_t ⊙ β̂_t, with β̂_t in `next` (β̂_{T-1} = 1 at the last step).
      addProductF64(emissionCounts + <usize>load<i32>(o + (<usize>t << 2)) * rowBytes, alphaT, next, S);
      if (t == 0) {
        addProductF64(startCounts, alphaT, next, S);
        break;
      }
      const previousAlpha = alphaT - rowBytes; // α̂_{t-1}
      const column = emissionT + <usize>load<i32>(o + (<usize>t << 2)) * rowBytes;
      mulScaledF64(weighted, column, next, 1.0 / load<f64>(scales + (<usize>t << 3)), S);
      for (let i = 0; i < S; i++) {
        const a = load<f64>(previousAlpha + (<usize>i << 3));
        axpyF64(transitionCounts + <usize>i * rowBytes, a, weighted, S); // Σ_t α̂_{t-1}[i] w_t[j]; ⊙ A below
        store<f64>(current + (<usize>i << 3), dotF64(transition + <usize>i * rowBytes, weighted, S));
      }
      const swap = next;
      next = current;
      current = swap;
    }
  }
  for (let i = 0; i < S; i++) {
    const row = transitionCounts + <usize>i * rowBytes;
    mulScaledF64(row, row, transition + <usize>i * rowBytes, 1, S);
  }
  return total;
}
