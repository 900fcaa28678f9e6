/**
 * Softmax exports of the wasm core (assembly/softmax.ts), over the rows of row-major [M, N]
 * matrices; pointers and sizes are plain numbers. Outputs may alias inputs (y = x, dx = dy).
 */
export interface SoftmaxExports {
  /** y = softmax of each row of x (shifted by the row max). */
  softmaxRows(x: number, y: number, M: number, N: number): void;
  /** y = log-softmax of each row of x: (x - max) - log Σ e^(x - max). */
  logSoftmaxRows(x: number, y: number, M: number, N: number): void;
  /** dx = y ⊙ (dy - Σ_j dy_j y_j) per row, y the softmax output. */
  softmaxBackwardRows(y: number, dy: number, dx: number, M: number, N: number): void;
  /** dx = dy - e^y Σ_j dy_j per row, y the log-softmax output. */
  logSoftmaxBackwardRows(y: number, dy: number, dx: number, M: number, N: number): void;
}
