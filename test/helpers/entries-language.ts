// Rows of the property-based suite for the language-model and sampling helpers: sampleToken,
// generate, sequenceLogProbability, perplexity, nextTokenDistribution and nextTokenBatch, given the
// language fixture (or now and then another model or junk as the model).
import fc from "fast-check";
import { sampleToken, generate, sequenceLogProbability, perplexity, nextTokenDistribution, nextTokenBatch, Rng } from "../../bindings/index.js";
import { floatTensor, options, seed, size, junk, orJunk } from "./arbitraries.js";
import { row, type Row } from "./entry.js";
import { MODEL_SPECS, modelOf, watchModel, type ModelSpec } from "./property-fixtures.js";

const LANGUAGE = MODEL_SPECS.find((s) => s.name === "language")!;
const V = LANGUAGE.vocab!;

/** A model argument: the fixture it is (null for junk), and the value to pass. */
interface ModelArgument {
  spec: ModelSpec | null;
  value: () => unknown;
}

/** The model argument: the language fixture mostly, else another fixture (not a token model) or junk. */
const model = fc.oneof(
  { weight: 6, arbitrary: fc.constant<ModelSpec | null>(LANGUAGE) },
  { weight: 1, arbitrary: fc.constantFrom<ModelSpec | null>(...MODEL_SPECS.filter((s) => s !== LANGUAGE)) },
  { weight: 1, arbitrary: fc.constant<ModelSpec | null>(null) },
).chain((spec): fc.Arbitrary<ModelArgument> => (spec === null ? junk.map((j) => ({ spec, value: () => j })) : fc.constant({ spec, value: () => modelOf(spec) })));

/** Ids in [0, V) (number[] or Int32Array), now and then with one out of range or fractional. */
const ids = fc.tuple(fc.array(fc.integer({ min: 0, max: V - 1 }), { minLength: 0, maxLength: 4 }), fc.option(fc.constantFrom(-1, V, 2.5, NaN)), fc.boolean())
  .map(([v, bad, typed]) => {
    const all = bad === null ? v : [...v, bad];
    return typed && bad === null ? Int32Array.from(all) : all;
  });
const id = orJunk(fc.integer({ min: -1, max: V }));
const optionalId = fc.oneof(id, fc.constant(null));
const samplingOptions = {
  temperature: fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.constantFrom(-1, NaN, Infinity)),
  topK: size(fc.integer({ min: 1, max: V }), [V + 1, 2 ** 31]),
  topP: fc.oneof(fc.double({ min: 0.01, max: 1, noNaN: true }), fc.constantFrom(0, 1.5, NaN)),
  avoid: orJunk(fc.array(id, { maxLength: 2 })),
};

/** Why sampling options must be refused: topK larger than the vocabulary (issue 11 item 4). */
function topKReasons(o: unknown, vocab: number): string[] {
  const k = o !== null && typeof o === "object" ? (o as { topK?: unknown }).topK : undefined;
  return typeof k === "number" && k > vocab ? [`topK ${k} larger than the ${vocab} ids`] : [];
}

/** A probability vector over V ids (normalised), or a bad one (negative, NaN, not summing to 1, empty, junk). */
const probabilities = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: V, maxLength: V }).map((p) => { const s = p.reduce((a, b) => a + b, 0); return Float32Array.from(p, (v) => v / s); }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(0.5, -0.1, NaN, Infinity, 0), { minLength: 1, maxLength: V }) },
  { weight: 1, arbitrary: junk },
);

/** A uniform source: a fresh Rng (disposed after the call), a function, a bad function, or junk. */
const uniform = fc.constantFrom("rng", "function", "bad function", "junk", "none");

function withUniform<T>(kind: string, use: (source: unknown) => T): T {
  if (kind !== "rng") return use(kind === "function" ? () => 0.5 : kind === "bad function" ? () => 2 : kind === "junk" ? {} : undefined);
  const rng = new Rng(3);
  try {
    return use(rng);
  } finally {
    rng.dispose();
  }
}

/** Rows of the language-model and sampling helpers. */
export const LANGUAGE_ROWS: readonly Row[] = [
  row({
    where: "sampleToken",
    args: fc.tuple(probabilities, options(samplingOptions), uniform),
    call: ([p, o, kind]) => withUniform(kind, (source) => sampleToken(p as never, o as never, source as never)),
    mustReject: ([, o]) => topKReasons(o, V),
  }),
  row({
    where: "generate",
    args: fc.tuple(model, options({ start: fc.oneof(id, fc.array(id, { maxLength: 3 })), context: floatTensor([2]), maxLength: size(fc.integer({ min: 1, max: 6 }), [100]), eos: optionalId, seed, ...samplingOptions }, ["maxLength"]), uniform),
    call: ([m, o, kind]) => withUniform(kind, (rng) => generate(m.value() as never, { ...(o as object), ...(rng === undefined ? {} : { rng }) } as never)),
    watch: ([m]) => [watchModel(m.spec ?? LANGUAGE)],
    mustReject: ([m, o]) => (m.spec === LANGUAGE ? topKReasons(o, V) : []),
  }),
  row({
    where: "sequenceLogProbability",
    args: fc.tuple(model, orJunk(ids), options({ bos: optionalId, eos: optionalId, context: floatTensor([2]) })),
    call: ([m, s, o]) => sequenceLogProbability(m.value() as never, s as never, o as never),
    watch: ([m]) => [watchModel(m.spec ?? LANGUAGE)],
  }),
  row({
    where: "perplexity",
    args: fc.tuple(model, orJunk(fc.array(orJunk(ids), { maxLength: 3 })), options({ bos: optionalId, eos: optionalId, batchSize: size(fc.integer({ min: 1, max: 4 })), context: floatTensor([2, 2]) })),
    call: ([m, s, o]) => perplexity(m.value() as never, s as never, o as never),
    watch: ([m]) => [watchModel(m.spec ?? LANGUAGE)],
  }),
  row({
    where: "nextTokenDistribution",
    args: fc.tuple(model, orJunk(ids), options({ bos: optionalId, context: floatTensor([2]) })),
    call: ([m, s, o]) => nextTokenDistribution(m.value() as never, s as never, o as never),
    watch: ([m]) => [watchModel(m.spec ?? LANGUAGE)],
  }),
  row({
    where: "nextTokenBatch",
    args: fc.tuple(orJunk(fc.array(orJunk(ids), { maxLength: 3 })), options({ bos: optionalId, eos: optionalId })),
    call: ([s, o]) => nextTokenBatch(s as never, o as never),
  }),
];
