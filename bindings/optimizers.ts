// Optimizers: update a ParameterArena in place from its accumulated gradients with one fused
// wasm pass over the whole parameter block per step, following torch.optim's formulas.
import { core } from "./core.js";
import { WasmArray } from "./buffer.js";
import type { ParameterArena } from "./arena.js";
import { checkArena } from "./clip.js";
import { checkBoolean, checkChoice, checkNumber, checkOptionKeys, describe } from "./validate.js";
import { checkNotOwned, guardDisposal, isDisposed, markDisposed } from "./disposal.js";
import { labelErrors } from "./errors.js";

/** What every optimizer does to a ParameterArena after gradients were accumulated. */
export interface Optimizer {
  /** Applies one update to `arena`'s parameters from its gradients (bound to the first arena stepped). */
  step(arena: ParameterArena): void;
  /**
   * Binds the optimizer to `arena` and allocates its state now rather than at the first step (a
   * Model does this when it is built, so the state sits beside the parameters in wasm memory).
   */
  bind(arena: ParameterArena): void;
  /** Learning rate, mutable for schedules. */
  lr: number;
  /** Everything needed to rebuild this optimizer with `optimizerFromConfig` (current `lr`). */
  readonly config: OptimizerConfig;
  /** Number of steps taken. */
  readonly iterations: number;
  /** Names of the state buffers, as torch.optim's per-parameter state keys (Adam: exp_avg, exp_avg_sq). */
  readonly stateNames: readonly string[];
  /** A copy of the step count and every state buffer (in the bound arena's layout), to save and resume training. */
  exportState(): OptimizerState;
  /** The first NaN or infinite value in the state buffers (scanned in the core), or null when all are finite. */
  findNonFiniteState(): { name: string; index: number } | null;
  /** Restores what `exportState` gave (same state names, buffers of the bound arena's size); binds first. */
  importState(state: OptimizerState): void;
  /** Frees the optimizer state (moment buffers); every other method then throws. */
  dispose(): void;
}

/** An optimizer's resumable state: steps taken and each state buffer by name, laid out as the arena's blocks. */
export interface OptimizerState {
  iterations: number;
  buffers: Record<string, Float32Array>;
}

/** Options of `SGD` (torch.optim.SGD). */
export interface SGDOptions {
  /** Learning rate, >= 0; default 0.01. */
  lr?: number;
  /** Momentum factor, >= 0; default 0 (plain SGD). */
  momentum?: number;
  /** Dampening of the momentum, in [0, 1]; default 0. */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0); default false. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient, >= 0; default 0. */
  weightDecay?: number;
}

/** Options of `Adam` and `AdamW` (torch.optim.Adam / AdamW). */
export interface AdamOptions {
  /** Learning rate, >= 0; default 1e-3. */
  lr?: number;
  /** Decay of the first-moment average, in [0, 1); default 0.9. */
  beta1?: number;
  /** Decay of the second-moment average, in [0, 1); default 0.999. */
  beta2?: number;
  /** Added to the denominator, > 0; default 1e-8. */
  eps?: number;
  /** >= 0; Adam adds it as an L2 penalty to the gradient (default 0), AdamW decays the weights (default 1e-2). */
  weightDecay?: number;
}

/** Options of `RMSprop` (torch.optim.RMSprop, not centered). */
export interface RMSpropOptions {
  /** Learning rate, >= 0; default 1e-2. */
  lr?: number;
  /** Decay of the squared-gradient average, in [0, 1]; default 0.99. */
  alpha?: number;
  /** Added to the denominator, > 0; default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient, >= 0; default 0. */
  weightDecay?: number;
  /** Momentum factor, >= 0; default 0. */
  momentum?: number;
}

/** Options of `Adagrad` (torch.optim.Adagrad). */
export interface AdagradOptions {
  /** Learning rate, >= 0; default 1e-2. */
  lr?: number;
  /** Learning-rate decay per step, >= 0; default 0. */
  lrDecay?: number;
  /** L2 penalty added to the gradient, >= 0; default 0. */
  weightDecay?: number;
  /** Added to the denominator, > 0; default 1e-10. */
  eps?: number;
  /** Starting value of the squared-gradient sums, >= 0; default 0. */
  initialAccumulatorValue?: number;
}

/** A serializable description of an optimizer: its type and every hyperparameter. */
export type OptimizerConfig =
  | ({ type: "SGD" } & Required<SGDOptions>)
  | ({ type: "Adam" } & Required<AdamOptions>)
  | ({ type: "AdamW" } & Required<AdamOptions>)
  | ({ type: "RMSprop" } & Required<RMSpropOptions>)
  | ({ type: "Adagrad" } & Required<AdagradOptions>);

/** The optimizer types `optimizerFromConfig` knows. */
export const OPTIMIZER_TYPES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"] as const;

/** Defaults merged with the given options (undefined values keep the default); unknown keys throw. */
function withDefaults<T extends object>(where: string, options: T | undefined, defaults: Required<T>): Required<T> {
  checkOptionKeys(where, options, Object.keys(defaults));
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(options ?? {})) if (value !== undefined) merged[key] = value;
  return merged as Required<T>;
}

/** A finite number >= 0. */
function checkNonNegative(where: string, name: string, value: unknown): number {
  return checkNumber(where, name, value, 0);
}

/** A finite number > 0. */
function checkPositive(where: string, name: string, value: unknown): number {
  checkNumber(where, name, value, 0);
  if (value === 0) throw new RangeError(`${where}: ${name} must be > 0; got 0`);
  return value as number;
}

/** A number in [0, 1). */
function checkBeta(where: string, name: string, value: unknown): number {
  checkNumber(where, name, value, 0, 1);
  if (value === 1) throw new RangeError(`${where}: ${name} must be in [0, 1); got 1`);
  return value as number;
}

/**
 * What every optimizer shares: the learning rate, the step count, binding to one arena, and one
 * state buffer of `arena.size` floats per name in `stateNames`, filled with `stateFill`, allocated
 * when bound.
 */
abstract class ArenaOptimizer implements Optimizer {
  #lr: number;
  #iterations = 0;
  #arena: ParameterArena | null = null;
  #state: WasmArray[] = [];

  protected constructor(protected readonly name: string, lr: number, readonly stateNames: readonly string[],
    private readonly stateFill = 0) {
    this.#lr = checkNonNegative(name, "lr", lr);
    guardDisposal(this, ArenaOptimizer, "optimizer");
  }

  /** Learning rate used by the next step; set it between steps for a schedule (>= 0). */
  get lr(): number {
    return this.#lr;
  }

  set lr(value: number) {
    this.#lr = checkNonNegative(this.name, "lr", value);
  }

  /** Number of steps taken. */
  get iterations(): number {
    return this.#iterations;
  }

  /** Type and hyperparameters (with the current lr), for `optimizerFromConfig`. */
  abstract get config(): OptimizerConfig;

  /** Runs the update kernel for step number `step` (from 1) with the state buffers' pointers. */
  protected abstract update(arena: ParameterArena, state: readonly number[], step: number): void;

  /**
   * Updates `arena`'s parameters in place from its gradients. The first call binds the optimizer
   * to `arena` and allocates its state; stepping another arena afterwards throws.
   */
  step(arena: ParameterArena): void {
    const where = `${this.name}.step`;
    this.bindTo(where, arena);
    this.#iterations++;
    this.update(arena, this.#state.map((s) => s.ptr), this.#iterations);
  }

  bind(arena: ParameterArena): void {
    this.bindTo(`${this.name}.bind`, arena);
  }

  private bindTo(where: string, arena: ParameterArena): void {
    checkArena(where, arena);
    if (this.#arena === null) {
      this.#state = this.stateNames.map(() => new WasmArray(arena.size).fill(this.stateFill));
      this.#arena = arena;
    } else if (arena !== this.#arena) {
      throw new Error(`${where}: this optimizer is bound to the ParameterArena it first stepped; create one optimizer per arena`);
    }
  }

  exportState(): OptimizerState {
    if (this.#arena === null) throw new Error(`${this.name}.exportState: bind the optimizer to an arena first`);
    const buffers: Record<string, Float32Array> = {};
    this.stateNames.forEach((n, i) => { buffers[n] = this.#state[i]!.f32().slice(); });
    return { iterations: this.#iterations, buffers };
  }

  findNonFiniteState(): { name: string; index: number } | null {
    for (let i = 0; i < this.#state.length; i++) {
      const index = core().findNonFinite(this.#state[i]!.ptr, this.#state[i]!.length);
      if (index >= 0) return { name: this.stateNames[i]!, index };
    }
    return null;
  }

  importState(state: OptimizerState): void {
    const where = `${this.name}.importState`;
    if (this.#arena === null) throw new Error(`${where}: bind the optimizer to an arena first`);
    const size = this.#arena.size;
    if (state === null || typeof state !== "object") throw new TypeError(`${where}: state must be an object { iterations, buffers }; got ${describe(state)}`);
    if (state.buffers === null || typeof state.buffers !== "object") throw new TypeError(`${where}: state.buffers must be an object of Float32Arrays by name; got ${describe(state.buffers)}`);
    const names = Object.keys(state.buffers);
    if (names.length !== this.stateNames.length || this.stateNames.some((n) => !(state.buffers[n] instanceof Float32Array))) {
      throw new RangeError(`${where}: state.buffers must hold Float32Arrays named ${JSON.stringify(this.stateNames)}; got ${JSON.stringify(names)}`);
    }
    for (const n of this.stateNames) {
      const buffer = state.buffers[n]!;
      if (buffer.length !== size) throw new RangeError(`${where}: state buffer "${n}" must hold ${size} floats; got ${buffer.length}`);
      const bad = buffer.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new RangeError(`${where}: state buffer "${n}" must be finite; got ${buffer[bad]} at index ${bad}`);
    }
    if (!Number.isInteger(state.iterations) || state.iterations < 0) throw new RangeError(`${where}: state.iterations must be an integer >= 0; got ${describe(state.iterations)}`);
    this.stateNames.forEach((n, i) => this.#state[i]!.f32().set(state.buffers[n]!));
    this.#iterations = state.iterations;
  }

  /**
   * Frees the state buffers; every other method and accessor then throws (a second dispose does
   * nothing). The optimizer of a Model or Seq2Seq is disposed with it and cannot be disposed alone.
   */
  dispose(): void {
    if (isDisposed(this)) return;
    checkNotOwned(this, "optimizer");
    for (const s of this.#state) s.free();
    this.#state = [];
    this.#arena = null;
    markDisposed(this);
  }
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
    const { lr, momentum, dampening, nesterov, weightDecay } = this;
    return { type: "SGD", lr, momentum, dampening, nesterov, weightDecay };
  }

  protected update(arena: ParameterArena, [buf = 0]: readonly number[], step: number): void {
    core().sgdStep(arena.params.ptr, arena.grads.ptr, buf, arena.size, this.lr, this.momentum, this.dampening,
      this.nesterov ? 1 : 0, this.weightDecay, step === 1 ? 1 : 0);
  }
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
    const { lr, beta1, beta2, eps, weightDecay } = this;
    return { type: this.name as "Adam" | "AdamW", lr, beta1, beta2, eps, weightDecay };
  }

  protected update(arena: ParameterArena, [m, v]: readonly number[], step: number): void {
    core().adamStep(arena.params.ptr, arena.grads.ptr, m!, v!, arena.size, this.lr, this.beta1, this.beta2, this.eps,
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
    const { lr, alpha, eps, weightDecay, momentum } = this;
    return { type: "RMSprop", lr, alpha, eps, weightDecay, momentum };
  }

  protected update(arena: ParameterArena, [sq, buf = 0]: readonly number[]): void {
    core().rmspropStep(arena.params.ptr, arena.grads.ptr, sq!, buf, arena.size, this.lr, this.alpha, this.eps,
      this.weightDecay, this.momentum);
  }
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
    const { lr, lrDecay, weightDecay, eps, initialAccumulatorValue } = this;
    return { type: "Adagrad", lr, lrDecay, weightDecay, eps, initialAccumulatorValue };
  }

  protected update(arena: ParameterArena, [sum]: readonly number[], step: number): void {
    core().adagradStep(arena.params.ptr, arena.grads.ptr, sum!, arena.size, this.lr, this.eps, this.weightDecay,
      this.lrDecay, step);
  }
}

const BUILDERS: Record<OptimizerConfig["type"], (options: object) => Optimizer> = {
  SGD: (o) => new SGD(o as SGDOptions),
  Adam: (o) => new Adam(o as AdamOptions),
  AdamW: (o) => new AdamW(o as AdamOptions),
  RMSprop: (o) => new RMSprop(o as RMSpropOptions),
  Adagrad: (o) => new Adagrad(o as AdagradOptions),
};

/**
 * `optimizerFromConfig` on behalf of the public function `where`, for a config found at `path` of
 * its input: errors name `where` and the hyperparameter ("Model.load: optimizer.config.lr must be ...").
 */
export function optimizerFromConfigAt(where: string, path: string, config: unknown): Optimizer {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new TypeError(`${where}: ${path} must be an object { type, ...hyperparameters }; got ${describe(config)}`);
  }
  const { type, ...options } = config as Record<string, unknown>;
  const build = BUILDERS[checkChoice(where, `${path}.type`, type, OPTIMIZER_TYPES)];
  return labelErrors(where, () => build(options), { path, keys: Object.keys(options) });
}

/**
 * A fresh optimizer (no state, zero iterations) from a `config`, as saved with a model.
 * Missing hyperparameters take their defaults; unknown ones throw.
 */
export function optimizerFromConfig(config: OptimizerConfig): Optimizer {
  return optimizerFromConfigAt("optimizerFromConfig", "config", config);
}

/** Throws unless `value` is a live optimizer (what the Optimizer interface asks for), e.g. the `optimizer` option of a Model. */
export function checkOptimizer(where: string, name: string, value: unknown): Optimizer {
  const methods = ["step", "bind", "exportState", "importState", "dispose"] as const;
  if (value === null || typeof value !== "object" || methods.some((m) => typeof (value as Record<string, unknown>)[m] !== "function")) {
    throw new TypeError(`${where}: ${name} must be an optimizer such as new Adam(); got ${describe(value)}`);
  }
  if (isDisposed(value)) throw new Error(`${where}: ${name} has been disposed`);
  return value as Optimizer;
}
