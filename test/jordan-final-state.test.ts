// Jordan networks take a gradient for every final state their forward returns: backward(dOutput, { y, h }).
import assert from "node:assert/strict";
import { Jordan, type JordanOptions } from "../bindings/layers/jordan.js";
import type { RecurrentForwardOptions } from "../bindings/layers/recurrent.js";
import type { Tensor } from "../bindings/tensor.js";
import { checkGradient, dot } from "./helpers/gradcheck.js";
import { randomArray } from "./helpers/random.js";

/**
 * Checks every gradient of L = <output, w> + <y_T, v> + <h_T, u> (h_T: each sequence's hidden layer
 * at its last valid step) against central differences: dInput, dInitialState.y and the parameters.
 */
function gradCheckFinalStates(options: JordanOptions, x: Tensor, forwardOptions: RecurrentForwardOptions, name: string): void {
  const net = new Jordan(options);
  try {
    const first = net.forward(x, forwardOptions);
    const w = randomArray(first.output.data.length, 21);
    const v = randomArray(first.state.y!.data.length, 22);
    const u = randomArray(first.state.h!.data.length, 23);
    const loss = (): number => {
      const r = net.forward(x, forwardOptions);
      return dot(r.output.data, w) + dot(r.state.y!.data, v) + dot(r.state.h!.data, u);
    };
    loss();
    net.zeroGrad();
    const g = net.backward({ shape: first.output.shape, data: w }, {
      y: { shape: first.state.y!.shape, data: v },
      h: { shape: first.state.h!.shape, data: u },
    });
    checkGradient({ name: `${name} dInput`, values: () => x.data, analytic: g.dInput.data, loss });
    const y0 = forwardOptions.initialState?.y as Tensor;
    checkGradient({ name: `${name} dInitialState.y`, values: () => y0.data, analytic: g.dInitialState.y!.data, loss });
    for (const [pname, grad] of Object.entries(net.gradDict())) {
      checkGradient({ name: `${name} ${pname}`, values: () => net.paramView(pname), analytic: grad.data, loss });
    }
  } finally {
    net.dispose();
  }
}

describe("Jordan: gradients of the final hidden layer h", () => {
  const T = 4;
  const B = 3;
  const x = (): Tensor => ({ shape: [T, B, 2], data: randomArray(T * B * 2, 1) });
  const y0 = (rows: number): Tensor => ({ shape: [rows, B, 3], data: randomArray(rows * B * 3, 2, 0.5) });
  const base = { inputSize: 2, units: 4, outputUnits: 3, seed: 5 };

  it("a loss of the output, y_T and h_T matches finite differences (tanh, softmax output)", () => {
    gradCheckFinalStates({ ...base, outputActivation: "softmax" }, x(), { initialState: { y: y0(1) } }, "Jordan");
  });

  it("with lengths: h_T of a short sequence is its hidden layer at its own last step", () => {
    gradCheckFinalStates({ ...base, activation: "sigmoid", outputActivation: "tanh" }, x(),
      { initialState: { y: y0(1) }, lengths: [4, 2, 1] }, "Jordan(lengths)");
  });

  it("stacked and bidirectional, with lengths and returnSequences false", () => {
    gradCheckFinalStates({ ...base, numLayers: 2, bidirectional: true, returnSequences: false }, x(),
      { initialState: { y: y0(4) }, lengths: [3, 4, 2] }, "Jordan(2 layers, bidirectional)");
  });

  it("a gradient of h alone (no dOutput) reaches the parameters; a state it does not return is refused", () => {
    const net = new Jordan(base);
    try {
      const { state } = net.forward(x());
      const g = net.backward(null, { h: { shape: state.h!.shape, data: new Float32Array(state.h!.data.length).fill(1) } });
      assert.ok(g.dInput.data.some((d) => d !== 0));
      assert.ok(net.gradDict().weight_ih!.data.some((d) => d !== 0));
      net.forward(x());
      assert.throws(() => net.backward(null, { c: state.h! }), (e: Error) => e instanceof TypeError && /^Jordan\.backward: dFinalState: unknown option "c"; expected one of y, h/.test(e.message));
    } finally {
      net.dispose();
    }
  });
});
