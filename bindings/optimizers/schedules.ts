// Learning-rate schedules an optimizer takes as its `lr` (keras.optimizers.schedules): the rate
// of each step as a function of the optimizer's step count, evaluated before every step. A schedule
// is a plain, frozen JSON object ({ type, ...parameters }), so it is saved with the optimizer's
// config in a model file and rebuilt from there by `checkSchedule`.
import { checkBoolean, checkInt, checkNumber, checkOptionKeys, describe } from "../validate.js";
import { labelErrors } from "../errors.js";

/** lr = initialLr · decayRate^(step / decaySteps), the exponent floored with staircase (keras ExponentialDecay). */
export interface ExponentialDecay {
  readonly type: "exponentialDecay";
  readonly initialLr: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
}

/**
 * lr = initialLr · ((1 - alpha) · ½(1 + cos(π · min(step, decaySteps) / decaySteps)) + alpha)
 * (keras CosineDecay without its warmup: use `warmup`).
 */
export interface CosineDecay {
  readonly type: "cosineDecay";
  readonly initialLr: number;
  readonly decaySteps: number;
  readonly alpha: number;
}

/**
 * values[0] up to step boundaries[0], values[i] for boundaries[i-1] < step <= boundaries[i], the
 * last value after the last boundary (keras PiecewiseConstantDecay).
 */
export interface PiecewiseConstantDecay {
  readonly type: "piecewiseConstantDecay";
  readonly boundaries: readonly number[];
  readonly values: readonly number[];
}

/**
 * Linear warmup: initialLr + (target - initialLr) · step / steps for the first `steps` steps, where
 * target is `then` at its step 0; afterwards `then` at step - steps (as keras CosineDecay's warmup).
 */
export interface Warmup {
  readonly type: "warmup";
  readonly steps: number;
  readonly initialLr: number;
  readonly then: number | LearningRateSchedule;
}

/** A learning-rate schedule: what `exponentialDecay`, `cosineDecay`, `piecewiseConstantDecay` and `warmup` make. */
export type LearningRateSchedule = ExponentialDecay | CosineDecay | PiecewiseConstantDecay | Warmup;

/** The schedule types, as `type` names them. */
export const SCHEDULE_TYPES = ["exponentialDecay", "cosineDecay", "piecewiseConstantDecay", "warmup"] as const;

type Options<S> = { [K in Exclude<keyof S, "type">]?: S[K] };

/** A learning rate: a finite number >= 0. */
function checkRate(where: string, name: string, value: unknown): number {
  return checkNumber(where, name, value, 0);
}

/** The options object of a schedule factory, with only `keys`; `required` must be given. */
function checkOptions(where: string, options: unknown, keys: readonly string[], required: readonly string[]): Record<string, unknown> {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object { ${keys.join(", ")} }; got ${describe(options)}`);
  }
  checkOptionKeys(where, options, [...keys, "type"]);
  const o = options as Record<string, unknown>;
  if (o.type !== undefined && o.type !== where) throw new RangeError(`${where}: type must be "${where}" when given; got ${describe(o.type)}`);
  for (const name of required) if (o[name] === undefined) throw new TypeError(`${where}: ${name} is required`);
  return o;
}

/** keras.optimizers.schedules.ExponentialDecay; `staircase` defaults to false. */
export function exponentialDecay(options: Options<ExponentialDecay>): ExponentialDecay {
  const where = "exponentialDecay";
  const o = checkOptions(where, options, ["initialLr", "decaySteps", "decayRate", "staircase"], ["initialLr", "decaySteps", "decayRate"]);
  return Object.freeze({
    type: where,
    initialLr: checkRate(where, "initialLr", o.initialLr),
    decaySteps: checkInt(where, "decaySteps", o.decaySteps),
    decayRate: checkNumber(where, "decayRate", o.decayRate, 0),
    staircase: checkBoolean(where, "staircase", o.staircase ?? false),
  });
}

/** keras.optimizers.schedules.CosineDecay (no warmup); `alpha`, the final fraction of initialLr, defaults to 0. */
export function cosineDecay(options: Options<CosineDecay>): CosineDecay {
  const where = "cosineDecay";
  const o = checkOptions(where, options, ["initialLr", "decaySteps", "alpha"], ["initialLr", "decaySteps"]);
  return Object.freeze({
    type: where,
    initialLr: checkRate(where, "initialLr", o.initialLr),
    decaySteps: checkInt(where, "decaySteps", o.decaySteps),
    alpha: checkNumber(where, "alpha", o.alpha ?? 0, 0, 1),
  });
}

/** keras.optimizers.schedules.PiecewiseConstantDecay: increasing integer step `boundaries`, one more value than boundaries. */
export function piecewiseConstantDecay(options: Options<PiecewiseConstantDecay>): PiecewiseConstantDecay {
  const where = "piecewiseConstantDecay";
  const o = checkOptions(where, options, ["boundaries", "values"], ["boundaries", "values"]);
  if (!Array.isArray(o.boundaries)) throw new TypeError(`${where}: boundaries must be an array of integers; got ${describe(o.boundaries)}`);
  if (!Array.isArray(o.values)) throw new TypeError(`${where}: values must be an array of numbers; got ${describe(o.values)}`);
  const boundaries = o.boundaries.map((b: unknown, i) => checkInt(where, `boundaries[${i}]`, b, 0));
  boundaries.forEach((b, i) => {
    if (i > 0 && b <= boundaries[i - 1]!) throw new RangeError(`${where}: boundaries must increase; got ${boundaries[i - 1]} then ${b} at boundaries[${i}]`);
  });
  if (o.values.length !== boundaries.length + 1) {
    throw new RangeError(`${where}: values must hold one more value than boundaries (${boundaries.length + 1}); got ${o.values.length}`);
  }
  const values = o.values.map((v: unknown, i) => checkRate(where, `values[${i}]`, v));
  return Object.freeze({ type: where, boundaries: Object.freeze(boundaries), values: Object.freeze(values) });
}

/** Linear warmup over `steps` steps from `initialLr` (default 0) to `then` (a rate or a schedule, which starts after the warmup). */
export function warmup(options: Options<Warmup>): Warmup {
  const where = "warmup";
  const o = checkOptions(where, options, ["steps", "initialLr", "then"], ["steps", "then"]);
  return Object.freeze({
    type: where,
    steps: checkInt(where, "steps", o.steps),
    initialLr: checkRate(where, "initialLr", o.initialLr ?? 0),
    then: checkLearningRate(where, "then", o.then),
  });
}

const FACTORIES: Record<LearningRateSchedule["type"], (options: never) => LearningRateSchedule> = {
  exponentialDecay, cosineDecay, piecewiseConstantDecay, warmup,
};

/**
 * A learning rate as an optimizer or `warmup` takes it: a number >= 0, or a schedule (what a
 * factory made, or its JSON from a model file, checked again by its factory, whose errors are
 * labelled `where` and `name`: "Adam: lr.decaySteps must be ...").
 */
export function checkLearningRate(where: string, name: string, value: unknown): number | LearningRateSchedule {
  if (typeof value === "number") return checkRate(where, name, value);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${where}: ${name} must be a number >= 0 or a schedule such as exponentialDecay({ ... }); got ${describe(value)}`);
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string" || !(SCHEDULE_TYPES as readonly string[]).includes(type)) {
    throw new RangeError(`${where}: ${name}.type must be one of ${SCHEDULE_TYPES.join(", ")}; got ${describe(type)}`);
  }
  return labelErrors(where, () => FACTORIES[type as LearningRateSchedule["type"]](value as never), { path: name, keys: Object.keys(value) });
}

/** The rate of `lr` (a number or a schedule) for optimizer step `step` (0 for the first step). */
export function learningRateAt(lr: number | LearningRateSchedule, step: number): number {
  if (typeof lr === "number") return lr;
  switch (lr.type) {
    case "exponentialDecay": {
      const p = step / lr.decaySteps;
      return lr.initialLr * lr.decayRate ** (lr.staircase ? Math.floor(p) : p);
    }
    case "cosineDecay": {
      const cosine = 0.5 * (1 + Math.cos(Math.PI * Math.min(step, lr.decaySteps) / lr.decaySteps));
      return lr.initialLr * ((1 - lr.alpha) * cosine + lr.alpha);
    }
    case "piecewiseConstantDecay": {
      const i = lr.boundaries.findIndex((b) => step <= b);
      return lr.values[i === -1 ? lr.boundaries.length : i]!;
    }
    case "warmup": {
      if (step >= lr.steps) return learningRateAt(lr.then, step - lr.steps);
      return lr.initialLr + (learningRateAt(lr.then, 0) - lr.initialLr) * step / lr.steps;
    }
  }
}
