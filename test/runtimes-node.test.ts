// Node runtimes: training in a worker_threads worker keeps the main thread responsive, and two
// models in one process (interleaved fits) do not interfere.
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { Model } from "../bindings/model.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { Dense } from "../bindings/layers/dense.js";
import { Adam } from "../bindings/optimizers.js";
import { randomArray, mulberry32 } from "./helpers/random.js";
import { wasmPath } from "./helpers/wasm-path.js";

const wasmFile = wasmPath();

interface WorkerResult {
  epochs: number[];
  loss: number;
  weight: number[];
}

function trainInWorker(epochs: number): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./helpers/train-worker.js", import.meta.url), { workerData: { wasmPath: wasmFile, epochs } });
    const seen: number[] = [];
    worker.on("message", (m: { type: string; loss: number; weight?: number[] }) => {
      if (m.type === "epoch") seen.push(m.loss);
      else resolve({ epochs: seen, loss: m.loss, weight: m.weight! });
    });
    worker.on("error", reject);
  });
}

describe("Node runtimes", () => {
  it("trains in a worker thread while the main thread stays responsive", async function () {
    this.timeout(120000);
    const gaps: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 5);
    const started = performance.now();
    const result = await trainInWorker(80);
    const elapsed = performance.now() - started;
    clearInterval(timer);
    assert.equal(result.epochs.length, 80);
    assert.ok(result.loss < result.epochs[0]! / 5, `loss ${result.epochs[0]} -> ${result.loss}`);
    gaps.sort((a, b) => a - b);
    const p99 = gaps[Math.floor(gaps.length * 0.99)]!;
    assert.ok(gaps.length > elapsed / 50, `the main thread ticked only ${gaps.length} times in ${elapsed.toFixed(0)} ms`);
    assert.ok(p99 < 100, `99th percentile gap between 5 ms ticks: ${p99.toFixed(1)} ms`);
  });

  it("two workers train the same model to the same result, and two models in one process do not interfere", async function () {
    this.timeout(120000);
    const [a, b] = await Promise.all([trainInWorker(3), trainInWorker(3)]);
    assert.deepEqual(a.weight, b.weight);
    const data = (seed: number) => {
      const next = mulberry32(seed);
      return { x: { shape: [6, 32, 2], data: randomArray(6 * 32 * 2, seed) }, y: { shape: [6, 32], data: Int32Array.from({ length: 6 * 32 }, () => Math.floor(next() * 3)) } };
    };
    const make = (): Model => new Model({ layers: [new LSTM({ inputSize: 2, units: 8, seed: 4 }), new Dense({ inputSize: 8, units: 3, seed: 5 })], loss: "softmaxCrossEntropy", optimizer: new Adam({ lr: 0.01 }) });
    const alone = [make(), make()];
    await alone[0]!.fit(data(1).x, data(1).y, { epochs: 3, batchSize: 8 });
    await alone[1]!.fit(data(2).x, data(2).y, { epochs: 3, batchSize: 8 });
    const together = [make(), make()];
    await Promise.all([together[0]!.fit(data(1).x, data(1).y, { epochs: 3, batchSize: 8 }), together[1]!.fit(data(2).x, data(2).y, { epochs: 3, batchSize: 8 })]);
    assert.deepEqual(together[0]!.stateDict(), alone[0]!.stateDict());
    assert.deepEqual(together[1]!.stateDict(), alone[1]!.stateDict());
    for (const m of [...alone, ...together]) m.dispose();
  });
});
