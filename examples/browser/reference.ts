// The browser example's numbers computed in Node: trains the page's model on the page's data with
// the same seeds and prints, as JSON, the loss of every batch, the loss of every epoch and the names
// sampled after each epoch. The browser test compares them with what the page computed.
//   node dist/examples/browser/reference.js [--epochs 2] [--wasm build/release.wasm] [--threads N]
import { readFile } from "node:fs/promises";
import { setFlagsFromString } from "node:v8";
import { fileURLToPath } from "node:url";
import { init, coreInfo } from "../../bindings/index.js";
import { relaxedSimdSupported } from "../../bindings/features.js";
import { nameData, nameModel, train } from "./trainer.js";

/** What the reference run prints (the page exposes the same fields in window.__wasmRnn). */
export interface ReferenceRun {
  core: "relaxed" | "plain";
  batchLosses: number[];
  epochLosses: number[];
  samples: { epoch: number; names: string[] }[];
  trainingMs: number;
}

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const epochs = Number(arg("epochs") ?? 2);
const wasm = arg("wasm") ?? fileURLToPath(new URL("../../../build/release.wasm", import.meta.url));

// Node 20 validates relaxed SIMD only behind a V8 flag, which can be set before the first compile.
if (wasm.includes("relaxed") && !relaxedSimdSupported()) setFlagsFromString("--experimental-wasm-relaxed-simd");
const threads = arg("threads") === undefined ? undefined : Number(arg("threads"));
await init({ source: await readFile(wasm), threads });
const data = nameData();
const model = nameModel(data.vocab.size);
const run: ReferenceRun = { core: coreInfo().relaxedSimd ? "relaxed" : "plain", batchLosses: [], epochLosses: [], samples: [], trainingMs: 0 };
const started = performance.now();
await train(model, data, epochs, {
  onBatchEnd: ({ loss }) => run.batchLosses.push(loss),
  onEpochEnd: ({ epoch, loss }, names) => {
    run.epochLosses.push(loss);
    run.samples.push({ epoch, names });
  },
});
run.trainingMs = performance.now() - started;
model.dispose();
console.log(JSON.stringify(run));
