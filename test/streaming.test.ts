// Streaming: a model advanced step by step (or chunk by chunk) with Model.step equals the whole
// sequence at once, for every cell, including stacks and context conditioning.
import assert from "node:assert/strict";
import { Model } from "../bindings/model.js";
import { SimpleRNN } from "../bindings/layers/simple-rnn.js";
import { Jordan } from "../bindings/layers/jordan.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { GRU } from "../bindings/layers/gru.js";
import { Dense } from "../bindings/layers/dense.js";
import { Embedding } from "../bindings/layers/embedding.js";
import type { Layer } from "../bindings/layers/layer.js";
import { randomArray } from "./helpers/random.js";

const CELLS: Record<string, (inputSize: number) => Layer> = {
  SimpleRNN: (d) => new SimpleRNN({ inputSize: d, units: 6, numLayers: 2, seed: 1 }),
  Jordan: (d) => new Jordan({ inputSize: d, units: 5, outputUnits: 6, outputActivation: "softmax", seed: 1 }),
  LSTM: (d) => new LSTM({ inputSize: d, units: 6, numLayers: 2, peephole: true, seed: 1 }),
  GRU: (d) => new GRU({ inputSize: d, units: 6, seed: 1 }),
  "GRU (reset before)": (d) => new GRU({ inputSize: d, units: 6, resetAfter: false, contextSize: 2, seed: 1 }),
};

function close(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-6, `${what}[${i}]: ${v} vs ${b[i]}`));
}

describe("streaming with Model.step", () => {
  const T = 5;
  const B = 2;
  const D = 3;
  for (const [name, build] of Object.entries(CELLS)) {
    it(`${name}: step by step and in chunks equals the whole sequence`, () => {
      const model = new Model({ layers: [build(D), new Dense({ inputSize: 6, units: 4, seed: 2 })], loss: "softmaxCrossEntropy" });
      const x = { shape: [T, B, D], data: randomArray(T * B * D, 3) };
      const contextSize = name.includes("reset before") ? 2 : 0;
      const context = contextSize ? { shape: [B, contextSize], data: randomArray(B * contextSize, 4) } : undefined;
      const whole = model.predict(x, context ? { context } : {});
      for (let t = 0; t < T; t++) {
        const out = model.step({ shape: [B, D], data: x.data.slice(t * B * D, (t + 1) * B * D) }, context ? { context } : {});
        assert.deepEqual(out.shape, [B, 4]);
        close(out.data, whole.data.subarray(t * B * 4, (t + 1) * B * 4), `step ${t}`);
      }
      model.resetState();
      const first = model.step({ shape: [2, B, D], data: x.data.slice(0, 2 * B * D) }, context ? { context } : {});
      const rest = model.step({ shape: [3, B, D], data: x.data.slice(2 * B * D) }, context ? { context } : {});
      close(first.data, whole.data.subarray(0, 2 * B * 4), "chunk 1");
      close(rest.data, whole.data.subarray(2 * B * 4), "chunk 2");
      model.dispose();
    });
  }

  it("takes token ids, keeps streams apart from predict calls, and rejects what it cannot stream", () => {
    const model = new Model({
      layers: [new Embedding({ inputSize: 7, units: 3, seed: 1 }), new LSTM({ inputSize: 3, units: 4, seed: 2 }), new Dense({ inputSize: 4, units: 7, seed: 3 })],
      loss: "softmaxCrossEntropy",
    });
    const ids = { shape: [3, 1], data: Int32Array.from([1, 5, 2]) };
    const whole = model.predict(ids, { probabilities: true });
    const a = model.step([1], { probabilities: true });
    model.predict({ shape: [2, 1], data: Int32Array.from([6, 6]) });
    const b = model.step([5], { probabilities: true });
    close(b.data, whole.data.subarray(7, 14), "after an interleaved predict");
    close(a.data, whole.data.subarray(0, 7), "first step");
    assert.throws(() => model.step([1, 2]), /the stream has batch size 1; got 2/);
    assert.throws(() => model.step([9]), /ids in \[0, 7\); got 9/);
    model.dispose();
    const bi = new Model({ layers: [new GRU({ inputSize: 2, units: 3, bidirectional: true })], loss: "meanSquaredError" });
    assert.throws(() => bi.step([[0, 0]]), /bidirectional GRU needs the whole sequence/);
    bi.dispose();
  });
});
