import assert from "node:assert/strict";
import { LSTM } from "../bindings/layers/lstm.js";

// The finite-difference checks of every option set are rows of test/cases/gradient-cases.ts.
describe("LSTM", () => {
  it("hand-worked memory cell: write, hold, read, reset", () => {
    // One cell (H=1), linear cell input and output, hard-sigmoid gates (exactly 0 or 1 once
    // |0.2 z| >= 0.5), no recurrent weights. Inputs x = [value, write, reset, read]:
    //   i = hσ(10 write - 5)   opens only on write        g = value (linear)
    //   f = hσ(5 - 10 reset)   1 unless reset             o = hσ(10 read - 5)
    //   c_t = f c_{t-1} + i g,  h_t = o c_t
    // step  value write reset read   c      h
    //  1     0.5    1     0    0    0.5    0
    //  2     0.9    0     0    0    0.5    0      (no write: 0.9 is ignored)
    //  3     0      0     0    1    0.5    0.5    (read shows the stored value)
    //  4     0.3    0     0    0    0.5    0
    //  5     0      0     1    0    0      0      (reset clears it)
    //  6     0      0     0    1    0      0
    //  7    -0.7    1     0    1   -0.7   -0.7    (write and read in one step)
    //  8     0      0     0    1   -0.7   -0.7
    const lstm = new LSTM({ inputSize: 4, units: 1, activation: "linear", recurrentActivation: "hardSigmoid", seed: 1 });
    lstm.loadStateDict({
      weight_ih_l0: [[0, 10, 0, 0], [0, 0, -10, 0], [1, 0, 0, 0], [0, 0, 0, 10]],
      weight_hh_l0: [[0], [0], [0], [0]],
      bias_ih_l0: [-5, 5, 0, -5],
      bias_hh_l0: [0, 0, 0, 0],
    });
    const steps = [[0.5, 1, 0, 0], [0.9, 0, 0, 0], [0, 0, 0, 1], [0.3, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [-0.7, 1, 0, 1], [0, 0, 0, 1]];
    const { output, state } = lstm.forward(steps.map((s) => [s]));
    assert.deepEqual(output.data, Float32Array.from([0, 0, 0.5, 0, 0, 0, -0.7, -0.7]));
    assert.deepEqual(state.c!.data, Float32Array.from([-0.7]));
    lstm.dispose();
  });

  it("forgetBias sets the forget-gate bias", () => {
    const lstm = new LSTM({ inputSize: 2, units: 3, forgetBias: 1, seed: 1 });
    const sd = lstm.stateDict();
    assert.deepEqual(Array.from(sd.bias_ih_l0!.data.subarray(3, 6)), [1, 1, 1]);
    assert.deepEqual(Array.from(sd.bias_hh_l0!.data.subarray(3, 6)), [0, 0, 0]);
    lstm.dispose();
  });
});
