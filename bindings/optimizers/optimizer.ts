// The optimizer contract: what every optimizer does to a ParameterArena, its resumable state and its saved config.
import type { ParameterArena } from "../arena.js";
import type { SGDOptions } from "./sgd.js";
import type { AdamOptions } from "./adam.js";
import type { RMSpropOptions } from "./rmsprop.js";
import type { AdagradOptions } from "./adagrad.js";
import type { LearningRateSchedule } from "./schedules.js";

/** What every optimizer does to a ParameterArena after gradients were accumulated. */
export interface Optimizer {
  /** Applies one update to `arena`'s parameters from its gradients (bound to the first arena stepped). */
  step(arena: ParameterArena): void;
  /**
   * Binds the optimizer to `arena` and allocates its state now rather than at the first step (a
   * Model does this when it is built, so the state sits beside the parameters in wasm memory).
   */
  bind(arena: ParameterArena): void;
  /** Learning rate of the next step; settable unless it comes from a `schedule`. */
  lr: number;
  /** The learning-rate schedule the optimizer follows (built-in optimizers built with one), else null or absent. */
  readonly schedule?: LearningRateSchedule | null;
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

/** A serializable description of an optimizer: its type and every hyperparameter. */
export type OptimizerConfig =
  | ({ type: "SGD" } & Required<SGDOptions>)
  | ({ type: "Adam" } & Required<AdamOptions>)
  | ({ type: "AdamW" } & Required<AdamOptions>)
  | ({ type: "RMSprop" } & Required<RMSpropOptions>)
  | ({ type: "Adagrad" } & Required<AdagradOptions>);

/** The optimizer types `optimizerFromConfig` knows. */
export const OPTIMIZER_TYPES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"] as const;
