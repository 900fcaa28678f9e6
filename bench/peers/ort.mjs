// ONNX Runtime for the inference workloads W2 and W5, one thread: onnxruntime-web on its wasm backend
// (SIMD) and onnxruntime-node on its native CPU execution provider. The models are torch.nn.LSTM
// exported by torch_bench.py (torch.onnx.export: one ONNX LSTM node per layer) into
// bench/results/onnx/ at bench time; without PyTorch, onnx-lstm.mjs writes the same graph.
import { existsSync } from "node:fs";
import path from "node:path";
import { WORKLOADS, packageInfo, uniform } from "./common.mjs";

/**
 * A peer running the ONNX models through package `name`: `load()` imports and configures it and
 * returns its module and what the details table says of it; `sessionOptions` go to every session.
 */
function ortPeer({ name, load, sessionOptions }) {
  let ort;
  let onnxDir;

  async function session(id) {
    const file = path.join(onnxDir, `${id}.onnx`);
    if (!existsSync(file)) return null;
    return ort.InferenceSession.create(file, { graphOptimizationLevel: "all", ...sessionOptions });
  }

  /** A forward pass whose output is read from the returned tensor. */
  function runStep(s, feeds) {
    return async () => {
      const out = await s.run(feeds);
      if (!Number.isFinite(out.y.data[0])) throw new Error(`${name}: output is not finite`);
    };
  }

  return {
    name,

    async setup(ctx) {
      onnxDir = ctx.onnxDir;
      if (!onnxDir) return { skip: "no ONNX models" };
      const loaded = await load();
      ort = loaded.ort;
      return { version: packageInfo(name).version, detail: `${loaded.detail}, graph optimizations on; models: ${ctx.onnxSource}` };
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
}

export const ortWeb = ortPeer({
  name: "onnxruntime-web",
  async load() {
    const ort = await import("onnxruntime-web");
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = path.join(packageInfo("onnxruntime-web").dir, "dist") + path.sep;
    return { ort, detail: "wasm backend, SIMD, 1 thread" };
  },
  sessionOptions: { executionProviders: ["wasm"] },
});

export const ortNode = ortPeer({
  name: "onnxruntime-node",
  async load() {
    const ort = (await import("onnxruntime-node")).default;
    return { ort, detail: "native CPU execution provider, intraOpNumThreads 1, interOpNumThreads 1" };
  },
  sessionOptions: { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: "sequential" },
});
