// Metric sums over rows of predictions, weighted by a per-row mask (0: all rows count): accuracy
// and top-k counts for class ids, absolute and squared error sums for float targets. The bindings
// divide the sums of an epoch or a dataset by its weight (bindings/metrics.ts).
import { rowWeight } from "./row-weight";

/** Σ_i mask_i [argmax_j logits[i, j] == targets[i]] over logits [M, N], targets i32 [M]. */
export function countCorrectClasses(logits: usize, targets: usize, mask: usize, M: i32, N: i32): f64 {
  let correct: f64 = 0;
  for (let i = 0; i < M; i++) {
    const w = <f64>rowWeight(mask, i);
    if (w == 0) continue;
    const row = logits + (<usize>(i * N) << 2);
    let best = 0;
    let bestValue = load<f32>(row);
    for (let j = 1; j < N; j++) {
      const v = load<f32>(row + (<usize>j << 2));
      if (v > bestValue) {
        bestValue = v;
        best = j;
      }
    }
    if (best == load<i32>(targets + (<usize>i << 2))) correct += w;
  }
  return correct;
}

/** Σ_i mask_i Σ_j [(logits[i, j] > 0) == (targets[i, j] > 0.5)] over [M, N]: binary accuracy counts. */
export function countCorrectBinary(logits: usize, targets: usize, mask: usize, M: i32, N: i32): f64 {
  let correct: f64 = 0;
  for (let i = 0; i < M; i++) {
    const w = <f64>rowWeight(mask, i);
    if (w == 0) continue;
    for (let j = 0; j < N; j++) {
      const off = <usize>(i * N + j) << 2;
      if ((load<f32>(logits + off) > 0) == (load<f32>(targets + off) > 0.5)) correct += w;
    }
  }
  return correct;
}

/**
 * Σ_i mask_i [#{j : logits[i, j] > logits[i, targets[i]]} < k] over logits [M, N], targets i32 [M]:
 * the target is among the k largest logits (ties with it count in its favour, as tf.math.in_top_k).
 */
export function countInTopK(logits: usize, targets: usize, mask: usize, M: i32, N: i32, k: i32): f64 {
  let correct: f64 = 0;
  for (let i = 0; i < M; i++) {
    const w = <f64>rowWeight(mask, i);
    if (w == 0) continue;
    const row = logits + (<usize>(i * N) << 2);
    const target = load<f32>(row + (<usize>load<i32>(targets + (<usize>i << 2)) << 2));
    let above = 0;
    for (let j = 0; j < N; j++) if (load<f32>(row + (<usize>j << 2)) > target) above++;
    if (above < k) correct += w;
  }
  return correct;
}

/**
 * Σ_i mask_i Σ_j |pred[i, j] - targets[i, j]| (power 1) or (pred[i, j] - targets[i, j])² (power 2) over [M, N],
 * each difference in f64 (the losses' elementRows squares in f32 lanes: a metric reports the exact error).
 */
export function sumErrors(pred: usize, targets: usize, mask: usize, M: i32, N: i32, power: i32): f64 {
  let total: f64 = 0;
  for (let i = 0; i < M; i++) {
    const w = <f64>rowWeight(mask, i);
    if (w == 0) continue;
    let row: f64 = 0;
    for (let j = 0; j < N; j++) {
      const off = <usize>(i * N + j) << 2;
      const e = <f64>load<f32>(pred + off) - <f64>load<f32>(targets + off);
      row += power == 1 ? Math.abs(e) : e * e;
    }
    total += w * row;
  }
  return total;
}
