import assert from "node:assert/strict";
import { SimpleRNN } from "../bindings/layers/simple-rnn.js";
import { randomArray } from "./helpers/random.js";

// Kept importable from here for tests written against the earlier layout (e.g. a new cell's test).
export { gradCheckRecurrent } from "./helpers/gradcheck-recurrent.js";

describe("SimpleRNN", () => {
  it("hand-computed forward: a linear cell that swaps two units", () => {
    // D=1, H=2, f linear, W_ih = [[1], [2]], W_hh = [[0, 1], [1, 0]], biases 0, h0 = 0.
    // x = [1, 0, 0]: h1 = W_ih·1 = [1, 2]; h2 = W_hh h1 = [2, 1]; h3 = W_hh h2 = [1, 2].
    const rnn = new SimpleRNN({ inputSize: 1, units: 2, activation: "linear", seed: 1 });
    rnn.loadStateDict({
      weight_ih_l0: [[1], [2]], weight_hh_l0: [[0, 1], [1, 0]], bias_ih_l0: [0, 0], bias_hh_l0: [0, 0],
    });
    const { output, state } = rnn.forward([[[1]], [[0]], [[0]]]);
    assert.deepEqual(output.shape, [3, 1, 2]);
    assert.deepEqual(Array.from(output.data), [1, 2, 2, 1, 1, 2]);
    assert.deepEqual(Array.from(state.h!.data), [1, 2]);
    rnn.dispose();
  });

  it("hand-computed forward: tanh with biases and a given initial state", () => {
    // D=1, H=1, W_ih = 0.5, W_hh = -1, b_ih = b_hh = 0.1, h0 = 0.2, x = [1, -1]:
    // h1 = tanh(0.5·1 + 0.2 - 1·0.2) = tanh(0.5) = 0.46211715726
    // h2 = tanh(0.5·(-1) + 0.2 - 0.46211715726) = tanh(-0.76211715726) = -0.64232231772
    const rnn = new SimpleRNN({ inputSize: 1, units: 1, seed: 1 });
    rnn.loadStateDict({ weight_ih_l0: [[0.5]], weight_hh_l0: [[-1]], bias_ih_l0: [0.1], bias_hh_l0: [0.1] });
    const { output } = rnn.forward([[[1]], [[-1]]], { initialState: { h: [[[0.2]]] } });
    assert.ok(Math.abs(output.data[0]! - 0.46211715726) < 1e-6);
    assert.ok(Math.abs(output.data[1]! - -0.64232231772) < 1e-6);
    rnn.dispose();
  });

  it("many-to-one: output is the last step, and its gradient flows back", () => {
    const seq = new SimpleRNN({ inputSize: 3, units: 4, seed: 5 });
    const last = new SimpleRNN({ inputSize: 3, units: 4, seed: 5, returnSequences: false });
    const x = { shape: [5, 2, 3], data: randomArray(30, 4) };
    const a = seq.forward(x);
    const b = last.forward(x);
    assert.deepEqual(b.output.shape, [2, 4]);
    assert.deepEqual(Array.from(b.output.data), Array.from(a.output.data.subarray(4 * 8)));
    const d = randomArray(8, 6);
    const dSeq = new Float32Array(40);
    dSeq.set(d, 32);
    const ga = seq.backward({ shape: [5, 2, 4], data: dSeq });
    const gb = last.backward({ shape: [2, 4], data: d });
    assert.deepEqual(Array.from(gb.dInput.data), Array.from(ga.dInput.data));
    seq.dispose();
    last.dispose();
  });

  it("rejects bad input with errors naming the argument, and keeps working", () => {
    const rnn = new SimpleRNN({ inputSize: 2, units: 3, seed: 1 });
    const x = { shape: [2, 1, 2], data: new Float32Array([1, 2, 3, 4]) };
    assert.throws(() => rnn.backward(null), /SimpleRNN.backward: call forward first/);
    const good = rnn.forward(x).output.data;
    assert.throws(() => rnn.forward({ shape: [2, 1, 3], data: new Float32Array(6) }),
      (e: Error) => e instanceof RangeError && /SimpleRNN.forward: x must have shape \[T, B, 2\]; got \[2, 1, 3\]/.test(e.message));
    assert.throws(() => rnn.forward({ shape: [2, 1, 2], data: new Float32Array([1, Infinity, 0, 0]) }),
      (e: Error) => e instanceof RangeError && /x must be finite; got Infinity at flat index 1/.test(e.message));
    assert.throws(() => rnn.forward({ shape: [0, 1, 2], data: new Float32Array(0) }), /at least one step and one sequence/);
    assert.throws(() => rnn.forward(x, { initialState: { h: [[[0, 0]]] } }), /initialState.h must have shape \[1, 1, 3\]; got \[1, 1, 2\]/);
    assert.throws(() => rnn.forward(x, { initialState: { c: [[[0, 0, 0]]] } }), /unknown option "c"/);
    assert.throws(() => rnn.forward(x, { initalState: {} } as never), (e: Error) => e instanceof TypeError && /unknown option "initalState"/.test(e.message));
    assert.throws(() => rnn.forward([[[1, 2]], [[3]]]), (e: Error) => e instanceof RangeError && /x is ragged/.test(e.message));
    assert.deepEqual(rnn.forward(x).output.data, good);
    assert.throws(() => rnn.backward({ shape: [2, 1, 2], data: new Float32Array(4) }), /dOutput must have shape \[2, 1, 3\]; got \[2, 1, 2\]/);
    assert.equal(rnn.backward({ shape: [2, 1, 3], data: new Float32Array(6).fill(1) }).dInput.data.length, 4);
    assert.throws(() => rnn.backward(null), /already run for this forward/);
    rnn.dispose();
  });
});
