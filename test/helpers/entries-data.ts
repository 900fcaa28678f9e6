// Rows of the property-based suite for the data utilities and functional helpers: vocabularies,
// tokenizers, n-gram hashing, padding, batching and splits, selection, windows, normalization,
// tagging and entity metrics, the functional losses, gradient clipping and toNestedArray.
import fc from "fast-check";
import {
  Vocabulary, tokenizeChars, tokenizeWords, letterNgrams, fnv1a32, NgramHasher, padSequences, shuffledIndices, bucketByLength,
  trainValidationSplit, selectSequences, slidingWindows, Normalizer, argmaxTags, tokenAccuracy, bioEntities, entityF1,
  softmaxCrossEntropy, meanSquaredError, binaryCrossEntropyWithLogits, clipGradNorm, clipGradValue, toNestedArray,
} from "../../bindings/index.js";
import { floatTensor, idTensor, unitTensor, lengths, options, seed, size, junk, orJunk, isSaneSize } from "./arbitraries.js";
import { row, type Entry, type Row } from "./entry.js";
import { LAYER_SPECS, layerOf, watchLayer } from "./property-fixtures.js";

/** Short words and junk in their place. */
const word = orJunk(fc.constantFrom("the", "film", "was", "good", "", "naïve", "don't", "a b", "🙂"));
const text = orJunk(fc.string({ maxLength: 12 }));
/** Lists of token lists, the input of Vocabulary.build. */
const tokenLists = orJunk(fc.array(orJunk(fc.array(word, { maxLength: 4 })), { maxLength: 4 }));
/** An id sequence (number[] or Int32Array) in [0, limit), now and then with a bad id. */
function idSequence(limit: number): fc.Arbitrary<unknown> {
  const ids = fc.array(fc.integer({ min: 0, max: limit - 1 }), { maxLength: 4 });
  return fc.oneof(
    { weight: 4, arbitrary: ids }, { weight: 2, arbitrary: ids.map((v) => Int32Array.from(v)) },
    { weight: 1, arbitrary: fc.tuple(ids, fc.constantFrom(-1, limit, 1.5, NaN, 2 ** 31)).map(([v, bad]) => [...v, bad]) }, { weight: 1, arbitrary: junk },
  );
}
const idLists = (limit: number): fc.Arbitrary<unknown> => orJunk(fc.array(idSequence(limit), { maxLength: 4 }));
const smallCount = size(fc.integer({ min: 1, max: 4 }));

const vocabulary = Vocabulary.build([["the", "film", "was", "good"], ["not", "good"]]);
const hasher = new NgramHasher({ n: 3, buckets: 16, seed: 1 });
const normalizer = Normalizer.fit({ shape: [4, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 9]) });
const BIO = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "I-ORG", "X", ""];
const tagLists = orJunk(fc.array(orJunk(fc.array(orJunk(fc.constantFrom(...BIO)), { maxLength: 4 })), { minLength: 1, maxLength: 3 }));
/** A series [L] or [L, F] (L in 1..6). */
const series = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 2 })).chain(([L, F]) => fc.oneof(floatTensor([L], { large: false }), floatTensor([L, F], { large: false })));

/** A row for a pure function: refused or finite, nothing watched beyond the bystander. */
function pure<A>(where: string, args: fc.Arbitrary<A>, call: (a: A) => unknown, mustReject?: (a: A) => string[]): Row {
  const e: Entry<A> = { where, args, call };
  if (mustReject !== undefined) e.mustReject = mustReject;
  return row(e);
}

/** A loss row: predictions [M, C] (or [T, N, C]), targets and { mask, reduction }. */
function lossRow(where: string, fn: (p: never, t: never, o: never) => unknown, targets: (shape: number[], C: number) => fc.Arbitrary<unknown>): Row {
  return pure(where, fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 3 })).chain(([M, C]) => fc.tuple(
    floatTensor([M, C], { fixed: [0] }), targets([M], C), options({ mask: unitTensor([M], { fixed: [0], growBy: 3 }), reduction: fc.constantFrom("mean", "sum", "none") }),
  )), ([p, t, o]) => fn(p as never, t as never, o as never));
}

const clipArena = LAYER_SPECS.find((s) => s.name === "dense")!;
const watchClipped = (): ReturnType<typeof watchLayer>[] => [watchLayer(clipArena)];
const arenaOrJunk = fc.oneof({ weight: 4, arbitrary: fc.constant("arena") }, { weight: 1, arbitrary: junk });
const clipBound = fc.oneof(fc.double({ min: 0.01, max: 10, noNaN: true }), fc.constantFrom(0, -1, NaN, Infinity, "1"));

/** Rows of the data utilities and functional helpers. */
export const DATA_ROWS: readonly Row[] = [
  pure("Vocabulary.build", fc.tuple(tokenLists, options({ minFrequency: smallCount, maxSize: size(fc.integer({ min: 4, max: 20 })), specials: orJunk(fc.array(word, { maxLength: 2 })) })),
    ([lists, o]) => Vocabulary.build(lists as never, o as never).toJSON()),
  pure("Vocabulary.fromJSON", orJunk(fc.tuple(fc.constantFrom("tokens", "specials", "format", "version"), junk, fc.boolean()).map(([key, value, asString]) => {
    const json = { ...vocabulary.toJSON(), [key]: value } as Record<string, unknown>;
    return asString ? JSON.stringify(json).slice(0, -1) : json;
  })), (json) => Vocabulary.fromJSON(json as never).toJSON()),
  pure("Vocabulary.encode", fc.tuple(orJunk(fc.array(word, { maxLength: 4 })), options({ addBos: fc.boolean(), addEos: fc.boolean() })), ([tokens, o]) => vocabulary.encode(tokens as never, o as never)),
  pure("Vocabulary.decode", fc.tuple(idSequence(vocabulary.size), options({ stopAtEos: fc.boolean(), skipSpecials: fc.boolean() })), ([ids, o]) => vocabulary.decode(ids as never, o as never)),
  pure("Vocabulary.oneHot", fc.oneof(idSequence(vocabulary.size), idTensor([2, 2], vocabulary.size, { strict: true })), (ids) => vocabulary.oneHot(ids as never)),
  pure("Vocabulary.tokenOf", orJunk(fc.integer({ min: -1, max: vocabulary.size })), (id) => vocabulary.tokenOf(id as never)),
  pure("tokenizeChars", text, (t) => tokenizeChars(t as never)),
  pure("tokenizeWords", fc.tuple(text, options({ lowercase: fc.boolean() })), ([t, o]) => tokenizeWords(t as never, o as never)),
  pure("letterNgrams", fc.tuple(word, orJunk(size(fc.integer({ min: 1, max: 4 })))), ([w, n]) => letterNgrams(w as never, n as never)),
  pure("fnv1a32", fc.tuple(text, seed), ([t, s]) => fnv1a32(t as never, s as never)),
  pure("NgramHasher", options({ n: smallCount, buckets: size(fc.integer({ min: 1, max: 64 })), seed }, ["buckets"]), (o) => {
    const h = new NgramHasher(o as never);
    return [h.toJSON(), h.vector("apple")];
  }, (o) => (o !== null && typeof o === "object" && !isSaneSize((o as { buckets?: unknown }).buckets) ? [`buckets ${String((o as { buckets?: unknown }).buckets)}`] : [])),
  pure("NgramHasher.encode", orJunk(fc.array(word, { maxLength: 3 })), (words) => hasher.encode(words as never)),
  pure("padSequences", fc.tuple(idLists(10), options({ padding: fc.constantFrom("post", "pre", "left"), maxLength: smallCount, value: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(-1, 0.5, NaN)), truncating: fc.constantFrom("pre", "post", "none") }, ["padding"])),
    ([seqs, o]) => padSequences(seqs as never, o as never)),
  pure("shuffledIndices", fc.tuple(size(fc.integer({ min: 0, max: 20 })), seed), ([n, s]) => shuffledIndices(n as never, s as never),
    ([n]) => (typeof n === "number" && n >= 2 ** 28 ? [`n ${n} cannot be held`] : [])),
  pure("bucketByLength", fc.tuple(idSequence(6), smallCount, options({ seed }, ["seed"])), ([l, b, o]) => bucketByLength(l as never, b as never, o as never)),
  pure("trainValidationSplit", fc.tuple(size(fc.integer({ min: 2, max: 20 })), options({ validationFraction: fc.oneof(fc.double({ min: 0.1, max: 0.9, noNaN: true }), fc.constantFrom(0, 1, -0.5, NaN)), seed }, ["validationFraction", "seed"])),
    ([n, o]) => trainValidationSplit(n as never, o as never), ([n]) => (typeof n === "number" && n >= 2 ** 28 ? [`n ${n} cannot be held`] : [])),
  pure("selectSequences", fc.tuple(fc.oneof(floatTensor([2, 3, 2]), idTensor([2, 3], 5), floatTensor([3, 2])), orJunk(idSequence(3)), options({ axis: fc.constantFrom(0, 1, 2, -1) })),
    ([t, i, o]) => selectSequences(t as never, i as never, o as never)),
  pure("slidingWindows", fc.tuple(series, options({ window: smallCount, horizon: smallCount, stride: smallCount }, ["window"])), ([s, o]) => slidingWindows(s as never, o as never)),
  pure("Normalizer.fit", series, (s) => Normalizer.fit(s as never).toJSON()),
  pure("Normalizer.fromJSON", orJunk(fc.tuple(fc.constantFrom("mean", "scale", "format", "version"), junk).map(([key, value]) => ({ ...normalizer.toJSON(), [key]: value }))), (json) => Normalizer.fromJSON(json as never).toJSON()),
  pure("Normalizer.transform", fc.integer({ min: 1, max: 3 }).chain((L) => floatTensor([L, 2], { fixed: [1] })), (x) => normalizer.transform(x as never)),
  pure("Normalizer.inverse", fc.integer({ min: 1, max: 3 }).chain((L) => floatTensor([L, 2], { fixed: [1] })), (z) => normalizer.inverse(z as never)),
  pure("argmaxTags", fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([T, N]) => fc.tuple(floatTensor([T, N, 3]), fc.option(lengths(N, T)))),
    ([l, n]) => argmaxTags(l as never, (n ?? undefined) as never)),
  pure("tokenAccuracy", fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([T, N]) => fc.tuple(idTensor([T, N], 4), idTensor([T, N], 4), fc.option(unitTensor([T, N])))),
    ([p, g, m]) => tokenAccuracy(p as never, g as never, (m ?? undefined) as never)),
  pure("bioEntities", orJunk(fc.array(orJunk(fc.constantFrom(...BIO)), { maxLength: 5 })), (tags) => bioEntities(tags as never)),
  pure("entityF1", fc.tuple(tagLists, tagLists), ([p, g]) => entityF1(p as never, g as never)),
  lossRow("softmaxCrossEntropy", softmaxCrossEntropy, (shape, C) => idTensor(shape, C, { fixed: [0], growBy: 2 })),
  lossRow("meanSquaredError", meanSquaredError, (shape, C) => floatTensor([...shape, C], { fixed: [0, 1], growBy: 2 })),
  lossRow("binaryCrossEntropyWithLogits", binaryCrossEntropyWithLogits, (shape, C) => unitTensor([...shape, C], { fixed: [0, 1], growBy: 2 })),
  row({
    where: "clipGradNorm", args: fc.tuple(arenaOrJunk, clipBound),
    call: ([a, m]) => clipGradNorm((a === "arena" ? layerOf(clipArena).parameters : a) as never, m as never), watch: watchClipped, mutates: true,
  }),
  row({
    where: "clipGradValue", args: fc.tuple(arenaOrJunk, clipBound),
    call: ([a, v]) => clipGradValue((a === "arena" ? layerOf(clipArena).parameters : a) as never, v as never), watch: watchClipped, mutates: true,
  }),
  pure("toNestedArray", fc.oneof(floatTensor([2, 3]), floatTensor([3])), (t) => toNestedArray(t as never)),
];
