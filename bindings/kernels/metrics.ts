/** Accuracy-count exports of the wasm core (assembly/metrics.ts). */
export interface MetricsExports {
  /** Σ mask_i [argmax logits_i == targets_i]. */
  countCorrectClasses(logits: number, targets: number, mask: number, M: number, N: number): number;
  /** Σ mask_i Σ_j [(logit > 0) == (target > 0.5)]. */
  countCorrectBinary(logits: number, targets: number, mask: number, M: number, N: number): number;
  /** Σ mask_i [target_i among the k largest logits_i]. */
  countInTopK(logits: number, targets: number, mask: number, M: number, N: number, k: number): number;
  /** Σ mask_i Σ_j |pred - target|^power (power 1 or 2). */
  sumErrors(pred: number, targets: number, mask: number, M: number, N: number, power: number): number;
}
