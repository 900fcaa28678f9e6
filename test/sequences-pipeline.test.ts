// The sequence utilities end to end, through the public API, feeding real models.
import assert from "node:assert/strict";
import {
  Model, Embedding, SimpleRNN, Dense, Adam, Vocabulary, tokenizeWords, padSequences, bucketByLength,
  trainValidationSplit, selectSequences, slidingWindows, Normalizer,
} from "../bindings/index.js";
import { mulberry32 } from "./helpers/random.js";

/** Sentences of 2 to 8 words; label 1 when "not" is one of them. */
function negationData(count: number, seed: number): { texts: string[]; labels: Int32Array } {
  const next = mulberry32(seed);
  const words = ["the", "film", "was", "good", "very", "plot", "fun", "really", "acting", "great"];
  const texts: string[] = [];
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const sentence = Array.from({ length: 2 + Math.floor(next() * 7) }, () => words[Math.floor(next() * words.length)]!);
    labels[i] = next() < 0.5 ? 1 : 0;
    if (labels[i] === 1) sentence[Math.floor(next() * sentence.length)] = "not";
    texts.push(`${sentence.join(" ")}.`);
  }
  return { texts, labels };
}

describe("sequence utilities with a model", () => {
  it("vocabulary, length buckets and per-batch padding train a negation detector (>= 95% held out)", async function () {
    this.timeout(60000);
    const { texts, labels } = negationData(600, 1);
    const tokens = texts.map((t) => tokenizeWords(t, { lowercase: true }));
    const vocab = Vocabulary.build(tokens);
    const seqs = tokens.map((t) => vocab.encode(t));
    const { train, validation } = trainValidationSplit(seqs.length, { validationFraction: 0.25, seed: 2 });
    const model = new Model({
      layers: [
        new Embedding({ inputSize: vocab.size, units: 8, seed: 1 }),
        new SimpleRNN({ inputSize: 8, units: 16, returnSequences: false, seed: 2 }),
        new Dense({ inputSize: 16, units: 2, seed: 3 }),
      ],
      loss: "softmaxCrossEntropy",
      optimizer: new Adam({ lr: 0.02 }),
    });
    const trainLabels = { shape: [train.length], data: Int32Array.from(train, (i) => labels[i]!) };
    const trainSeqs = Array.from(train, (i) => seqs[i]!);
    for (let epoch = 0; epoch < 15; epoch++) {
      for (const batch of bucketByLength(trainSeqs.map((s) => s.length), 32, { seed: epoch })) {
        const { ids } = padSequences(Array.from(batch, (i) => trainSeqs[i]!), { padding: "pre" }); // many-to-one: the last step is real
        model.trainOnBatch(ids, selectSequences(trainLabels, batch, { axis: 0 }));
      }
    }
    const held = padSequences(Array.from(validation, (i) => seqs[i]!), { padding: "pre" });
    const { accuracy } = model.evaluate(held.ids, { shape: [validation.length], data: Int32Array.from(validation, (i) => labels[i]!) });
    assert.ok(accuracy! >= 0.95, `held-out accuracy ${accuracy}`);
    model.dispose();
  });

  it("normalized sliding windows train a next-value forecaster that beats repeating the last value", async function () {
    this.timeout(60000);
    const series = Float32Array.from({ length: 400 }, (_, t) => 100 + 5 * Math.sin((2 * Math.PI * t) / 20));
    const normalizer = Normalizer.fromJSON(JSON.stringify(Normalizer.fit(series.subarray(0, 300)))); // as saved beside the model
    const { x, y } = slidingWindows(normalizer.transform(series), { window: 10 });
    const N = y.shape[0]!;
    const trainIdx = Int32Array.from({ length: 280 }, (_, i) => i);
    const testIdx = Int32Array.from({ length: N - 290 }, (_, i) => 290 + i);
    const model = new Model({
      layers: [new SimpleRNN({ inputSize: 1, units: 16, returnSequences: false, seed: 4 }), new Dense({ inputSize: 16, units: 1, seed: 5 })],
      loss: "meanSquaredError",
      optimizer: new Adam({ lr: 0.01 }),
    });
    await model.fit(selectSequences(x, trainIdx), selectSequences(y, trainIdx, { axis: 0 }), { epochs: 40, batchSize: 16, seed: 6 });
    const predicted = normalizer.inverse(model.predict(selectSequences(x, testIdx))).data;
    let modelError = 0, naiveError = 0;
    testIdx.forEach((i, k) => {
      const truth = series[i + 10]!;
      modelError += Math.abs(predicted[k]! - truth) / testIdx.length;
      naiveError += Math.abs(series[i + 9]! - truth) / testIdx.length;
    });
    assert.ok(modelError < naiveError / 10, `mean absolute error ${modelError} vs ${naiveError} for the last value`);
    model.dispose();
  });
});
