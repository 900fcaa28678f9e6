// toTfjs: seeded wasm-rnn models exported as TF.js layers-model artifacts, loaded by tfjs 4.22 (cpu
// backend) and predicting what model.predict predicts (batch-first vs time-major) within 1e-5;
// imported back with Model.fromTfjs, the same layers and predictions, and exported again the same
// artifacts byte for byte. What Keras cannot express is refused with an error naming the layer.
import assert from "node:assert/strict";
import { Model, SimpleRNN, LSTM, GRU, Jordan, Dense, Embedding } from "../bindings/index.js";
import type { Layer, LossName } from "../bindings/index.js";
import { toTfjs } from "../bindings/formats/tfjs-export.js";
import { modelFromTfjs } from "../bindings/formats/tfjs-import.js";
import { mulberry32, randomArray } from "./helpers/random.js";
import { maxAbsDiff, swapLeading, tfjsPredict, useTfjsCpu } from "./helpers/tfjs.js";

const T = 5;
const N = 3;
const D = 3;
const V = 7;

function ids(seed: number): Int32Array {
  const next = mulberry32(seed);
  return Int32Array.from({ length: T * N }, () => Math.floor(next() * V));
}

/** A layer's options without its seed (the one thing an import does not keep). */
function configs(model: Model): unknown[] {
  return model.layers.map((l) => {
    const { seed: _seed, ...options } = l.config().options;
    return { type: l.config().type, options };
  });
}

/** Exports, predicts with tfjs, imports back and re-exports; returns the tfjs vs wasm-rnn max difference. */
async function checkExport(layers: Layer[], loss: LossName): Promise<number> {
  const model = new Model({ layers, loss });
  const takesIds = model.vocabSize !== null;
  const x = takesIds ? ids(11) : randomArray(T * N * D, 11);
  const F = takesIds ? 1 : D;
  const input = x instanceof Int32Array ? { shape: [T, N], data: x } : { shape: [T, N, D], data: x };
  const probabilities = loss !== "meanSquaredError";
  const want = model.predict(input, { probabilities });
  const O = want.shape[want.shape.length - 1]!;
  const expected = want.shape.length === 3 ? swapLeading(want.data, T, N, O) : want.data;
  const artifacts = toTfjs(model);
  const got = await tfjsPredict(artifacts, swapLeading(x, T, N, F), takesIds ? [N, T] : [N, T, D]);
  const diff = maxAbsDiff(got, expected);
  assert.ok(diff <= 1e-5, `tfjs vs wasm-rnn: max |diff| ${diff}`);

  const back = modelFromTfjs(artifacts);
  try {
    assert.deepEqual(configs(back), configs(model));
    assert.equal(back.loss, model.loss);
    assert.ok(maxAbsDiff(back.predict(input, { probabilities }).data, want.data) <= 1e-6);
    const again = toTfjs(back);
    assert.deepEqual(again.modelTopology, artifacts.modelTopology);
    assert.deepEqual(again.weightSpecs, artifacts.weightSpecs);
    assert.deepEqual(new Uint8Array(again.weightData), new Uint8Array(artifacts.weightData));
  } finally {
    back.dispose();
    model.dispose();
  }
  return diff;
}

const dense = (inputSize: number, units: number, seed: number, activation?: "relu"): Dense => new Dense({ inputSize, units, seed, ...(activation ? { activation } : {}) });

describe("toTfjs: wasm-rnn -> TF.js -> wasm-rnn", () => {
  before(useTfjsCpu);

  const cases: [string, () => Layer[], LossName][] = [
    ["SimpleRNN tanh + Dense", () => [new SimpleRNN({ inputSize: D, units: 4, activation: "tanh", seed: 1 }), dense(4, 2, 2)], "meanSquaredError"],
    ["SimpleRNN relu", () => [new SimpleRNN({ inputSize: D, units: 4, activation: "relu", seed: 3 })], "meanSquaredError"],
    ["LSTM sigmoid gates + Dense softmax", () => [new LSTM({ inputSize: D, units: 4, seed: 4 }), dense(4, 3, 5)], "softmaxCrossEntropy"],
    ["LSTM hardSigmoid gates, relu activation", () => [new LSTM({ inputSize: D, units: 4, recurrentActivation: "hardSigmoid", activation: "relu", seed: 6 })], "meanSquaredError"],
    ["GRU reset-before, sigmoid gates", () => [new GRU({ inputSize: D, units: 4, resetAfter: false, seed: 7 }), dense(4, 2, 8)], "meanSquaredError"],
    ["GRU reset-before, hardSigmoid gates", () => [new GRU({ inputSize: D, units: 3, resetAfter: false, recurrentActivation: "hardSigmoid", seed: 9 })], "meanSquaredError"],
    ["stacked LSTM (numLayers 3)", () => [new LSTM({ inputSize: D, units: 3, numLayers: 3, seed: 10 })], "meanSquaredError"],
    ["bidirectional LSTM concat, numLayers 2", () => [new LSTM({ inputSize: D, units: 3, numLayers: 2, bidirectional: true, seed: 11 }), dense(6, 2, 12)], "meanSquaredError"],
    ["bidirectional GRU sum", () => [new GRU({ inputSize: D, units: 3, resetAfter: false, bidirectional: true, mergeMode: "sum", seed: 13 })], "meanSquaredError"],
    ["bidirectional SimpleRNN mul", () => [new SimpleRNN({ inputSize: D, units: 3, bidirectional: true, mergeMode: "mul", seed: 14 })], "meanSquaredError"],
    ["bidirectional LSTM ave", () => [new LSTM({ inputSize: D, units: 3, bidirectional: true, mergeMode: "ave", seed: 15 })], "meanSquaredError"],
    ["many-to-one LSTM + Dense softmax", () => [new LSTM({ inputSize: D, units: 4, returnSequences: false, seed: 16 }), dense(4, 3, 17)], "softmaxCrossEntropy"],
    ["many-to-one bidirectional GRU (last steps of both directions)", () => [new GRU({ inputSize: D, units: 3, resetAfter: false, bidirectional: true, numLayers: 2, returnSequences: false, seed: 18 })], "meanSquaredError"],
    ["mean pooling -> GlobalAveragePooling1D", () => [new SimpleRNN({ inputSize: D, units: 4, returnSequences: false, pooling: "mean", bidirectional: true, seed: 19 }), dense(8, 2, 20)], "meanSquaredError"],
    ["Embedding + LSTM + Dense softmax", () => [new Embedding({ inputSize: V, units: 4, seed: 21 }), new LSTM({ inputSize: 4, units: 3, seed: 22 }), dense(3, V, 23)], "softmaxCrossEntropy"],
    ["tokenInput bidirectional LSTM -> Embedding + identity kernels", () => [new LSTM({ inputSize: V, units: 3, tokenInput: true, bidirectional: true, seed: 24 }), dense(6, V, 25)], "softmaxCrossEntropy"],
    ["tokenInput stacked GRU", () => [new GRU({ inputSize: V, units: 3, tokenInput: true, resetAfter: false, numLayers: 2, seed: 26 })], "meanSquaredError"],
    ["binary logits -> Activation sigmoid after an LSTM", () => [new LSTM({ inputSize: D, units: 2, seed: 27 })], "binaryCrossEntropyWithLogits"],
    ["softmax after a relu Dense -> Activation layer", () => [new GRU({ inputSize: D, units: 3, resetAfter: false, seed: 28 }), dense(3, 4, 29, "relu")], "softmaxCrossEntropy"],
    ["Dense in front of a SimpleRNN", () => [dense(D, 4, 30), new SimpleRNN({ inputSize: 4, units: 3, seed: 31 })], "meanSquaredError"],
  ];
  for (const [name, layers, loss] of cases) {
    it(name, async () => {
      await checkExport(layers(), loss);
    });
  }

  it("writes a Keras-2 Sequential topology with batch_input_shape, and keeps the loss and metadata", () => {
    const model = new Model({ layers: [new GRU({ inputSize: D, units: 2, resetAfter: false, seed: 1 })], loss: "binaryCrossEntropyWithLogits" });
    model.metadata = { vocabulary: ["a", "b"] };
    const artifacts = toTfjs(model, { sequenceLength: T, name: "tagger" });
    const { modelTopology } = artifacts;
    assert.equal(modelTopology.class_name, "Sequential");
    assert.equal(modelTopology.config.name, "tagger");
    assert.deepEqual(modelTopology.config.layers.map((l) => l.class_name), ["GRU", "Activation"]);
    assert.deepEqual(modelTopology.config.layers[0]!.config.batch_input_shape, [null, T, D]);
    assert.deepEqual(artifacts.weightSpecs.map((s) => `${s.name} [${s.shape}]`), ["gru/kernel [3,6]", "gru/recurrent_kernel [2,6]", "gru/bias [6]"]);
    assert.equal(artifacts.format, "layers-model");
    const back = modelFromTfjs(artifacts);
    assert.equal(back.loss, "binaryCrossEntropyWithLogits");
    assert.deepEqual(back.metadata, { vocabulary: ["a", "b"] });
    back.dispose();
    model.dispose();
  });

  describe("refuses what Keras cannot express, naming the layer", () => {
    const refusals: [string, () => Layer, RegExp][] = [
      ["a reset-after GRU", () => new GRU({ inputSize: D, units: 2, seed: 1 }), /^toTfjs: layers\[0\] \(GRU\) has resetAfter true; TF\.js 4\.22 does not implement reset_after/],
      ["LSTM peepholes", () => new LSTM({ inputSize: D, units: 2, peephole: true, seed: 1 }), /^toTfjs: layers\[0\] \(LSTM\) has peepholes; Keras' and TF\.js' LSTM has none/],
      ["a Jordan network", () => new Jordan({ inputSize: D, units: 2, outputUnits: 2, seed: 1 }), /^toTfjs: layers\[0\] \(Jordan\): Keras and TF\.js have no Jordan layer/],
      ["a context", () => new SimpleRNN({ inputSize: D, units: 2, contextSize: 2, seed: 1 }), /^toTfjs: layers\[0\] \(SimpleRNN\) has contextSize 2; Keras recurrent layers take no per-sequence context/],
    ];
    for (const [name, layer, message] of refusals) {
      it(name, () => {
        const model = new Model({ layers: [layer()], loss: "meanSquaredError" });
        assert.throws(() => toTfjs(model), (e: Error) => e instanceof RangeError && message.test(e.message));
        model.dispose();
      });
    }

    it("bad arguments", () => {
      assert.throws(() => toTfjs({} as Model), (e: Error) => e instanceof TypeError && /^toTfjs: model must be a wasm-rnn Model; got an object/.test(e.message));
      const model = new Model({ layers: [new SimpleRNN({ inputSize: D, units: 2, seed: 1 })], loss: "meanSquaredError" });
      assert.throws(() => toTfjs(model, { sequenceLength: 0 }), (e: Error) => e instanceof RangeError && /^toTfjs: options\.sequenceLength must be >= 1; got 0/.test(e.message));
      assert.throws(() => toTfjs(model, { length: 3 } as never), (e: Error) => e instanceof TypeError && /^toTfjs: unknown option "length"/.test(e.message));
      model.dispose();
    });
  });
});
