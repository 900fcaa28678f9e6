// Metrics a Model reports beside its loss, as Keras' `metrics`: accuracy, top-k accuracy, mean
// absolute and squared error, root mean squared error and perplexity. Each is a sum the core
// counts on a batch's outputs (assembly/metrics.ts) and a value made of the sums over an epoch's
// batches or a dataset: sum / weight, where weight counts the masked target rows.
import { core } from "./core.js";
import { accuracyOf, countCorrect, type Loss } from "./losses.js";
import { checkInt, describe } from "./validate.js";

/** The metrics by name, with Keras' short aliases. */
export const METRIC_NAMES = [
  "accuracy", "topKAccuracy", "meanAbsoluteError", "mae", "meanSquaredError", "mse", "rootMeanSquaredError", "rmse", "perplexity",
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** A metric: its name, or { name: "topKAccuracy", k } for the top k of the logits (default k: 5, as Keras). */
export type MetricSpec = MetricName | { name: "topKAccuracy"; k?: number };

/** A metric resolved for a model's loss and output width. */
export interface Metric {
  /** Its name in fit's logs (and "val" + Name for validation) and in evaluate's result: the name it was given. */
  readonly key: string;
  /**
   * The batch's sum over outputs [M, N] at `out` against the targets at `y`, rows weighted by `mask`
   * (0: all count), computed by one core call; absent for a metric made from the loss alone.
   */
  readonly count?: (out: number, y: number, mask: number, M: number, N: number) => number;
  /** The metric from the summed counts, the summed row weight, the output width N and the mean loss. */
  value(sum: number, weight: number, N: number, meanLoss: number): number;
}

/** What one kind of metric needs of the loss (null: fits) and how it counts. */
interface MetricKind {
  misfit(loss: Loss): string | null;
  make(loss: Loss, k: number): Omit<Metric, "key">;
}

const perRow = (sum: number, weight: number): number => (weight > 0 ? sum / weight : 0);
const perValue = (sum: number, weight: number, N: number): number => (weight > 0 ? sum / (weight * N) : 0);
const floatTargets = (loss: Loss): string | null => (loss.target === "floats" ? null : `compares outputs with float targets (meanSquaredError or huber); ${loss.name} ${loss.target === "classes" ? "takes class ids" : "outputs logits"}`);
const errors = (power: 1 | 2) => (out: number, y: number, mask: number, M: number, N: number): number => core().sumErrors(out, y, mask, M, N, power);

const MEAN_ABSOLUTE: MetricKind = { misfit: floatTargets, make: () => ({ count: errors(1), value: perValue }) };
const MEAN_SQUARED: MetricKind = { misfit: floatTargets, make: () => ({ count: errors(2), value: perValue }) };
const ROOT_MEAN_SQUARED: MetricKind = { misfit: floatTargets, make: () => ({ count: errors(2), value: (sum, weight, N) => Math.sqrt(perValue(sum, weight, N)) }) };

const KINDS: Record<MetricName, MetricKind> = {
  accuracy: {
    misfit: (loss) => (loss.accuracy !== null ? null : `needs a classification loss (softmaxCrossEntropy or binaryCrossEntropyWithLogits); got ${loss.name}`),
    make: (loss) => ({
      count: (out, y, mask, M, N) => countCorrect(loss, out, y, mask, M, N),
      value: (sum, weight, N) => accuracyOf(loss, sum, weight, N)!,
    }),
  },
  topKAccuracy: {
    misfit: (loss) => (loss.target === "classes" ? null : `needs class-id targets (softmaxCrossEntropy); got ${loss.name}`),
    make: (_loss, k) => ({ count: (out, y, mask, M, N) => core().countInTopK(out, y, mask, M, N, k), value: perRow }),
  },
  meanAbsoluteError: MEAN_ABSOLUTE,
  mae: MEAN_ABSOLUTE,
  meanSquaredError: MEAN_SQUARED,
  mse: MEAN_SQUARED,
  rootMeanSquaredError: ROOT_MEAN_SQUARED,
  rmse: ROOT_MEAN_SQUARED,
  perplexity: {
    misfit: (loss) => (loss.name === "softmaxCrossEntropy" ? null : `is exp(softmaxCrossEntropy); got ${loss.name}`),
    make: () => ({ value: (_sum, _weight, _N, meanLoss) => Math.exp(meanLoss) }),
  },
};

/** The name and k of one entry of `metrics`, checked. */
function checkSpec(where: string, path: string, spec: unknown, outputSize: number): { name: MetricName; k: number } {
  const isName = (value: unknown): value is MetricName => typeof value === "string" && (METRIC_NAMES as readonly string[]).includes(value);
  if (isName(spec)) return { name: spec, k: 5 };
  if (spec !== null && typeof spec === "object" && !Array.isArray(spec) && (spec as { name?: unknown }).name === "topKAccuracy") {
    const extra = Object.keys(spec).find((key) => key !== "name" && key !== "k");
    if (extra !== undefined) throw new RangeError(`${where}: ${path} has an unknown key "${extra}"; expected name, k`);
    const k = checkInt(where, `${path}.k`, (spec as { k?: unknown }).k ?? 5);
    if (k > outputSize) throw new RangeError(`${where}: ${path}.k must be at most the ${outputSize} classes; got ${k}`);
    return { name: "topKAccuracy", k };
  }
  throw new TypeError(`${where}: ${path} must be one of ${METRIC_NAMES.map((n) => `"${n}"`).join(", ")} or { name: "topKAccuracy", k }; got ${describe(spec)}`);
}

/**
 * The metrics of a model with `loss`: accuracy first for a classification loss (always reported,
 * as before `metrics` existed), then those of `specs` in order. A metric that does not fit the loss,
 * or one named twice, is an error naming it.
 */
export function resolveMetrics(where: string, loss: Loss, specs: unknown, outputSize: number): Metric[] {
  if (specs !== undefined && !Array.isArray(specs)) throw new TypeError(`${where}: metrics must be an array of metric names; got ${describe(specs)}`);
  const metrics: Metric[] = loss.accuracy === null ? [] : [{ key: "accuracy", ...KINDS.accuracy.make(loss, 0) }];
  const given = new Set<string>();
  ((specs ?? []) as unknown[]).forEach((spec, i) => {
    const { name, k } = checkSpec(where, `metrics[${i}]`, spec, outputSize);
    if (given.has(name)) throw new RangeError(`${where}: metrics[${i}]: "${name}" is listed twice`);
    given.add(name);
    const misfit = KINDS[name].misfit(loss);
    if (misfit !== null) throw new RangeError(`${where}: metrics[${i}]: ${name} ${misfit}`);
    if (name !== "accuracy") metrics.push({ key: name, ...KINDS[name].make(loss, k) });
  });
  return metrics;
}

/** The log name of a metric on validation data: "val" + its key capitalised (valAccuracy, valMae). */
export function validationKey(key: string): string {
  return `val${key[0]!.toUpperCase()}${key.slice(1)}`;
}

/** What a batch (or a chunk of one) adds to its metrics: one count per metric and the row weight. */
export interface MetricCounts {
  counts: number[];
  weight: number;
}

/** The counts of every metric on outputs [M, N] at `out` against targets `y` with row weights `mask`, counted by the core. */
export function countMetrics(metrics: readonly Metric[], out: number, y: number, mask: number, M: number, N: number): MetricCounts {
  return { counts: metrics.map((m) => m.count?.(out, y, mask, M, N) ?? 0), weight: core().maskWeight(mask, M) };
}

/** `into` += `add`, count by count. */
export function addCounts(into: MetricCounts, add: MetricCounts): void {
  add.counts.forEach((c, i) => {
    into.counts[i]! += c;
  });
  into.weight += add.weight;
}

/** No counts yet. */
export function noCounts(metrics: readonly Metric[]): MetricCounts {
  return { counts: metrics.map(() => 0), weight: 0 };
}

/** Each metric's value from summed counts, written into `logs` under its key. */
export function writeMetrics(logs: Record<string, number | undefined>, metrics: readonly Metric[], sums: MetricCounts, N: number, meanLoss: number): void {
  metrics.forEach((m, i) => {
    logs[m.key] = m.value(sums.counts[i]!, sums.weight, N, meanLoss);
  });
}
