// Peak wasm memory of a training run against what it must hold: issue 5's W1 (bench/w1-memory.ts),
// in a fresh process so that nothing else has grown the memory first.
//   node dist/bench/memory.bench.js   (loads build/release.wasm, or the file named by WASM_RNN_WASM)
import { readFile } from "node:fs/promises";
import { init } from "../bindings/index.js";
import { formatTable } from "./timing.js";
import { wasmPath } from "../test/helpers/wasm-path.js";
import { measureW1, W1 } from "./w1-memory.js";

await init(await readFile(wasmPath()));
const m = measureW1();
const MiB = (bytes: number): string => (bytes / 2 ** 20).toFixed(2);
const needed = m.parameters + m.activations;

console.log(`\nPeak wasm memory, W1 (LSTM(${W1.H}) on ids of ${W1.V}, T = ${W1.T}, B = ${W1.B}, Dense(${W1.V}), Adam), ${W1.steps} steps:\n`);
console.log(formatTable(["", "MiB"], [
  ["memory after init()", MiB(m.atStart)],
  ["after building the model (parameters, gradients, Adam state)", MiB(m.built)],
  ["peak after training", MiB(m.peak)],
  ["most held in allocated blocks (memoryInfo().peakInUseBytes)", MiB(m.peakInUse)],
  ["a step's workspace (model.workspaceSize)", MiB(m.workspace)],
  ["parameters + gradients + Adam moments", MiB(m.parameters)],
  ["activations BPTT keeps", MiB(m.activations)],
  ["peak / (parameters + optimizer + activations)", `${(m.peak / needed).toFixed(2)}x`],
  ["peak in blocks / (parameters + optimizer + activations)", `${(m.peakInUse / needed).toFixed(2)}x`],
]));
