// A training trajectory against PyTorch (test/fixtures/gen_trajectory.py, float64), as llm.c's
// test_gpt2 checks its first training steps: 10 Adam steps of Embedding -> LSTM -> Dense with
// softmax cross-entropy from the same initial parameters and batches. Every step's loss, every
// parameter's gradient at every step and the final parameters must agree within float32 tolerances:
//   loss:        |wasm - torch| <= 1e-6 * |torch|                 (measured 1.5e-8, every build)
//   gradients:   |wasm - torch| <= 1e-5 * max |torch gradient of that tensor at that step|, elementwise
//                                                                  (measured 3.6e-7)
//   parameters:  |wasm - torch| <= 1e-6 after the 10 updates      (measured 8.8e-8; each step moves
//                a weight by up to lr = 1e-2)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Model } from "../bindings/model.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { Dense } from "../bindings/layers/dense.js";
import { Adam } from "../bindings/optimizers.js";

interface Stored {
  shape: number[];
  data: number[];
}

interface Trajectory {
  V: number;
  E: number;
  H: number;
  C: number;
  T: number;
  B: number;
  lr: number;
  initial: Record<string, Stored>;
  steps: { x: number[][]; y: number[][]; loss: number; grads: Record<string, Stored> }[];
  final: Record<string, Stored>;
}

const LOSS_TOLERANCE = 1e-6;
const GRAD_TOLERANCE = 1e-5;
const PARAM_TOLERANCE = 1e-6;

const fixture = JSON.parse(readFileSync(new URL("../../test/fixtures/trajectory.json", import.meta.url), "utf8")) as Trajectory;

/** The largest |got - want| over a tensor, with the index where it is. */
function maxDifference(got: ArrayLike<number>, want: readonly number[]): { diff: number; at: number } {
  assert.equal(got.length, want.length);
  let worst = { diff: 0, at: -1 };
  for (let i = 0; i < want.length; i++) {
    const diff = Math.abs(got[i]! - want[i]!);
    if (diff > worst.diff) worst = { diff, at: i };
  }
  return worst;
}

describe("training trajectory against PyTorch: 10 Adam steps of Embedding -> LSTM -> Dense", () => {
  let model: Model;
  const losses: number[] = [];
  const grads: Record<string, Float32Array>[] = [];

  before(() => {
    const { V, E, H, C, lr } = fixture;
    model = new Model({
      layers: [new Embedding({ inputSize: V, units: E }), new LSTM({ inputSize: E, units: H }), new Dense({ inputSize: H, units: C })],
      loss: "softmaxCrossEntropy",
      optimizer: new Adam({ lr }),
    });
    model.loadStateDict(Object.fromEntries(Object.entries(fixture.initial).map(([k, t]) => [k, { shape: t.shape, data: Float32Array.from(t.data) }])));
    const arena = model.parameters;
    for (const step of fixture.steps) {
      losses.push(model.trainOnBatch(step.x, step.y));
      grads.push(Object.fromEntries([...arena.entries.keys()].map((k) => [k, arena.gradView(k).slice()])));
    }
  });

  after(() => model.dispose());

  it("has the fixture's parameters under the same names", () => {
    assert.deepEqual([...model.parameters.entries.keys()].sort(), Object.keys(fixture.initial).sort());
  });

  it(`reproduces every step's loss within ${LOSS_TOLERANCE} relative`, () => {
    fixture.steps.forEach((step, s) => {
      assert.ok(Math.abs(losses[s]! - step.loss) <= LOSS_TOLERANCE * Math.abs(step.loss), `step ${s}: loss ${losses[s]}, torch ${step.loss}`);
    });
  });

  it(`reproduces every parameter's gradient at every step within ${GRAD_TOLERANCE} of the tensor's largest`, () => {
    fixture.steps.forEach((step, s) => {
      for (const [key, want] of Object.entries(step.grads)) {
        const scale = Math.max(...want.data.map(Math.abs));
        const { diff, at } = maxDifference(grads[s]![key]!, want.data);
        assert.ok(diff <= GRAD_TOLERANCE * scale, `step ${s}: ${key}[${at}] = ${grads[s]![key]![at]}, torch ${want.data[at]} (max |grad| ${scale})`);
      }
    });
  });

  it(`ends at the final parameters within ${PARAM_TOLERANCE}`, () => {
    for (const [key, want] of Object.entries(fixture.final)) {
      const got = model.parameters.paramView(key);
      const { diff, at } = maxDifference(got, want.data);
      assert.ok(diff <= PARAM_TOLERANCE, `${key}[${at}] = ${got[at]}, torch ${want.data[at]}`);
    }
  });
});
