import { GRU, type GRUOptions } from "../bindings/layers/gru.js";
import { gradCheckRecurrent } from "./simple-rnn.test.js";
import { randomArray } from "./helpers/random.js";

describe("GRU", () => {
  const variants: [string, Partial<GRUOptions>][] = [
    ["reset after (PyTorch)", {}],
    ["reset before (original)", { resetAfter: false }],
    ["reset after, hard sigmoid, relu", { recurrentActivation: "hardSigmoid", activation: "relu" }],
    ["reset before, linear", { resetAfter: false, activation: "linear" }],
    ["reset before, sigmoid", { resetAfter: false, activation: "sigmoid" }],
  ];
  for (const [label, options] of variants) {
    for (const [T, B, D, H] of [[4, 3, 5, 6], [2, 1, 3, 5], [3, 2, 2, 8]] as const) {
      it(`gradients match finite differences (${label}, T=${T} B=${B} D=${D} H=${H})`, () => {
        const gru = new GRU({ inputSize: D, units: H, seed: 4, ...options });
        const x = { shape: [T, B, D], data: randomArray(T * B * D, 1) };
        const h0 = { shape: [1, B, H], data: randomArray(B * H, 2, 0.5) };
        gradCheckRecurrent(gru, x, { h: h0 }, `GRU(${label})`);
        gru.dispose();
      });
    }
  }
});
