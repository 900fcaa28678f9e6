// A Seq2Seq built with batchFirst takes source ids [N, S] and target ids [N, U] in fit,
// trainOnBatch, evaluate and decoding, gathered into time-major batches by the core: its fit logs,
// weights, evaluation and decodes are bit for bit those of the same model on the same data
// time-major, and a saved batch-first model loads batch-first.
import assert from "node:assert/strict";
import { Seq2Seq, type Seq2SeqOptions } from "../bindings/seq2seq/seq2seq.js";
import { Adam } from "../bindings/optimizers.js";
import { decodeModelFile } from "../bindings/model-file.js";
import type { IntTensor } from "../bindings/tensor.js";
import { smallBatch } from "./helpers/seq2seq-batch.js";
import { transposed } from "./helpers/transpose.js";

const Vs = 9;
const Vt = 8;
const SOURCE_LENGTHS = [4, 2, 5, 3, 1, 5, 2, 4, 3, 5];
const TARGET_LENGTHS = [3, 6, 2, 4, 5, 6, 3, 2, 4, 5];

/** Time-major ids [T, N] as batch-first [N, T]. */
function batchFirst(ids: IntTensor): IntTensor {
  const [T, N] = ids.shape as [number, number];
  return { shape: [N, T], data: transposed(ids.data, T, N) };
}

/** A time-major and a batch-first Seq2Seq with the same options and seeds. */
function pair(options: Partial<Seq2SeqOptions> = {}): [Seq2Seq, Seq2Seq] {
  const build = (bf: boolean): Seq2Seq => new Seq2Seq({ sourceVocabSize: Vs, targetVocabSize: Vt, units: 6, embeddingSize: 4, seed: 3, optimizer: new Adam({ lr: 0.02 }), batchFirst: bf, ...options });
  return [build(false), build(true)];
}

describe("Seq2Seq batchFirst", () => {
  const tm = smallBatch(Vs, Vt, SOURCE_LENGTHS, TARGET_LENGTHS, 7);
  const bf = { ...tm, source: batchFirst(tm.source), target: batchFirst(tm.target) };
  const fitOptions = { epochs: 3, batchSize: 4, seed: 5, validationSplit: 0.3 };

  for (const attention of [undefined, "luong", "bahdanau"] as const) {
    it(`fit, trainOnBatch, evaluate and decoding are bit-identical to the time-major model${attention === undefined ? "" : ` (attention "${attention}")`}`, async () => {
      const [a, b] = pair(attention === undefined ? { cell: "gru", numLayers: 2 } : { attention });
      assert.equal(a.batchFirst, false);
      assert.equal(b.batchFirst, true);
      const historyA = await a.fit(tm.source, tm.sourceLengths, tm.target, tm.targetLengths, fitOptions);
      const historyB = await b.fit(bf.source, bf.sourceLengths, bf.target, bf.targetLengths, fitOptions);
      assert.deepEqual([...historyB], [...historyA]);
      assert.ok(historyA.every((l) => typeof l.valLoss === "number"));
      assert.equal(b.trainOnBatch(bf.source, bf.sourceLengths, bf.target, bf.targetLengths), a.trainOnBatch(tm.source, tm.sourceLengths, tm.target, tm.targetLengths));
      assert.deepEqual(b.stateDict(), a.stateDict());
      assert.deepEqual(b.evaluate(bf.source, bf.sourceLengths, bf.target, bf.targetLengths, { batchSize: 3 }), a.evaluate(tm.source, tm.sourceLengths, tm.target, tm.targetLengths, { batchSize: 3 }));
      const decode = { sourceLengths: tm.sourceLengths, maxLength: 6 };
      assert.deepEqual(b.greedyDecode(bf.source, decode), a.greedyDecode(tm.source, decode));
      assert.deepEqual(b.beamSearch(bf.source, { ...decode, beamWidth: 3 }), a.beamSearch(tm.source, { ...decode, beamWidth: 3 }));
      if (attention !== undefined) assert.deepEqual(b.greedyDecodeWithAttention(bf.source, decode), a.greedyDecodeWithAttention(tm.source, decode));
      a.dispose();
      b.dispose();
    });
  }

  it("decodes more sources than one decoding chunk (256) as the time-major model does", () => {
    const [a, b] = pair();
    const lengths = Array.from({ length: 300 }, (_, n) => 1 + (n % 5));
    const many = smallBatch(Vs, Vt, lengths, lengths.map(() => 2), 11);
    const options = { sourceLengths: many.sourceLengths, maxLength: 4 };
    assert.deepEqual(b.greedyDecode(batchFirst(many.source), options), a.greedyDecode(many.source, options));
    assert.deepEqual(b.beamSearch(batchFirst(many.source), { ...options, beamWidth: 2 }), a.beamSearch(many.source, { ...options, beamWidth: 2 }));
    a.dispose();
    b.dispose();
  });

  it("is saved with the model: batchFirst in the model entry only when true, and the loaded model decodes the same", async () => {
    const [a, b] = pair({ attention: "luongGeneral" });
    await b.fit(bf.source, bf.sourceLengths, bf.target, bf.targetLengths, { epochs: 1, batchSize: 4 });
    const bytes = b.save();
    assert.equal(decodeModelFile(bytes, "test").header.batchFirst, true);
    assert.equal(decodeModelFile(a.save(), "test").header.batchFirst, undefined);
    const loaded = Seq2Seq.load(bytes);
    assert.equal(loaded.batchFirst, true);
    assert.equal(Seq2Seq.load(a.save()).batchFirst, false);
    const decode = { sourceLengths: bf.sourceLengths, maxLength: 6 };
    assert.deepEqual(loaded.beamSearch(bf.source, decode), b.beamSearch(bf.source, decode));
    for (const m of [a, b, loaded]) m.dispose();
  });

  it("refuses a batchFirst that is not a boolean, and names the batch-first layout in input errors", async () => {
    assert.throws(() => new Seq2Seq({ sourceVocabSize: Vs, targetVocabSize: Vt, units: 4, batchFirst: 1 as never }), /^TypeError: Seq2Seq: batchFirst must be a boolean; got number 1$/);
    const [a, b] = pair();
    const train = (source: IntTensor, target: IntTensor) => () => b.trainOnBatch(source, bf.sourceLengths, target, bf.targetLengths);
    assert.throws(() => b.greedyDecode({ shape: [50], data: bf.source.data }), /^RangeError: Seq2Seq\.greedyDecode: source must be batch-first ids \[N, T\]; got shape \[50\]$/);
    const badSource = { shape: bf.source.shape, data: bf.source.data.slice() };
    badSource.data[7] = Vs; // sequence 1, step 2 of [10, 5]
    assert.throws(train(badSource, bf.target), /^RangeError: Seq2Seq\.trainOnBatch: source must hold ids in \[0, 9\); got 9 at flat index 7 \(step 2, sequence 1\)$/);
    const noBos = { shape: bf.target.shape, data: bf.target.data.slice() };
    noBos.data[2 * 6] = 5; // the first step of sequence 2 of [10, 6]
    assert.throws(train(bf.source, noBos), /^RangeError: Seq2Seq\.trainOnBatch: target must start every sequence with BOS \(id 3\); sequence 2 starts with 5$/);
    assert.throws(() => b.evaluate(bf.source, bf.sourceLengths, { shape: [9, 6], data: bf.target.data.subarray(0, 54) }, bf.targetLengths),
      /^RangeError: Seq2Seq\.evaluate: target must hold as many sequences as source \(N = 10\); got shape \[9, 6\]$/);
    // time-major data given to a batch-first model: its lengths no longer fit the axes
    await assert.rejects(b.fit(tm.source, tm.sourceLengths, tm.target, tm.targetLengths), /^RangeError: Seq2Seq\.fit: sourceLengths must have shape \[5\]; got \[10\]$/);
    await assert.rejects(a.fit(bf.source, bf.sourceLengths, bf.target, bf.targetLengths), /^RangeError: Seq2Seq\.fit: sourceLengths must have shape \[5\]; got \[10\]$/);
    a.dispose();
    b.dispose();
  });
});
