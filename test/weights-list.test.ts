// Issue 14 item 4: Model.getWeights / setWeights, Keras' ordered weight lists in Keras layouts:
// a round trip predicts bit for bit, the list is what toTfjs writes and fromTfjs reads, and a bad
// list is refused whole (nothing loaded), naming the index, the layer, the weight and the shapes.
import assert from "node:assert/strict";
import fc from "fast-check";
import { Dense, Embedding, GRU, Jordan, LSTM, MGU, Model, SimpleRNN, toTfjs, type Tensor } from "../bindings/index.js";
import { disposedAfterEach } from "./helpers/disposed-after-each.js";

const T = 4;
const N = 3;
const D = 5;

const x = { shape: [T, N, D], data: Float32Array.from({ length: T * N * D }, (_, i) => Math.sin(1.7 * i)) };
const ids = { shape: [T, N], data: Int32Array.from({ length: T * N }, (_, i) => (i * 5) % 7) };
const context = { shape: [N, 2], data: Float32Array.from([0.5, -1, 0.25, 2, -0.75, 1]) };

/** Each case: its models' layers from a seed base (two bases: two differently initialised models), and its input. */
const CASES: { name: string; layers: (s: number) => ConstructorParameters<typeof Model>[0]["layers"]; input: Tensor | typeof ids; context?: Tensor }[] = [
  { name: "Embedding, bidirectional 2-layer LSTM with peepholes, Dense", input: ids,
    layers: (s) => [new Embedding({ inputSize: 7, units: 4, seed: s }), new LSTM({ units: 3, numLayers: 2, bidirectional: true, peephole: true, seed: s + 1 }), new Dense({ units: 2, seed: s + 2 })] },
  { name: "GRU resetAfter true and false, SimpleRNN", input: x,
    layers: (s) => [new GRU({ inputSize: D, units: 3, seed: s }), new GRU({ units: 2, resetAfter: false, seed: s + 1 }), new SimpleRNN({ units: 2, seed: s + 2 })] },
  { name: "LSTM with tokenInput and contextSize, mean pooling", input: ids, context,
    layers: (s) => [new LSTM({ inputSize: 7, units: 3, tokenInput: true, contextSize: 2, returnSequences: false, pooling: "mean", seed: s }), new Dense({ units: 1, seed: s + 1 })] },
  { name: "Jordan and MGU (PyTorch layouts)", input: x,
    layers: (s) => [new Jordan({ inputSize: D, units: 3, outputUnits: 2, seed: s }), new MGU({ units: 2, seed: s + 1 })] },
];

const keep = disposedAfterEach<Model>();

function modelOf(c: (typeof CASES)[number], seed: number): Model {
  return keep(new Model({ layers: c.layers(seed), loss: "meanSquaredError" }));
}

function predictOf(model: Model, c: (typeof CASES)[number]): Tensor {
  return model.predict(c.input, c.context === undefined ? {} : { context: c.context });
}

describe("Model.getWeights / setWeights (Keras order and layouts)", () => {
  for (const c of CASES) {
    it(`${c.name}: getWeights -> setWeights on a differently initialised model predicts bit for bit`, () => {
      const source = modelOf(c, 1);
      const target = modelOf(c, 100);
      assert.notDeepEqual(predictOf(target, c), predictOf(source, c));
      target.setWeights(source.getWeights());
      assert.deepEqual(predictOf(target, c), predictOf(source, c));
      assert.deepEqual(target.getWeights(), source.getWeights());
    });
  }

  it("lists Keras' shapes and order: LSTM kernel [D, 4H], recurrent_kernel [H, 4H], bias [4H] with gates i, f, c, o; Dense kernel [I, O], bias [O]", () => {
    const model = keep(new Model({ layers: [new LSTM({ inputSize: D, units: 3, seed: 1 }), new Dense({ units: 2, seed: 2 })], loss: "meanSquaredError" }));
    const weights = model.getWeights();
    assert.deepEqual(weights.map((w) => w.shape), [[D, 12], [3, 12], [12], [3, 2], [2]]);
    const dict = model.stateDict();
    const H = 3;
    // Keras' kernel[d, g·H + j] is PyTorch's weight_ih[g·H + j, d] for the gates i, f, c(g), o in the same order
    assert.equal(weights[0]!.data[1 * 12 + 2 * H + 1], dict["0.weight_ih_l0"]!.data[(2 * H + 1) * D + 1]);
    assert.equal(weights[2]!.data[H + 2], Math.fround(dict["0.bias_ih_l0"]!.data[H + 2]! + dict["0.bias_hh_l0"]!.data[H + 2]!));
    assert.equal(weights[3]!.data[1 * 2 + 0], dict["1.weight"]!.data[0 * 3 + 1]);
  });

  it("are the weights toTfjs writes, and a model fromTfjs builds from such a list predicts as the model", () => {
    const model = keep(new Model({ layers: [new GRU({ inputSize: D, units: 3, resetAfter: false, numLayers: 2, bidirectional: true, seed: 1 }), new Dense({ units: 2, seed: 2 })], loss: "meanSquaredError" }));
    const artifacts = toTfjs(model);
    const weights = model.getWeights();
    assert.deepEqual(artifacts.weightSpecs.map((s) => s.shape), weights.map((w) => w.shape));
    const packed = new Float32Array(weights.reduce((n, w) => n + w.data.length, 0));
    let at = 0;
    for (const w of weights) {
      packed.set(w.data, at);
      at += w.data.length;
    }
    assert.deepEqual(new Float32Array(artifacts.weightData), packed);
    const imported = keep(Model.fromTfjs({ ...artifacts, weightData: packed.buffer }, { loss: "meanSquaredError" }));
    assert.deepEqual(imported.predict(x), model.predict(x));
    const fresh = keep(new Model({ layers: [new GRU({ inputSize: D, units: 3, resetAfter: false, numLayers: 2, bidirectional: true, seed: 7 }), new Dense({ units: 2, seed: 8 })], loss: "meanSquaredError" }));
    fresh.setWeights(imported.getWeights());
    assert.deepEqual(fresh.predict(x), model.predict(x));
  });

  it("refuses a list that is not an array, or of the wrong length", () => {
    const model = modelOf(CASES[1]!, 1);
    assert.throws(() => model.setWeights({} as never), { name: "TypeError", message: /^Model\.setWeights: weights must be an array of 9 tensors \(as getWeights\(\) returns\); got an object/ });
    assert.throws(() => model.setWeights(model.getWeights().slice(1)), { name: "RangeError", message: "Model.setWeights: weights must hold 9 tensors (as getWeights() returns); got 8" });
  });

  it("names the index, the layer, the weight and the shapes of a wrongly shaped weight", () => {
    const model = keep(new Model({ layers: [new LSTM({ inputSize: D, units: 3, seed: 1 }), new Dense({ units: 2, seed: 2 })], loss: "meanSquaredError" }));
    const weights = model.getWeights();
    weights[1] = { shape: [3, 11], data: new Float32Array(33) };
    assert.throws(() => model.setWeights(weights), { name: "RangeError", message: "Model.setWeights: weights[1] (layers[0] (LSTM) recurrent_kernel_l0) must have shape [3, 12]; got [3, 11]" });
  });

  it("property: a list with one bad weight (shape, values or type) is refused naming its index, and nothing changes", () => {
    const c = CASES[0]!;
    const model = modelOf(c, 1);
    const before = model.stateDict();
    const count = model.getWeights().length;
    const bad = fc.oneof(
      fc.constant<"shape" | "nan" | "type">("shape"), fc.constant<"shape" | "nan" | "type">("nan"), fc.constant<"shape" | "nan" | "type">("type"));
    fc.assert(fc.property(fc.integer({ min: 0, max: count - 1 }), bad, fc.integer({ min: 1, max: 3 }), (index, kind, extra) => {
      const weights: unknown[] = model.getWeights().map((w) => ({ shape: [...w.shape], data: w.data.map((v) => v + 1) }));
      const w = weights[index] as Tensor;
      if (kind === "shape") weights[index] = { shape: [...w.shape.slice(0, -1), w.shape[w.shape.length - 1]! + extra], data: new Float32Array(w.data.length / w.shape[w.shape.length - 1]! * (w.shape[w.shape.length - 1]! + extra)) };
      if (kind === "nan") w.data[w.data.length - 1] = NaN;
      if (kind === "type") weights[index] = "weights";
      assert.throws(() => model.setWeights(weights as Tensor[]), (e: Error) => (e instanceof RangeError || e instanceof TypeError) && e.message.startsWith(`Model.setWeights: weights[${index}] (layers[`));
      assert.deepEqual(model.stateDict(), before);
    }), { seed: 14, numRuns: 60 });
  });
});
