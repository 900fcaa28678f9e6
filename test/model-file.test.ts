// The saved-model file (version 2, safetensors): training resumes exactly from a saved model,
// version-1 files still load, and a corrupted file is refused (checksum) rather than loaded as a
// different model.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { Model } from "../bindings/model.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { Dense } from "../bindings/layers/dense.js";
import { Adam, AdamW, SGD, RMSprop, Adagrad, type Optimizer } from "../bindings/optimizers.js";
import { readSafetensors, writeSafetensors } from "../bindings/formats/safetensors.js";
import type { IntTensor } from "../bindings/tensor.js";
import { mulberry32 } from "./helpers/random.js";

const V = 6;
const T = 5;
const N = 4;

function ids(seed: number): IntTensor {
  const next = mulberry32(seed);
  return { shape: [T, N], data: Int32Array.from({ length: T * N }, () => Math.floor(next() * V)) };
}

function charModel(optimizer: Optimizer): Model {
  return new Model({
    layers: [new Embedding({ inputSize: V, units: 3, seed: 1 }), new LSTM({ inputSize: 3, units: 5, seed: 2 }), new Dense({ inputSize: 5, units: V, seed: 3 })],
    loss: "softmaxCrossEntropy",
    optimizer,
    clipNorm: 1,
  });
}

const OPTIMIZERS: [string, () => Optimizer][] = [
  ["Adam", () => new Adam({ lr: 0.02 })],
  ["AdamW", () => new AdamW({ lr: 0.02 })],
  ["SGD with momentum", () => new SGD({ lr: 0.1, momentum: 0.9 })],
  ["RMSprop with momentum", () => new RMSprop({ lr: 0.01, momentum: 0.5 })],
  ["Adagrad", () => new Adagrad({ lr: 0.1, initialAccumulatorValue: 0.1 })],
];

/** Trains `steps` steps on the batches of seeds from `first`. */
function train(model: Model, first: number, steps: number): void {
  for (let s = first; s < first + steps; s++) model.trainOnBatch(ids(s), ids(s + 1000));
}

describe("model files", () => {
  for (const [name, make] of OPTIMIZERS) {
    it(`10 steps, save, load, 10 more equals 20 steps in one go, bit for bit (${name})`, () => {
      const straight = charModel(make());
      train(straight, 0, 20);
      const first = charModel(make());
      train(first, 0, 10);
      const resumed = Model.load(first.save());
      assert.equal(resumed.optimizer.iterations, 10);
      train(resumed, 10, 10);
      assert.deepEqual(resumed.stateDict(), straight.stateDict());
      assert.deepEqual(resumed.optimizer.exportState(), straight.optimizer.exportState());
      for (const m of [straight, first, resumed]) m.dispose();
    });
  }

  it("is a safetensors file: parameters under state_dict names, optimizer moments under optimizer., settings as JSON strings", () => {
    const model = charModel(new Adam({ lr: 0.02 }));
    train(model, 0, 2);
    model.metadata = { vocabulary: ["a", "b"] };
    const { tensors, metadata } = readSafetensors(model.save());
    const params = Object.keys(model.stateDict());
    assert.deepEqual(Object.keys(tensors), [...params, ...params.map((p) => `optimizer.exp_avg.${p}`), ...params.map((p) => `optimizer.exp_avg_sq.${p}`)]);
    assert.deepEqual(tensors["1.weight_hh_l0"], model.stateDict()["1.weight_hh_l0"]);
    assert.equal(metadata.format, "wasm-rnn");
    assert.equal(metadata.format_version, "2");
    assert.deepEqual(JSON.parse(metadata.metadata!), { vocabulary: ["a", "b"] });
    assert.equal(JSON.parse(metadata.model!).loss, "softmaxCrossEntropy");
    assert.deepEqual(JSON.parse(metadata.optimizer!).state, ["exp_avg", "exp_avg_sq"]);
    assert.match(metadata.checksum!, /^crc32:[0-9a-f]{8}$/);
    model.dispose();
  });

  it("{ includeOptimizer: false } leaves the optimizer state out: same weights and settings, a fresh state", () => {
    const model = charModel(new Adam({ lr: 0.02 }));
    train(model, 0, 3);
    const bytes = model.save({ includeOptimizer: false });
    assert.ok(bytes.length < model.save().length / 2);
    assert.deepEqual(Object.keys(readSafetensors(bytes).tensors), Object.keys(model.stateDict()));
    const served = Model.load(bytes);
    assert.deepEqual(served.stateDict(), model.stateDict());
    assert.deepEqual(served.optimizer.config, model.optimizer.config);
    assert.equal(served.optimizer.iterations, 0);
    assert.throws(() => model.save({ includeOptimizer: "no" as never }), /^TypeError: Model\.save: includeOptimizer must be a boolean/);
    served.dispose();
    model.dispose();
  });

  it("still reads version-1 files (with a fresh optimizer state)", () => {
    const fixture = JSON.parse(readFileSync("test/fixtures/model-v1.json", "utf8")) as { x: { shape: number[]; data: number[] }; output: { shape: number[]; data: number[] } };
    const model = Model.load(new Uint8Array(readFileSync("test/fixtures/model-v1.wrnn")));
    const out = model.predict({ shape: fixture.x.shape, data: Int32Array.from(fixture.x.data) });
    assert.deepEqual(out.shape, fixture.output.shape);
    assert.deepEqual(out.data, Float32Array.from(fixture.output.data));
    assert.match(String(model.metadata.note), /version-1 file/);
    assert.equal(model.optimizer.iterations, 0);
    assert.equal(model.clipNorm, 1);
    const again = Model.load(model.save());
    assert.deepEqual(again.predict({ shape: fixture.x.shape, data: Int32Array.from(fixture.x.data) }), out);
    model.dispose();
    again.dispose();
  });

  it("refuses a flipped bit in a weight, and a PyTorch state dict without a wasm-rnn config", () => {
    const model = charModel(new Adam());
    const bytes = model.save();
    const flipped = bytes.slice();
    flipped[flipped.length - 3] ^= 0x10;
    assert.throws(() => Model.load(flipped), /^RangeError: Model\.load: checksum mismatch .* the file is corrupt/);
    const plain = writeSafetensors(model.stateDict());
    assert.throws(() => Model.load(plain), /^RangeError: Model\.load: this safetensors file holds no wasm-rnn model .* loadStateDict\(readSafetensors\(bytes\)\)/);
    assert.throws(() => Model.load(new Uint8Array([1, 2, 3])), /^RangeError: Model\.load: not a wasm-rnn model file/);
    model.dispose();
  });

  it("any flipped byte anywhere in a file is refused with a Model.load error or leaves the model unchanged", () => {
    const model = charModel(new Adam({ lr: 0.02 }));
    train(model, 0, 2);
    model.metadata = { note: "x" };
    const bytes = model.save();
    const same = (other: Model): boolean => JSON.stringify(other.save()) === JSON.stringify(bytes);
    fc.assert(fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
      const corrupt = bytes.slice();
      corrupt[at] ^= mask;
      let loaded: Model;
      try {
        loaded = Model.load(corrupt);
      } catch (e) {
        return (e instanceof RangeError || e instanceof TypeError) && e.message.startsWith("Model.load: ");
      }
      const unchanged = same(loaded);
      loaded.dispose();
      return unchanged;
    }), { seed: 42, numRuns: 400 });
    model.dispose();
  });
});
