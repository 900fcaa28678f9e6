import assert from "node:assert/strict";
import { Model } from "../bindings/model.js";
import { SimpleRNN } from "../bindings/layers/simple-rnn.js";
import { Jordan } from "../bindings/layers/jordan.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { GRU } from "../bindings/layers/gru.js";
import type { RecurrentLayer } from "../bindings/layers/recurrent.js";
import { Dense } from "../bindings/layers/dense.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { Adam, SGD, type Optimizer } from "../bindings/optimizers.js";
import { softmaxCrossEntropy } from "../bindings/losses.js";
import type { Tensor, IntTensor } from "../bindings/tensor.js";
import { mulberry32 } from "./helpers/random.js";
import { saveModelFile, loadModelFile } from "../bindings/node.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rm } from "node:fs/promises";

/** Random bit sequences x [T, N, 1]; target y_t = x_t XOR x_{t-lag}, masked out for t < lag. */
function xorData(T: number, N: number, lag: number, seed: number): { x: Tensor; y: IntTensor; mask: Tensor } {
  const next = mulberry32(seed);
  const bits = new Float32Array(T * N);
  for (let i = 0; i < bits.length; i++) bits[i] = next() < 0.5 ? 0 : 1;
  const y = new Int32Array(T * N);
  const mask = new Float32Array(T * N);
  for (let t = lag; t < T; t++) {
    for (let n = 0; n < N; n++) {
      y[t * N + n] = bits[t * N + n]! !== bits[(t - lag) * N + n]! ? 1 : 0;
      mask[t * N + n] = 1;
    }
  }
  return { x: { shape: [T, N, 1], data: bits }, y: { shape: [T, N], data: y }, mask: { shape: [T, N], data: mask } };
}

describe("Model", () => {
  it("learns y_t = x_t XOR x_{t-3} (>= 95%) where a model without recurrence cannot (<= 60%)", async function () {
    this.timeout(120000);
    const train = xorData(24, 1024, 3, 1);
    const test = xorData(24, 256, 3, 2);
    const rnn = new Model({
      layers: [new SimpleRNN({ inputSize: 1, units: 32, seed: 1 }), new Dense({ inputSize: 32, units: 2, seed: 2 })],
      loss: "softmaxCrossEntropy",
      optimizer: new Adam({ lr: 0.01 }),
    });
    await rnn.fit(train.x, train.y, { mask: train.mask, epochs: 30, batchSize: 32, seed: 3 });
    const rnnAcc = rnn.evaluate(test.x, test.y, { mask: test.mask }).accuracy!;
    const flat = new Model({
      layers: [new Dense({ inputSize: 1, units: 32, activation: "tanh", seed: 1 }), new Dense({ inputSize: 32, units: 2, seed: 2 })],
      loss: "softmaxCrossEntropy",
      optimizer: new Adam({ lr: 0.01 }),
    });
    await flat.fit(train.x, train.y, { mask: train.mask, epochs: 30, batchSize: 32, seed: 3 });
    const flatAcc = flat.evaluate(test.x, test.y, { mask: test.mask }).accuracy!;
    assert.ok(rnnAcc >= 0.95, `SimpleRNN accuracy ${rnnAcc}`);
    assert.ok(flatAcc <= 0.6, `Dense-only accuracy ${flatAcc}`);
    rnn.dispose();
    flat.dispose();
  });
});

/** The recurrent cells every model-level mechanism is checked with. */
const CELLS = {
  SimpleRNN: (seed: number) => new SimpleRNN({ inputSize: 2, units: 5, seed }),
  LSTM: (seed: number) => new LSTM({ inputSize: 2, units: 5, peephole: true, seed }),
  GRU: (seed: number) => new GRU({ inputSize: 2, units: 5, resetAfter: false, seed }),
  Jordan: (seed: number) => new Jordan({ inputSize: 2, units: 4, outputUnits: 5, seed }),
} as const;

function smallModel(seed = 1, optimizer: Optimizer = new SGD({ lr: 0.1 }), cell: keyof typeof CELLS = "SimpleRNN"): Model {
  return new Model({
    layers: [CELLS[cell](seed), new Dense({ inputSize: 5, units: 3, seed: seed + 1 })],
    loss: "softmaxCrossEntropy",
    optimizer,
  });
}

function smallData(T: number, N: number, seed: number): { x: Tensor; y: IntTensor } {
  const next = mulberry32(seed);
  const x = new Float32Array(T * N * 2).map(() => next() * 2 - 1);
  const y = new Int32Array(T * N).map(() => Math.floor(next() * 3));
  return { x: { shape: [T, N, 2], data: x }, y: { shape: [T, N], data: y } };
}

describe("Model training mechanics", () => {
  it("the same seeds give bit-identical training", async () => {
    const { x, y } = smallData(6, 40, 1);
    const a = smallModel(1, new Adam({ lr: 0.01 }));
    const b = smallModel(1, new Adam({ lr: 0.01 }));
    await a.fit(x, y, { epochs: 3, batchSize: 8, seed: 9 });
    await b.fit(x, y, { epochs: 3, batchSize: 8, seed: 9 });
    for (const [name, t] of Object.entries(a.stateDict())) assert.deepEqual(t.data, b.stateDict()[name]!.data, name);
    a.dispose();
    b.dispose();
  });

  for (const cell of Object.keys(CELLS) as (keyof typeof CELLS)[]) {
    it(`truncated BPTT equals a hand-written loop that carries the state and cuts the gradient (${cell})`, async () => {
      const T = 7;
      const k = 3;
      const N = 4;
      const { x, y } = smallData(T, N, 2);
      const model = smallModel(3, new SGD({ lr: 0.1 }), cell);
      const manual = Model.load(model.save());
      await model.fit(x, y, { epochs: 1, batchSize: N, shuffle: false, truncatedBptt: k });
      const [rnn, dense] = manual.layers as [RecurrentLayer, Dense];
      let state: Record<string, Tensor> = {};
      for (let t0 = 0; t0 < T; t0 += k) {
        const len = Math.min(k, T - t0);
        const xc = { shape: [len, N, 2], data: x.data.slice(t0 * N * 2, (t0 + len) * N * 2) };
        const yc = { shape: [len, N], data: y.data.slice(t0 * N, (t0 + len) * N) };
        manual.parameters.zeroGrad();
        const r = rnn.forward(xc, { initialState: state });
        const logits = dense.forward(r.output);
        const { grad } = softmaxCrossEntropy(logits, yc);
        rnn.backward(dense.backward(grad));
        manual.optimizer.step(manual.parameters);
        state = r.state;
      }
      const got = model.stateDict();
      for (const [name, t] of Object.entries(manual.stateDict())) {
        t.data.forEach((v, i) => assert.ok(Math.abs(v - got[name]!.data[i]!) < 1e-6, `${name}[${i}]: ${v} vs ${got[name]!.data[i]}`));
      }
      model.dispose();
      manual.dispose();
    });

    it(`save/load round-trips a ${cell} model exactly`, async () => {
      const { x, y } = smallData(5, 16, 3);
      const model = smallModel(5, new Adam({ lr: 0.01 }), cell);
      await model.fit(x, y, { epochs: 2, batchSize: 4 });
      const copy = Model.load(model.save());
      assert.deepEqual(copy.predict(x).data, model.predict(x).data);
      assert.deepEqual(copy.stateDict(), model.stateDict());
      model.dispose();
      copy.dispose();
    });
  }

  it("save/load round-trips exactly", async () => {
    const { x, y } = smallData(5, 16, 3);
    const model = smallModel(5, new Adam({ lr: 0.01 }));
    await model.fit(x, y, { epochs: 2, batchSize: 4 });
    const bytes = model.save();
    const copy = Model.load(bytes);
    assert.deepEqual(copy.predict(x).data, model.predict(x).data);
    assert.deepEqual(copy.save(), bytes);
    assert.deepEqual(copy.optimizer.config, model.optimizer.config);
    const fromBuffer = Model.load(Buffer.concat([Buffer.alloc(3), Buffer.from(bytes)]).subarray(3)); // a view into a larger pool
    assert.deepEqual(fromBuffer.predict(x).data, model.predict(x).data);
    fromBuffer.dispose();
    assert.throws(() => Model.load(bytes.subarray(0, bytes.length - 4)), RangeError);
    const file = join(tmpdir(), `wasm-rnn-${process.pid}.wrnn`);
    await saveModelFile(model, file);
    const fromFile = await loadModelFile(file);
    assert.deepEqual(fromFile.save(), bytes);
    fromFile.dispose();
    await rm(file);
    assert.throws(() => Model.load(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])), /^RangeError: Model\.load: not a wasm-rnn model file/);
    model.dispose();
    copy.dispose();
  });

  it("fit reports progress, validates, and stops on an AbortSignal leaving the model usable", async () => {
    const { x, y } = smallData(4, 20, 4);
    const model = smallModel(7);
    const seen: number[] = [];
    const logs = await model.fit(x, y, { epochs: 2, batchSize: 8, validationData: { x, y }, onBatchEnd: (p) => seen.push(p.batch) });
    assert.deepEqual(seen, [0, 1, 2, 0, 1, 2]);
    assert.equal(logs.length, 2);
    assert.ok(logs[1]!.valLoss! > 0 && logs[1]!.valAccuracy! >= 0 && logs[1]!.valAccuracy! <= 1);
    assert.ok(logs[1]!.accuracy! >= 0 && logs[1]!.accuracy! <= 1 && logs[1]!.loss > 0);
    const controller = new AbortController();
    await assert.rejects(model.fit(x, y, { epochs: 5, batchSize: 4, signal: controller.signal, onBatchEnd: () => controller.abort() }), { name: "AbortError" });
    assert.ok(Number.isFinite(model.evaluate(x, y).loss));
    model.dispose();
  });

  it("many-to-one: remembers the first bit of a sequence (>= 95%)", async () => {
    const T = 10;
    const N = 512;
    const next = mulberry32(5);
    const x = new Float32Array(T * N).map(() => (next() < 0.5 ? 0 : 1));
    const y = new Int32Array(N).map((_, n) => x[n]!);
    const model = new Model({
      layers: [new SimpleRNN({ inputSize: 1, units: 16, returnSequences: false, seed: 1 }), new Dense({ inputSize: 16, units: 2, seed: 2 })],
      loss: "softmaxCrossEntropy",
      optimizer: new Adam({ lr: 0.01 }),
    });
    await model.fit({ shape: [T, N, 1], data: x }, { shape: [N], data: y }, { epochs: 20, batchSize: 32 });
    const { accuracy } = model.evaluate({ shape: [T, N, 1], data: x }, { shape: [N], data: y });
    assert.ok(accuracy! >= 0.95, `accuracy ${accuracy}`);
    assert.deepEqual(model.predict({ shape: [T, 2, 1], data: x.subarray(0, 2 * T) }).shape, [2, 2]);
    model.dispose();
  });

  it("a Jordan network trained with MSE tracks a rotating phase through its output memory", async () => {
    // x_t = sin(0.3 t); targets y_t = (sin 0.3(t+1), cos 0.3(t+1)). The memory y_{t-1} holds the
    // previous phase, so y_t is a fixed rotation of it: learnable only through the output feedback.
    // The first two steps (from y_0 = 0, before the phase is known) are masked out.
    const T = 20;
    const N = 64;
    const mask = { shape: [T, N], data: new Float32Array(T * N).fill(1, 2 * N) };
    const x = new Float32Array(T * N);
    const y = new Float32Array(T * N * 2);
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < T; t++) {
        x[t * N + n] = Math.sin(0.3 * (t + n));
        y[(t * N + n) * 2] = Math.sin(0.3 * (t + n + 1));
        y[(t * N + n) * 2 + 1] = Math.cos(0.3 * (t + n + 1));
      }
    }
    const model = new Model({
      layers: [new Jordan({ inputSize: 1, units: 16, outputUnits: 2, seed: 3 })],
      loss: "meanSquaredError",
      optimizer: new Adam({ lr: 0.01 }),
    });
    const data = { x: { shape: [T, N, 1], data: x }, y: { shape: [T, N, 2], data: y } };
    const before = model.evaluate(data.x, data.y, { mask }).loss;
    await model.fit(data.x, data.y, { mask, epochs: 60, batchSize: 16 });
    const after = model.evaluate(data.x, data.y, { mask }).loss;
    assert.ok(after < before / 20 && after < 0.01, `MSE ${before} -> ${after}`);
    model.dispose();
  });

  it("an Embedding first layer takes token ids [T, N]", async () => {
    const T = 6;
    const N = 64;
    const next = mulberry32(6);
    const ids = new Int32Array(T * N).map(() => Math.floor(next() * 5));
    const model = new Model({
      layers: [new Embedding({ inputSize: 5, units: 4, seed: 1 }), new SimpleRNN({ inputSize: 4, units: 8, seed: 2 }), new Dense({ inputSize: 8, units: 5, seed: 3 })],
      loss: "softmaxCrossEntropy",
      optimizer: new Adam({ lr: 0.02 }),
    });
    // Learn to echo the input token: y_t = x_t.
    await model.fit({ shape: [T, N], data: ids }, { shape: [T, N], data: ids }, { epochs: 40, batchSize: 16 });
    assert.ok(model.evaluate({ shape: [T, N], data: ids }, { shape: [T, N], data: ids }).accuracy! > 0.95);
    model.dispose();
  });
});

describe("Model bad input", () => {
  const { x, y } = smallData(4, 6, 8);
  const cases: [string, (m: Model) => unknown, RegExp, typeof TypeError | typeof RangeError][] = [
    ["x of the wrong feature size", (m) => m.predict({ shape: [4, 6, 3], data: new Float32Array(72) }), /x must have shape \[T, N, 2\]; got \[4, 6, 3\]/, RangeError],
    ["x with a NaN", (m) => m.predict({ shape: [4, 6, 2], data: new Float32Array(48).fill(NaN) }), /x must be finite; got NaN at flat index 0/, RangeError],
    ["x data length not matching its shape", (m) => m.predict({ shape: [4, 6, 2], data: new Float32Array(47) }), /x\.shape \[4, 6, 2\] holds 48 values but x\.data has 47/, RangeError],
    ["x not a tensor", (m) => m.predict("abc" as never), /x must be a \{ shape, data: Float32Array \} tensor/, TypeError],
    ["an empty batch", (m) => m.predict({ shape: [4, 0, 2], data: new Float32Array(0) }), /at least one step and one sequence/, RangeError],
    ["class ids out of range", (m) => m.trainOnBatch(x, { shape: [4, 6], data: new Int32Array(24).fill(3) }), /y must hold ids in \[0, 3\); got 3/, RangeError],
    ["targets of the wrong shape", (m) => m.trainOnBatch(x, { shape: [4, 5], data: new Int32Array(20) }), /y must have shape \[4, 6\]; got \[4, 5\]/, RangeError],
    ["a mask outside [0, 1]", (m) => m.trainOnBatch(x, y, { mask: { shape: [4, 6], data: new Float32Array(24).fill(2) } }), /mask must hold weights in \[0, 1\]; got 2/, RangeError],
    ["an unknown fit option", (m) => m.fit(x, y, { epoch: 3 } as never), /unknown option "epoch"/, TypeError],
    ["batchSize 0", (m) => m.fit(x, y, { batchSize: 0 }), /batchSize must be >= 1; got 0/, RangeError],
  ];
  for (const [what, call, message, type] of cases) {
    it(`rejects ${what} with a clear ${type.name}, and the model keeps working`, async () => {
      const model = smallModel(11);
      const before = model.predict(x).data;
      await assert.rejects(async () => call(model), (e: Error) => e instanceof type && message.test(e.message));
      assert.deepEqual(model.predict(x).data, before);
      assert.ok(Number.isFinite(model.trainOnBatch(x, y)));
      model.dispose();
    });
  }

  it("rejects layers whose sizes do not chain, unknown options and a bad loss", () => {
    assert.throws(() => new Model({ layers: [new SimpleRNN({ inputSize: 2, units: 5 }), new Dense({ inputSize: 4, units: 3 })], loss: "softmaxCrossEntropy" }),
      /^RangeError: Model: layers\[1\] \(Dense\) reads 4 features per step \(its inputSize\), but layers\[0\] \(SimpleRNN\) outputs 5; the sizes must match$/);
    assert.throws(() => new SimpleRNN({ inputSize: 2, units: 5, unit: 3 } as never), /unknown option "unit"/);
    assert.throws(() => new SimpleRNN({ inputSize: 2, units: 0 }), /units must be >= 1; got 0/);
    assert.throws(() => new SimpleRNN({ inputSize: 2, units: 3, activation: "gelu" as never }), /activation must be one of "tanh", "relu", "linear"; got "gelu"/);
    assert.throws(() => new Model({ layers: [new Dense({ inputSize: 2, units: 3 })], loss: "hinge" as never }), /loss must be one of/);
  });

  it("stops fit with a RangeError naming the epoch and batch once the loss is not finite", async () => {
    const model = new Model({
      layers: [new SimpleRNN({ inputSize: 2, units: 4, activation: "linear", seed: 1 }), new Dense({ inputSize: 4, units: 1, seed: 2 })],
      loss: "meanSquaredError",
      optimizer: new SGD({ lr: 1e30 }),
    });
    const seen: number[] = [];
    await assert.rejects(
      model.fit({ shape: [3, 8, 2], data: new Float32Array(48).fill(3) }, { shape: [3, 8, 1], data: new Float32Array(24).fill(1) },
        { epochs: 5, batchSize: 4, onBatchEnd: ({ loss }) => seen.push(loss) }),
      (e: Error) => e instanceof RangeError && /Model\.fit: the loss is Infinity at epoch 0, batch 1; nothing of this batch was applied .*lower the learning rate .*clip gradients/.test(e.message),
    );
    assert.equal(seen.length, 1);
    model.dispose();
  });

  it("checks validationData before training anything", async () => {
    const model = smallModel(13);
    const before = model.stateDict();
    const badY = { shape: [4, 6], data: new Int32Array(24).fill(7) };
    await assert.rejects(model.fit(x, y, { epochs: 2, validationData: { x, y: badY } }), (e: Error) => e instanceof RangeError && /Model\.fit: validationData: y must hold ids in \[0, 3\); got 7/.test(e.message));
    assert.deepEqual(model.stateDict(), before);
    const logs = await model.fit(x, y, { epochs: 2, validationData: { x, y } });
    assert.ok(logs.every((l) => Number.isFinite(l.valLoss)));
    model.dispose();
  });

  it("refuses truncatedBptt with a bidirectional layer before training anything", async () => {
    const model = new Model({
      layers: [new LSTM({ inputSize: 2, units: 3, bidirectional: true, seed: 1 }), new Dense({ inputSize: 6, units: 3, seed: 2 })],
      loss: "softmaxCrossEntropy",
    });
    const before = model.stateDict();
    await assert.rejects(model.fit(x, y, { truncatedBptt: 2 }), (e: Error) => e instanceof RangeError && /truncatedBptt .* a bidirectional LSTM cannot/.test(e.message));
    assert.deepEqual(model.stateDict(), before);
    model.dispose();
  });

  it("step takes one step of ids as a bare Int32Array", () => {
    const model = new Model({ layers: [new Embedding({ inputSize: 5, units: 3, seed: 1 }), new GRU({ inputSize: 3, units: 4, seed: 2 }), new Dense({ inputSize: 4, units: 5, seed: 3 })], loss: "softmaxCrossEntropy" });
    const ids = Int32Array.of(1, 4);
    const bare = model.step(ids);
    model.resetState();
    assert.deepEqual(bare, model.step({ shape: [2], data: ids }));
    assert.deepEqual(bare.shape, [2, 5]);
    model.dispose();
  });

  it("binds the optimizer when built: its state exists before the first step, and a second model cannot share it", () => {
    const adam = new Adam({ lr: 0.01 });
    const model = new Model({ layers: [new SimpleRNN({ inputSize: 2, units: 4, seed: 1 }), new Dense({ inputSize: 4, units: 3, seed: 2 })], loss: "softmaxCrossEntropy", optimizer: adam });
    const before = model.stateDict();
    const layers = [new SimpleRNN({ inputSize: 2, units: 4, seed: 1 }), new Dense({ inputSize: 4, units: 3, seed: 2 })];
    assert.throws(() => new Model({ layers, loss: "softmaxCrossEntropy", optimizer: adam }), /Adam\.bind: this optimizer is bound to the ParameterArena it first stepped/);
    assert.deepEqual(model.stateDict(), before);
    assert.ok(Number.isFinite(model.trainOnBatch(x, y)));
    assert.equal(adam.iterations, 1);
    assert.throws(() => new Model({ layers, loss: "softmaxCrossEntropy", optimizer: { lr: 0.1 } as never }), /optimizer must be an optimizer such as new Adam\(\); got/);
    for (const layer of layers) layer.dispose();
    model.dispose();
  });

  it("loadStateDict rejects wrong names, missing keys and wrong shapes without changing anything", () => {
    const model = smallModel(12);
    const sd = model.stateDict();
    assert.throws(() => model.loadStateDict({ ...sd, "0.weight_xx": sd["0.weight_ih_l0"]! }), /unexpected key "0.weight_xx"/);
    const { ["1.bias"]: _, ...missing } = sd;
    assert.throws(() => model.loadStateDict(missing), /missing key "1.bias"/);
    assert.throws(() => model.loadStateDict({ ...sd, "1.bias": { shape: [4], data: new Float32Array(4) } }), /must have shape \[3\]; got \[4\]/);
    assert.deepEqual(model.stateDict(), sd);
    model.dispose();
  });
});
