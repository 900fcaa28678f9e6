// Rows of the property-based suite for the learning-rate schedules (exponentialDecay, cosineDecay,
// piecewiseConstantDecay, warmup, and a schedule given to an optimizer) and the built-in fit
// callbacks' factories (earlyStopping, modelCheckpoint, reduceLROnPlateau, learningRateScheduler).
import fc from "fast-check";
import {
  Adam, exponentialDecay, cosineDecay, piecewiseConstantDecay, warmup, learningRateAt,
  earlyStopping, modelCheckpoint, reduceLROnPlateau, learningRateScheduler,
} from "../../bindings/index.js";
import { options, orJunk, size, junk } from "./arbitraries.js";
import { row, disposing, type Row } from "./entry.js";

const MAX_F32 = 3.4028234663852886e38;
/** A rate: a number in [0, 1] mostly, else negative, non-finite or beyond float32. */
const rate = fc.oneof({ weight: 6, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(-1, NaN, Infinity, 1e39) });
const steps = size(fc.integer({ min: 1, max: 1000 }));
const count = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 20 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, NaN) });

/** Why option `key` = `value` must be refused by its rule, or nothing. */
type Rules = Record<string, (value: unknown) => boolean>;
const isRate = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= MAX_F32;
const isCount = (min: number) => (v: unknown): boolean => typeof v === "number" && Number.isInteger(v) && v >= min;

/** The options of `value` (when an object) that break their rule (null, like undefined, takes the default). */
function broken(value: unknown, rules: Rules): string[] {
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).filter(([k, v]) => v !== undefined && v !== null && k in rules && !rules[k]!(v)).map(([k, v]) => `${k} ${String(v)}`);
}

/** A row for a schedule factory: the schedule's value at a few steps must be finite. */
function scheduleRow(where: string, make: (o: never) => Parameters<typeof learningRateAt>[0], known: Record<string, fc.Arbitrary<unknown>>, required: string[], rules: Rules): Row {
  return row({
    where,
    args: options(known, required),
    call: (o) => [0, 1, 17, 5000].map((s) => learningRateAt(make(o as never), s)),
    mustReject: (o) => broken(o, rules),
  });
}

const SCHEDULES: readonly Row[] = [
  scheduleRow("exponentialDecay", exponentialDecay, { initialLr: rate, decaySteps: steps, decayRate: rate, staircase: fc.boolean() }, ["initialLr", "decaySteps", "decayRate"],
    { initialLr: isRate, decaySteps: isCount(1), decayRate: isRate }),
  scheduleRow("cosineDecay", cosineDecay, { initialLr: rate, decaySteps: steps, alpha: rate }, ["initialLr", "decaySteps"],
    { initialLr: isRate, decaySteps: isCount(1), alpha: (v) => isRate(v) && (v as number) <= 1 }),
  scheduleRow("piecewiseConstantDecay", piecewiseConstantDecay,
    { boundaries: fc.array(orJunk(fc.integer({ min: -1, max: 40 })), { maxLength: 4 }), values: fc.array(orJunk(rate), { maxLength: 5 }) }, ["boundaries", "values"], {}),
  scheduleRow("warmup", warmup, { steps, initialLr: rate, then: fc.oneof(rate, fc.constant(null).map(() => cosineDecay({ initialLr: 0.1, decaySteps: 10 })), junk) }, ["steps", "then"],
    { steps: isCount(1), initialLr: isRate }),
];

/** An optimizer given a schedule object, possibly one written by hand with bad values (as a model file may hold). */
const scheduledOptimizer = row({
  where: "Adam",
  variant: "lr a schedule",
  args: fc.record({ lr: orJunk(fc.record({ type: fc.constantFrom("exponentialDecay", "cosineDecay", "warmup", "linear"), initialLr: rate, decaySteps: steps, decayRate: rate, steps, then: rate })) }),
  call: (o) => disposing(new Adam(o as never), (optimizer) => optimizer.lr),
});

const monitor = orJunk(fc.constantFrom("loss", "valLoss", "accuracy", ""));
const mode = orJunk(fc.constantFrom("auto", "min", "max", "best"));

const CALLBACKS: readonly Row[] = [
  row({
    where: "earlyStopping",
    args: options({ monitor, mode, patience: count, minDelta: rate, restoreBestWeights: fc.boolean() }),
    call: (o) => typeof earlyStopping(o as never).onEpochEnd === "function" ? 1 : 0,
    mustReject: (o) => broken(o, { patience: isCount(0), minDelta: isRate }),
  }),
  row({
    where: "reduceLROnPlateau",
    args: options({ monitor, mode, factor: rate, patience: count, minDelta: rate, minLr: rate, cooldown: count }),
    call: (o) => typeof reduceLROnPlateau(o as never).onEpochEnd === "function" ? 1 : 0,
    mustReject: (o) => broken(o, { factor: (v) => isRate(v) && (v as number) > 0 && (v as number) < 1, patience: isCount(0), minDelta: isRate, minLr: isRate, cooldown: isCount(0) }),
  }),
  row({
    where: "modelCheckpoint",
    args: options({ save: orJunk(fc.constant(null).map(() => () => {})), monitor, mode, saveBestOnly: fc.boolean() }, ["save"]),
    call: (o) => typeof modelCheckpoint(o as never).onEpochEnd === "function" ? 1 : 0,
  }),
  row({
    where: "learningRateScheduler",
    args: orJunk(fc.constant(null).map(() => (_epoch: number, lr: number) => lr)),
    call: (f) => typeof learningRateScheduler(f as never).onEpochBegin === "function" ? 1 : 0,
  }),
];

export const SCHEDULE_ROWS: readonly Row[] = [...SCHEDULES, scheduledOptimizer, ...CALLBACKS];
