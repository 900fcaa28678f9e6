// Attention weights: a softmax over the real source steps of each batch row, [B, S] row-major,
// n_b = lengths[b] >= 1 (lengths i32 [B], or 0 when all S are real).
//   forward:   a[b, s] = e^(e[b, s] - m_b) / Σ_{s' < n_b} e^(e[b, s'] - m_b) for s < n_b,  m_b = max_{s < n_b} e[b, s]
//              a[b, s] = 0 exactly for s >= n_b (padded source steps)
//   backward:  de[b, s] = a[b, s] (da[b, s] - Σ_{s'} da[b, s'] a[b, s']) for s < n_b, 0 for s >= n_b
import { rowMax, rowExp, rowScale, softmaxBackwardRows } from "../softmax";
import { sourceSteps } from "./memory";

/** weights [B, S] = the masked softmax of scores [B, S] (weights may be scores). */
export function maskedSoftmax(S: i32, B: i32, lengths: usize, scores: usize, weights: usize): void {
  for (let b = 0; b < B; b++) {
    const n = sourceSteps(lengths, b, S);
    const x = scores + (<usize>(b * S) << 2);
    const y = weights + (<usize>(b * S) << 2);
    rowScale(y, 1 / rowExp(x, rowMax(x, n), y, n), n);
    memory.fill(y + (<usize>n << 2), 0, <usize>(S - n) << 2);
  }
}

/** dScores [B, S] from weights and dWeights [B, S] (dScores may be dWeights). */
export function maskedSoftmaxBackward(S: i32, B: i32, lengths: usize, weights: usize, dWeights: usize, dScores: usize): void {
  for (let b = 0; b < B; b++) {
    const n = sourceSteps(lengths, b, S);
    const at = <usize>(b * S) << 2;
    softmaxBackwardRows(weights + at, dWeights + at, dScores + at, 1, n);
    memory.fill(dScores + at + (<usize>n << 2), 0, <usize>(S - n) << 2);
  }
}
