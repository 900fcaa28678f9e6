/**
 * Optimizer and clipping exports of the wasm core (assembly/optimizers.ts). Pointers and sizes
 * are plain numbers; hyperparameters are passed as f64 and rounded to f32 once per call.
 * Boolean flags (`nesterov`, `firstStep`, `decoupled`) are 0 or 1; `step` counts from 1.
 */
export interface OptimizersExports {
  sgdStep(p: number, g: number, buf: number, n: number, lr: number, momentum: number, dampening: number,
    nesterov: number, weightDecay: number, firstStep: number): void;
  adamStep(p: number, g: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number,
    eps: number, weightDecay: number, decoupled: number, step: number): void;
  rmspropStep(p: number, g: number, sq: number, buf: number, n: number, lr: number, alpha: number, eps: number,
    weightDecay: number, momentum: number): void;
  adagradStep(p: number, g: number, sum: number, n: number, lr: number, eps: number, weightDecay: number,
    lrDecay: number, step: number): void;
  /** Sum of squares of n f32, accumulated in f64. */
  sumSquares(x: number, n: number): number;
  clipByValue(x: number, n: number, c: number): void;
}
