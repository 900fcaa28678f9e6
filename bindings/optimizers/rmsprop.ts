// RMSprop (torch.optim.RMSprop, not centered).
import { core } from "../core.js";
import type { ParameterArena } from "../arena.js";
import { checkNumber } from "../validate.js";
import { ArenaOptimizer, checkNonNegative, checkPositive, withDefaults } from "./arena-optimizer.js";
import type { OptimizerConfig } from "./optimizer.js";
import type { LearningRateSchedule } from "./schedules.js";

/** Options of `RMSprop` (torch.optim.RMSprop, not centered). */
export interface RMSpropOptions {
  /** Learning rate, >= 0, or a schedule (exponentialDecay, ...); default 1e-2. */
  lr?: number | LearningRateSchedule;
  /** Decay of the squared-gradient average, in [0, 1]; default 0.99. */
  alpha?: number;
  /** Added to the denominator, > 0; default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient, >= 0; default 0. */
  weightDecay?: number;
  /** Momentum factor, >= 0; default 0. */
  momentum?: number;
}

/**
 * RMSprop (torch.optim.RMSprop, not centered). With sq the average of squared gradients and
 * buf the momentum buffer (both zero at first):
 *
 *     g = g + weightDecay * p
 *     sq = alpha * sq + (1 - alpha) * g²;   a = sqrt(sq) + eps
 *     momentum > 0:  buf = momentum * buf + g / a;  p = p - lr * buf
 *     otherwise:     p = p - lr * g / a
 */
export class RMSprop extends ArenaOptimizer {
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentum: number;

  constructor(options?: RMSpropOptions) {
    const o = withDefaults("RMSprop", options, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0 });
    const momentum = checkNonNegative("RMSprop", "momentum", o.momentum);
    super("RMSprop", o.lr, momentum > 0 ? ["square_avg", "momentum_buffer"] : ["square_avg"]);
    this.momentum = momentum;
    this.alpha = checkNumber("RMSprop", "alpha", o.alpha, 0, 1);
    this.eps = checkPositive("RMSprop", "eps", o.eps);
    this.weightDecay = checkNonNegative("RMSprop", "weightDecay", o.weightDecay);
  }

  get config(): OptimizerConfig {
    const { lrConfig: lr, alpha, eps, weightDecay, momentum } = this;
    return { type: "RMSprop", lr, alpha, eps, weightDecay, momentum };
  }

  protected update(arena: ParameterArena, [sq, buf = 0]: readonly number[], _step: number, lr: number): void {
    core().rmspropStep(arena.params.ptr, arena.grads.ptr, sq!, buf, arena.size, lr, this.alpha, this.eps,
      this.weightDecay, this.momentum);
  }
}
