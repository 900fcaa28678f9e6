import assert from "node:assert/strict";
import { LSTM, type LSTMOptions } from "../bindings/layers/lstm.js";
import { gradCheckRecurrent } from "./simple-rnn.test.js";
import { randomArray } from "./helpers/random.js";

describe("LSTM", () => {
  const variants: [string, Partial<LSTMOptions>][] = [
    ["default", {}],
    ["peephole", { peephole: true }],
    ["hard sigmoid gates, relu", { recurrentActivation: "hardSigmoid", activation: "relu" }],
    ["peephole, linear", { peephole: true, activation: "linear" }],
    ["sigmoid activation", { activation: "sigmoid" }],
  ];
  for (const [label, options] of variants) {
    for (const [T, B, D, H] of [[4, 3, 5, 6], [2, 1, 3, 5], [3, 2, 2, 8]] as const) {
      it(`gradients match finite differences (${label}, T=${T} B=${B} D=${D} H=${H})`, () => {
        const lstm = new LSTM({ inputSize: D, units: H, seed: 4, ...options });
        for (const name of ["peephole_i_l0", "peephole_f_l0", "peephole_o_l0"]) {
          if (lstm.peephole) lstm.paramView(name).set(randomArray(H, name.length, 0.8));
        }
        const x = { shape: [T, B, D], data: randomArray(T * B * D, 1) };
        const h0 = { shape: [1, B, H], data: randomArray(B * H, 2, 0.5) };
        const c0 = { shape: [1, B, H], data: randomArray(B * H, 3, 0.5) };
        gradCheckRecurrent(lstm, x, { h: h0, c: c0 }, `LSTM(${label})`);
        lstm.dispose();
      });
    }
  }

  it("forgetBias sets the forget-gate bias", () => {
    const lstm = new LSTM({ inputSize: 2, units: 3, forgetBias: 1, seed: 1 });
    const sd = lstm.stateDict();
    assert.deepEqual(Array.from(sd.bias_ih_l0!.data.subarray(3, 6)), [1, 1, 1]);
    assert.deepEqual(Array.from(sd.bias_hh_l0!.data.subarray(3, 6)), [0, 0, 0]);
    lstm.dispose();
  });
});
