// Issue 14, item 2: a Model built with batchFirst takes [N, T, ...] sequences (x, ids, per-step
// targets and masks) and returns [N, T, O] outputs, reordered by the core while it gathers batches;
// training, evaluation, prediction and streaming give bit for bit the numbers of the same data
// time-major, and a saved batch-first model loads batch-first.
import assert from "node:assert/strict";
import { Model } from "../bindings/model.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { GRU } from "../bindings/layers/gru.js";
import { Dense } from "../bindings/layers/dense.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { Adam } from "../bindings/optimizers.js";
import { decodeModelFile } from "../bindings/model-file.js";
import type { Layer } from "../bindings/layers/layer.js";
import { core } from "../bindings/core.js";
import { randomArray } from "./helpers/random.js";
import { transposed as swap } from "./helpers/transpose.js";

const T = 6;
const N = 10;
const D = 3;
const O = 2;

/** A time-major and a batch-first model with the same layers and seeds. */
function pair(layers: () => Layer[], loss: "meanSquaredError" | "softmaxCrossEntropy"): [Model, Model] {
  const build = (batchFirst: boolean): Model => new Model({ layers: layers(), loss, optimizer: new Adam({ lr: 0.01 }), batchFirst });
  return [build(false), build(true)];
}

function disposeAll(...models: Model[]): void {
  for (const m of models) m.dispose();
}

describe("batch-first kernels (gatherBatchFirst, swapLeadingAxes) against a scalar reference", () => {
  const SIZES = [1, 3, 5, 17, 33];
  /** Runs `body` with wasm blocks of `sizes` floats, freed afterwards. */
  function withBlocks(sizes: number[], body: (ptrs: number[]) => void): void {
    const ptrs = sizes.map((n) => core().alloc(4 * Math.max(n, 1)));
    try {
      body(ptrs);
    } finally {
      for (const p of ptrs) core().free(p);
    }
  }
  const f32 = (ptr: number, n: number): Float32Array => new Float32Array(core().memory.buffer, ptr, n);

  it("swapLeadingAxes: dst[b, a, :] = src[a, b, :]", () => {
    for (const A of SIZES) for (const B of [1, 5, 17]) for (const F of [1, 3, 33]) {
      const src = randomArray(A * B * F, A * 1000 + B * 10 + F);
      withBlocks([src.length, src.length], ([s, d]) => {
        f32(s!, src.length).set(src);
        core().swapLeadingAxes(d!, s!, A, B, F);
        assert.deepEqual(f32(d!, src.length), swap(src, A, B, F), `A=${A} B=${B} F=${F}`);
      });
    }
  });

  it("gatherBatchFirst: dst[t, b, :] = src[index[b], t, :]", () => {
    for (const Tn of SIZES) for (const Nn of [1, 3, 17]) for (const F of [1, 5]) {
      const src = randomArray(Nn * Tn * F, Tn * 100 + Nn + F);
      const index = Int32Array.from({ length: Nn + 2 }, (_, b) => (b * 7 + 1) % Nn);
      const B = index.length;
      const expected = new Float32Array(Tn * B * F);
      for (let t = 0; t < Tn; t++) for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) expected[(t * B + b) * F + f] = src[(index[b]! * Tn + t) * F + f]!;
      withBlocks([src.length, B, expected.length], ([s, i, d]) => {
        f32(s!, src.length).set(src);
        new Int32Array(core().memory.buffer, i!, B).set(index);
        core().gatherBatchFirst(d!, s!, i!, Tn, Nn, B, F);
        assert.deepEqual(f32(d!, expected.length), expected, `T=${Tn} N=${Nn} F=${F}`);
      });
    }
  });
});

describe("batchFirst models", () => {
  const x = randomArray(T * N * D, 1);
  const y = randomArray(T * N * O, 2);
  const mask = Float32Array.from({ length: T * N }, (_, i) => (i % 7 === 3 ? 0 : 1));
  const lengths = Int32Array.from({ length: N }, (_, i) => 1 + (i % T));
  const floatLayers = (): Layer[] => [new LSTM({ inputSize: D, units: 5, seed: 3 }), new Dense({ inputSize: 5, units: O, seed: 4 })];

  it("fit, evaluate and predict on [N, T, D] data equal the time-major model's, bit for bit (mask, lengths, validation data)", async () => {
    const [tm, bf] = pair(floatLayers, "meanSquaredError");
    const timeMajor = { x: { shape: [T, N, D], data: x }, y: { shape: [T, N, O], data: y }, mask: { shape: [T, N], data: mask } };
    const batchFirst = { x: { shape: [N, T, D], data: swap(x, T, N, D) }, y: { shape: [N, T, O], data: swap(y, T, N, O) }, mask: { shape: [N, T], data: swap(mask, T, N) } };
    const fitOptions = { epochs: 3, batchSize: 4, lengths, seed: 5 };
    const logsTm = await tm.fit(timeMajor.x, timeMajor.y, { ...fitOptions, mask: timeMajor.mask, validationData: { ...timeMajor, lengths } });
    const logsBf = await bf.fit(batchFirst.x, batchFirst.y, { ...fitOptions, mask: batchFirst.mask, validationData: { ...batchFirst, lengths } });
    assert.deepEqual(logsBf, logsTm);
    assert.deepEqual(bf.stateDict(), tm.stateDict());
    assert.deepEqual(bf.evaluate(batchFirst.x, batchFirst.y, { mask: batchFirst.mask, lengths, batchSize: 3 }), tm.evaluate(timeMajor.x, timeMajor.y, { mask: timeMajor.mask, lengths, batchSize: 3 }));
    const outTm = tm.predict(timeMajor.x, { lengths, batchSize: 4 });
    const outBf = bf.predict(batchFirst.x, { lengths, batchSize: 4 });
    assert.deepEqual(outBf.shape, [N, T, O]);
    assert.deepEqual(outBf.data, swap(outTm.data, T, N, O));
    assert.equal(bf.trainOnBatch(batchFirst.x, batchFirst.y, { lengths }), tm.trainOnBatch(timeMajor.x, timeMajor.y, { lengths }));
    disposeAll(tm, bf);
  });

  it("ids [N, T] with class targets [N, T], and per-sequence targets [N], equal the time-major model's", () => {
    const ids = Int32Array.from({ length: T * N }, (_, i) => (i * 7) % 11);
    const classes = Int32Array.from({ length: T * N }, (_, i) => (i * 5) % 4);
    const [tm, bf] = pair(() => [new Embedding({ inputSize: 11, units: 4, seed: 1 }), new GRU({ inputSize: 4, units: 6, seed: 2 }), new Dense({ inputSize: 6, units: 4, seed: 3 })], "softmaxCrossEntropy");
    for (let step = 0; step < 3; step++) {
      assert.equal(bf.trainOnBatch({ shape: [N, T], data: swap(ids, T, N) }, { shape: [N, T], data: swap(classes, T, N) }), tm.trainOnBatch({ shape: [T, N], data: ids }, { shape: [T, N], data: classes }));
    }
    assert.deepEqual(bf.predict({ shape: [N, T], data: swap(ids, T, N) }, { probabilities: true }).data, swap(tm.predict({ shape: [T, N], data: ids }, { probabilities: true }).data, T, N, 4));
    disposeAll(tm, bf);

    const perSequence = (): Layer[] => [new LSTM({ inputSize: D, units: 5, returnSequences: false, seed: 3 }), new Dense({ inputSize: 5, units: O, seed: 4 })];
    const [tm1, bf1] = pair(perSequence, "meanSquaredError");
    const target = { shape: [N, O], data: randomArray(N * O, 9) };
    assert.equal(bf1.trainOnBatch({ shape: [N, T, D], data: swap(x, T, N, D) }, target), tm1.trainOnBatch({ shape: [T, N, D], data: x }, target));
    assert.deepEqual(bf1.predict({ shape: [N, T, D], data: swap(x, T, N, D) }), tm1.predict({ shape: [T, N, D], data: x }));
    disposeAll(tm1, bf1);
  });

  it("step takes chunks [B, T, D] and returns [B, T, O]; single steps [B, D] are the same in both layouts", () => {
    const [tm, bf] = pair(floatLayers, "meanSquaredError");
    const chunk = 4;
    const first = x.subarray(0, chunk * N * D);
    const outTm = tm.step({ shape: [chunk, N, D], data: first });
    const outBf = bf.step({ shape: [N, chunk, D], data: swap(first, chunk, N, D) });
    assert.deepEqual(outBf.shape, [N, chunk, O]);
    assert.deepEqual(outBf.data, swap(outTm.data, chunk, N, O));
    const next = { shape: [N, D], data: x.subarray(chunk * N * D, (chunk + 1) * N * D) };
    assert.deepEqual(bf.step(next), tm.step(next));
    disposeAll(tm, bf);
  });

  it("saves batchFirst with the model (and nothing for a time-major one); Model.load restores it", () => {
    const [tm, bf] = pair(floatLayers, "meanSquaredError");
    const loaded = Model.load(bf.save());
    assert.equal(loaded.batchFirst, true);
    assert.equal(Model.load(tm.save()).batchFirst, false);
    assert.equal(decodeModelFile(bf.save(), "test").header.batchFirst, true);
    assert.equal(Object.hasOwn(decodeModelFile(tm.save(), "test").header, "batchFirst"), false);
    const xb = { shape: [N, T, D], data: swap(x, T, N, D) };
    assert.deepEqual(loaded.predict(xb), bf.predict(xb));
    disposeAll(tm, bf, loaded);
  });

  it("summary() writes the per-step output shapes batch-first", () => {
    const [tm, bf] = pair(floatLayers, "meanSquaredError");
    assert.deepEqual(bf.summary().rows.map((r) => r.outputShape), [["N", "T", 5], ["N", "T", O]]);
    assert.deepEqual(tm.summary().rows.map((r) => r.outputShape), [["T", "N", 5], ["T", "N", O]]);
    disposeAll(tm, bf);
  });

  it("names the batch-first axes in its shape errors, and refuses a batchFirst that is not a boolean", async () => {
    const [tm, bf] = pair(floatLayers, "meanSquaredError");
    assert.throws(() => bf.predict({ shape: [N, T, D + 1], data: new Float32Array(N * T * (D + 1)) }), { name: "RangeError", message: `Model.predict: x must have shape [N, T, ${D}]; got [${N}, ${T}, ${D + 1}]` });
    assert.throws(() => bf.trainOnBatch({ shape: [N, T, D], data: swap(x, T, N, D) }, { shape: [T, N, O], data: y }), { name: "RangeError", message: `Model.trainOnBatch: y must have shape [${N}, ${T}, ${O}]; got [${T}, ${N}, ${O}]` });
    await assert.rejects(bf.fit(undefined as never, undefined as never), { name: "TypeError", message: /^Model\.fit: x is required: floats shaped \[N, T, 3\]/ });
    assert.throws(() => new Model({ layers: floatLayers(), loss: "meanSquaredError", batchFirst: 1 as never }), { name: "TypeError", message: "Model: batchFirst must be a boolean; got number 1" });
    disposeAll(tm, bf);
  });
});

describe("tensors of other libraries (duck typing)", () => {
  const x = randomArray(T * N * D, 1);
  /** A stand-in for a tf.Tensor: shape, dataSync(), and an async data() method whose source must never reach a message. */
  const tfLike = <A>(shape: number[], values: A): { shape: number[]; dataSync(): A; data(): Promise<A> } => ({ shape, dataSync: () => values, data: async function data() { return values; } });

  it("reads { shape, dataSync() } (tf.Tensor) and { shape, data: <any numeric typed array> } like a Tensor", () => {
    const m = new Model({ layers: [new LSTM({ inputSize: D, units: 4, seed: 1 }), new Dense({ inputSize: 4, units: 3, seed: 2 })], loss: "softmaxCrossEntropy", batchFirst: true });
    const expected = m.predict({ shape: [N, T, D], data: x });
    assert.deepEqual(m.predict(tfLike([N, T, D], x)), expected);
    assert.deepEqual(m.predict({ shape: [N, T, D], data: Float64Array.from(x) }), expected);
    assert.deepEqual(m.predict({ shape: [N, T, D], data: x, stride: [T * D, D, 1], offset: 0 } as never), expected, "a contiguous ndarray");
    const classes = Int32Array.from({ length: N * T }, (_, i) => i % 3);
    const loss = m.evaluate(tfLike([N, T, D], x), tfLike([N, T], classes)).loss;
    assert.equal(m.evaluate({ shape: [N, T, D], data: x }, { shape: [N, T], data: Uint8Array.from(classes) }).loss, loss);
    assert.equal(m.evaluate({ shape: [N, T, D], data: x }, { shape: [N, T], data: classes }).loss, loss);
    m.dispose();
  });

  it("refuses other objects with a message that names what it got and never prints a function's source", () => {
    const m = new Model({ layers: [new LSTM({ inputSize: D, units: 4, seed: 1 }), new Dense({ inputSize: 4, units: 2, seed: 2 })], loss: "meanSquaredError" });
    const cases: [unknown, RegExp][] = [
      [{ shape: [T, N, D], data: async function data() { return x; } }, /^Model\.predict: x\.data must be a Float32Array \(or another typed array of numbers\); got function data$/],
      [{ shape: [T, N, D], dataSync: () => [1, 2] }, /^Model\.predict: x\.dataSync\(\) must return a typed array of numbers; got an array of length 2$/],
      [{ shape: [T, N, D], data: new BigInt64Array(T * N * D) }, /^Model\.predict: x\.data must be a Float32Array .*; got a BigInt64Array of length 180$/],
      [{ shape: [T, N, D], data: new Float32Array(T * N * D), stride: [1, T, T * N], offset: 0 }, /^Model\.predict: x must be contiguous and row-major; got offset number 0 and stride an array of length 3 \(copy it first/],
      [() => x, /^Model\.predict: x must be a \{ shape, data: Float32Array \} tensor, a tensor with shape and dataSync\(\) \(tf\.Tensor\), or nested number arrays; got function$/],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => m.predict(value as never), (e: unknown) => e instanceof TypeError && message.test(e.message) && !/=>|return x/.test(e.message), String(message));
    }
    m.dispose();
  });
});

describe("recurrent layers' forward and backward with { batchFirst: true }", () => {
  it("take x and dOutput [B, T, ...] and return output and dInput [B, T, ...]: the time-major numbers reordered", () => {
    const x = randomArray(T * N * D, 11);
    const make = (): LSTM => new LSTM({ inputSize: D, units: 4, numLayers: 2, bidirectional: true, seed: 6 });
    const [tm, bf] = [make(), make()];
    const lengths = Int32Array.from({ length: N }, (_, i) => T - (i % 3));
    const outTm = tm.forward({ shape: [T, N, D], data: x }, { lengths });
    const outBf = bf.forward({ shape: [N, T, D], data: swap(x, T, N, D) }, { lengths, batchFirst: true });
    const F = outTm.output.shape[2]!;
    assert.deepEqual(outBf.output.shape, [N, T, F]);
    assert.deepEqual(outBf.output.data, swap(outTm.output.data, T, N, F));
    assert.deepEqual(outBf.state, outTm.state);
    const dOut = randomArray(T * N * F, 12);
    const backTm = tm.backward({ shape: [T, N, F], data: dOut });
    const backBf = bf.backward({ shape: [N, T, F], data: swap(dOut, T, N, F) });
    assert.deepEqual(backBf.dInput.shape, [N, T, D]);
    assert.deepEqual(backBf.dInput.data, swap(backTm.dInput.data, T, N, D));
    assert.deepEqual(bf.stateDict(), tm.stateDict());
    assert.deepEqual([...bf.parameters.grads.f32()], [...tm.parameters.grads.f32()]);
    assert.throws(() => bf.backward({ shape: [T, N, F], data: dOut }), { name: "RangeError", message: `LSTM.backward: dOutput must have shape [${N}, ${T}, ${F}]; got [${T}, ${N}, ${F}]` });
    assert.throws(() => bf.forward({ shape: [N, T, D], data: x }, { batchFirst: "yes" as never }), { name: "TypeError", message: /^LSTM\.forward: batchFirst must be a boolean/ });
    tm.dispose();
    bf.dispose();
  });
});
