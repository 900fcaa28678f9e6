// Training throughput of an Elman network: tokens/s (B*T per step) of one full training step.
//   node dist/bench/elman.bench.js   (loads build/release.wasm, or the file named by WASM_RNN_WASM)
import { readFile } from "node:fs/promises";
import { init, Model, SimpleRNN, Dense, Adam } from "../bindings/index.js";
import { formatTable, measure } from "./timing.js";
import { mulberry32 } from "../test/helpers/random.js";

const B = 32;
const T = 64;
const H = 128;
const V = 65;

/** One-hot characters x [T, B, V] and next-character targets [T, B]. */
function charBatch(): { x: { shape: number[]; data: Float32Array }; y: { shape: number[]; data: Int32Array } } {
  const next = mulberry32(1);
  const ids = Int32Array.from({ length: (T + 1) * B }, () => Math.floor(next() * V));
  const x = new Float32Array(T * B * V);
  for (let i = 0; i < T * B; i++) x[i * V + ids[i]!] = 1;
  return { x: { shape: [T, B, V], data: x }, y: { shape: [T, B], data: ids.slice(B) } };
}

const wasm = process.env.WASM_RNN_WASM ?? new URL("../../build/release.wasm", import.meta.url);
await init(await readFile(wasm));

const { x, y } = charBatch();
const rnn = new SimpleRNN({ inputSize: V, units: H, seed: 1 });
const rnnOut = rnn.forward(x);
const layerStep = measure("SimpleRNN forward + BPTT", () => {
  rnn.forward(x);
  rnn.backward(rnnOut.output);
});
rnn.dispose();

const model = new Model({
  layers: [new SimpleRNN({ inputSize: V, units: H, seed: 1 }), new Dense({ inputSize: H, units: V, seed: 2 })],
  loss: "softmaxCrossEntropy",
  optimizer: new Adam({ lr: 1e-3 }),
});
const modelStep = measure("Model.trainOnBatch (+ Dense, softmax CE, Adam)", () => {
  model.trainOnBatch(x, y);
});
model.dispose();

console.log(`Elman training step: B=${B}, T=${T}, D=V=${V} (one-hot), H=${H}`);
console.log(formatTable(["step", "tokens/s", "steps/s", "rme"], [layerStep, modelStep].map((m) => [
  m.name, (m.hz * B * T).toFixed(0), m.hz.toFixed(1), `±${m.rme.toFixed(1)}%`,
])));
