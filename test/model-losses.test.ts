// The loss option of Model: a name or { name, ...params } (Huber's delta), resolved once, used by
// training, evaluation and prediction, saved with the model and restored by load; bad loss options
// are errors naming Model and `loss`.
import assert from "node:assert/strict";
import { Model } from "../bindings/model.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { Dense } from "../bindings/layers/dense.js";
import { Adam } from "../bindings/optimizers.js";
import { huberLoss, meanSquaredError, type LossSpec } from "../bindings/losses.js";
import type { Tensor } from "../bindings/tensor.js";
import { readSafetensors } from "../bindings/formats/safetensors.js";
import { mulberry32 } from "./helpers/random.js";

const T = 6;
const N = 8;

/** Sequences x [T, N, 2] and targets [T, N, 1] = 3 x_0 - x_1 with a few large outliers (where Huber and MSE part). */
function regression(seed: number): { x: Tensor; y: Tensor } {
  const rand = mulberry32(seed);
  const x = Float32Array.from({ length: T * N * 2 }, () => rand() * 2 - 1);
  const y = new Float32Array(T * N);
  for (let i = 0; i < T * N; i++) y[i] = 3 * x[2 * i]! - x[2 * i + 1]! + (i % 11 === 0 ? 8 : 0);
  return { x: { shape: [T, N, 2], data: x }, y: { shape: [T, N, 1], data: y } };
}

function regressor(loss: LossSpec, seed = 1): Model {
  return new Model({ layers: [new LSTM({ inputSize: 2, units: 5, seed }), new Dense({ inputSize: 5, units: 1, seed: seed + 1 })], loss, optimizer: new Adam({ lr: 0.03 }) });
}

describe("Model loss option", () => {
  it("takes a name or { name, ...params }; lossConfig gives every parameter's value", () => {
    const cases: [LossSpec, { name: string; delta?: number }][] = [
      ["meanSquaredError", { name: "meanSquaredError" }],
      [{ name: "meanSquaredError" }, { name: "meanSquaredError" }],
      ["huber", { name: "huber", delta: 1 }],
      [{ name: "huber" }, { name: "huber", delta: 1 }],
      [{ name: "huber", delta: 0.5 }, { name: "huber", delta: 0.5 }],
    ];
    for (const [loss, config] of cases) {
      const model = regressor(loss);
      assert.equal(model.loss, config.name);
      assert.deepEqual(model.lossConfig, config);
      model.dispose();
    }
  });

  it("{ name: \"meanSquaredError\" } trains exactly as \"meanSquaredError\"", () => {
    const { x, y } = regression(3);
    const a = regressor("meanSquaredError");
    const b = regressor({ name: "meanSquaredError" });
    for (let i = 0; i < 3; i++) assert.equal(a.trainOnBatch(x, y), b.trainOnBatch(x, y));
    assert.deepEqual(a.predict(x), b.predict(x));
    a.dispose();
    b.dispose();
  });

  it("Huber: evaluate is huberLoss of predict (mean over elements, no accuracy), training lowers it, and delta changes it", () => {
    const { x, y } = regression(4);
    for (const delta of [0.5, 2]) {
      const model = regressor({ name: "huber", delta });
      const before = model.evaluate(x, y);
      assert.equal(before.accuracy, undefined);
      const reference = huberLoss(model.predict(x), y, { delta }).loss;
      assert.ok(Math.abs(before.loss - reference) <= 1e-6 * reference, `${before.loss} vs ${reference}`);
      const first = model.trainOnBatch(x, y);
      assert.ok(Math.abs(first - before.loss) <= 1e-6 * first, `${first} vs ${before.loss}`);
      for (let i = 0; i < 100; i++) model.trainOnBatch(x, y);
      assert.ok(model.evaluate(x, y).loss < 0.8 * before.loss, `delta ${delta}: ${model.evaluate(x, y).loss} vs ${before.loss}`);
      model.dispose();
    }
    const mse = regressor("meanSquaredError");
    const huber = regressor({ name: "huber", delta: 0.5 });
    assert.notEqual(mse.trainOnBatch(x, y), huber.trainOnBatch(x, y));
    assert.notDeepEqual(mse.predict(x), huber.predict(x), "the Huber gradient (clipped at delta) must train differently from MSE");
    assert.equal(meanSquaredError(mse.predict(x), y).loss, mse.evaluate(x, y).loss);
    mse.dispose();
    huber.dispose();
  });

  it("Huber: fit reports the loss without accuracy; probabilities are refused (no output activation)", async () => {
    const { x, y } = regression(5);
    const model = regressor({ name: "huber", delta: 1 });
    const logs = await model.fit(x, y, { epochs: 2, batchSize: 4, seed: 1 });
    assert.equal(logs.length, 2);
    assert.ok(logs.every((l) => Number.isFinite(l.loss) && l.accuracy === undefined));
    assert.throws(() => model.predict(x, { probabilities: true }), /^RangeError: Model\.predict: probabilities needs a softmaxCrossEntropy or binaryCrossEntropyWithLogits model$/);
    model.dispose();
  });

  it("save writes { name, delta } and load restores it; a loss without parameters is saved as its name", () => {
    const { x, y } = regression(6);
    const model = regressor({ name: "huber", delta: 0.25 });
    model.trainOnBatch(x, y);
    const bytes = model.save();
    assert.deepEqual(JSON.parse(readSafetensors(bytes).metadata.model!).loss, { name: "huber", delta: 0.25 });
    const loaded = Model.load(bytes);
    assert.equal(loaded.loss, "huber");
    assert.deepEqual(loaded.lossConfig, { name: "huber", delta: 0.25 });
    assert.equal(loaded.trainOnBatch(x, y), model.trainOnBatch(x, y));
    assert.deepEqual(loaded.predict(x), model.predict(x));
    loaded.dispose();
    model.dispose();
    const plain = regressor({ name: "meanSquaredError" });
    assert.equal(JSON.parse(readSafetensors(plain.save()).metadata.model!).loss, "meanSquaredError");
    plain.dispose();
  });

  it("Model.fromStateDict takes the descriptor form too", () => {
    const source = regressor("meanSquaredError");
    const model = Model.fromStateDict(source.stateDict(), { loss: { name: "huber", delta: 0.75 } });
    assert.deepEqual(model.lossConfig, { name: "huber", delta: 0.75 });
    model.dispose();
    source.dispose();
  });

  describe("refuses bad loss options, naming Model and loss", () => {
    const cases: [string, unknown, ErrorConstructor, RegExp][] = [
      ["an unknown name", "hinge", TypeError, /^Model: loss must be one of "softmaxCrossEntropy", "meanSquaredError", "binaryCrossEntropyWithLogits", "huber"; got "hinge"$/],
      ["no loss", undefined, TypeError, /^Model: loss must be one of .*; got undefined/],
      ["a number", 3, TypeError, /^Model: loss must be one of .*; got number 3$/],
      ["an object of an unknown loss", { name: "hinge" }, TypeError, /^Model: loss\.name must be one of .*; got "hinge"$/],
      ["an object without a name", { delta: 1 }, TypeError, /^Model: loss\.name must be one of .*; got undefined/],
      ["an unknown Huber parameter", { name: "huber", beta: 1 }, TypeError, /^Model: loss has an unknown key "beta"; huber takes the parameters delta$/],
      ["a parameter of a loss without any", { name: "meanSquaredError", delta: 1 }, TypeError, /^Model: loss has an unknown key "delta"; meanSquaredError takes no parameters$/],
      ["delta 0", { name: "huber", delta: 0 }, RangeError, /^Model: loss\.delta must be > 0 \(the loss and its gradient would be 0\); got 0$/],
      ["a negative delta", { name: "huber", delta: -0.5 }, RangeError, /^Model: loss\.delta must be a finite number in \[0, Infinity\]; got -0\.5$/],
      ["delta NaN", { name: "huber", delta: NaN }, RangeError, /^Model: loss\.delta must be a finite number in \[0, Infinity\]; got NaN$/],
      ["delta Infinity", { name: "huber", delta: Infinity }, RangeError, /^Model: loss\.delta must be a finite number in \[0, Infinity\]; got Infinity$/],
      ["delta below float32's smallest", { name: "huber", delta: 1e-50 }, RangeError, /^Model: loss\.delta must be > 0 .*which is 0 in float32$/],
      ["delta a string", { name: "huber", delta: "1" }, TypeError, /^Model: loss\.delta must be a number; got "1"$/],
    ];
    for (const [what, loss, type, message] of cases) {
      it(what, () => {
        const layers = [new Dense({ inputSize: 2, units: 1, seed: 1 })];
        assert.throws(() => new Model({ layers, loss: loss as LossSpec }), (e: unknown) => e instanceof type && message.test((e as Error).message)
          || assert.fail(`expected ${type.name} matching ${message}; got ${String(e)}`));
        layers[0]!.dispose();
      });
    }
  });
});
