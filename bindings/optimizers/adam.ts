// Adam and AdamW (torch.optim.Adam / AdamW): the same moments, two ways of applying weight decay.
import { core } from "../core.js";
import type { ParameterArena } from "../arena.js";
import { ArenaOptimizer, checkBeta, checkNonNegative, checkPositive, withDefaults } from "./arena-optimizer.js";
import type { OptimizerConfig } from "./optimizer.js";
import type { LearningRateSchedule } from "./schedules.js";

/** Options of `Adam` and `AdamW` (torch.optim.Adam / AdamW). */
export interface AdamOptions {
  /** Learning rate, >= 0, or a schedule (exponentialDecay, ...); default 1e-3. */
  lr?: number | LearningRateSchedule;
  /** Decay of the first-moment average, in [0, 1); default 0.9. */
  beta1?: number;
  /** Decay of the second-moment average, in [0, 1); default 0.999. */
  beta2?: number;
  /** Added to the denominator, > 0; default 1e-8. */
  eps?: number;
  /** >= 0; Adam adds it as an L2 penalty to the gradient (default 0), AdamW decays the weights (default 1e-2). */
  weightDecay?: number;
}

/** Adam and AdamW: the same moments and bias corrections, two ways of applying weight decay. */
abstract class AdamBase extends ArenaOptimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  protected constructor(name: "Adam" | "AdamW", options: AdamOptions | undefined) {
    const o = withDefaults(name, options,
      { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: name === "AdamW" ? 1e-2 : 0 });
    super(name, o.lr, ["exp_avg", "exp_avg_sq"]);
    this.beta1 = checkBeta(name, "beta1", o.beta1);
    this.beta2 = checkBeta(name, "beta2", o.beta2);
    this.eps = checkPositive(name, "eps", o.eps);
    this.weightDecay = checkNonNegative(name, "weightDecay", o.weightDecay);
  }

  get config(): OptimizerConfig {
    const { lrConfig: lr, beta1, beta2, eps, weightDecay } = this;
    return { type: this.name as "Adam" | "AdamW", lr, beta1, beta2, eps, weightDecay };
  }

  protected update(arena: ParameterArena, [m, v]: readonly number[], step: number, lr: number): void {
    core().adamStep(arena.params.ptr, arena.grads.ptr, m!, v!, arena.size, lr, this.beta1, this.beta2, this.eps,
      this.weightDecay, this.name === "AdamW" ? 1 : 0, step);
  }
}

/**
 * Adam (torch.optim.Adam), with weight decay as an L2 penalty on the gradient. With t the step
 * number (from 1) and m, v the moment averages (zero at first):
 *
 *     g = g + weightDecay * p
 *     m = beta1 * m + (1 - beta1) * g
 *     v = beta2 * v + (1 - beta2) * g²
 *     p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 */
export class Adam extends AdamBase {
  constructor(options?: AdamOptions) {
    super("Adam", options);
  }
}

/**
 * AdamW (torch.optim.AdamW): Adam with decoupled weight decay, which shrinks the weights
 * before the Adam update instead of adding to the gradient:
 *
 *     p = p * (1 - lr * weightDecay)
 *     m, v, p updated as in Adam with the raw gradient g
 */
export class AdamW extends AdamBase {
  constructor(options?: AdamOptions) {
    super("AdamW", options);
  }
}
