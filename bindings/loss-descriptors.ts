// Every loss in one table: the core kernel that computes it and its gradient, what its targets
// are, what a mean divides by, how accuracy is counted, what turns outputs into probabilities,
// and its parameters (checked, defaulted, saved with the model). `loss` options take a name or
// { name, ...params }; resolveLoss turns either into a Loss the rest of the library reads.
import { core, type CoreExports } from "./core.js";
import { checkChoice, checkPositive } from "./validate.js";

/** Parameters of each loss (an empty object: none). */
export interface LossParams {
  softmaxCrossEntropy: Record<never, never>;
  meanSquaredError: Record<never, never>;
  binaryCrossEntropyWithLogits: Record<never, never>;
  /** torch.nn.HuberLoss: quadratic within `delta` of the target, linear beyond. */
  huber: { delta: number };
}

export type LossName = keyof LossParams;

/** A loss with its parameters, e.g. { name: "huber", delta: 0.5 }; a parameter left out takes its default. */
export type LossConfig = { [K in LossName]: { name: K } & Partial<LossParams[K]> }[LossName];

/** What `loss` options take: a name (default parameters) or a LossConfig. */
export type LossSpec = LossName | LossConfig;

/**
 * What the targets are: class ids (i32, one per row), floats (one per output), or floats in
 * [0, 1] (probabilities, one per output).
 */
export type TargetKind = "classes" | "floats" | "unit";

/** The core's loss call with the parameters bound: predictions [M, N], targets, row weights [M] or 0, scale, gradient or 0. */
export type LossKernel = (pred: number, target: number, mask: number, M: number, N: number, scale: number, grad: number) => number;

/** A checker of one parameter value at `path` ("loss.delta") for the public function `where`. */
type ParamCheck = (where: string, path: string, value: unknown) => number;

/** One loss: everything the bindings need to know about it. */
interface LossDescriptor<P> {
  /** The core kernel for the parameters `params`. */
  kernel(c: CoreExports, params: P): LossKernel;
  target: TargetKind;
  /** "mean" divides the weighted sum by the masked rows or by the masked elements (rows times N), as PyTorch's mean. */
  divisor: "rows" | "elements";
  /** Accuracy: the argmax against the class id (one per row), each output against 0.5 (one per output), or none. */
  accuracy: "classes" | "binary" | null;
  /** The output activation giving probabilities (predict and step with { probabilities: true }), or null. */
  probabilities: "softmax" | "sigmoid" | null;
  /** Each parameter's default and checker, in the order they are saved. */
  params: { [K in keyof P]: { default: P[K]; check: ParamCheck } };
}

const DESCRIPTORS: { readonly [K in LossName]: LossDescriptor<LossParams[K]> } = {
  softmaxCrossEntropy: {
    kernel: (c) => c.softmaxCrossEntropy,
    target: "classes", divisor: "rows", accuracy: "classes", probabilities: "softmax", params: {},
  },
  meanSquaredError: {
    kernel: (c) => c.meanSquaredError,
    target: "floats", divisor: "elements", accuracy: null, probabilities: null, params: {},
  },
  binaryCrossEntropyWithLogits: {
    kernel: (c) => c.binaryCrossEntropyWithLogits,
    target: "unit", divisor: "elements", accuracy: "binary", probabilities: "sigmoid", params: {},
  },
  huber: {
    kernel: (c, { delta }) => (pred, target, mask, M, N, scale, grad) => c.huber(pred, target, mask, M, N, delta, scale, grad),
    target: "floats", divisor: "elements", accuracy: null, probabilities: null,
    params: { delta: { default: 1, check: (where, path, value) => checkPositive(where, path, value, "the loss and its gradient would be 0") } },
  },
};

export const LOSS_NAMES = Object.keys(DESCRIPTORS) as readonly LossName[];

/** A loss resolved from a name or a LossConfig: its descriptor and the values of all its parameters. */
export interface Loss extends Omit<LossDescriptor<unknown>, "kernel" | "params"> {
  readonly name: LossName;
  readonly params: Readonly<Record<string, number>>;
  /** The core kernel with the parameters bound. */
  kernel(): LossKernel;
}

/**
 * The loss `value` names (a loss name, or { name, ...params }) for the public function `where`,
 * `path` naming the option ("loss", "options.loss"): an unknown name, an unknown key or a bad
 * parameter value is an error naming `where` and the path.
 */
export function resolveLoss(where: string, path: string, value: unknown): Loss {
  const isConfig = value !== null && typeof value === "object" && !Array.isArray(value);
  const given = (isConfig ? value : {}) as Record<string, unknown>;
  const name = isConfig ? checkChoice(where, `${path}.name`, given.name, LOSS_NAMES) : checkChoice(where, path, value, LOSS_NAMES);
  const descriptor = DESCRIPTORS[name] as LossDescriptor<Record<string, number>>;
  const specs = Object.entries(descriptor.params);
  const unknown = Object.keys(given).find((k) => k !== "name" && !Object.hasOwn(descriptor.params, k));
  if (unknown !== undefined) {
    const takes = specs.length === 0 ? "no parameters" : `the parameters ${specs.map(([k]) => k).join(", ")}`;
    throw new TypeError(`${where}: ${path} has an unknown key "${unknown}"; ${name} takes ${takes}`);
  }
  const params: Record<string, number> = {};
  for (const [key, spec] of specs) params[key] = given[key] === undefined ? spec.default : spec.check(where, `${path}.${key}`, given[key]);
  const { kernel, params: _specs, ...fields } = descriptor;
  return { ...fields, name, params, kernel: () => kernel(core(), params) };
}

/** The output activation giving probabilities for loss `name` (what predict's { probabilities: true } applies), or null. */
export function probabilitiesOf(name: LossName): "softmax" | "sigmoid" | null {
  return DESCRIPTORS[name].probabilities;
}

/** What is saved for a loss: its name when it has no parameters, else { name, ...params } with every value. */
export function lossSpecOf(loss: Loss): LossSpec {
  return Object.keys(loss.params).length === 0 ? loss.name : { name: loss.name, ...loss.params } as LossConfig;
}

/** The loss as { name, ...params } with every parameter's value. */
export function lossConfigOf(loss: Loss): LossConfig {
  return { name: loss.name, ...loss.params } as LossConfig;
}
