// Optimizers: update a ParameterArena in place from its accumulated gradients with one fused
// wasm pass over the whole parameter block per step, following torch.optim's formulas. One file per
// family under optimizers/; this module re-exports them and builds optimizers from saved configs.
import { checkChoice, describe } from "./validate.js";
import { isDisposed } from "./disposal.js";
import { labelErrors } from "./errors.js";
import { OPTIMIZER_TYPES, type Optimizer, type OptimizerConfig } from "./optimizers/optimizer.js";
import { SGD, type SGDOptions } from "./optimizers/sgd.js";
import { Adam, AdamW, type AdamOptions } from "./optimizers/adam.js";
import { RMSprop, type RMSpropOptions } from "./optimizers/rmsprop.js";
import { Adagrad, type AdagradOptions } from "./optimizers/adagrad.js";

export { OPTIMIZER_TYPES, SGD, Adam, AdamW, RMSprop, Adagrad };
export type { Optimizer, OptimizerConfig, OptimizerState } from "./optimizers/optimizer.js";
export type { SGDOptions, AdamOptions, RMSpropOptions, AdagradOptions };

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
