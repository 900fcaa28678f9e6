// Issue 14 item 3: Model.summary(), Keras' table as an object and text: rows per layer, output
// shapes with the free dimensions T and N, totals equal to the parameter arena's, memory.
import assert from "node:assert/strict";
import fc from "fast-check";
import { Dense, Embedding, LSTM, GRU, Model, SGD } from "../bindings/index.js";
import { disposedAfterEach } from "./helpers/disposed-after-each.js";

const keep = disposedAfterEach<Model>();

function classifier(): Model {
  return keep(new Model({
    layers: [new Embedding({ inputSize: 50, units: 8, seed: 1 }), new LSTM({ units: 16, bidirectional: true, seed: 2 }), new GRU({ units: 4, returnSequences: false, seed: 3 }), new Dense({ units: 3, seed: 4 })],
    loss: "softmaxCrossEntropy",
  }));
}

describe("Model.summary", () => {
  it("gives a row per layer with its type, output shape ([T, N, F] or [N, F]) and parameters", () => {
    const model = classifier();
    const { rows } = model.summary();
    assert.deepEqual(rows, [
      { name: "0", type: "Embedding", outputShape: ["T", "N", 8], parameters: 400 },
      { name: "1", type: "LSTM", outputShape: ["T", "N", 32], parameters: 2 * 4 * 16 * (8 + 16 + 2) },
      { name: "2", type: "GRU", outputShape: ["N", 4], parameters: 3 * 4 * (32 + 4 + 2) },
      { name: "3", type: "Dense", outputShape: ["N", 3], parameters: 15 },
    ]);
  });

  it("totals the parameter arena's parameters, and its bytes with the gradients and the optimizer's state", () => {
    const model = classifier();
    const s = model.summary();
    assert.equal(s.totalParameters, model.parameters.packedSize);
    assert.equal(s.totalParameters, model.parameterCount);
    assert.equal(s.totalParameters, s.rows.reduce((n, r) => n + r.parameters, 0));
    assert.equal(s.trainableParameters, s.totalParameters);
    assert.equal(s.nonTrainableParameters, 0);
    assert.equal(s.parameterBytes, 4 * model.parameters.size);
    assert.equal(s.gradientBytes, s.parameterBytes);
    assert.equal(s.optimizerStateBytes, 2 * s.parameterBytes);
    const sgd = keep(new Model({ layers: [new Dense({ inputSize: 2, units: 2, seed: 1 })], loss: "meanSquaredError", optimizer: new SGD({ lr: 0.1 }) }));
    assert.equal(sgd.summary().optimizerStateBytes, 0);
  });

  it("prints Keras' table with printFn (or console.log with print: true) and returns its lines", () => {
    const model = classifier();
    const printed: string[] = [];
    const s = model.summary({ printFn: (line) => printed.push(line) });
    assert.deepEqual(printed, s.lines);
    assert.match(s.lines[1]!, /^Layer \(type\) +Output Shape +Param #$/);
    assert.match(s.lines[4]!, /^1 \(LSTM\) +\[T, N, 32\] +3,328$/);
    assert.ok(s.lines.includes(`Total params: ${s.totalParameters.toLocaleString("en-US")} (${(s.parameterBytes / 1024).toFixed(2)} KB)`));
    assert.ok(s.lines.includes("Non-trainable params: 0"));
    assert.deepEqual(model.summary({ print: false, printFn: () => assert.fail("printed") }).lines, s.lines);
  });

  it("property: bad options are a TypeError naming Model.summary and the option", () => {
    const model = classifier();
    fc.assert(fc.property(fc.oneof(
      fc.record({ print: fc.oneof(fc.integer(), fc.string(), fc.constant(null)) }).map((o) => [o, /^Model\.summary: print must be/] as const),
      fc.record({ printFn: fc.oneof(fc.integer(), fc.string(), fc.constant(null)) }).map((o) => [o, /^Model\.summary: printFn must be a function/] as const),
      fc.string({ minLength: 1 }).filter((k) => !["print", "printFn"].includes(k)).map((k) => [{ [k]: 1 }, /^Model\.summary: /] as const),
    ), ([options, message]) => {
      assert.throws(() => model.summary(options as never), { name: "TypeError", message });
    }), { seed: 14, numRuns: 50 });
  });
});
