// Issue 11, item 4: options that would have no effect are errors, not silently ignored; numbers
// that would be non-finite in float32 are errors; boolean options take booleans only; and a layer
// whose output cannot feed the next is an error at Model construction naming both layers.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  LSTM, GRU, SimpleRNN, Jordan, Dense, Embedding, Model, Seq2Seq, SGD, Adam, ParameterArena, Vocabulary,
  clipGradNorm, clipGradValue, sampleToken, generate, tokenizeWords, toOnnx,
} from "../bindings/index.js";
import type { Layer } from "../bindings/layers/layer.js";

type ErrorClass = typeof RangeError | typeof TypeError;

/** One class of bad option: a call that must fail with `error` and a message matching `message`. */
interface Row {
  name: string;
  call: () => unknown;
  error: ErrorClass;
  message: RegExp;
}

/** Layers built for a row are disposed after it, whatever the row's outcome. */
const built: { dispose(): void }[] = [];
function keep<T extends { dispose(): void }>(x: T): T {
  built.push(x);
  return x;
}
afterEach(() => {
  for (const x of built.splice(0)) x.dispose();
});

const rnn = { units: 2, inputSize: 2, seed: 0 };
const x = { shape: [5, 1, 2], data: Float32Array.from({ length: 10 }, (_, i) => i / 10) };
const y = { shape: [5, 1, 1], data: new Float32Array(5) };
/** A model for the calls below: LSTM(2 -> 3) then Dense(3 -> 1), mean squared error. */
function smallModel(): Model {
  return keep(new Model({ layers: [new LSTM({ ...rnn, units: 3 }), new Dense({ units: 1, inputSize: 3, seed: 1 })], loss: "meanSquaredError" }));
}
/** A next-token model over 6 ids. */
function tokenModel(): Model {
  return keep(new Model({
    layers: [new Embedding({ inputSize: 6, units: 3, seed: 0 }), new GRU({ units: 3, inputSize: 3, seed: 1 }), new Dense({ units: 6, inputSize: 3, seed: 2 })],
    loss: "softmaxCrossEntropy",
  }));
}
function arena(): ParameterArena {
  return keep(new ParameterArena([{ name: "w", shape: [3] }]));
}
/** A Model over layers built for the row (the layers are disposed after it when the Model refuses them). */
function modelOf(layers: Layer[], loss: "meanSquaredError" | "softmaxCrossEntropy" = "meanSquaredError", extra: object = {}): Model {
  layers.forEach(keep);
  return new Model({ layers, loss, ...extra });
}

const ROWS: Row[] = [
  { name: "dropout with numLayers 1", call: () => keep(new LSTM({ ...rnn, dropout: 0.5 })), error: RangeError,
    message: /^LSTM: dropout 0\.5 has no effect with numLayers 1 \(it drops outputs between stacked layers\); leave it out$/ },
  { name: "pooling with returnSequences true", call: () => keep(new GRU({ ...rnn, pooling: "mean" })), error: RangeError,
    message: /^GRU: pooling "mean" has no effect with returnSequences true/ },
  { name: "pooling \"last\" given with returnSequences true", call: () => keep(new SimpleRNN({ ...rnn, returnSequences: true, pooling: "last" })), error: RangeError,
    message: /^SimpleRNN: pooling "last" has no effect with returnSequences true/ },
  { name: "mergeMode without bidirectional", call: () => keep(new Jordan({ ...rnn, outputUnits: 2, mergeMode: "sum" })), error: RangeError,
    message: /^Jordan: mergeMode "sum" has no effect without bidirectional: true/ },
  { name: "truncatedBptt as long as the sequences", call: () => smallModel().fit(x, y, { truncatedBptt: 5 }), error: RangeError,
    message: /^Model\.fit: truncatedBptt 5 has no effect with sequences of T = 5 steps \(every batch would be one chunk\); leave it out$/ },
  { name: "truncatedBptt longer than the sequences", call: () => smallModel().fit(x, y, { truncatedBptt: 50 }), error: RangeError,
    message: /^Model\.fit: truncatedBptt 50 has no effect with sequences of T = 5 steps/ },
  { name: "topK larger than the vocabulary (sampleToken)", call: () => sampleToken([0.2, 0.8], { topK: 3 }, () => 0.5), error: RangeError,
    message: /^sampleToken: topK must be <= the vocabulary size 2/ },
  { name: "topK larger than the vocabulary (generate)", call: () => generate(tokenModel(), { maxLength: 2, topK: 7, seed: 1 }), error: RangeError,
    message: /^generate: topK must be <= the vocabulary size 6/ },
  { name: "beam width beyond the target vocabulary", error: RangeError, message: /^Seq2Seq\.beamSearch: beamWidth must be <= targetVocabSize 5/,
    call: () => keep(new Seq2Seq({ sourceVocabSize: 6, targetVocabSize: 5, units: 3, seed: 0 })).beamSearch([[1], [2]], { beamWidth: 6 }) },
  { name: "clipNorm 0 (Model)", call: () => modelOf([new Dense({ units: 1, inputSize: 2 })], "meanSquaredError", { clipNorm: 0 }), error: RangeError,
    message: /^Model: clipNorm must be > 0 \(0 would zero every gradient\); got 0$/ },
  { name: "clipValue 0 (Model)", call: () => modelOf([new Dense({ units: 1, inputSize: 2 })], "meanSquaredError", { clipValue: 0 }), error: RangeError,
    message: /^Model: clipValue must be > 0/ },
  { name: "clipNorm that is 0 in float32", call: () => modelOf([new Dense({ units: 1, inputSize: 2 })], "meanSquaredError", { clipNorm: 1e-50 }), error: RangeError,
    message: /^Model: clipNorm must be > 0 \(0 would zero every gradient\); got 1e-50, which is 0 in float32$/ },
  { name: "clipNorm 0 (Seq2Seq)", call: () => keep(new Seq2Seq({ sourceVocabSize: 6, targetVocabSize: 6, units: 3, clipNorm: 0 })), error: RangeError,
    message: /^Seq2Seq: clipNorm must be > 0/ },
  { name: "maxNorm 0 (clipGradNorm)", call: () => clipGradNorm(arena(), 0), error: RangeError, message: /^clipGradNorm: maxNorm must be > 0/ },
  { name: "clipValue 0 (clipGradValue)", call: () => clipGradValue(arena(), 0), error: RangeError, message: /^clipGradValue: clipValue must be > 0/ },
  { name: "softmax cross-entropy over one output", error: RangeError,
    message: /^Model: loss "softmaxCrossEntropy" over the 1 output of layers\[1\] \(Dense\) is always 0 \(a softmax over one class is 1\)/,
    call: () => modelOf([new GRU({ ...rnn, units: 3 }), new Dense({ units: 1, inputSize: 3 })], "softmaxCrossEntropy") },
  { name: "softmax output over one unit (Jordan)", call: () => keep(new Jordan({ ...rnn, outputUnits: 1, outputActivation: "softmax" })), error: RangeError,
    message: /^Jordan: outputActivation "softmax" over outputUnits 1 always outputs 1/ },
  { name: "a forget bias beyond float32", call: () => keep(new LSTM({ ...rnn, forgetBias: 1e39 })), error: RangeError,
    message: /^LSTM: forgetBias must fit float32 \(\|forgetBias\| <= 3\.4028234663852886e\+38; the core computes in float32\); got 1e\+39$/ },
  { name: "a negative forget bias beyond float32", call: () => keep(new LSTM({ ...rnn, forgetBias: -3.5e38 })), error: RangeError, message: /^LSTM: forgetBias must fit float32/ },
  { name: "a learning rate beyond float32", call: () => new Adam({ lr: 1e39 }), error: RangeError, message: /^Adam: lr must fit float32/ },
  { name: "returnSequences false before a recurrent layer", error: RangeError,
    message: /^Model: layers\[1\] \(LSTM\) reads a sequence \(one vector per step\), but layers\[0\] \(GRU, returnSequences false\) outputs one vector per sequence; build layers\[0\] with returnSequences true$/,
    call: () => modelOf([new GRU({ ...rnn, units: 3, returnSequences: false }), new LSTM({ ...rnn, inputSize: 3 })]) },
  { name: "returnSequences false, a Dense, then a recurrent layer", error: RangeError,
    message: /^Model: layers\[2\] \(SimpleRNN\) reads a sequence .* layers\[0\] \(LSTM, returnSequences false\)/,
    call: () => modelOf([new LSTM({ ...rnn, units: 3, returnSequences: false }), new Dense({ units: 2, inputSize: 3 }), new SimpleRNN(rnn)]) },
  { name: "mismatched sizes name both layers", error: RangeError,
    message: /^Model: layers\[1\] \(Dense\) reads 3 features per step \(its inputSize\), but layers\[0\] \(LSTM\) outputs 4; the sizes must match$/,
    call: () => modelOf([new LSTM({ ...rnn, units: 4 }), new Dense({ units: 1, inputSize: 3 })]) },
  { name: "a concat-merged bidirectional layer outputs both directions", error: RangeError,
    message: /^Model: layers\[1\] \(Dense\) reads 4 features per step \(its inputSize\), but layers\[0\] \(GRU\) outputs 8/,
    call: () => modelOf([new GRU({ ...rnn, units: 4, bidirectional: true }), new Dense({ units: 1, inputSize: 4 })]) },
];

describe("option checks: each class of option without effect or beyond float32", () => {
  for (const row of ROWS) {
    it(row.name, async () => {
      await assert.rejects(async () => row.call(), (e: unknown) => {
        assert.ok(e instanceof row.error, `expected a ${row.error.name}; got ${String(e)}`);
        assert.match(e.message, row.message);
        return true;
      });
    });
  }

  it("the same options where they have an effect are accepted", async () => {
    keep(new LSTM({ ...rnn, numLayers: 2, dropout: 0.5 }));
    keep(new GRU({ ...rnn, returnSequences: false, pooling: "mean" }));
    keep(new SimpleRNN({ ...rnn, bidirectional: true, mergeMode: "sum" }));
    keep(new Jordan({ ...rnn, outputUnits: 2, outputActivation: "softmax" }));
    keep(new LSTM({ ...rnn, forgetBias: 3.4e38 }));
    assert.equal((await smallModel().fit(x, y, { truncatedBptt: 4 })).length, 1);
    assert.equal(sampleToken([0.2, 0.8], { topK: 2 }, () => 0.5), 1);
    const s2s = keep(new Seq2Seq({ sourceVocabSize: 6, targetVocabSize: 3, units: 3, bosId: 0, eosId: 1, seed: 0 }));
    assert.ok(s2s.beamSearch([[1]], { maxLength: 2 })[0]!.length <= 3, "the default beam width is at most the vocabulary");
    assert.equal(s2s.beamSearch([[1]], { beamWidth: 3, maxLength: 2 }).length, 1);
  });

  it("configs hold only the options in effect, and a saved model round-trips", () => {
    const lstm = new LSTM({ ...rnn, units: 3 });
    assert.deepEqual(Object.keys(lstm.config().options).filter((k) => k === "pooling" || k === "mergeMode"), []);
    const pooled = keep(new GRU({ ...rnn, returnSequences: false, bidirectional: true, mergeMode: "ave", pooling: "mean" }));
    assert.equal(pooled.config().options.pooling, "mean");
    assert.equal(pooled.config().options.mergeMode, "ave");
    const model = keep(new Model({ layers: [lstm, new Dense({ units: 1, inputSize: 3, seed: 1 })], loss: "meanSquaredError" }));
    const copy = keep(Model.load(model.save()));
    assert.deepEqual(copy.predict(x), model.predict(x));
  });

  it("a rejected fit leaves the model's predictions bit-identical", async () => {
    const model = smallModel();
    const before = model.predict(x);
    await assert.rejects(model.fit(x, y, { truncatedBptt: 9 }), RangeError);
    assert.deepEqual(model.predict(x), before);
  });
});

describe("option checks: boolean options take booleans only (property)", () => {
  const nonBoolean = fc.anything().filter((v) => typeof v !== "boolean" && v !== undefined);
  /** [where, option, a call that passes the value as that option]. */
  const entries: [string, string, (v: unknown) => unknown][] = [
    ["LSTM", "returnSequences", (v) => keep(new LSTM({ ...rnn, returnSequences: v as boolean }))],
    ["LSTM", "bidirectional", (v) => keep(new LSTM({ ...rnn, bidirectional: v as boolean }))],
    ["GRU", "tokenInput", (v) => keep(new GRU({ ...rnn, tokenInput: v as boolean }))],
    ["LSTM", "peephole", (v) => keep(new LSTM({ ...rnn, peephole: v as boolean }))],
    ["GRU", "resetAfter", (v) => keep(new GRU({ ...rnn, resetAfter: v as boolean }))],
    ["Jordan", "returnSequences", (v) => keep(new Jordan({ ...rnn, outputUnits: 2, returnSequences: v as boolean }))],
    ["SimpleRNN.forward", "training", (v) => keep(new SimpleRNN(rnn)).forward(x, { training: v as boolean })],
    ["GRU.stateDict", "nested", (v) => keep(new GRU(rnn)).stateDict({ nested: v as true })],
    ["Vocabulary.encode", "addBos", (v) => Vocabulary.build([["a"]]).encode(["a"], { addBos: v as boolean })],
    ["Vocabulary.encode", "addEos", (v) => Vocabulary.build([["a"]]).encode(["a"], { addEos: v as boolean })],
    ["Vocabulary.decode", "stopAtEos", (v) => Vocabulary.build([["a"]]).decode([4], { stopAtEos: v as boolean })],
    ["Vocabulary.decode", "skipSpecials", (v) => Vocabulary.build([["a"]]).decode([4], { skipSpecials: v as boolean })],
    ["tokenizeWords", "lowercase", (v) => tokenizeWords("A b", { lowercase: v as boolean })],
    ["SGD", "nesterov", (v) => new SGD({ lr: 0.1, momentum: 0.9, nesterov: v as boolean })],
    ["Model.save", "includeOptimizer", (v) => smallModel().save({ includeOptimizer: v as boolean })],
    ["Model.loadStateDict", "strict", (v) => { const m = smallModel(); return m.loadStateDict(m.stateDict(), { strict: v as boolean }); }],
    ["toOnnx", "lengths", (v) => toOnnx(smallModel(), { lengths: v as boolean })],
    ["Model.fit", "shuffle", (v) => smallModel().fit(x, y, { shuffle: v as boolean })],
  ];
  for (const [where, name, call] of entries) {
    it(`${where}: ${name}`, async () => {
      await fc.assert(fc.asyncProperty(nonBoolean, async (v) => {
        try {
          await assert.rejects(async () => call(v), (e: unknown) => e instanceof TypeError && e.message.startsWith(`${where}: ${name} must be a boolean; got `));
        } finally {
          for (const b of built.splice(0)) b.dispose();
        }
      }), { numRuns: 20, seed: 11 });
    });
  }
});
