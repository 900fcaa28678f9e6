// Training throughput of an Elman network: tokens/s (B*T per step) of one full training step.
//   node dist/bench/elman.bench.js   (loads build/release.wasm, or the file named by WASM_RNN_WASM)
import { readFile } from "node:fs/promises";
import { init, Model, SimpleRNN, Dense, Adam } from "../bindings/index.js";
import { formatTable, measure } from "./timing.js";
import { charBatch } from "./data.js";
import { wasmPath } from "../test/helpers/wasm-path.js";

const B = 32;
const T = 64;
const H = 128;
const V = 65;

const wasm = wasmPath();
await init(await readFile(wasm));

const { x, y } = charBatch(T, B, V);
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
