// Decoding kernels over rows of logits or log-probabilities [M, N]: the greedy choice of each row
// and the best continuations of a beam search, so a decoder's scores never leave wasm memory.
import { rowMax } from "./softmax";

// argmax       out_i = min { j : x[i, j] = max_k x[i, k] }   (the first index of the row max)

/** out[i] = the first index of the largest value of row i of x [M, N] without NaN, for out i32 [M]. */
export function argmaxRows(x: usize, out: usize, M: i32, N: i32): void {
  const row = <usize>N << 2;
  for (let i = 0; i < M; i++, x += row) {
    const m = rowMax(x, N);
    const mv = f32x4.splat(m);
    let j: usize = 0;
    for (; j + 16 <= row; j += 16) if (v128.any_true(f32x4.eq(v128.load(x + j), mv))) break;
    let best = 0;
    for (; j < row; j += 4) {
      if (load<f32>(x + j) == m) {
        best = <i32>(j >> 2);
        break;
      }
    }
    store<i32>(out + (<usize>i << 2), best);
  }
}

// beam step    score(r, v) = base_r + logp[r, v] over the rows r of a group (a source's live
//              hypotheses); keep the K best per group, best first, ties to the lower (r, v).

/**
 * For each group g of rows [start[g], start[g + 1]) of logp [R, V] (start i32 [G + 1]), writes the
 * K highest scores base[r] + logp[r, v] (base f64 [R]) in descending order to score f64 [G, K], with
 * their rows and tokens to row, token i32 [G, K]; count i32 [G] says how many of the K a group has
 * (fewer when its rows hold fewer than K values). Equal scores keep the earlier row and token first.
 */
export function beamCandidates(logp: usize, base: usize, start: usize, G: i32, V: i32, K: i32,
  score: usize, row: usize, token: usize, count: usize): void {
  for (let g = 0; g < G; g++) {
    const s = score + (<usize>(g * K) << 3);
    const rw = row + (<usize>(g * K) << 2);
    const tk = token + (<usize>(g * K) << 2);
    let n = 0;
    const r1 = load<i32>(start + (<usize>(g + 1) << 2));
    for (let r = load<i32>(start + (<usize>g << 2)); r < r1; r++) {
      const b = load<f64>(base + (<usize>r << 3));
      const p = logp + (<usize>(r * V) << 2);
      for (let v = 0; v < V; v++) {
        const c = b + <f64>load<f32>(p + (<usize>v << 2));
        if (n == K && c <= load<f64>(s + (<usize>(K - 1) << 3))) continue;
        let i = n < K ? n : K - 1;
        while (i > 0 && load<f64>(s + (<usize>(i - 1) << 3)) < c) {
          store<f64>(s + (<usize>i << 3), load<f64>(s + (<usize>(i - 1) << 3)));
          store<i32>(rw + (<usize>i << 2), load<i32>(rw + (<usize>(i - 1) << 2)));
          store<i32>(tk + (<usize>i << 2), load<i32>(tk + (<usize>(i - 1) << 2)));
          i--;
        }
        store<f64>(s + (<usize>i << 3), c);
        store<i32>(rw + (<usize>i << 2), r);
        store<i32>(tk + (<usize>i << 2), v);
        if (n < K) n++;
      }
    }
    store<i32>(count + (<usize>g << 2), n);
  }
}
