// A worker_threads worker that trains a small model and reports its final loss and parameters.
import { parentPort, workerData } from "node:worker_threads";
import { readFile } from "node:fs/promises";
import { init, Model, GRU, Dense, Adam } from "../../bindings/index.js";

const { wasmPath, epochs } = workerData as { wasmPath: string; epochs: number };
await init(await readFile(wasmPath));
const T = 16;
const N = 256;
const x = new Float32Array(T * N).map((_, i) => Math.sin(i * 0.37));
const y = new Float32Array(T * N).map((_, i) => Math.sin(i * 0.37 + 0.5));
const model = new Model({ layers: [new GRU({ inputSize: 1, units: 32, seed: 1 }), new Dense({ inputSize: 32, units: 1, seed: 2 })], loss: "meanSquaredError", optimizer: new Adam({ lr: 0.01 }) });
const logs = await model.fit({ shape: [T, N, 1], data: x }, { shape: [T, N, 1], data: y }, {
  epochs, batchSize: 16, seed: 0, onEpochEnd: (l) => parentPort!.postMessage({ type: "epoch", loss: l.loss }),
});
parentPort!.postMessage({ type: "done", loss: logs[logs.length - 1]!.loss, weight: Array.from(model.stateDict()["1.weight"]!.data) });
model.dispose();
