// MGU through the public API: a hand-worked memory cell, the forward against a float64 scalar
// reference written here (every H % 4 tail, padding, given initial states), a save/load round
// trip through Model, and learning a recall task. The finite-difference checks of its backward
// are rows of test/cases/gradient-cases.ts (suite "MGU", and "MGU: ..." among the architectures).
import assert from "node:assert/strict";
import { MGU, Dense, Model, Adam, type MGUOptions, type Tensor } from "../bindings/index.js";
import { mulberry32, randomArray } from "./helpers/random.js";

type Fn = (z: number) => number;
const ACTIVATIONS: Record<string, Fn> = {
  tanh: Math.tanh,
  linear: (z) => z,
  relu: (z) => Math.max(0, z),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  hardSigmoid: (z) => Math.min(1, Math.max(0, 0.2 * z + 0.5)),
};

/** Σ_k w[r, k] v[off + k] over a row-major w [., n]. */
function row(w: Float32Array, v: ArrayLike<number>, n: number, r: number, off: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += w[r * n + k]! * v[off + k]!;
  return s;
}

/**
 * The MGU forward in float64, one scalar at a time, from the layer's PyTorch-named parameters:
 * output [T, B, H] (zeros at padded steps) and the final state [B, H] (each sequence's own last step).
 */
function mguReference(p: Record<string, Tensor>, x: Float32Array, T: number, B: number, D: number, H: number,
  h0: Float32Array, lengths: readonly number[], act: Fn, ract: Fn): { output: Float64Array; h: Float64Array } {
  const [wih, whh, bih, bhh] = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"].map((k) => p[k]!.data);
  const output = new Float64Array(T * B * H);
  const h = Float64Array.from(h0);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < lengths[b]!; t++) {
      const prev = h.slice(b * H, (b + 1) * H);
      for (let j = 0; j < H; j++) {
        // rows j (f) and H + j (n) of [W_ih x + b_ih] and [W_hh h + b_hh]
        const af = row(wih!, x, D, j, (t * B + b) * D) + bih![j]!;
        const an = row(wih!, x, D, H + j, (t * B + b) * D) + bih![H + j]!;
        const hf = row(whh!, prev, H, j, 0) + bhh![j]!;
        const hn = row(whh!, prev, H, H + j, 0) + bhh![H + j]!;
        const f = ract(af + hf);
        const n = act(an + f * hn);
        h[b * H + j] = (1 - f) * prev[j]! + f * n;
        output[(t * B + b) * H + j] = h[b * H + j]!;
      }
    }
  }
  return { output, h };
}

function expectClose(what: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 + 1e-4 * Math.abs(want[i]!), `${what}[${i}]: got ${got[i]}, reference ${want[i]}`);
  }
}

describe("MGU", () => {
  it("hand-worked memory cell: write, hold, overwrite", () => {
    // H = 1, hard-sigmoid gate, linear candidate, no recurrent weights. x = [value, write]:
    //   f = hσ(10 write - 5): exactly 1 on write, else 0;  n = value;  h_t = h_{t-1} + f (n - h_{t-1})
    const mgu = new MGU({ inputSize: 2, units: 1, activation: "linear", recurrentActivation: "hardSigmoid", seed: 1 });
    try {
      mgu.loadStateDict({ weight_ih_l0: [[0, 10], [1, 0]], weight_hh_l0: [[0], [0]], bias_ih_l0: [-5, 0], bias_hh_l0: [0, 0] });
      const steps = [[0.5, 1], [0.75, 0], [-0.25, 0], [1.5, 1], [0, 0], [-0.25, 1]];
      const { output, state } = mgu.forward(steps.map((s) => [s]));
      assert.deepEqual(output.data, Float32Array.from([0.5, 0.5, 0.5, 1.5, 1.5, -0.25]));
      assert.deepEqual(state.h!.data, Float32Array.from([-0.25]));
    } finally {
      mgu.dispose();
    }
  });

  it("has PyTorch-style parameters [2H, D], [2H, H], [2H], [2H] per layer and direction", () => {
    const mgu = new MGU({ inputSize: 3, units: 4, numLayers: 2, bidirectional: true, seed: 1 });
    try {
      const shapes = Object.fromEntries(Object.entries(mgu.stateDict()).map(([k, v]) => [k, v.shape]));
      assert.deepEqual(shapes, {
        weight_ih_l0: [8, 3], weight_hh_l0: [8, 4], bias_ih_l0: [8], bias_hh_l0: [8],
        weight_ih_l0_reverse: [8, 3], weight_hh_l0_reverse: [8, 4], bias_ih_l0_reverse: [8], bias_hh_l0_reverse: [8],
        weight_ih_l1: [8, 8], weight_hh_l1: [8, 4], bias_ih_l1: [8], bias_hh_l1: [8],
        weight_ih_l1_reverse: [8, 8], weight_hh_l1_reverse: [8, 4], bias_ih_l1_reverse: [8], bias_hh_l1_reverse: [8],
      });
      assert.deepEqual(mgu.config(), {
        type: "MGU",
        options: { units: 4, inputSize: 3, returnSequences: true, numLayers: 2, bidirectional: true, mergeMode: "concat", dropout: 0, contextSize: 0, tokenInput: false, seed: 1, activation: "tanh", recurrentActivation: "sigmoid" },
      });
    } finally {
      mgu.dispose();
    }
  });

  const VARIANTS: [string, Partial<MGUOptions>][] = [["tanh, sigmoid", {}], ["relu, hard sigmoid", { activation: "relu", recurrentActivation: "hardSigmoid" }]];
  for (const H of [1, 3, 5, 17, 33]) {
    for (const [label, options] of VARIANTS) {
      it(`forward matches a float64 scalar reference (H=${H}, ${label}, lengths [6, 4, 1], given h0)`, () => {
        const T = 6;
        const B = 3;
        const D = 4;
        const lengths = [6, 4, 1];
        const mgu = new MGU({ inputSize: D, units: H, seed: H, ...options });
        try {
          const x = randomArray(T * B * D, 100 + H);
          const h0 = randomArray(B * H, 200 + H, 0.5);
          const { output, state } = mgu.forward({ shape: [T, B, D], data: x }, {
            initialState: { h: { shape: [1, B, H], data: h0 } }, lengths: Int32Array.from(lengths),
          });
          const ref = mguReference(mgu.stateDict(), x, T, B, D, H, h0, lengths, ACTIVATIONS[mgu.activation]!, ACTIVATIONS[mgu.recurrentActivation]!);
          assert.deepEqual(output.shape, [T, B, H]);
          expectClose("output", output.data, ref.output);
          expectClose("state.h", state.h!.data, ref.h);
          // not a trivial match: the state moved away from h0
          assert.ok(ref.h.some((v, i) => Math.abs(v - h0[i]!) > 1e-2), "the state moves");
        } finally {
          mgu.dispose();
        }
      });
    }
  }

  it("a Model of MGU layers saves and loads: same type, options, parameters and predictions, bit for bit", async () => {
    const T = 5;
    const N = 8;
    const x = { shape: [T, N, 3], data: randomArray(T * N * 3, 1) };
    const y = { shape: [T, N, 2], data: randomArray(T * N * 2, 2) };
    const model = new Model({
      layers: [
        new MGU({ inputSize: 3, units: 5, numLayers: 2, bidirectional: true, activation: "relu", recurrentActivation: "hardSigmoid", seed: 1 }),
        new Dense({ inputSize: 10, units: 2, seed: 2 }),
      ],
      loss: "meanSquaredError", optimizer: new Adam({ lr: 0.01 }),
    });
    const loaded = Model.load(model.save());
    try {
      await model.fit(x, y, { epochs: 1, batchSize: 4, seed: 3 });
      const again = Model.load(model.save());
      try {
        const layer = again.layers[0]!;
        assert.ok(layer instanceof MGU);
        assert.equal(layer.activation, "relu");
        assert.equal(layer.recurrentActivation, "hardSigmoid");
        assert.deepEqual(layer.config(), model.layers[0]!.config());
        assert.deepEqual(again.stateDict(), model.stateDict());
        assert.deepEqual(again.predict(x).data, model.predict(x).data);
        // the file did keep the trained weights: the model loaded before fit predicts otherwise
        assert.notDeepEqual(loaded.predict(x).data, model.predict(x).data);
      } finally {
        again.dispose();
      }
    } finally {
      loaded.dispose();
      model.dispose();
    }
  });

  it("learns to recall the first value of a sequence after 11 distractors: held-out MSE from ≈ 0.33 to < 0.01 (seeded)", async () => {
    // x [12, N, 1] uniform in [-1, 1); the target, read after the last step (many-to-one), is x_0.
    // Always predicting 0 scores E[x_0^2] = 1/3; a model must hold x_0 for 11 steps (f ≈ 0).
    // Measured (MGU seeds 1..6, Dense seed + 1): on the 0.336 plateau for 4-12 epochs, then held-out
    // MSE 0.0001-0.0003 after 40 epochs (0.0003 for seed 1), about 0.15 s.
    const T = 12;
    const data = (N: number, seed: number): { x: Tensor; y: Tensor } => {
      const next = mulberry32(seed);
      const x = Float32Array.from({ length: T * N }, () => next() * 2 - 1);
      return { x: { shape: [T, N, 1], data: x }, y: { shape: [N, 1], data: x.slice(0, N) } };
    };
    const train = data(512, 1);
    const test = data(256, 2);
    const model = new Model({
      layers: [new MGU({ inputSize: 1, units: 16, returnSequences: false, seed: 1 }), new Dense({ inputSize: 16, units: 1, seed: 2 })],
      loss: "meanSquaredError", optimizer: new Adam({ lr: 0.01 }), clipNorm: 1,
    });
    try {
      const before = model.evaluate(test.x, test.y).loss;
      const logs = await model.fit(train.x, train.y, { epochs: 40, batchSize: 32, seed: 3 });
      const after = model.evaluate(test.x, test.y).loss;
      assert.ok(before > 0.25, `held-out MSE before training ${before}`);
      assert.ok(after < 0.01, `held-out MSE after training ${after} (before ${before}; training losses ${logs.map((l) => l.loss.toFixed(4)).join(", ")})`);
      assert.ok(logs[logs.length - 1]!.loss < logs[0]!.loss / 5, "the training loss falls");
    } finally {
      model.dispose();
    }
  });
});
