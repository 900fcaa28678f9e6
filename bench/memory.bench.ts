// Peak wasm memory of a training run against what it must hold: issue 5's W1 (ids read as one-hot
// vectors of V = 65 by an LSTM(128) with tokenInput, T = 64, B = 32, Dense(65), softmax cross-entropy,
// Adam), in a fresh process so that nothing else has grown the memory first.
//   node dist/bench/memory.bench.js   (loads build/release.wasm, or the file named by WASM_RNN_WASM)
import { readFile } from "node:fs/promises";
import { init, Model, LSTM, Dense, Adam } from "../bindings/index.js";
import { core } from "../bindings/core.js";
import { charBatch } from "./data.js";
import { formatTable } from "./timing.js";
import { wasmPath } from "../test/helpers/wasm-path.js";

const wasm = wasmPath();
await init(await readFile(wasm));

const V = 65;
const H = 128;
const T = 64;
const B = 32;
const STEPS = 5;
const MiB = (bytes: number): string => (bytes / 2 ** 20).toFixed(2);
const memoryBytes = (): number => core().memory.buffer.byteLength;

const atStart = memoryBytes();
const model = new Model({
  layers: [new LSTM({ inputSize: V, units: H, tokenInput: true, seed: 1 }), new Dense({ inputSize: H, units: V, seed: 2 })],
  loss: "softmaxCrossEntropy",
  optimizer: new Adam({ lr: 1e-3 }),
});
const built = memoryBytes();
const { ids, y } = charBatch(T, B, V);
for (let i = 0; i < STEPS; i++) model.trainOnBatch(ids, y);
const peak = memoryBytes();

// Parameters, their gradients and Adam's two moments: 4 floats per parameter.
const parameterBytes = 4 * 4 * model.parameterCount;
// What BPTT keeps: gates [T, B, 4H], h and c [T+1, B, H], φ(c) [T, B, H], logits and probabilities [T, B, V].
const activationBytes = 4 * (T * B * 4 * H + 2 * (T + 1) * B * H + T * B * H + 2 * T * B * V);
const needed = parameterBytes + activationBytes;
model.dispose();

console.log(`\nPeak wasm memory, W1 (LSTM(${H}) on ids of ${V}, T = ${T}, B = ${B}, Dense(${V}), Adam), ${STEPS} steps:\n`);
console.log(formatTable(["", "MiB"], [
  ["memory after init()", MiB(atStart)],
  ["after building the model (parameters, gradients, Adam state)", MiB(built)],
  ["peak after training", MiB(peak)],
  ["parameters + gradients + Adam moments", MiB(parameterBytes)],
  ["activations BPTT keeps", MiB(activationBytes)],
  ["peak / (parameters + optimizer + activations)", `${(peak / needed).toFixed(2)}x`],
]));
