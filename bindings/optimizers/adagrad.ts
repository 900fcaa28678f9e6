// Adagrad (torch.optim.Adagrad).
import { core } from "../core.js";
import type { ParameterArena } from "../arena.js";
import { ArenaOptimizer, checkNonNegative, checkPositive, withDefaults } from "./arena-optimizer.js";
import type { OptimizerConfig } from "./optimizer.js";
import type { LearningRateSchedule } from "./schedules.js";

/** Options of `Adagrad` (torch.optim.Adagrad). */
export interface AdagradOptions {
  /** Learning rate, >= 0, or a schedule (exponentialDecay, ...); default 1e-2. */
  lr?: number | LearningRateSchedule;
  /** Learning-rate decay per step, >= 0; default 0. */
  lrDecay?: number;
  /** L2 penalty added to the gradient, >= 0; default 0. */
  weightDecay?: number;
  /** Added to the denominator, > 0; default 1e-10. */
  eps?: number;
  /** Starting value of the squared-gradient sums, >= 0; default 0. */
  initialAccumulatorValue?: number;
}

/**
 * Adagrad (torch.optim.Adagrad). With t the step number (from 1) and sum the running sum of
 * squared gradients (initialAccumulatorValue at first):
 *
 *     g = g + weightDecay * p
 *     clr = lr / (1 + (t - 1) * lrDecay)
 *     sum = sum + g²
 *     p = p - clr * g / (sqrt(sum) + eps)
 */
export class Adagrad extends ArenaOptimizer {
  readonly lrDecay: number;
  readonly weightDecay: number;
  readonly eps: number;
  readonly initialAccumulatorValue: number;

  constructor(options?: AdagradOptions) {
    const o = withDefaults("Adagrad", options,
      { lr: 1e-2, lrDecay: 0, weightDecay: 0, eps: 1e-10, initialAccumulatorValue: 0 });
    const initial = checkNonNegative("Adagrad", "initialAccumulatorValue", o.initialAccumulatorValue);
    super("Adagrad", o.lr, ["sum"], initial);
    this.initialAccumulatorValue = initial;
    this.lrDecay = checkNonNegative("Adagrad", "lrDecay", o.lrDecay);
    this.weightDecay = checkNonNegative("Adagrad", "weightDecay", o.weightDecay);
    this.eps = checkPositive("Adagrad", "eps", o.eps);
  }

  get config(): OptimizerConfig {
    const { lrConfig: lr, lrDecay, weightDecay, eps, initialAccumulatorValue } = this;
    return { type: "Adagrad", lr, lrDecay, weightDecay, eps, initialAccumulatorValue };
  }

  protected update(arena: ParameterArena, [sum]: readonly number[], step: number, lr: number): void {
    core().adagradStep(arena.params.ptr, arena.grads.ptr, sum!, arena.size, lr, this.eps, this.weightDecay,
      this.lrDecay, step);
  }
}
