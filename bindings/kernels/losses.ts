/**
 * Loss exports of the wasm core (assembly/losses.ts) over the rows of [M, N] predictions.
 * `mask` points at f32 [M] row weights (0/1) or is 0 for all rows; the summed loss is multiplied
 * by `scale` (1 / count for a mean) and returned; when `grad` is nonzero it is overwritten with
 * scale mask_i dL/dx (exactly 0 in masked rows).
 */
export interface LossesExports {
  /** Σ mask over [M] (M when mask is 0). */
  maskWeight(mask: number, M: number): number;
  /** logsumexp(x_i) - x_i[t_i] per row; targets: i32 [M] class ids (not read in masked rows). */
  softmaxCrossEntropy(logits: number, targets: number, mask: number, M: number, N: number, scale: number, grad: number): number;
  /** Σ_j (p - t)² per row; target f32 [M, N]. */
  meanSquaredError(pred: number, target: number, mask: number, M: number, N: number, scale: number, grad: number): number;
  /** Σ_j max(x, 0) - x t + log(1 + e^-|x|) per row; target f32 [M, N] in [0, 1]. */
  binaryCrossEntropyWithLogits(logits: number, target: number, mask: number, M: number, N: number, scale: number, grad: number): number;
  /** Σ_j m (|p - t| - m / 2), m = min(|p - t|, delta), per row (delta > 0); target f32 [M, N]. */
  huber(pred: number, target: number, mask: number, M: number, N: number, delta: number, scale: number, grad: number): number;
}
