// Seq2Seq.fit's validationData: pairs staged and checked before the first epoch, evaluated after
// every epoch into valLoss / valAccuracy as validationSplit's held-out pairs are; not with validationSplit.
import assert from "node:assert/strict";
import { Seq2Seq } from "../bindings/seq2seq/seq2seq.js";
import { Adam } from "../bindings/optimizers.js";
import type { IntTensor } from "../bindings/tensor.js";
import { smallBatch } from "./helpers/seq2seq-batch.js";

const Vs = 9;
const Vt = 8;

/** Columns [n0, n1) of time-major ids [T, N]. */
function columns(ids: IntTensor, n0: number, n1: number): IntTensor {
  const [T, N] = ids.shape as [number, number];
  const data = new Int32Array(T * (n1 - n0));
  for (let t = 0; t < T; t++) data.set(ids.data.subarray(t * N + n0, t * N + n1), t * (n1 - n0));
  return { shape: [T, n1 - n0], data };
}

function model(): Seq2Seq {
  return new Seq2Seq({ sourceVocabSize: Vs, targetVocabSize: Vt, units: 6, embeddingSize: 4, seed: 2, optimizer: new Adam({ lr: 0.02 }) });
}

describe("Seq2Seq.fit validationData", () => {
  const data = smallBatch(Vs, Vt, [4, 2, 5, 3, 1, 5, 2, 4, 3, 5], [3, 6, 2, 4, 5, 6, 3, 2, 4, 5], 4);
  /** The pairs [n0, n1) of `data`, as fit's four arguments. */
  const rows = (n0: number, n1: number) => ({
    source: columns(data.source, n0, n1), sourceLengths: data.sourceLengths.slice(n0, n1),
    target: columns(data.target, n0, n1), targetLengths: data.targetLengths.slice(n0, n1),
  });
  const options = { epochs: 3, batchSize: 3, seed: 1 };

  it("validationData of the last pairs gives validationSplit's logs and weights; valLoss is evaluate's after the epoch", async () => {
    const a = model();
    const b = model();
    const split = await a.fit(data.source, data.sourceLengths, data.target, data.targetLengths, { ...options, validationSplit: 0.3 });
    const train = rows(0, 7);
    const validationData = rows(7, 10);
    const given = await b.fit(train.source, train.sourceLengths, train.target, train.targetLengths, { ...options, validationData });
    assert.deepEqual([...given], [...split]);
    assert.deepEqual(b.stateDict(), a.stateDict());
    const last = given[given.length - 1]!;
    const v = validationData;
    assert.deepEqual(b.evaluate(v.source, v.sourceLengths, v.target, v.targetLengths, { batchSize: 3 }), { loss: last.valLoss, accuracy: last.valAccuracy });
    a.dispose();
    b.dispose();
  });

  it("refuses a bad validation set before the first epoch, with validationSplit, or not an object", async () => {
    const m = model();
    const good = rows(7, 10);
    let batches = 0;
    const fit = (validationData: unknown, extra: object = {}) => m.fit(data.source, data.sourceLengths, data.target, data.targetLengths,
      { ...options, onBatchEnd: () => { batches++; }, validationData: validationData as never, ...extra });
    const badSource = { shape: good.source.shape, data: good.source.data.slice() };
    badSource.data[4] = Vs;
    const noBos = { shape: good.target.shape, data: good.target.data.slice() };
    noBos.data[1] = 4;
    const cases: [unknown, RegExp, object?][] = [
      [{ ...good, source: badSource }, /^RangeError: Seq2Seq\.fit: validationData: source must hold ids in \[0, 9\); got 9 at flat index 4 \(step 1, sequence 1\)$/],
      [{ ...good, target: noBos }, /^RangeError: Seq2Seq\.fit: validationData: target must start every sequence with BOS \(id 3\); sequence 1 starts with 4$/],
      [{ ...good, targetLengths: [2, 2] }, /^RangeError: Seq2Seq\.fit: validationData: targetLengths must have shape \[3\]; got \[2\]$/],
      [{ source: good.source, sourceLengths: good.sourceLengths, target: good.target }, /^TypeError: Seq2Seq\.fit: validationData: targetLengths/],
      [{ ...good, mask: [1] }, /^TypeError: Seq2Seq\.fit: validationData: unknown option "mask"/],
      [[good.source, good.sourceLengths, good.target, good.targetLengths], /^TypeError: Seq2Seq\.fit: validationData must be an object \{ source, sourceLengths, target, targetLengths \}; got an array of length 4$/],
      [null, /^TypeError: Seq2Seq\.fit: validationData must be an object \{ source, sourceLengths, target, targetLengths \}; got null$/],
      [good, /^RangeError: Seq2Seq\.fit: validationSplit and validationData cannot be combined; pass one of them$/, { validationSplit: 0.2 }],
    ];
    for (const [validationData, error, extra] of cases) await assert.rejects(fit(validationData, extra), error);
    assert.equal(batches, 0);
    assert.equal(m.optimizer.iterations, 0);
    m.dispose();
  });
});
