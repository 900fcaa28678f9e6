// Deep, bidirectional, variable-length and context-conditioned networks: padding, dropout and bad
// input (the finite-difference checks of every cell type in every architecture are rows of
// test/cases/gradient-cases.ts; PyTorch parity for stacks is in parity.test.ts).
import assert from "node:assert/strict";
import { LSTM } from "../bindings/layers/lstm.js";
import { GRU } from "../bindings/layers/gru.js";
import { randomArray } from "./helpers/random.js";

describe("deep, bidirectional, variable-length and context networks", () => {
  it("padded steps give zero outputs, the final state is each sequence's own last step, and padding content is ignored", () => {
    const lstm = new LSTM({ inputSize: 2, units: 3, seed: 1 });
    const x = { shape: [3, 2, 2], data: randomArray(12, 3) };
    const full = lstm.forward(x, { lengths: [3, 1] });
    const second = x.data.slice();
    second.set([9, -9], 6); // change a padded step of sequence 1
    const other = lstm.forward({ shape: [3, 2, 2], data: second }, { lengths: [3, 1] });
    assert.deepEqual(other.output.data, full.output.data);
    assert.deepEqual(Array.from(full.output.data.subarray(9, 12)), [0, 0, 0]);
    const alone = lstm.forward({ shape: [1, 1, 2], data: x.data.slice(2, 4) });
    assert.deepEqual(Array.from(full.state.h!.data.subarray(3, 6)), Array.from(alone.state.h!.data));
    lstm.dispose();
  });

  it("dropout acts only when training, and is seeded", () => {
    const make = (): GRU => new GRU({ inputSize: 2, units: 8, numLayers: 2, dropout: 0.5, seed: 3 });
    const a = make();
    const b = make();
    const x = { shape: [3, 2, 2], data: randomArray(12, 4) };
    assert.deepEqual(a.forward(x).output.data, a.forward(x).output.data);
    const trainA = a.forward(x, { training: true }).output.data;
    assert.notDeepEqual(trainA, a.forward(x).output.data);
    assert.deepEqual(b.forward(x, { training: true }).output.data, trainA);
    a.dispose();
    b.dispose();
  });

  it("rejects bad lengths, states and contexts with errors that name them", () => {
    const gru = new GRU({ inputSize: 2, units: 3, numLayers: 2, bidirectional: true, seed: 1 });
    const x = { shape: [3, 2, 2], data: new Float32Array(12) };
    assert.throws(() => gru.forward(x, { lengths: [4, 1] }), /lengths must lie in \[1, T=3\]; got 4 at index 0/);
    assert.throws(() => gru.forward(x, { lengths: [0, 1] }), /got 0 at index 0/);
    assert.throws(() => gru.forward(x, { lengths: [3] }), /lengths must have shape \[2\]; got \[1\]/);
    assert.throws(() => gru.forward(x, { initialState: { h: { shape: [1, 2, 3], data: new Float32Array(6) } } }), /initialState.h must have shape \[4, 2, 3\]; got \[1, 2, 3\]/);
    assert.throws(() => gru.forward(x, { context: [[1], [2]] }), /context given, but the layer was built without contextSize/);
    assert.throws(() => new GRU({ inputSize: 2, units: 3, mergeMode: "max" as never }), /mergeMode must be one of/);
    assert.throws(() => new GRU({ inputSize: 2, units: 3, dropout: 1 }), RangeError);
    assert.equal(gru.forward(x, { lengths: [3, 1] }).output.shape[2], 6);
    gru.dispose();
  });
});
