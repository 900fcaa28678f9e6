// Issue 14, item 5 (callbacks): fit's callbacks option with the Keras-like built-ins (earlyStopping,
// modelCheckpoint, reduceLROnPlateau, learningRateScheduler) and user hooks, stopping through
// model.stopTraining with fit resolving normally; the same through Seq2Seq.fit.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import {
  Model, SimpleRNN, Dense, Adam, SGD, Seq2Seq, earlyStopping, modelCheckpoint, reduceLROnPlateau, learningRateScheduler, exponentialDecay,
  type Callback, type EpochLogs, type Optimizer, type Tensor,
} from "../bindings/index.js";
import { randomArray } from "./helpers/random.js";
import { trainingState } from "./helpers/training-state.js";

const T = 5;
const N = 12;
const x: Tensor = { shape: [T, N, 2], data: randomArray(T * N * 2, 1) };
const y: Tensor = { shape: [T, N, 1], data: randomArray(T * N, 2) };

function model(optimizer: Optimizer = new Adam({ lr: 0.01 })): Model {
  return new Model({
    layers: [new SimpleRNN({ inputSize: 2, units: 6, seed: 1 }), new Dense({ inputSize: 6, units: 1, seed: 2 })],
    loss: "meanSquaredError",
    optimizer,
  });
}

/** A callback that makes the monitored log follow `values`, epoch by epoch (to script plateaus). */
function scripted(name: string, values: readonly number[]): Callback<EpochLogs> {
  return { onEpochEnd: (epoch, logs) => { (logs as unknown as Record<string, number>)[name] = values[epoch]!; } };
}

describe("fit callbacks (built-ins)", () => {
  it("earlyStopping stops after patience epochs without improvement and fit resolves with the epochs run", async () => {
    const m = model();
    const stop = earlyStopping({ monitor: "score", patience: 2 });
    const history = await m.fit(x, y, { epochs: 10, batchSize: 4, callbacks: [scripted("score", [5, 4, 4.5, 4.2, 1, 0]), stop] });
    // best at epoch 1; epochs 2 and 3 do not improve: stops at epoch 3 (Keras: wait >= patience)
    assert.deepEqual(history.epoch, [0, 1, 2, 3]);
    assert.equal(stop.stoppedEpoch, 3);
    assert.equal(stop.bestEpoch, 1);
    assert.equal(m.optimizer.iterations, 4 * 3);
    assert.equal(m.stopTraining, true);
    // a new fit starts over
    const again = await m.fit(x, y, { epochs: 2, batchSize: 4 });
    assert.equal(again.length, 2);
    m.dispose();
  });

  it("earlyStopping minDelta and mode max: an improvement must beat the best by more than minDelta", async () => {
    const m = model();
    const stop = earlyStopping({ monitor: "score", mode: "max", minDelta: 0.1, patience: 1 });
    const history = await m.fit(x, y, { epochs: 10, batchSize: 6, callbacks: [scripted("score", [0.5, 0.65, 0.7, 0.74, 0.9]), stop] });
    assert.deepEqual(history.epoch, [0, 1, 2]);
    assert.equal(stop.bestEpoch, 1);
    m.dispose();
  });

  it("restoreBestWeights puts back the best epoch's parameters bit for bit", async () => {
    const m = model();
    const snapshots: ReturnType<typeof trainingState>["params"][] = [];
    const saved: Uint8Array[] = [];
    const record: Callback<EpochLogs> = { onEpochEnd: () => { snapshots.push(trainingState(m).params); saved.push(m.save()); } };
    const stop = earlyStopping({ monitor: "score", patience: 3, restoreBestWeights: true });
    await m.fit(x, y, { epochs: 8, batchSize: 4, callbacks: [scripted("score", [3, 2, 1, 1.5, 1.2, 1.1, 1.3]), record, stop] });
    assert.equal(stop.bestEpoch, 2);
    assert.equal(snapshots.length, 6);
    assert.deepEqual(trainingState(m).params, snapshots[2]);
    assert.notDeepEqual(snapshots[5], snapshots[2]);
    // the restored parameters are what predict uses (the weight packs follow them), as a model loaded from that epoch
    const best = Model.load(saved[2]!);
    assert.deepEqual(m.predict(x), best.predict(x));
    best.dispose();
    m.dispose();
  });

  it("modelCheckpoint hands model.save() and the logs to save, every epoch or only the improving ones", async () => {
    const m = model();
    const every: number[] = [];
    const best: { epoch: number; bytes: Uint8Array }[] = [];
    await m.fit(x, y, {
      epochs: 5, batchSize: 6, callbacks: [
        scripted("score", [3, 2, 2.5, 1, 1]),
        modelCheckpoint({ save: (_bytes, logs) => { every.push(logs.epoch); } }),
        modelCheckpoint({ monitor: "score", saveBestOnly: true, save: async (bytes, logs) => { await sleep(1); best.push({ epoch: logs.epoch, bytes }); } }),
      ],
    });
    assert.deepEqual(every, [0, 1, 2, 3, 4]);
    assert.deepEqual(best.map((b) => b.epoch), [0, 1, 3]);
    const loaded = Model.load(best[2]!.bytes);
    assert.equal(loaded.optimizer.iterations, 4 * 2);
    loaded.dispose();
    m.dispose();
  });

  it("reduceLROnPlateau multiplies lr by factor after patience epochs without improvement, down to minLr, with cooldown", async () => {
    const m = model(new Adam({ lr: 0.1 }));
    const history = await m.fit(x, y, {
      epochs: 9, batchSize: 6, callbacks: [
        scripted("score", [1, 1, 1, 1, 1, 1, 1, 1, 1]),
        reduceLROnPlateau({ monitor: "score", factor: 0.5, patience: 2, cooldown: 1, minLr: 0.02 }),
      ],
    });
    // logs.lr is the rate after the epoch, before the callbacks of its end: reductions at the ends of epochs 2, 5 and 8
    assert.deepEqual(history.history.lr, [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02]);
    assert.equal(m.optimizer.lr, 0.02);
    m.dispose();
  });

  it("learningRateScheduler sets lr from (epoch, lr) before every epoch", async () => {
    const m = model(new SGD({ lr: 0.1 }));
    const history = await m.fit(x, y, { epochs: 4, batchSize: 6, callbacks: [learningRateScheduler((epoch, lr) => (epoch < 2 ? lr : lr / 2))] });
    assert.deepEqual(history.history.lr, [0.1, 0.1, 0.05, 0.025]);
    await assert.rejects(m.fit(x, y, { callbacks: [learningRateScheduler(() => -1)] }), /^RangeError: learningRateScheduler: schedule\(0, 0\.025\) must be a finite number in \[0, Infinity\]; got -1/);
    m.dispose();
  });

  it("callbacks that set lr refuse an optimizer with a schedule, as Keras", async () => {
    const m = model(new Adam({ lr: exponentialDecay({ initialLr: 0.01, decaySteps: 10, decayRate: 0.5 }) }));
    for (const callback of [reduceLROnPlateau(), learningRateScheduler((_e, lr) => lr)]) {
      await assert.rejects(m.fit(x, y, { callbacks: [callback] }), /^TypeError: (reduceLROnPlateau|learningRateScheduler): the optimizer's lr is a schedule \(exponentialDecay\)/);
    }
    assert.equal(m.optimizer.iterations, 0);
    assert.throws(() => { m.optimizer.lr = 0.1; }, /^TypeError: Adam\.lr: the learning rate is a schedule \(exponentialDecay\)/);
    m.dispose();
  });

  it("user hooks run in order, are awaited, and stopTraining ends fit after the current batch", async () => {
    const m = model();
    const events: string[] = [];
    const hooks: Callback<EpochLogs> = {
      onTrainBegin: () => { events.push("begin"); },
      onEpochBegin: async (epoch) => { await sleep(1); events.push(`epoch ${epoch}`); },
      onBatchEnd: (batch, { epoch }) => {
        events.push(`${epoch}.${batch}`);
        if (epoch === 1 && batch === 0) m.stopTraining = true;
      },
      onEpochEnd: (epoch, logs) => { events.push(`end ${epoch} ${logs.loss > 0}`); },
      onTrainEnd: (logs) => { events.push(`done ${logs?.epoch}`); },
    };
    const legacy: string[] = [];
    const history = await m.fit(x, y, { epochs: 5, batchSize: 5, callbacks: [hooks], onEpochEnd: (l) => { legacy.push(`legacy ${l.epoch}`); } });
    assert.deepEqual(events, ["begin", "epoch 0", "0.0", "0.1", "0.2", "end 0 true", "epoch 1", "1.0", "end 1 true", "done 1"]);
    assert.deepEqual(legacy, ["legacy 0", "legacy 1"]);
    assert.equal(history.length, 2);
    assert.equal(m.optimizer.iterations, 4);
    m.dispose();
  });

  it("a monitor that is not in the logs rejects fit naming the logs there are", async () => {
    const m = model();
    await assert.rejects(m.fit(x, y, { callbacks: [earlyStopping()] }), /^RangeError: earlyStopping: monitor "valLoss" is not in the epoch logs; expected one of "loss", "lr"$/);
    m.dispose();
  });

  it("Seq2Seq.fit takes the same callbacks: earlyStopping on valLoss of a validationSplit", async () => {
    const s2s = new Seq2Seq({ sourceVocabSize: 8, targetVocabSize: 8, units: 4, seed: 1 });
    const source = { shape: [3, 8], data: Int32Array.from({ length: 24 }, (_, i) => 4 + (i % 4)) };
    const target = { shape: [3, 8], data: Int32Array.from({ length: 24 }, (_, i) => (i < 8 ? 3 : i < 16 ? 4 + (i % 4) : 2)) };
    const lengths = new Int32Array(8).fill(3);
    const targetLengths = lengths;
    const stop = earlyStopping({ monitor: "score", restoreBestWeights: true });
    const history = await s2s.fit(source, lengths, target, targetLengths, {
      epochs: 6, batchSize: 2, validationSplit: 0.25,
      callbacks: [{ onEpochEnd: (epoch, logs) => { (logs as unknown as Record<string, number>).score = [2, 1, 3][epoch] ?? 0; } }, stop],
    });
    assert.deepEqual(history.epoch, [0, 1, 2]);
    assert.ok(history.every((l) => typeof l.valLoss === "number" && typeof l.valAccuracy === "number"));
    // the held-out pairs are the last 2 (columns 6 and 7): with the best epoch's weights restored, evaluate gives that epoch's valLoss
    const last = (t: { data: Int32Array }): { shape: number[]; data: Int32Array } => ({ shape: [3, 2], data: Int32Array.from({ length: 6 }, (_, i) => t.data[Math.floor(i / 2) * 8 + 6 + (i % 2)]!) });
    const heldOut = s2s.evaluate(last(source), lengths.slice(6), last(target), lengths.slice(6), { batchSize: 2 });
    assert.equal(heldOut.loss, history[stop.bestEpoch]!.valLoss);
    assert.equal(s2s.optimizer.iterations, 3 * 3);
    s2s.dispose();
  });
});
