import assert from "node:assert/strict";
import { Jordan } from "../bindings/layers/jordan.js";

// The finite-difference checks of every option set are rows of test/cases/gradient-cases.ts.
describe("Jordan", () => {
  it("hand-computed forward: the memory holds the previous output", () => {
    // D=H=O=1, f and g linear, W_ih = 1, W_hy = 0.5, b = 0, W_o = 2, b_o = 0, y0 = 0, x = [1, 1, 1]:
    // h1 = 1 + 0.5·0 = 1, y1 = 2;  h2 = 1 + 0.5·2 = 2, y2 = 4;  h3 = 1 + 0.5·4 = 3, y3 = 6.
    const net = new Jordan({ inputSize: 1, units: 1, outputUnits: 1, activation: "linear", seed: 1 });
    net.loadStateDict({ weight_ih: [[1]], weight_hy: [[0.5]], bias: [0], weight_o: [[2]], bias_o: [0] });
    const { output, state } = net.forward([[[1]], [[1]], [[1]]]);
    assert.deepEqual(Array.from(output.data), [2, 4, 6]);
    assert.deepEqual(Array.from(state.y!.data), [6]);
    assert.deepEqual(Array.from(state.h!.data), [3]);
    // The final state feeds back in (its hidden layer h is not carried, so it is ignored):
    // h4 = 1 + 0.5·6 = 4, y4 = 8.
    assert.deepEqual(Array.from(net.forward([[[1]]], { initialState: state }).output.data), [8]);
    net.dispose();
  });

  it("hand-computed forward: softmax output fed back", () => {
    // D=1, H=2, O=2, f linear, g softmax; W_ih = [[1], [-1]], W_hy = 0, b = 0, W_o = I, b_o = 0, x = [ln 3]:
    // h1 = [ln 3, -ln 3], y1 = softmax = [9/10, 1/10].
    const net = new Jordan({ inputSize: 1, units: 2, outputUnits: 2, activation: "linear", outputActivation: "softmax", seed: 1 });
    net.loadStateDict({ weight_ih: [[1], [-1]], weight_hy: [[0, 0], [0, 0]], bias: [0, 0], weight_o: [[1, 0], [0, 1]], bias_o: [0, 0] });
    const { output } = net.forward([[[Math.log(3)]]]);
    assert.ok(Math.abs(output.data[0]! - 0.9) < 1e-6 && Math.abs(output.data[1]! - 0.1) < 1e-6);
    net.dispose();
  });
});
