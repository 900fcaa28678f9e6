// Random arguments of a fixture model's methods: inputs, targets, masks, lengths and contexts
// shaped for it (most of the time) over T and N in [1, 3]. In calls with targets every dim is set by
// x, so a changed dim is marked invalid; each argument grows a dim by a different step so that two
// changed arguments never agree by chance.
import fc from "fast-check";
import { floatTensor, idTensor, lengths, markInvalid, unitTensor, junk, orJunk, size } from "./arbitraries.js";
import type { ModelSpec } from "./property-fixtures.js";

/** Steps and sequences of a batch. */
export interface Dims {
  T: number;
  N: number;
}

export const dims: fc.Arbitrary<Dims> = fc.record({ T: fc.integer({ min: 1, max: 3 }), N: fc.integer({ min: 1, max: 3 }) });

/** Batch sizes: small valid ones, else a bad or huge size. */
export const batchSize = size(fc.integer({ min: 1, max: 4 }));

/** How x may vary: `supervised` fixes T and N (targets follow them); `large` offers overflowing finite values. */
export interface InputRules {
  supervised: boolean;
  large: boolean;
}

/** x for the model: ids [T, N] or floats [T, N, inputSize]. */
export function input(spec: ModelSpec, { T, N }: Dims, rules: InputRules): fc.Arbitrary<unknown> {
  if (spec.vocab !== null) return idTensor([T, N], spec.vocab, { strict: true, fixed: rules.supervised ? [0, 1] : [] });
  return floatTensor([T, N, spec.inputSize], { fixed: rules.supervised ? [0, 1, 2] : [2], large: rules.large });
}

/** The targets' leading dims: [T, N] per step, [N] per sequence. */
function lead(spec: ModelSpec, { T, N }: Dims): number[] {
  return spec.sequenceOutput ? [T, N] : [N];
}

/** Every dim index of a shape of `rank`. */
function allDims(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => i);
}

/** Targets for the model's loss: class ids, floats, or probabilities in [0, 1]. */
export function target(spec: ModelSpec, d: Dims, large: boolean): fc.Arbitrary<unknown> {
  const shape = lead(spec, d);
  if (spec.loss === "softmaxCrossEntropy") return idTensor(shape, spec.outputSize, { strict: false, fixed: allDims(shape.length), growBy: 2 });
  const full = [...shape, spec.outputSize];
  if (spec.loss === "binaryCrossEntropyWithLogits") return floatTensor(full, { min: 0, max: 1, large: false, outside: [1.5, -0.5], fixed: allDims(full.length), growBy: 2 });
  return floatTensor(full, { fixed: allDims(full.length), growBy: 2, large });
}

/** Per-target weights with the targets' leading shape. */
export function mask(spec: ModelSpec, d: Dims): fc.Arbitrary<unknown> {
  const shape = lead(spec, d);
  return unitTensor(shape, { fixed: allDims(shape.length), growBy: 3 });
}

/** A context [N, contextSize] for a model that takes one; for any other, a context it must refuse. */
export function context(spec: ModelSpec, { N }: Dims): fc.Arbitrary<unknown> {
  if (spec.contextSize > 0) return floatTensor([N, spec.contextSize], { fixed: [0, 1], growBy: 4 });
  return floatTensor([N, 2], { large: false }).map((c) => (c !== null && typeof c === "object" ? markInvalid(c, "a context for a model built without contextSize") : c));
}

/** { lengths, context } options for the model, each key present or not. */
export function sequenceOptions(spec: ModelSpec, d: Dims): Record<string, fc.Arbitrary<unknown>> {
  return { lengths: lengths(d.N, d.T), context: context(spec, d) };
}

/** Why a call without a context must be refused: the model needs one. */
export function missingContext(spec: ModelSpec, options: unknown): string[] {
  const given = options !== null && typeof options === "object" && (options as { context?: unknown }).context !== undefined;
  return spec.contextSize > 0 && !given ? ["no context for a model built with contextSize"] : [];
}

/** Why a call without targets must be refused (issue 11, item 2). */
export function missingTargets(y: unknown, name = "y"): string[] {
  return y === undefined || y === null ? [`${name} is ${String(y)}: training or evaluating needs targets`] : [];
}

/** A callback for fit: a function, an async function that resolves, or junk. */
export const callback: fc.Arbitrary<unknown> = orJunk(fc.constantFrom<(() => unknown)[]>(() => () => {}, () => async () => {}).map((make) => make()));

/** An AbortSignal that is not aborted, or a look-alike that must be refused (issue 11, item 5). */
export const signal: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null).map(() => new AbortController().signal) },
  { weight: 1, arbitrary: fc.constantFrom<(() => object)[]>(() => ({ aborted: false }), () => ({ aborted: false, throwIfAborted() {} }), () => new EventTarget()).map((make) => markInvalid(make(), "not an AbortSignal")) },
  { weight: 1, arbitrary: junk },
);

/** fit's verbose: 0 (what a quiet test run can take), or a value that is none of 0, 1, 2. */
export const verbose: fc.Arbitrary<unknown> = fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(3, -1, 1.5, "2", null) });

/** fit's validationSplit: a fraction in (0, 1), its bounds, or junk. */
export const validationSplit: fc.Arbitrary<unknown> = orJunk(fc.oneof({ weight: 4, arbitrary: fc.double({ min: 0.05, max: 0.95, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(0, 1, -0.5, 1.5) }));

/** fit's callbacks: arrays of callback objects (empty hooks, async hooks), or what must be refused. */
export const callbacks: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<(() => unknown)[]>(() => [], () => [{}], () => [{ onEpochEnd: async () => {}, onBatchEnd: () => {} }]).map((make) => make()) },
  { weight: 1, arbitrary: fc.constantFrom<(() => object)[]>(() => [null], () => [{ onEpochEnd: 1 }], () => ({ onEpochEnd() {} })).map((make) => markInvalid(make(), "not an array of callback objects")) },
  { weight: 1, arbitrary: junk },
);
