// tokenInput: a recurrent layer reading ids [T, B] as one-hot vectors must compute what the same
// layer computes on the one-hot floats (outputs, final states, dInput and every parameter
// gradient), for every cell, stacked, bidirectional, with lengths and with a context; a Model
// built on it trains like the one-hot model; bad ids are refused by name; a finite-difference
// check of weight_ih and bias_ih through the gather.
import assert from "node:assert/strict";
import { SimpleRNN, Jordan, LSTM, GRU, MGU, Dense, Model, Adam } from "../bindings/index.js";
import type { RecurrentLayer, RecurrentOptions } from "../bindings/layers/recurrent.js";
import type { Tensor } from "../bindings/index.js";
import { mulberry32, randomArray } from "./helpers/random.js";
import { checkGradient } from "./helpers/gradcheck.js";

const V = 7;
const T = 5;
const B = 3;

function ids(seed: number, n = T * B): Int32Array {
  const next = mulberry32(seed);
  return Int32Array.from({ length: n }, () => Math.floor(next() * V));
}

function oneHot(x: Int32Array): Float32Array {
  const out = new Float32Array(x.length * V);
  x.forEach((id, i) => (out[i * V + id] = 1));
  return out;
}

function expectClose(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= tol * (1 + Math.abs(e)), `${what}[${i}]: ${a} vs ${e}`);
  }
}

type Build = (options: RecurrentOptions) => RecurrentLayer;
const CELLS: [string, Build][] = [
  ["SimpleRNN", (o) => new SimpleRNN(o)],
  ["Jordan", (o) => new Jordan({ ...o, outputUnits: 3 })],
  ["LSTM with peepholes", (o) => new LSTM({ ...o, peephole: true })],
  ["GRU (reset after)", (o) => new GRU(o)],
  ["GRU (reset before)", (o) => new GRU({ ...o, resetAfter: false })],
  ["MGU", (o) => new MGU(o)],
];
const SHAPES: [string, Partial<RecurrentOptions>, boolean][] = [
  ["one layer", {}, false],
  ["2 layers, bidirectional, lengths", { numLayers: 2, bidirectional: true }, true],
  ["many-to-one with a context", { returnSequences: false, contextSize: 2 }, false],
];

describe("tokenInput: ids read as one-hot vectors", () => {
  for (const [cellName, build] of CELLS) {
    for (const [shapeName, extra, withLengths] of SHAPES) {
      it(`${cellName}, ${shapeName}: equals the layer on one-hot floats, forward and backward`, () => {
        const options: RecurrentOptions = { inputSize: V, units: 4, seed: 11, ...extra };
        const tokens = build({ ...options, tokenInput: true });
        const floats = build(options);
        try {
          const x = ids(1);
          const forwardOptions = {
            ...(withLengths ? { lengths: Int32Array.of(5, 2, 1) } : {}),
            ...(extra.contextSize ? { context: { shape: [B, 2], data: randomArray(B * 2, 3) } } : {}),
          };
          const a = tokens.forward({ shape: [T, B], data: x }, forwardOptions);
          const b = floats.forward({ shape: [T, B, V], data: oneHot(x) }, forwardOptions);
          expectClose("output", a.output.data, b.output.data);
          for (const name of Object.keys(b.state)) expectClose(`state.${name}`, a.state[name]!.data, b.state[name]!.data);
          const dOutput: Tensor = { shape: a.output.shape, data: randomArray(a.output.data.length, 4) };
          const ga = tokens.backward(dOutput);
          const gb = floats.backward(dOutput);
          expectClose("dInput", ga.dInput.data, gb.dInput.data);
          const gradsA = tokens.gradDict();
          const gradsB = floats.gradDict();
          for (const name of Object.keys(gradsB)) expectClose(`grad ${name}`, gradsA[name]!.data, gradsB[name]!.data);
          if (extra.contextSize) expectClose("dContext", ga.dContext!.data, gb.dContext!.data);
        } finally {
          tokens.dispose();
          floats.dispose();
        }
      });
    }
  }

  it("matches finite differences of weight_ih_l0 and bias_ih_l0 through the gather (LSTM)", () => {
    const lstm = new LSTM({ inputSize: V, units: 3, tokenInput: true, seed: 5 });
    try {
      const x = { shape: [T, B], data: ids(9) };
      const weights = randomArray(T * B * 3, 10);
      const loss = (): number => lstm.forward(x).output.data.reduce((s, v, i) => s + v * weights[i]!, 0);
      loss();
      lstm.zeroGrad();
      lstm.backward({ shape: [T, B, 3], data: weights });
      const grads = lstm.gradDict();
      for (const name of ["weight_ih_l0", "bias_ih_l0"]) {
        checkGradient({ name: `LSTM tokenInput ${name}`, values: () => lstm.paramView(name), analytic: grads[name]!.data, loss });
      }
    } finally {
      lstm.dispose();
    }
  });

  it("a Model on ids trains exactly like the Model on one-hot floats, and keeps tokenInput through save/load", async () => {
    const make = (tokenInput: boolean): Model => new Model({
      layers: [new GRU({ inputSize: V, units: 6, tokenInput, seed: 1 }), new Dense({ inputSize: 6, units: V, seed: 2 })],
      loss: "softmaxCrossEntropy",
      optimizer: new Adam({ lr: 0.01 }),
    });
    const onIds = make(true);
    const onFloats = make(false);
    try {
      const x = ids(20, T * 16);
      const y = ids(21, T * 16);
      assert.equal(onIds.vocabSize, V);
      await onIds.fit({ shape: [T, 16], data: x }, { shape: [T, 16], data: y }, { epochs: 3, batchSize: 8, seed: 3 });
      await onFloats.fit({ shape: [T, 16, V], data: oneHot(x) }, { shape: [T, 16], data: y }, { epochs: 3, batchSize: 8, seed: 3 });
      const a = onIds.stateDict();
      const b = onFloats.stateDict();
      for (const name of Object.keys(b)) expectClose(name, a[name]!.data, b[name]!.data, 1e-4);
      const reloaded = Model.load(onIds.save());
      try {
        const probe = { shape: [T, 2], data: ids(22, T * 2) };
        assert.deepEqual(reloaded.predict(probe).data, onIds.predict(probe).data);
      } finally {
        reloaded.dispose();
      }
    } finally {
      onIds.dispose();
      onFloats.dispose();
    }
  });

  it("streams: ids fed step by step with Model.step give the whole sequence's outputs", () => {
    const model = new Model({
      layers: [new LSTM({ inputSize: V, units: 5, tokenInput: true, seed: 1 }), new Dense({ inputSize: 5, units: V, seed: 2 })],
      loss: "softmaxCrossEntropy",
    });
    try {
      const x = ids(30);
      const whole = model.predict({ shape: [T, B], data: x }).data;
      model.resetState();
      const steps = Array.from({ length: T }, (_, t) => Array.from(model.step({ shape: [B], data: x.subarray(t * B, (t + 1) * B) }).data));
      assert.deepEqual(Float32Array.from(steps.flat()), whole);
    } finally {
      model.dispose();
    }
  });

  it("refuses ids outside [0, inputSize), float inputs of the wrong rank, and tokenInput past the first layer", () => {
    const lstm = new LSTM({ inputSize: V, units: 3, tokenInput: true, seed: 1 });
    try {
      assert.throws(() => lstm.forward({ shape: [1, 2], data: Int32Array.of(0, V) }), (e: unknown) => e instanceof RangeError && /x/.test(e.message) && new RegExp(`${V}`).test(e.message));
      assert.throws(() => lstm.forward({ shape: [1, 2], data: Int32Array.of(-1, 0) }), RangeError);
      assert.throws(() => lstm.forward({ shape: [1, 1, V], data: new Float32Array(V) }), /x must have shape \[T, B\]/);
      assert.equal(lstm.forward({ shape: [1, 2], data: Int32Array.of(0, V - 1) }).output.data.length, 6);
    } finally {
      lstm.dispose();
    }
    assert.throws(() => new LSTM({ inputSize: V, units: 3, tokenInput: 1 as unknown as boolean }), /tokenInput/);
    const first = new Dense({ inputSize: V, units: V, seed: 1 });
    const second = new GRU({ inputSize: V, units: 3, tokenInput: true, seed: 2 });
    assert.throws(() => new Model({ layers: [first, second], loss: "meanSquaredError" }), /layers\[1\]: a layer built with tokenInput can only be the first layer/);
    first.dispose();
    second.dispose();
  });
});
