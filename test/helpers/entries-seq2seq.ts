// Rows of the property-based suite for the Seq2Seq fixture: trainOnBatch, evaluate, fit,
// greedyDecode and beamSearch with random sources, targets, lengths and options.
import fc from "fast-check";
import { idTensor, lengths, options, seed, size, orJunk } from "./arbitraries.js";
import { row, type Row } from "./entry.js";
import { SEQ2SEQ_SPEC, seq2seqFixture, watchSeq2seq } from "./property-fixtures.js";
import { batchSize, callback, signal, verbose, validationSplit, callbacks, missingTargets } from "./model-arguments.js";

/** Source steps S, target steps U (BOS and EOS included) and sequences N. */
const shapes = fc.record({ S: fc.integer({ min: 1, max: 3 }), U: fc.integer({ min: 2, max: 4 }), N: fc.integer({ min: 1, max: 3 }) });

/** Targets [U, N] framed as the model reads them: BOS, ids, EOS at each sequence's length, PAD after. */
function framed(U: number, N: number): fc.Arbitrary<{ target: unknown; lengths: Int32Array }> {
  return fc.tuple(fc.array(fc.integer({ min: 2, max: U }), { minLength: N, maxLength: N }), fc.array(fc.integer({ min: 4, max: SEQ2SEQ_SPEC.targetVocab - 1 }), { minLength: U * N, maxLength: U * N }))
    .map(([lens, ids]) => {
      const data = new Int32Array(U * N);
      lens.forEach((length, n) => {
        for (let t = 0; t < length; t++) data[t * N + n] = t === 0 ? SEQ2SEQ_SPEC.bos : t === length - 1 ? SEQ2SEQ_SPEC.eos : ids[t * N + n]!;
      });
      return { target: { shape: [U, N], data }, lengths: Int32Array.from(lens) };
    });
}

/** The four data arguments (source, sourceLengths, target, targetLengths): framed and valid mostly, else a bad variant of one. */
const batch = shapes.chain(({ S, U, N }) => fc.tuple(
  idTensor([S, N], SEQ2SEQ_SPEC.sourceVocab, { strict: true, fixed: [0, 1] }),
  lengths(N, S),
  fc.oneof({ weight: 3, arbitrary: framed(U, N) }, { weight: 1, arbitrary: fc.tuple(orJunk(idTensor([U, N], SEQ2SEQ_SPEC.targetVocab, { fixed: [0, 1], growBy: 2 })), lengths(N, U)).map(([target, l]) => ({ target, lengths: l })) }),
).map(([source, sourceLengths, { target, lengths: targetLengths }]) => [source, sourceLengths, target, targetLengths] as const));

const trainOnBatch = row({
  where: "Seq2Seq.trainOnBatch",
  args: batch,
  call: ([s, sl, t, tl]) => seq2seqFixture().trainOnBatch(s as never, sl as never, t as never, tl as never),
  watch: () => [watchSeq2seq],
  mutates: true,
  mustReject: ([, , t]) => missingTargets(t, "target"),
});

const evaluate = row({
  where: "Seq2Seq.evaluate",
  args: fc.tuple(batch, options({ batchSize })),
  call: ([[s, sl, t, tl], o]) => seq2seqFixture().evaluate(s as never, sl as never, t as never, tl as never, o as never),
  watch: () => [watchSeq2seq],
  mustReject: ([[, , t]]) => missingTargets(t, "target"),
});

const fit = row({
  where: "Seq2Seq.fit",
  args: fc.tuple(batch, options({ epochs: size(fc.integer({ min: 1, max: 2 })), batchSize, shuffle: fc.boolean(), seed, onBatchEnd: callback, onEpochEnd: callback, signal, verbose, validationSplit, callbacks })),
  call: ([[s, sl, t, tl], o]) => seq2seqFixture().fit(s as never, sl as never, t as never, tl as never, o as never),
  watch: () => [watchSeq2seq],
  mutates: true,
  mustReject: ([[, , t]]) => missingTargets(t, "target"),
  runs: 40,
});

/** Sources to decode with their options; maxLength stays small (an unbounded one is no hang to test here). */
const decodeSource = fc.record({ S: fc.integer({ min: 1, max: 3 }), N: fc.integer({ min: 1, max: 3 }) })
  .chain(({ S, N }) => fc.tuple(idTensor([S, N], SEQ2SEQ_SPEC.sourceVocab, { strict: true }), lengths(N, S)));
const maxLength = size(fc.integer({ min: 1, max: 5 }), [50]);

const greedyDecode = row({
  where: "Seq2Seq.greedyDecode",
  args: decodeSource.chain(([source, l]) => fc.tuple(fc.constant(source), options({ sourceLengths: fc.constant(l), maxLength }))),
  call: ([source, o]) => seq2seqFixture().greedyDecode(source as never, o as never),
  watch: () => [watchSeq2seq],
});

const beamSearch = row({
  where: "Seq2Seq.beamSearch",
  args: decodeSource.chain(([source, l]) => fc.tuple(fc.constant(source), options({
    sourceLengths: fc.constant(l), maxLength,
    beamWidth: size(fc.integer({ min: 1, max: SEQ2SEQ_SPEC.targetVocab }), [SEQ2SEQ_SPEC.targetVocab + 1, 1000]),
    lengthPenalty: fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.constantFrom(-1, NaN, Infinity)),
  }))),
  call: ([source, o]) => seq2seqFixture().beamSearch(source as never, o as never),
  watch: () => [watchSeq2seq],
  mustReject: ([, o]) => {
    const width = o !== null && typeof o === "object" ? (o as { beamWidth?: unknown }).beamWidth : undefined;
    return typeof width === "number" && width > SEQ2SEQ_SPEC.targetVocab ? [`beamWidth ${width} beyond the ${SEQ2SEQ_SPEC.targetVocab} target ids`] : [];
  },
});

/** Rows of a Seq2Seq's methods. */
export const SEQ2SEQ_ROWS: readonly Row[] = [trainOnBatch, evaluate, fit, greedyDecode, beamSearch];
