// wasm-rnn on the six workloads, loaded from the built bindings (dist/bindings/index.js; --dist or
// WASM_RNN_DIST names another build). Every call returns JavaScript copies, so nothing is lazy.
import { pathToFileURL } from "node:url";
import path from "node:path";
import { WORKLOADS, finite, ids, oneHot, shownPath, uniform } from "./common.mjs";

let lib;

export default {
  name: "wasm-rnn",

  async setup(ctx) {
    lib = await import(pathToFileURL(path.join(ctx.dist, "bindings", "index.js")).href);
    await lib.init({ threads: 1 }); // single-threaded, as every peer here
    const info = typeof lib.coreInfo === "function" ? lib.coreInfo() : {};
    const core = info.relaxedSimd ? "relaxed SIMD (FMA)" : "SIMD (f32x4 mul + add)";
    return { version: ctx.rootVersion, detail: `release build, ${core}, from ${shownPath(ctx.dist)}` };
  },

  workloads: {
    W1() {
      const { V, H, T, B } = WORKLOADS.W1;
      const tokens = ids((T + 1) * B, V, 11);
      const x = { shape: [T, B], data: tokens.slice(0, T * B) };
      const y = { shape: [T, B], data: tokens.slice(B) };
      const { Model, LSTM, Dense, Adam } = lib;
      const onIds = new Model({
        layers: [new LSTM({ inputSize: V, units: H, tokenInput: true, seed: 2 }), new Dense({ inputSize: H, units: V, seed: 3 })],
        loss: "softmaxCrossEntropy",
        optimizer: new Adam({ lr: 1e-3 }),
      });
      const xOneHot = { shape: [T, B, V], data: oneHot(x.data, V) };
      const plain = new Model({
        layers: [new LSTM({ inputSize: V, units: H, seed: 2 }), new Dense({ inputSize: H, units: V, seed: 3 })],
        loss: "softmaxCrossEntropy",
        optimizer: new Adam({ lr: 1e-3 }),
      });
      return [
        {
          what: "ids [64, 32] -> LSTM(65 -> 128, tokenInput: the one-hot product is a column gather) -> Dense(65), softmax CE every step, Adam; Model.trainOnBatch",
          fn: finite("wasm-rnn", () => onIds.trainOnBatch(x, y)),
          dispose: () => onIds.dispose(),
        },
        {
          variant: "one-hot floats",
          what: "one-hot floats [64, 32, 65] -> LSTM(65 -> 128) -> Dense(65) (the peers' model exactly); Model.trainOnBatch",
          fn: finite("wasm-rnn", () => plain.trainOnBatch(xOneHot, y)),
          dispose: () => plain.dispose(),
        },
      ];
    },

    W2() {
      const { D, H, T } = WORKLOADS.W2;
      const lstm = new lib.LSTM({ inputSize: D, units: H, numLayers: 2, seed: 1 });
      const x = { shape: [T, 1, D], data: uniform(T * D, 21) };
      return {
        what: "LSTM({ inputSize: 64, units: 256, numLayers: 2 }).forward(x [100, 1, 64])",
        fn: finite("wasm-rnn", () => lstm.forward(x).output.data[0]),
        dispose: () => lstm.dispose(),
      };
    },

    W3() {
      const { D, H, T, B } = WORKLOADS.W3;
      const model = new lib.Model({
        layers: [
          new lib.GRU({ inputSize: D, units: H, returnSequences: false, seed: 1 }),
          new lib.Dense({ inputSize: H, units: 1, seed: 2 }),
        ],
        loss: "meanSquaredError",
        optimizer: new lib.Adam({ lr: 1e-3 }),
      });
      const x = { shape: [T, B, D], data: uniform(T * B * D, 31) };
      const y = { shape: [B, 1], data: uniform(B, 32) };
      return {
        what: "GRU(1 -> 32, last step) -> Dense(1), MSE, Adam; Model.trainOnBatch",
        fn: finite("wasm-rnn", () => model.trainOnBatch(x, y)),
        dispose: () => model.dispose(),
      };
    },

    W4() {
      const { V, E, H, T, B, tags } = WORKLOADS.W4;
      const model = new lib.Model({
        layers: [
          new lib.Embedding({ inputSize: V, units: E, seed: 1 }),
          new lib.LSTM({ inputSize: E, units: H, bidirectional: true, seed: 2 }),
          new lib.Dense({ inputSize: 2 * H, units: tags, seed: 3 }),
        ],
        loss: "softmaxCrossEntropy",
        optimizer: new lib.Adam({ lr: 1e-3 }),
      });
      const x = { shape: [T, B], data: ids(T * B, V, 41) };
      const y = { shape: [T, B], data: ids(T * B, tags, 42) };
      return {
        what: "Embedding(1000, 64) -> LSTM(64 -> 64, bidirectional, concat) -> Dense(10), softmax CE every step, Adam; Model.trainOnBatch",
        fn: finite("wasm-rnn", () => model.trainOnBatch(x, y)),
        dispose: () => model.dispose(),
      };
    },

    W5() {
      const { D, H, T, B } = WORKLOADS.W5;
      const lstm = new lib.LSTM({ inputSize: D, units: H, seed: 1 });
      const x = { shape: [T, B, D], data: uniform(T * B * D, 51) };
      return {
        what: "LSTM({ inputSize: 512, units: 512 }).forward(x [50, 64, 512])",
        fn: finite("wasm-rnn", () => lstm.forward(x).output.data[0]),
        dispose: () => lstm.dispose(),
      };
    },

    W6() {
      const { V, E, H, T, B, clipNorm } = WORKLOADS.W6;
      const tokens = ids((T + 1) * B, V, 61);
      const x = { shape: [T, B], data: tokens.slice(0, T * B) };
      const y = { shape: [T, B], data: tokens.slice(B) };
      const model = new lib.Model({
        layers: [
          new lib.Embedding({ inputSize: V, units: E, seed: 1 }),
          new lib.LSTM({ inputSize: E, units: H, seed: 2 }),
          new lib.Dense({ inputSize: H, units: V, seed: 3 }),
        ],
        loss: "softmaxCrossEntropy",
        optimizer: new lib.Adam({ lr: 1e-3 }),
        clipNorm,
      });
      return {
        what: "ids [100, 32] -> Embedding(65, 64) -> LSTM(64 -> 256) -> Dense(65), softmax CE every step, Adam, clipNorm 5; Model.trainOnBatch",
        fn: finite("wasm-rnn", () => model.trainOnBatch(x, y)),
        dispose: () => model.dispose(),
      };
    },
  },
};
