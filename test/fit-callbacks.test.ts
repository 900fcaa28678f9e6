// Issue 11, item 5 (fit's part): Model.fit and Seq2Seq.fit await async onBatchEnd / onEpochEnd
// callbacks before going on, reject with a callback's rejection or throw (the model stays usable),
// and take as `signal` only an AbortSignal.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { Model } from "../bindings/model.js";
import { SimpleRNN } from "../bindings/layers/simple-rnn.js";
import { Dense } from "../bindings/layers/dense.js";
import { Adam } from "../bindings/optimizers.js";
import { Seq2Seq } from "../bindings/seq2seq/seq2seq.js";
import type { Tensor } from "../bindings/tensor.js";
import { randomArray } from "./helpers/random.js";
import { assertUnchanged, trainingState } from "./helpers/training-state.js";

const T = 5;
const N = 12;
const x: Tensor = { shape: [T, N, 2], data: randomArray(T * N * 2, 1) };
const y: Tensor = { shape: [T, N, 1], data: randomArray(T * N, 2) };

function model(): Model {
  return new Model({
    layers: [new SimpleRNN({ inputSize: 2, units: 6, seed: 1 }), new Dense({ inputSize: 6, units: 1, seed: 2 })],
    loss: "meanSquaredError",
    optimizer: new Adam({ lr: 0.01 }),
  });
}

describe("fit callbacks", () => {
  it("awaits an async onBatchEnd and onEpochEnd before the next batch and epoch", async () => {
    const m = model();
    const events: string[] = [];
    /** Awaits a few event-loop turns and asserts no training step ran meanwhile. */
    const slow = async (event: string): Promise<void> => {
      const steps = m.optimizer.iterations;
      await sleep(2);
      await sleep(0);
      assert.equal(m.optimizer.iterations, steps, `a step ran while ${event} was pending`);
      events.push(event);
    };
    await m.fit(x, y, { epochs: 2, batchSize: 5, onBatchEnd: ({ epoch, batch }) => slow(`${epoch}.${batch}`), onEpochEnd: ({ epoch }) => slow(`epoch ${epoch}`) });
    assert.deepEqual(events, ["0.0", "0.1", "0.2", "epoch 0", "1.0", "1.1", "1.2", "epoch 1"]);
    m.dispose();
  });

  const failures: [string, (boom: Error) => Record<string, unknown>, number][] = [
    ["a rejected onBatchEnd", (boom) => ({ onBatchEnd: async () => { await sleep(1); throw boom; } }), 1],
    ["a throwing onBatchEnd", (boom) => ({ onBatchEnd: () => { throw boom; } }), 1],
    ["a rejected onEpochEnd", (boom) => ({ onEpochEnd: () => Promise.reject(boom) }), 3],
    ["a throwing onEpochEnd", (boom) => ({ onEpochEnd: () => { throw boom; } }), 3],
  ];
  for (const [what, callbacks, steps] of failures) {
    it(`${what} rejects fit with that error after ${steps} step${steps > 1 ? "s" : ""}, and the model trains on`, async () => {
      const m = model();
      const boom = new Error(what);
      await assert.rejects(m.fit(x, y, { epochs: 3, batchSize: 5, ...callbacks(boom) }), (e: unknown) => e === boom);
      assert.equal(m.optimizer.iterations, steps);
      assert.ok(Number.isFinite(m.trainOnBatch(x, y)));
      const logs = await m.fit(x, y, { epochs: 2, batchSize: 5 });
      assert.ok(logs.every((l) => Number.isFinite(l.loss)));
      m.dispose();
    });
  }

  it("Seq2Seq.fit awaits its callbacks and rejects with their errors too", async () => {
    const s2s = new Seq2Seq({ sourceVocabSize: 8, targetVocabSize: 8, units: 4, seed: 1 });
    const source = { shape: [3, 4], data: Int32Array.from({ length: 12 }, (_, i) => 4 + (i % 4)) };
    const target = { shape: [3, 4], data: Int32Array.from([3, 3, 3, 3, 5, 6, 7, 4, 2, 2, 2, 2]) };
    const lengths = new Int32Array(4).fill(3);
    const seen: number[] = [];
    await s2s.fit(source, lengths, target, lengths, { epochs: 2, batchSize: 2, onBatchEnd: async () => {
      const steps = s2s.optimizer.iterations;
      await sleep(1);
      seen.push(s2s.optimizer.iterations - steps);
    } });
    assert.deepEqual(seen, [0, 0, 0, 0]);
    const boom = new Error("stop");
    await assert.rejects(s2s.fit(source, lengths, target, lengths, { onEpochEnd: async () => { throw boom; } }), (e: unknown) => e === boom);
    assert.ok(Number.isFinite(s2s.trainOnBatch(source, lengths, target, lengths)));
    s2s.dispose();
  });
});

describe("fit signal", () => {
  const notSignals: unknown[] = [{ aborted: false }, { aborted: true, throwIfAborted: () => undefined }, "signal", 1, null, new AbortController()];
  for (const signal of notSignals) {
    it(`refuses signal ${signal === null ? "null" : typeof signal === "object" ? signal.constructor.name : JSON.stringify(signal)} with a TypeError before training`, async () => {
      const m = model();
      const before = trainingState(m);
      const expected = /^Model\.fit: signal must be an AbortSignal \(new AbortController\(\)\.signal\); got /;
      await assert.rejects(m.fit(x, y, { signal: signal as AbortSignal }), (e: unknown) => e instanceof TypeError && expected.test(e.message));
      assertUnchanged(m, before, "after the refused fit");
      m.dispose();
    });
  }

  it("Seq2Seq.fit refuses a signal that is not an AbortSignal", async () => {
    const s2s = new Seq2Seq({ sourceVocabSize: 8, targetVocabSize: 8, units: 4 });
    const ids = { shape: [2, 1], data: Int32Array.of(3, 2) };
    await assert.rejects(s2s.fit(ids, [2], ids, [2], { signal: {} as AbortSignal }), (e: unknown) => e instanceof TypeError
      && /^Seq2Seq\.fit: signal must be an AbortSignal/.test(e.message));
    s2s.dispose();
  });

  it("an aborted signal stops fit before any step; aborting during an awaited callback stops it before the next batch", async () => {
    const m = model();
    const before = trainingState(m);
    await assert.rejects(m.fit(x, y, { signal: AbortSignal.abort(new Error("early")) }), /early/);
    assertUnchanged(m, before, "after an aborted fit");
    const controller = new AbortController();
    await assert.rejects(m.fit(x, y, { epochs: 3, batchSize: 5, signal: controller.signal, onBatchEnd: async () => {
      await sleep(1);
      controller.abort(new Error("late"));
    } }), /late/);
    assert.equal(m.optimizer.iterations, 1);
    m.dispose();
  });
});
