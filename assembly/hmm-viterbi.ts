// Viterbi decoding of a discrete HMM in log space, over a batch of variable-length sequences
// (layout as in hmm.ts). Takes the logs of the parameters, the transition transposed:
// logInitial [S], logTransitionT [S, S] (row j: log A[i, j] over i), logEmissionT [V, S].
//
//   δ_0[j] = log π[j] + log Bt[o_0, j]
//   δ_t[j] = max_i (δ_{t-1}[i] + log A[i, j]) + log Bt[o_t, j],   ψ_t[j] = the first i attaining it
//   s_{T-1} = the first argmax_j δ_{T-1}[j],  s_{t-1} = ψ_t[s_t],  log P(o, s) = max_j δ_{T-1}[j]

/** max_i (delta[i] + row[i]) over i < S, and the first i attaining it, two lanes per step: returns the max, the index in `argmax`. */
@inline function maxPlus(delta: usize, row: usize, S: i32, argmax: usize): f64 {
  let best = f64x2.splat(-Infinity);
  let bestIndex = i64x2(0, 1);
  let index = i64x2(0, 1);
  const two = i64x2.splat(2);
  let i = 0;
  for (; i + 2 <= S; i += 2) {
    const off = <usize>i << 3;
    const candidate = f64x2.add(v128.load(delta + off), v128.load(row + off));
    const better = f64x2.gt(candidate, best);
    best = v128.bitselect(candidate, best, better);
    bestIndex = v128.bitselect(index, bestIndex, better);
    index = i64x2.add(index, two);
  }
  // Lane 0 saw the even i, lane 1 the odd i, each keeping its first maximum: the smaller index wins a tie.
  let value: f64 = -Infinity;
  let at = 0;
  if (i > 0) {
    const value0 = f64x2.extract_lane(best, 0);
    const value1 = f64x2.extract_lane(best, 1);
    const at0 = <i32>i64x2.extract_lane(bestIndex, 0);
    const at1 = <i32>i64x2.extract_lane(bestIndex, 1);
    const takeOdd = value1 > value0 || (value1 == value0 && at1 < at0);
    value = takeOdd ? value1 : value0;
    at = takeOdd ? at1 : at0;
  }
  for (; i < S; i++) {
    const candidate = load<f64>(delta + (<usize>i << 3)) + load<f64>(row + (<usize>i << 3));
    if (candidate > value) {
      value = candidate;
      at = i;
    }
  }
  store<i32>(argmax, at);
  return value;
}

/**
 * paths[offsets[n] ..] = the most likely state path of sequence n and logProbabilities[n] = its
 * log P(o, s); returns their sum (-Infinity for a sequence no path can emit; its path is then
 * the first argmax of every step, meaningless). work: f64 [2S], then i32 [Tmax S] back-pointers.
 */
export function hmmViterbi(
  logInitial: usize, logTransitionT: usize, logEmissionT: usize, S: i32, obs: usize, offsets: usize, N: i32,
  paths: usize, logProbabilities: usize, work: usize,
): f64 {
  const rowBytes = <usize>S << 3;
  const backPointers = work + 2 * rowBytes; // i32 [Tmax, S]
  let total: f64 = 0;
  for (let n = 0; n < N; n++) {
    const start = load<i32>(offsets + (<usize>n << 2));
    const T = load<i32>(offsets + (<usize>(n + 1) << 2)) - start;
    const o = obs + (<usize>start << 2);
    let previous = work;
    let current = work + rowBytes;
    let column = logEmissionT + <usize>load<i32>(o) * rowBytes;
    for (let j = 0; j < S; j++) {
      const off = <usize>j << 3;
      store<f64>(previous + off, load<f64>(logInitial + off) + load<f64>(column + off));
    }
    for (let t = 1; t < T; t++) {
      column = logEmissionT + <usize>load<i32>(o + (<usize>t << 2)) * rowBytes;
      const psi = backPointers + (<usize>(t * S) << 2);
      for (let j = 0; j < S; j++) {
        const best = maxPlus(previous, logTransitionT + <usize>j * rowBytes, S, psi + (<usize>j << 2));
        store<f64>(current + (<usize>j << 3), best + load<f64>(column + (<usize>j << 3)));
      }
      const swap = previous;
      previous = current;
      current = swap;
    }
    const path = paths + (<usize>start << 2);
    let state = 0;
    let logP = load<f64>(previous);
    for (let j = 1; j < S; j++) {
      const v = load<f64>(previous + (<usize>j << 3));
      if (v > logP) {
        logP = v;
        state = j;
      }
    }
    store<i32>(path + (<usize>(T - 1) << 2), state);
    for (let t = T - 1; t > 0; t--) {
      state = load<i32>(backPointers + (<usize>(t * S + state) << 2));
      store<i32>(path + (<usize>(t - 1) << 2), state);
    }
    store<f64>(logProbabilities + (<usize>n << 3), logP);
    total += logP;
  }
  return total;
}
