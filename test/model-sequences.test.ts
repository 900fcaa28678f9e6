// Model-level variable lengths, context conditioning and metadata.
import assert from "node:assert/strict";
import { Model } from "../bindings/model.js";
import { GRU } from "../bindings/layers/gru.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { Dense } from "../bindings/layers/dense.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { Adam } from "../bindings/optimizers.js";
import { mulberry32, randomArray } from "./helpers/random.js";

describe("Model with lengths, context and metadata", () => {
  it("padded steps are left out of the loss and do not change the predictions of the valid ones", () => {
    const model = new Model({ layers: [new GRU({ inputSize: 2, units: 4, bidirectional: true, seed: 1 }), new Dense({ inputSize: 8, units: 3, seed: 2 })], loss: "softmaxCrossEntropy" });
    const x = { shape: [4, 2, 2], data: randomArray(16, 1) };
    const noisy = { shape: [4, 2, 2], data: x.data.slice() };
    noisy.data.set([5, 5], 10); // step 2 of sequence 1: x[(t * B + b) * D], padding when its length is 2
    noisy.data.set([-5, 5], 14); // step 3 of sequence 1
    const y = { shape: [4, 2], data: Int32Array.from([0, 1, 2, 1, 0, 9, 1, 9]) }; // 9: padding targets, never read
    const lengths = [4, 2];
    const a = model.evaluate(x, y, { lengths }).loss;
    const b = model.evaluate(noisy, y, { lengths }).loss;
    assert.equal(a, b);
    assert.deepEqual(model.predict(x, { lengths }).data, model.predict(noisy, { lengths }).data);
    assert.throws(() => model.evaluate(x, y), /y must hold ids in \[0, 3\); got 9/);
    assert.throws(() => model.evaluate(x, y, { lengths: [5, 2] }), /lengths must lie in \[1, T=4\]; got 5 at index 0/);
    model.dispose();
  });

  it("learns a context-conditioned sequence: the context picks which of two patterns to emit", async () => {
    // Input ids are all "go" (0); the context [1, 0] or [0, 1] selects the target pattern.
    const T = 6;
    const N = 64;
    const patterns = [[1, 2, 3, 1, 2, 3], [3, 3, 2, 2, 1, 1]];
    const ids = new Int32Array(T * N);
    const y = new Int32Array(T * N);
    const context = new Float32Array(N * 2);
    for (let n = 0; n < N; n++) {
      const p = n % 2;
      context[n * 2 + p] = 1;
      for (let t = 0; t < T; t++) y[t * N + n] = patterns[p]![t]!;
    }
    const model = new Model({
      layers: [new Embedding({ inputSize: 1, units: 2, seed: 1 }), new LSTM({ inputSize: 2, units: 16, contextSize: 2, seed: 2 }), new Dense({ inputSize: 16, units: 4, seed: 3 })],
      loss: "softmaxCrossEntropy",
      optimizer: new Adam({ lr: 0.03 }),
    });
    const data = { shape: [T, N], data: ids };
    const targets = { shape: [T, N], data: y };
    await model.fit(data, targets, { context: { shape: [N, 2], data: context }, epochs: 40, batchSize: 16 });
    assert.equal(model.evaluate(data, targets, { context: { shape: [N, 2], data: context } }).accuracy, 1);
    assert.throws(() => model.predict(data), /context \[N, 2\] is required/);
    model.dispose();
  });

  it("learns with variable lengths and truncated BPTT: predict the running parity of the valid steps", async () => {
    const T = 12;
    const N = 256;
    const next = mulberry32(7);
    const x = new Float32Array(T * N).map(() => (next() < 0.5 ? 0 : 1));
    const lengths = Int32Array.from({ length: N }, () => 4 + Math.floor(next() * (T - 3)));
    const y = new Int32Array(T * N);
    for (let n = 0; n < N; n++) {
      let parity = 0;
      for (let t = 0; t < T; t++) {
        parity ^= x[t * N + n]!;
        y[t * N + n] = t < lengths[n]! ? parity : 0;
      }
    }
    const model = new Model({
      layers: [new GRU({ inputSize: 1, units: 16, seed: 3 }), new Dense({ inputSize: 16, units: 2, seed: 4 })],
      loss: "softmaxCrossEntropy",
      optimizer: new Adam({ lr: 0.02 }),
    });
    const inputs = { shape: [T, N, 1], data: x };
    const targets = { shape: [T, N], data: y };
    await model.fit(inputs, targets, { lengths, epochs: 40, batchSize: 32, truncatedBptt: 4 });
    const { accuracy } = model.evaluate(inputs, targets, { lengths });
    assert.ok(accuracy! > 0.97, `accuracy ${accuracy}`);
    model.dispose();
  });

  it("metadata (a vocabulary, a normalizer) is saved with the model", () => {
    const model = new Model({ layers: [new Dense({ inputSize: 2, units: 1, seed: 1 })], loss: "meanSquaredError" });
    model.metadata = { normalizer: { mean: [1.5], scale: [2] }, note: "units: °C" };
    const copy = Model.load(model.save());
    assert.deepEqual(copy.metadata, model.metadata);
    model.metadata = { bad: 1n } as never;
    assert.throws(() => model.save(), /metadata must be JSON-serialisable/);
    model.dispose();
    copy.dispose();
  });
});
