// Issue 11, item 1: a training step is applied only if it is finite. Model.trainOnBatch, Model.fit
// (with and without truncated BPTT), Seq2Seq.trainOnBatch and Seq2Seq.fit refuse a batch whose
// loss, gradient norm, resulting parameters or resulting optimizer state is not finite, with a
// RangeError naming the call and the batch, and leave every parameter and optimizer moment (and
// the step count) bit-identical to before that batch; the same model then trains normally.
import assert from "node:assert/strict";
import { Model } from "../bindings/model.js";
import { SimpleRNN } from "../bindings/layers/simple-rnn.js";
import { Dense } from "../bindings/layers/dense.js";
import { Adam, RMSprop, SGD, type Optimizer } from "../bindings/optimizers.js";
import { Seq2Seq } from "../bindings/seq2seq/seq2seq.js";
import type { IntTensor, Tensor } from "../bindings/tensor.js";
import { mulberry32, randomArray } from "./helpers/random.js";
import { assertUnchanged, trainingState, type TrainingState } from "./helpers/training-state.js";

const T = 8;
const N = 16;
const D = 3;
const O = 2;
const NOTHING_APPLIED = "nothing of this batch was applied \\(the parameters and the optimizer state are as before it\\)";

/** A relu Elman network under MSE: the classic way to blow up with a large learning rate. */
function reluModel(optimizer: Optimizer): Model {
  return new Model({
    layers: [new SimpleRNN({ inputSize: D, units: 8, activation: "relu", seed: 1 }), new Dense({ inputSize: 8, units: O, seed: 2 })],
    loss: "meanSquaredError",
    optimizer,
  });
}

function floats(shape: number[], seed: number, scale = 1): Tensor {
  return { shape, data: randomArray(shape.reduce((a, b) => a * b, 1), seed, scale) };
}

const x = floats([T, N, D], 1);
const y = floats([T, N, O], 2);

/** `t` with `value` written at steps [t0, t1) of every sequence, or of sequence `n` only. */
function overwritten(t: Tensor, value: number, steps: [number, number], n?: number): Tensor {
  const data = t.data.slice();
  const [, batch, features] = t.shape as [number, number, number];
  for (let s = steps[0]; s < steps[1]; s++) {
    for (let k = 0; k < batch; k++) if (n === undefined || k === n) data.fill(value, (s * batch + k) * features, (s * batch + k + 1) * features);
  }
  return { shape: t.shape, data };
}

/** A RangeError from `where` for a refused batch: `what` is not finite, at `at`. */
function refused(where: string, what: RegExp, at = ""): (e: unknown) => boolean {
  const pattern = new RegExp(`^${where.replace(".", "\\.")}: ${what.source}${at === "" ? "" : ` ${at}`}; ${NOTHING_APPLIED}\\. To go on, lower the learning rate`);
  return (e: unknown) => e instanceof RangeError && pattern.test(e.message);
}

const NON_FINITE_LOSS_OR_GRADIENT = /the (loss|gradient norm) is (NaN|-?Infinity)[^;]*/;

/** `steps` losses of `step`, asserted finite and decreasing (the last below the first). */
function trainLosses(step: () => number, steps: number): number[] {
  const losses = Array.from({ length: steps }, step);
  assert.ok(losses.every(Number.isFinite) && losses[steps - 1]! < losses[0]!, `losses ${losses}`);
  return losses;
}

/**
 * Optimizers whose first step at the largest float32 learning rate overflows a parameter (SGD: a
 * gradient beyond 1.2, from targets of scale 100; RMSprop: its first step is 10 lr), their sane
 * twins, and the targets.
 */
const OVERFLOWING: [string, () => Optimizer, () => Optimizer, Tensor][] = [
  ["SGD", () => new SGD({ lr: 3e38 }), () => new SGD({ lr: 1e-3 }), floats([T, N, O], 2, 100)],
  ["RMSprop", () => new RMSprop({ lr: 3e38 }), () => new RMSprop({ lr: 0.002 }), y],
];

describe("Finite steps: Model.trainOnBatch", () => {
  for (const [name, huge, sane, targets] of OVERFLOWING) {
    it(`refuses a step that would overflow the parameters (${name}, lr 3e38), then trains with a sane lr exactly as if it had never been called`, () => {
      const model = reluModel(huge());
      const before = trainingState(model);
      assert.throws(() => model.trainOnBatch(x, targets), refused("Model.trainOnBatch", /the optimizer step would make parameter "\d\.\w+" at index \d+ (NaN|-?Infinity)/));
      assertUnchanged(model, before, "after the refused step");
      model.optimizer.lr = sane().lr;
      const fresh = reluModel(sane());
      assert.deepEqual(trainLosses(() => model.trainOnBatch(x, targets), 20), trainLosses(() => fresh.trainOnBatch(x, targets), 20));
      model.dispose();
      fresh.dispose();
    });
  }

  it("an exploding run (relu, SGD lr 10) ends with a RangeError at the first non-finite step, never a non-finite loss, and the state of before that call", () => {
    const model = reluModel(new SGD({ lr: 10 }));
    const losses: number[] = [];
    let before: TrainingState = trainingState(model);
    let error: unknown = null;
    for (let i = 0; i < 200 && error === null; i++) {
      before = trainingState(model);
      try {
        losses.push(model.trainOnBatch(x, y));
      } catch (e) {
        error = e;
      }
    }
    assert.ok(refused("Model.trainOnBatch", NON_FINITE_LOSS_OR_GRADIENT)(error), String(error));
    assert.ok(losses.length > 2 && losses.every(Number.isFinite), `losses ${losses}`);
    assertUnchanged(model, before, "after the refused call");
    model.dispose();
  });

  it("refuses overflowing inputs (1e38) and MSE targets (1e38), and the model trains on", () => {
    const model = reluModel(new Adam({ lr: 0.01 }));
    for (const [what, bx, by] of [["inputs", overwritten(x, 1e38, [0, T]), y], ["targets", x, overwritten(y, 1e38, [3, 4])]] as const) {
      const before = trainingState(model);
      assert.throws(() => model.trainOnBatch(bx, by), (e: unknown) => refused("Model.trainOnBatch", NON_FINITE_LOSS_OR_GRADIENT)(e)
        && /check x and y for values that overflow float32$/.test((e as Error).message), what);
      assertUnchanged(model, before, `after overflowing ${what}`);
    }
    trainLosses(() => model.trainOnBatch(x, y), 20);
    model.dispose();
  });

  it("refuses a step that would overflow the optimizer state (Adam's exp_avg_sq for a gradient beyond 1.8e19), and clipNorm lets it through", () => {
    const make = (clipNorm?: number): Model => new Model({ layers: [new Dense({ inputSize: 1, units: 1, seed: 1 })], loss: "meanSquaredError", optimizer: new Adam(), ...(clipNorm === undefined ? {} : { clipNorm }) });
    const big: Tensor = { shape: [1, 1, 1], data: Float32Array.of(1e18) };
    const zero: Tensor = { shape: [1, 1, 1], data: Float32Array.of(0) };
    const model = make();
    const before = trainingState(model);
    assert.throws(() => model.trainOnBatch(big, zero), refused("Model.trainOnBatch", /the optimizer step would make its exp_avg_sq state of "0\.weight" at index 0 Infinity/));
    assertUnchanged(model, before, "after the refused step");
    model.dispose();
    const clipped = make(1);
    assert.ok(Number.isFinite(clipped.trainOnBatch(big, zero)));
    assert.equal(clipped.optimizer.iterations, 1);
    clipped.dispose();
  });

  it("checks clipNorm and clipValue set on the model between calls", () => {
    const model = reluModel(new SGD({ lr: 0.01 }));
    const before = trainingState(model);
    const bad: [keyof Pick<Model, "clipNorm" | "clipValue">, unknown, typeof TypeError | typeof RangeError, RegExp][] = [
      ["clipNorm", 0, RangeError, /^Model\.trainOnBatch: clipNorm must be > 0 \(0 would zero every gradient\); got 0$/],
      ["clipNorm", NaN, RangeError, /^Model\.trainOnBatch: clipNorm must be a finite number/],
      ["clipValue", -1, RangeError, /^Model\.trainOnBatch: clipValue must be a finite number in \[0, Infinity\]; got -1$/],
      ["clipValue", "1", TypeError, /^Model\.trainOnBatch: clipValue must be a number; got "1"$/],
    ];
    for (const [name, value, type, message] of bad) {
      Object.assign(model, { [name]: value });
      assert.throws(() => model.trainOnBatch(x, y), (e: unknown) => e instanceof type && message.test((e as Error).message), `${name} = ${String(value)}`);
      Object.assign(model, { [name]: null });
    }
    assertUnchanged(model, before, "after the refused calls");
    model.dispose();
  });
});

describe("Finite steps: Model.fit", () => {
  it("stops at the batch whose loss overflows, naming its epoch and batch, with the state the batch before it left", async () => {
    const model = reluModel(new Adam({ lr: 0.01 }));
    const bad = overwritten(x, 1e38, [0, T], 9); // sequence 9: batch 2 of 4 unshuffled
    let last = trainingState(model);
    const seen: number[] = [];
    await assert.rejects(model.fit(bad, y, { batchSize: 4, shuffle: false, onBatchEnd: ({ loss }) => {
      seen.push(loss);
      last = trainingState(model);
    } }), refused("Model.fit", NON_FINITE_LOSS_OR_GRADIENT, "at epoch 0, batch 2"));
    assert.equal(seen.length, 2);
    assert.ok(seen.every(Number.isFinite));
    assertUnchanged(model, last, "after the refused batch");
    const logs = await model.fit(x, y, { epochs: 3, batchSize: 4 });
    assert.ok(logs.every((l) => Number.isFinite(l.loss)));
    model.dispose();
  });

  it("with truncatedBptt, a chunk that fails undoes the chunks of its batch already stepped", async () => {
    const model = reluModel(new Adam({ lr: 0.01 }));
    const before = trainingState(model);
    const bad = overwritten(y, 1e38, [T - 2, T]); // only the last chunk's targets overflow
    await assert.rejects(model.fit(x, bad, { batchSize: N, truncatedBptt: 3 }),
      refused("Model.fit", /the loss is Infinity/, "at epoch 0, batch 0, truncatedBptt chunk 3 of 3"));
    assertUnchanged(model, before, "after the refused batch (two chunks had stepped)");
    const logs = await model.fit(x, y, { epochs: 20, batchSize: N, truncatedBptt: 3 });
    assert.ok(logs.every((l) => Number.isFinite(l.loss)) && logs[19]!.loss < logs[0]!.loss, JSON.stringify(logs));
    model.dispose();
  });

  for (const truncatedBptt of [undefined, 3]) {
    it(`an exploding SGD fit (relu, lr 10${truncatedBptt === undefined ? "" : ", truncatedBptt 3"}) reports only finite losses and stops at the first non-finite batch`, async () => {
      const model = reluModel(new SGD({ lr: 10 }));
      let last = trainingState(model);
      const seen: number[] = [];
      await assert.rejects(model.fit(x, y, { epochs: 100, batchSize: 4, seed: 3, ...(truncatedBptt === undefined ? {} : { truncatedBptt }), onBatchEnd: ({ loss }) => {
        seen.push(loss);
        last = trainingState(model);
      } }), refused("Model.fit", NON_FINITE_LOSS_OR_GRADIENT, `at epoch \\d+, batch \\d+${truncatedBptt === undefined ? "" : ", truncatedBptt chunk \\d of 3"}`));
      assert.ok(seen.length > 0 && seen.every(Number.isFinite), `losses ${seen}`);
      assertUnchanged(model, last, "after the refused batch");
      model.dispose();
    });
  }

  it("evaluate and fit's validation refuse a loss that overflows instead of returning it", async () => {
    const model = reluModel(new Adam({ lr: 0.01 }));
    const huge = overwritten(x, 1e38, [0, T]);
    assert.throws(() => model.evaluate(huge, y), (e: unknown) => e instanceof RangeError
      && /^Model\.evaluate: the loss is (NaN|Infinity): the model's outputs overflow float32 for these inputs \(check x and y for very large values\)$/.test((e as Error).message));
    await assert.rejects(model.fit(x, y, { validationData: { x: huge, y } }), (e: unknown) => e instanceof RangeError
      && /^Model\.fit: validationData after epoch 0: the loss is (NaN|Infinity)/.test((e as Error).message));
    assert.ok(Number.isFinite(model.evaluate(x, y).loss));
    model.dispose();
  });
});

describe("Finite steps: Seq2Seq", () => {
  const V = 12;
  /** Sources [5, 8] and targets BOS w w w w EOS [6, 8], every sequence full length. */
  function pairs(seed: number): { source: IntTensor; sourceLengths: Int32Array; target: IntTensor; targetLengths: Int32Array } {
    const next = mulberry32(seed);
    const word = (): number => 4 + Math.floor(next() * (V - 4));
    const S = 5;
    const U = 6;
    const B = 8;
    const target = Int32Array.from({ length: U * B }, (_, i) => (i < B ? 3 : i >= (U - 1) * B ? 2 : word()));
    return {
      source: { shape: [S, B], data: Int32Array.from({ length: S * B }, word) }, sourceLengths: new Int32Array(B).fill(S),
      target: { shape: [U, B], data: target }, targetLengths: new Int32Array(B).fill(U),
    };
  }
  const make = (optimizer: Optimizer): Seq2Seq => new Seq2Seq({ sourceVocabSize: V, targetVocabSize: V, units: 8, optimizer, seed: 5 });
  const b = pairs(1);

  it("trainOnBatch refuses a step that would overflow the parameters (RMSprop, lr 3e38), then trains with a sane lr exactly as if it had never been called", () => {
    const model = make(new RMSprop({ lr: 3e38 }));
    const before = trainingState(model);
    assert.throws(() => model.trainOnBatch(b.source, b.sourceLengths, b.target, b.targetLengths), (e: unknown) =>
      refused("Seq2Seq.trainOnBatch", /the optimizer step would make parameter "\w+\.\w+" at index \d+ (NaN|-?Infinity)/)(e)
      && /or clip gradients with the clipNorm option$/.test((e as Error).message));
    assertUnchanged(model, before, "after the refused step");
    model.optimizer.lr = 0.01;
    const fresh = make(new RMSprop({ lr: 0.01 }));
    const step = (m: Seq2Seq) => () => m.trainOnBatch(b.source, b.sourceLengths, b.target, b.targetLengths);
    assert.deepEqual(trainLosses(step(model), 10), trainLosses(step(fresh), 10));
    model.dispose();
    fresh.dispose();
  });

  it("refuses a batch whose gradient overflows between its layers, naming the call rather than the layer it would reach", () => {
    const model = new Seq2Seq({ sourceVocabSize: V, targetVocabSize: V, units: 4, optimizer: new SGD({ lr: 0.1 }), seed: 1 });
    // The decoder's output gate shut (h = 0: finite logits), the head's weights at ±3e38: its input gradient overflows.
    for (const name of ["decoder.bias_ih_l0", "decoder.bias_hh_l0"]) model.parameters.paramView(name).fill(-100, 12, 16);
    const head = model.parameters.paramView("output.weight");
    for (let v = 0; v < V; v++) head.fill(v === 2 ? -3e38 : 3e38, v * 4, (v + 1) * 4);
    const before = trainingState(model);
    assert.throws(() => model.trainOnBatch({ shape: [1, 1], data: Int32Array.of(5) }, [1], { shape: [2, 1], data: Int32Array.of(3, 2) }, [2]),
      refused("Seq2Seq.trainOnBatch", /the gradient is not finite \(the gradient of the decoder's output holds Infinity\)/));
    assertUnchanged(model, before, "after the refused step");
    model.dispose();
  });

  it("fit under exploding SGD reports only finite losses and stops at the first non-finite batch with the state the batch before it left", async () => {
    const model = make(new SGD({ lr: 3e38 }));
    let last = trainingState(model);
    const seen: number[] = [];
    await assert.rejects(model.fit(b.source, b.sourceLengths, b.target, b.targetLengths, { epochs: 50, batchSize: 2, onBatchEnd: ({ loss }) => {
      seen.push(loss);
      last = trainingState(model);
    } }), refused("Seq2Seq.fit", /the (loss|gradient norm|optimizer step would make parameter)[^;]*/, "at epoch \\d+, batch \\d+"));
    assert.ok(seen.every(Number.isFinite), `losses ${seen}`);
    assertUnchanged(model, last, "after the refused batch");
    assert.throws(() => model.evaluate(b.source, b.sourceLengths, b.target, b.targetLengths), (e: unknown) => e instanceof RangeError
      && /^Seq2Seq\.evaluate: the loss is NaN: the model's outputs overflow float32$/.test((e as Error).message));
    model.dispose();
  });
});
