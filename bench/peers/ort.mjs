// ONNX Runtime Web on its wasm backend (SIMD, one thread), for the inference workloads W2 and W5.
// The models are torch.nn.LSTM exported by torch_bench.py (torch.onnx.export: one ONNX LSTM node per
// layer) into bench/results/onnx/ at bench time; without PyTorch, onnx-lstm.mjs writes the same graph.
import { existsSync } from "node:fs";
import path from "node:path";
import { WORKLOADS, packageInfo, uniform } from "./common.mjs";

let ort;
let onnxDir;

async function session(id) {
  const file = path.join(onnxDir, `${id}.onnx`);
  if (!existsSync(file)) return null;
  return ort.InferenceSession.create(file, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
}

/** A forward pass whose output is read from the returned tensor. */
function runStep(s, feeds) {
  return async () => {
    const out = await s.run(feeds);
    if (!Number.isFinite(out.y.data[0])) throw new Error("onnxruntime-web: output is not finite");
  };
}

export default {
  name: "onnxruntime-web",

  async setup(ctx) {
    onnxDir = ctx.onnxDir;
    if (!onnxDir) return { skip: "no ONNX models" };
    ort = await import("onnxruntime-web");
    ort.env.wasm.numThreads = 1;
    const pkg = packageInfo("onnxruntime-web");
    ort.env.wasm.wasmPaths = path.join(pkg.dir, "dist") + path.sep;
    return { version: pkg.version, detail: `wasm backend, SIMD, 1 thread, graph optimizations on; models: ${ctx.onnxSource}` };
  },

  workloads: {
    async W2() {
      const { D, T } = WORKLOADS.W2;
      const s = await session("W2");
      if (!s) return { skip: "W2.onnx missing" };
      const x = new ort.Tensor("float32", uniform(T * D, 21), [T, 1, D]);
      return {
        what: "2-layer LSTM(64 -> 256 -> 256) as ONNX (2 LSTM nodes); session.run(x [100, 1, 64])",
        fn: runStep(s, { x }),
        dispose: () => s.release(),
      };
    },

    async W5() {
      const { D, T, B } = WORKLOADS.W5;
      const s = await session("W5");
      if (!s) return { skip: "W5.onnx missing" };
      const x = new ort.Tensor("float32", uniform(T * B * D, 51), [T, B, D]);
      return {
        what: "LSTM(512 -> 512) as ONNX (1 LSTM node); session.run(x [50, 64, 512])",
        fn: runStep(s, { x }),
        dispose: () => s.release(),
      };
    },
  },

  skip: {
    W1: "inference only",
    W3: "inference only",
    W4: "inference only",
    W6: "inference only",
  },
};
