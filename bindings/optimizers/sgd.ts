// SGD with momentum, dampening, Nesterov momentum and L2 weight decay (torch.optim.SGD).
import { core } from "../core.js";
import type { ParameterArena } from "../arena.js";
import { checkBoolean, checkNumber } from "../validate.js";
import { ArenaOptimizer, checkNonNegative, withDefaults } from "./arena-optimizer.js";
import type { OptimizerConfig } from "./optimizer.js";
import type { LearningRateSchedule } from "./schedules.js";

/** Options of `SGD` (torch.optim.SGD). */
export interface SGDOptions {
  /** Learning rate, >= 0, or a schedule (exponentialDecay, ...); default 0.01. */
  lr?: number | LearningRateSchedule;
  /** Momentum factor, >= 0; default 0 (plain SGD). */
  momentum?: number;
  /** Dampening of the momentum, in [0, 1]; default 0. */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0); default false. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient, >= 0; default 0. */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2
 * weight decay (torch.optim.SGD). With g the gradient and buf the momentum buffer:
 *
 *     g = g + weightDecay * p
 *     buf = g  (first step),  else  buf = momentum * buf + (1 - dampening) * g   (if momentum != 0)
 *     g = nesterov ? g + momentum * buf : buf                                    (if momentum != 0)
 *     p = p - lr * g
 */
export class SGD extends ArenaOptimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(options?: SGDOptions) {
    const o = withDefaults("SGD", options, { lr: 0.01, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
    const momentum = checkNonNegative("SGD", "momentum", o.momentum);
    super("SGD", o.lr, momentum !== 0 ? ["momentum_buffer"] : []);
    this.momentum = momentum;
    this.dampening = checkNumber("SGD", "dampening", o.dampening, 0, 1);
    this.nesterov = checkBoolean("SGD", "nesterov", o.nesterov);
    this.weightDecay = checkNonNegative("SGD", "weightDecay", o.weightDecay);
    if (this.nesterov && (this.momentum === 0 || this.dampening !== 0)) {
      throw new RangeError(`SGD: nesterov momentum requires momentum > 0 and dampening 0; got momentum ${this.momentum}, dampening ${this.dampening}`);
    }
  }

  get config(): OptimizerConfig {
    const { lrConfig: lr, momentum, dampening, nesterov, weightDecay } = this;
    return { type: "SGD", lr, momentum, dampening, nesterov, weightDecay };
  }

  protected update(arena: ParameterArena, [buf = 0]: readonly number[], step: number, lr: number): void {
    core().sgdStep(arena.params.ptr, arena.grads.ptr, buf, arena.size, lr, this.momentum, this.dampening,
      this.nesterov ? 1 : 0, this.weightDecay, step === 1 ? 1 : 0);
  }
}
