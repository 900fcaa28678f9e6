// Issue 14 item 1: inputSize is optional for every layer after a Model's first; the Model builds
// such a layer from the previous layer's outputSize with the initialisation it would have had
// with that inputSize given, and an unbuilt layer used on its own is an error naming the method.
import assert from "node:assert/strict";
import fc from "fast-check";
import { Dense, Embedding, GRU, Jordan, LSTM, MGU, Model, SimpleRNN, type Layer } from "../bindings/index.js";
import { disposedAfterEach } from "./helpers/disposed-after-each.js";

/** A layer of each type built with `inputSize` (undefined: unbuilt), seed fixed. */
const LAYERS: Record<string, (inputSize: number | undefined) => Layer> = {
  SimpleRNN: (inputSize) => new SimpleRNN({ inputSize, units: 4, seed: 11 }),
  Jordan: (inputSize) => new Jordan({ inputSize, units: 4, outputUnits: 3, seed: 12 }),
  LSTM: (inputSize) => new LSTM({ inputSize, units: 8, peephole: true, forgetBias: 1, seed: 3 }),
  GRU: (inputSize) => new GRU({ inputSize, units: 4, numLayers: 2, bidirectional: true, dropout: 0.5, seed: 14 }),
  MGU: (inputSize) => new MGU({ inputSize, units: 4, seed: 15 }),
  Dense: (inputSize) => new Dense({ inputSize, units: 2, activation: "tanh", seed: 16 }),
};

/** What a standalone call of each member does on a layer. */
const MEMBERS: Record<string, (layer: Layer) => unknown> = {
  inputSize: (l) => l.inputSize,
  parameterCount: (l) => l.parameterCount,
  parameters: (l) => l.parameters,
  stateDict: (l) => l.stateDict(),
  gradDict: (l) => l.gradDict(),
  zeroGrad: (l) => l.zeroGrad(),
  loadStateDict: (l) => l.loadStateDict({}),
  paramView: (l) => l.paramView("weight"),
  workspaceSize: (l) => l.workspaceSize({ T: 2, B: 1 }),
  config: (l) => l.config(),
  forward: (l) => (l as Dense).forward({ shape: [2, 1, 5], data: new Float32Array(10) }),
};

const keep = disposedAfterEach<Model>();

/** Model(Dense(3 -> 5), layer) with the layer built from Dense's 5 outputs or given inputSize 5. */
function after5(layer: Layer): Model {
  return keep(new Model({ layers: [new Dense({ inputSize: 3, units: 5, seed: 1 }), layer], loss: "meanSquaredError" }));
}

describe("shape inference: inputSize after the first layer", () => {
  for (const [type, make] of Object.entries(LAYERS)) {
    it(`${type} built by a Model equals one given inputSize, bit for bit, and saves the resolved inputSize`, () => {
      const inferred = after5(make(undefined));
      const given = after5(make(5));
      assert.equal(inferred.layers[1]!.inputSize, 5);
      assert.deepEqual(inferred.stateDict(), given.stateDict());
      assert.equal(JSON.stringify(inferred.layers[1]!.config()), JSON.stringify(given.layers[1]!.config()));
      assert.deepEqual(inferred.save(), given.save());
      const loaded = keep(Model.load(inferred.save()));
      assert.equal(loaded.layers[1]!.inputSize, 5);
      assert.deepEqual(loaded.stateDict(), given.stateDict());
    });
  }

  it("new LSTM({ units: 8, seed: 3 }) after a Dense(... -> 5) equals new LSTM({ inputSize: 5, units: 8, seed: 3 })", () => {
    const model = after5(new LSTM({ units: 8, seed: 3 }));
    const alone = new LSTM({ inputSize: 5, units: 8, seed: 3 });
    assert.deepEqual(model.layers[1]!.stateDict(), alone.stateDict());
    alone.dispose();
  });

  it("a chain of layers without inputSize predicts as the same chain with every inputSize given", () => {
    const build = (given: boolean): Model => keep(new Model({
      layers: [
        new Embedding({ inputSize: 7, units: 4, seed: 20 }),
        new GRU({ inputSize: given ? 4 : undefined, units: 6, bidirectional: true, seed: 21 }),
        new LSTM({ inputSize: given ? 12 : undefined, units: 3, returnSequences: false, seed: 22 }),
        new Dense({ inputSize: given ? 3 : undefined, units: 2, seed: 23 }),
      ],
      loss: "softmaxCrossEntropy",
    }));
    const ids = { shape: [3, 2], data: Int32Array.from([0, 1, 2, 3, 4, 6]) };
    assert.deepEqual(build(false).predict(ids), build(true).predict(ids));
  });

  it("default seeds are taken at construction, in construction order, not when the Model builds the layer", () => {
    const first = new Dense({ inputSize: 3, units: 5 });
    const second = new LSTM({ units: 2 });
    const third = new Dense({ inputSize: 2, units: 1 });
    const model = keep(new Model({ layers: [first, second, third], loss: "meanSquaredError" }));
    const seeds = model.layers.map((l) => l.config().options.seed as number);
    assert.deepEqual(seeds, [seeds[0]!, seeds[0]! + 1, seeds[0]! + 2]);
  });

  it("the first layer without inputSize is a TypeError naming it", () => {
    assert.throws(() => new Model({ layers: [new LSTM({ units: 2, seed: 1 })], loss: "meanSquaredError" }),
      { name: "TypeError", message: "Model: layers[0] (LSTM) was built without inputSize; the first layer needs it (the model's input features per step)" });
  });

  it("inputSize given and different from the previous layer's output is a RangeError naming both layers", () => {
    assert.throws(() => after5(new GRU({ inputSize: 4, units: 2, seed: 1 })),
      { name: "RangeError", message: /^Model: layers\[1\] \(GRU\) reads 4 features per step \(its inputSize\), but layers\[0\] \(Dense\) outputs 5; the sizes must match$/ });
  });

  it("tokenInput needs inputSize (the vocabulary)", () => {
    assert.throws(() => new LSTM({ units: 2, tokenInput: true }), { name: "TypeError", message: /^LSTM: inputSize \(the vocabulary size\) is required with tokenInput true/ });
  });

  it("layer.build(inputSize) builds a layer on its own, as a Model would; again with the same size it does nothing", () => {
    const layer = new SimpleRNN({ units: 3, seed: 9 });
    assert.equal(layer.built, false);
    layer.build(4);
    assert.equal(layer.built, true);
    const given = new SimpleRNN({ inputSize: 4, units: 3, seed: 9 });
    assert.deepEqual(layer.stateDict(), given.stateDict());
    layer.build(4);
    assert.throws(() => layer.build(5), { name: "RangeError", message: "SimpleRNN.build: the layer is built with inputSize 4; got inputSize 5" });
    const dense = new Dense({ units: 1 });
    assert.throws(() => dense.build(0), { name: "RangeError", message: "Dense.build: inputSize must be >= 1; got 0" });
    dense.dispose();
    layer.dispose();
    given.dispose();
  });

  it("a layer a failed Model construction built stays built with that inputSize", () => {
    const lstm = new LSTM({ units: 1, seed: 2 });
    const dense = new Dense({ inputSize: 3, units: 5, seed: 1 });
    assert.throws(() => new Model({ layers: [dense, lstm], loss: "softmaxCrossEntropy" }), /softmax over one class/);
    assert.equal(lstm.built, false);
    const owner = keep(new Model({ layers: [new Dense({ inputSize: 2, units: 2, seed: 1 })], loss: "meanSquaredError" }));
    assert.throws(() => new Model({ layers: [dense, lstm], loss: "meanSquaredError", optimizer: owner.optimizer }));
    assert.equal(lstm.inputSize, 5);
    lstm.dispose();
    dense.dispose();
  });

  it("property: every member that needs the parameters, called on an unbuilt layer, is an Error naming the layer and the member", () => {
    fc.assert(fc.property(fc.constantFrom(...Object.keys(LAYERS)), fc.constantFrom(...Object.keys(MEMBERS)), (type, member) => {
      const layer = LAYERS[type]!(undefined);
      try {
        assert.throws(() => MEMBERS[member]!(layer), {
          name: "Error",
          message: `${type}.${member}: inputSize is unknown until the layer is in a Model (which builds it from the previous layer's output) or built with layer.build(inputSize); or give the layer inputSize`,
        });
        assert.equal(layer.built, false);
      } finally {
        layer.dispose();
      }
    }), { seed: 14 });
  });
});
