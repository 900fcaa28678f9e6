// After dispose(), every method and accessor of an object that owns wasm memory throws
// "<Class>.<member>: the <noun> has been disposed" (found by walking its prototype chain, so a
// member added later is covered); a second dispose does nothing; a part a model disposes (its
// layers, optimizer, arena) cannot be disposed alone while the model lives.
import assert from "node:assert/strict";
import { Model } from "../bindings/model.js";
import { Seq2Seq } from "../bindings/seq2seq/seq2seq.js";
import { SimpleRNN } from "../bindings/layers/simple-rnn.js";
import { Jordan } from "../bindings/layers/jordan.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { GRU } from "../bindings/layers/gru.js";
import { Dense } from "../bindings/layers/dense.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { Adam, AdamW, Adagrad, RMSprop, SGD } from "../bindings/optimizers.js";
import { Rng } from "../bindings/random.js";
import { ParameterArena } from "../bindings/arena.js";
import type { IntTensor } from "../bindings/tensor.js";

interface Disposable {
  dispose(): void;
}

const V = 5;
const ids = (T: number, N: number): IntTensor => ({ shape: [T, N], data: Int32Array.from({ length: T * N }, (_, i) => (i * 3) % V) });

function languageModel(): Model {
  return new Model({
    layers: [new Embedding({ inputSize: V, units: 3, seed: 1 }), new GRU({ inputSize: 3, units: 4, seed: 2 }), new Dense({ inputSize: 4, units: V, seed: 3 })],
    loss: "softmaxCrossEntropy",
  });
}

function seq2seq(): Seq2Seq {
  return new Seq2Seq({ sourceVocabSize: 6, targetVocabSize: 6, units: 4, seed: 1 });
}

/** Every class whose objects own wasm memory, the noun its messages use, and a fresh object of it. */
const OBJECTS: [string, string, () => Disposable][] = [
  ["Model", "model", languageModel],
  ["Seq2Seq", "model", seq2seq],
  ["SimpleRNN", "layer", () => new SimpleRNN({ inputSize: 2, units: 3, seed: 1 })],
  ["Jordan", "layer", () => new Jordan({ inputSize: 2, units: 3, outputUnits: 2, seed: 1 })],
  ["LSTM", "layer", () => new LSTM({ inputSize: 2, units: 3, seed: 1 })],
  ["GRU", "layer", () => new GRU({ inputSize: 2, units: 3, seed: 1 })],
  ["Dense", "layer", () => new Dense({ inputSize: 2, units: 3, seed: 1 })],
  ["Embedding", "layer", () => new Embedding({ inputSize: 4, units: 3, seed: 1 })],
  ["SGD", "optimizer", () => new SGD({ momentum: 0.9 })],
  ["Adam", "optimizer", () => new Adam()],
  ["AdamW", "optimizer", () => new AdamW()],
  ["RMSprop", "optimizer", () => new RMSprop()],
  ["Adagrad", "optimizer", () => new Adagrad()],
  ["Rng", "generator", () => new Rng(1)],
  ["ParameterArena", "arena", () => new ParameterArena([{ name: "w", shape: [2, 3] }])],
];

/** The members of `object`'s classes (all but constructor and dispose), how each is used. */
function members(object: object): { name: string; use: (o: Record<string, unknown>) => unknown }[] {
  const out: { name: string; use: (o: Record<string, unknown>) => unknown }[] = [];
  for (let proto = Object.getPrototypeOf(object) as object; proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === "constructor" || name === "dispose" || out.some((m) => m.name === name)) continue;
      const d = Object.getOwnPropertyDescriptor(proto, name)!;
      if (typeof d.value === "function") out.push({ name, use: (o) => (o[name] as () => unknown)() });
      if (d.get !== undefined) out.push({ name, use: (o) => o[name] });
      if (d.set !== undefined) out.push({ name: `${name} (set)`, use: (o) => { o[name] = 1; } });
    }
  }
  return out;
}

/** Asserts that using every member of a disposed `object` throws (or rejects) the disposed error. */
async function assertAllRefused(object: object, noun: string): Promise<number> {
  const list = members(object);
  for (const { name, use } of list) {
    const message = new RegExp(`^${object.constructor.name}\\.${name.replace(" (set)", "")}: the ${noun} has been disposed$`);
    let result: unknown;
    try {
      result = use(object as Record<string, unknown>);
    } catch (e) {
      assert.ok(e instanceof Error && message.test(e.message), `${object.constructor.name}.${name} threw ${String(e)}`);
      continue;
    }
    assert.ok(result instanceof Promise, `${object.constructor.name}.${name} neither threw nor returned a promise after dispose`);
    await assert.rejects(result, (e: unknown) => e instanceof Error && message.test(e.message));
  }
  return list.length;
}

describe("disposed objects", () => {
  for (const [name, noun, make] of OBJECTS) {
    it(`${name}: every method and accessor throws after dispose; a second dispose does nothing`, async () => {
      const object = make();
      assert.equal(object.constructor.name, name);
      object.dispose();
      assert.ok(await assertAllRefused(object, noun) >= 5);
      object.dispose();
    });
  }

  it("a disposed model's layers, optimizer and arena throw too", async () => {
    const model = languageModel();
    const { layers, optimizer, parameters } = model;
    model.dispose();
    for (const layer of layers) await assertAllRefused(layer, "layer");
    await assertAllRefused(optimizer, "optimizer");
    await assertAllRefused(parameters, "arena");
  });

  it("a part of a live model cannot be disposed alone; the model keeps working", () => {
    const model = languageModel();
    const x = ids(3, 2);
    const before = model.predict(x);
    assert.throws(() => model.layers[1]!.dispose(), /^Error: GRU\.dispose: the layer belongs to a Model; dispose the Model, which disposes it$/);
    assert.throws(() => model.optimizer.dispose(), /^Error: Adam\.dispose: the optimizer belongs to a Model/);
    assert.throws(() => model.parameters.dispose(), /^Error: ParameterArena\.dispose: the arena belongs to a Model/);
    const s2s = seq2seq();
    assert.throws(() => s2s.encoder.dispose(), /^Error: LSTM\.dispose: the layer belongs to a Seq2Seq/);
    s2s.dispose();
    const layer = new LSTM({ inputSize: 2, units: 3, seed: 1 });
    assert.throws(() => layer.parameters.dispose(), /^Error: ParameterArena\.dispose: the arena belongs to a LSTM/);
    layer.dispose();
    assert.deepEqual(model.predict(x), before);
    model.dispose();
  });

  it("a disposed layer or optimizer, or a layer of another model, is refused by new Model", () => {
    const disposed = new Dense({ inputSize: 2, units: 2, seed: 1 });
    disposed.dispose();
    assert.throws(() => new Model({ layers: [disposed], loss: "meanSquaredError" }), /^Error: Model: layers\[0\] has been disposed$/);
    const optimizer = new Adam();
    optimizer.dispose();
    assert.throws(() => new Model({ layers: [new Dense({ inputSize: 2, units: 2, seed: 1 })], loss: "meanSquaredError", optimizer }), /^Error: Model: optimizer has been disposed$/);
    const owner = languageModel();
    assert.throws(() => new Model({ layers: [owner.layers[2]!], loss: "meanSquaredError" }), /^RangeError: Model: layers\[0\] already belongs to a model; build a new Dense$/);
    owner.dispose();
  });

  it("fit rejects once the model is disposed, also while it awaits between batches", async () => {
    const model = languageModel();
    model.dispose();
    await assert.rejects(model.fit(ids(3, 4), ids(3, 4)), /^Error: Model\.fit: the model has been disposed$/);
    const live = languageModel();
    await assert.rejects(live.fit(ids(3, 4), ids(3, 4), { batchSize: 2, onBatchEnd: () => live.dispose() }), /^Error: Model\.fit: the model has been disposed$/);
    const s2s = seq2seq();
    const source = ids(2, 4);
    const target: IntTensor = { shape: [3, 4], data: Int32Array.from([3, 3, 3, 3, 4, 1, 4, 1, 2, 2, 2, 2]) };
    const lengths = [2, 2, 2, 2];
    const targetLengths = [3, 3, 3, 3];
    await assert.rejects(s2s.fit(source, lengths, target, targetLengths, { batchSize: 2, onBatchEnd: () => s2s.dispose() }), /^Error: Seq2Seq\.fit: the model has been disposed$/);
  });
});
