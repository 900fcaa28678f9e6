// Issue 14, item 7: learning-rate schedules an optimizer takes as lr (keras.optimizers.schedules):
// their values against the closed forms, one value per optimizer step (optimizer.iterations), saved
// with the model and continued identically after Model.load, and their option checks.
import assert from "node:assert/strict";
import {
  Model, SimpleRNN, Dense, Adam, SGD, optimizerFromConfig, exponentialDecay, cosineDecay, piecewiseConstantDecay, warmup, learningRateAt,
  type Tensor, type LearningRateSchedule,
} from "../bindings/index.js";
import { randomArray } from "./helpers/random.js";

const STEPS = [0, 1, 5, 9, 10, 11, 37, 100, 1000];

describe("learning-rate schedules", () => {
  it("exponentialDecay: initialLr · decayRate^(step / decaySteps), floored with staircase", () => {
    const smooth = exponentialDecay({ initialLr: 0.1, decaySteps: 10, decayRate: 0.5 });
    const stairs = exponentialDecay({ initialLr: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
    for (const s of STEPS) {
      assert.equal(learningRateAt(smooth, s), 0.1 * 0.5 ** (s / 10));
      assert.equal(learningRateAt(stairs, s), 0.1 * 0.5 ** Math.floor(s / 10));
    }
    assert.deepEqual(smooth, { type: "exponentialDecay", initialLr: 0.1, decaySteps: 10, decayRate: 0.5, staircase: false });
  });

  it("cosineDecay: initialLr · ((1 - alpha) · ½(1 + cos(π · min(step, decaySteps) / decaySteps)) + alpha)", () => {
    const s = cosineDecay({ initialLr: 0.2, decaySteps: 100, alpha: 0.1 });
    for (const step of STEPS) {
      const t = Math.min(step, 100) / 100;
      assert.ok(Math.abs(learningRateAt(s, step) - 0.2 * (0.9 * 0.5 * (1 + Math.cos(Math.PI * t)) + 0.1)) < 1e-15, `step ${step}`);
    }
    assert.equal(learningRateAt(s, 0), 0.2);
    assert.ok(Math.abs(learningRateAt(s, 1000) - 0.02) < 1e-15);
  });

  it("piecewiseConstantDecay: values[i] up to boundaries[i] (inclusive), the last value after", () => {
    const s = piecewiseConstantDecay({ boundaries: [10, 20], values: [1, 0.5, 0.1] });
    assert.deepEqual([0, 10, 11, 20, 21, 1000].map((step) => learningRateAt(s, step)), [1, 1, 0.5, 0.5, 0.1, 0.1]);
  });

  it("warmup: linear from initialLr to the next schedule's start over `steps`, then that schedule from its step 0", () => {
    const after = cosineDecay({ initialLr: 0.1, decaySteps: 50 });
    const s = warmup({ steps: 10, then: after });
    for (const step of [0, 1, 5, 9]) assert.ok(Math.abs(learningRateAt(s, step) - 0.1 * step / 10) < 1e-16, `step ${step}`);
    for (const step of [10, 11, 30, 60, 100]) assert.equal(learningRateAt(s, step), learningRateAt(after, step - 10));
    const constant = warmup({ steps: 4, initialLr: 0.01, then: 0.05 });
    assert.deepEqual([0, 2, 4, 9].map((step) => learningRateAt(constant, step)), [0.01, 0.03, 0.05, 0.05]);
  });

  it("an optimizer steps with the schedule's value at optimizer.iterations (its lr before each step)", () => {
    const schedule = exponentialDecay({ initialLr: 0.1, decaySteps: 2, decayRate: 0.5, staircase: true });
    const sgd = new SGD({ lr: schedule });
    const fixed = new SGD({ lr: 0.1 });
    const m = new Model({ layers: [new Dense({ inputSize: 1, units: 1, seed: 1 })], loss: "meanSquaredError", optimizer: sgd });
    const ref = new Model({ layers: [new Dense({ inputSize: 1, units: 1, seed: 1 })], loss: "meanSquaredError", optimizer: fixed });
    const x = { shape: [1, 4, 1], data: Float32Array.from([1, 2, 3, 4]) };
    const y = { shape: [1, 4, 1], data: Float32Array.from([2, 4, 6, 8]) };
    for (let step = 0; step < 6; step++) {
      assert.equal(sgd.lr, learningRateAt(schedule, step));
      fixed.lr = learningRateAt(schedule, step);
      m.trainOnBatch(x, y);
      ref.trainOnBatch(x, y);
      assert.deepEqual(m.stateDict(), ref.stateDict());
    }
    assert.deepEqual(sgd.schedule, schedule);
    assert.deepEqual(sgd.config.lr, schedule);
    m.dispose();
    ref.dispose();
  });

  it("is saved with the model: Model.load continues at the right step, identically to the unsaved model", async () => {
    const T = 4;
    const N = 8;
    const x: Tensor = { shape: [T, N, 2], data: randomArray(T * N * 2, 3) };
    const y: Tensor = { shape: [T, N, 1], data: randomArray(T * N, 4) };
    const lr: LearningRateSchedule = warmup({ steps: 3, then: exponentialDecay({ initialLr: 0.05, decaySteps: 4, decayRate: 0.7 }) });
    const make = (): Model => new Model({
      layers: [new SimpleRNN({ inputSize: 2, units: 4, seed: 9 }), new Dense({ inputSize: 4, units: 1, seed: 8 })],
      loss: "meanSquaredError", optimizer: new Adam({ lr }),
    });
    const whole = make();
    const logs = await whole.fit(x, y, { epochs: 4, batchSize: 4, shuffle: false });
    const first = make();
    await first.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false });
    const loaded = Model.load(first.save());
    assert.deepEqual(loaded.optimizer.config.lr, lr);
    assert.equal(loaded.optimizer.iterations, 4);
    assert.equal(loaded.optimizer.lr, learningRateAt(lr, 4));
    const rest = await loaded.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false });
    assert.deepEqual(rest.map((l) => l.loss), logs.slice(2).map((l) => l.loss));
    assert.deepEqual(loaded.stateDict(), whole.stateDict());
    assert.deepEqual(optimizerFromConfig(JSON.parse(JSON.stringify(loaded.optimizer.config))).config, loaded.optimizer.config);
    for (const m of [whole, first, loaded]) m.dispose();
  });

  it("refuses bad schedule options with a RangeError or TypeError naming the function and argument", () => {
    const cases: [() => unknown, ErrorConstructor, RegExp][] = [
      [() => exponentialDecay({ initialLr: 0.1, decaySteps: 0, decayRate: 0.5 }), RangeError, /^exponentialDecay: decaySteps must be >= 1; got 0$/],
      [() => exponentialDecay({ initialLr: -1, decaySteps: 1, decayRate: 0.5 }), RangeError, /^exponentialDecay: initialLr must be a finite number in \[0, Infinity\]; got -1$/],
      [() => exponentialDecay({ initialLr: 0.1, decaySteps: 1 } as never), TypeError, /^exponentialDecay: decayRate is required$/],
      [() => exponentialDecay({ initialLr: 0.1, decaySteps: 1, decayRate: 0.5, staircase: 1 as never }), TypeError, /^exponentialDecay: staircase must be a boolean; got number 1$/],
      [() => cosineDecay({ initialLr: 0.1, decaySteps: 10, alpha: 2 }), RangeError, /^cosineDecay: alpha must be a finite number in \[0, 1\]; got 2$/],
      [() => cosineDecay({ initialLr: 0.1, decaySteps: 10, lr: 1 } as never), TypeError, /^cosineDecay: unknown option "lr"/],
      [() => piecewiseConstantDecay({ boundaries: [5, 5], values: [1, 2, 3] }), RangeError, /^piecewiseConstantDecay: boundaries must increase; got 5 then 5 at boundaries\[1\]$/],
      [() => piecewiseConstantDecay({ boundaries: [5], values: [1] }), RangeError, /^piecewiseConstantDecay: values must hold one more value than boundaries \(2\); got 1$/],
      [() => warmup({ steps: 3, then: "x" as never }), TypeError, /^warmup: then must be a number >= 0 or a schedule/],
      [() => warmup(null as never), TypeError, /^warmup: options must be an object/],
      [() => new Adam({ lr: { type: "linear" } as never }), RangeError, /^Adam: lr\.type must be one of exponentialDecay, cosineDecay, piecewiseConstantDecay, warmup; got "linear"$/],
      [() => new SGD({ lr: { type: "cosineDecay", initialLr: 1 } as never }), TypeError, /^SGD: lr: decaySteps is required$/],
      [() => new SGD({ lr: { type: "cosineDecay", initialLr: 1, decaySteps: -2 } as never }), RangeError, /^SGD: lr\.decaySteps must be >= 1; got -2$/],
    ];
    for (const [call, type, message] of cases) assert.throws(call, (e: unknown) => e instanceof type && message.test((e as Error).message), String(message));
  });
});
