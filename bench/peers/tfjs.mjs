// TensorFlow.js (Layers API) on the six workloads, on its cpu backend (plain JavaScript) or its
// wasm backend (XNNPACK, SIMD, one thread). Inputs are batch-major [B, T, F] as tf.layers expect.
// LSTM/GRU use recurrentActivation 'sigmoid' (tfjs defaults to hardSigmoid; PyTorch and wasm-rnn use
// sigmoid) and the glorotUniform recurrent initializer (the default orthogonal one runs a slow QR in JS).
// Every timed call reads its result back (trainOnBatch awaits the loss; predict is read with dataSync).
import path from "node:path";
import { WORKLOADS, ids, oneHot, packageInfo, timeToBatchMajor, uniform } from "./common.mjs";

let tf;

async function loadTf() {
  if (tf) return tf;
  tf = await import("@tensorflow/tfjs");
  await import("@tensorflow/tfjs-backend-wasm");
  // Production mode: no debug checks, and no console greeting suggesting tfjs-node (which cannot install here).
  tf.enableProdMode();
  return tf;
}

const rnnOptions = { recurrentActivation: "sigmoid", recurrentInitializer: "glorotUniform" };

/** Softmax cross-entropy on logits against one-hot labels (tf.losses' fused op), for compile(). */
const softmaxCE = (labels, logits) => tf.losses.softmaxCrossEntropy(labels, logits);

function tensor(data, shape, dtype = "float32") {
  return tf.tensor(data, shape, dtype);
}

function disposer(model, ...tensors) {
  return () => {
    model.optimizer?.dispose();
    model.dispose();
    tf.dispose(tensors);
  };
}

/** A training step that awaits its loss (read back from the backend). */
function trainStep(model, x, y) {
  return async () => {
    const loss = await model.trainOnBatch(x, y);
    if (!Number.isFinite(loss)) throw new Error(`tfjs: loss is ${loss}`);
  };
}

/** A forward pass whose output is read back with dataSync. */
function predictStep(model, x) {
  return () => {
    const y = model.predict(x);
    y.dataSync();
    y.dispose();
  };
}

function makeTfjs(backend) {
  const isWasm = backend === "wasm";
  return {
    name: isWasm ? "tfjs-wasm" : "tfjs-cpu",

    async setup() {
      await loadTf();
      if (isWasm) {
        const wasm = await import("@tensorflow/tfjs-backend-wasm");
        const dir = path.join(packageInfo("@tensorflow/tfjs-backend-wasm").dir, "dist") + path.sep;
        wasm.setWasmPaths(dir);
        tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false); // one thread (threads fail in Node anyway)
      }
      const ok = await tf.setBackend(backend);
      if (!ok) throw new Error(`tf.setBackend('${backend}') failed`);
      await tf.ready();
      const { version } = packageInfo("@tensorflow/tfjs");
      const detail = isWasm
        ? `wasm backend, SIMD ${tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "on" : "off"}, 1 thread`
        : "cpu backend (JavaScript)";
      return { version, detail };
    },

    async teardown() {
      tf.disposeVariables();
    },

    workloads: {
      W1() {
        const { V, H, T, B } = WORKLOADS.W1;
        const tokens = ids((T + 1) * B, V, 11);
        const x = tensor(oneHot(timeToBatchMajor(tokens.slice(0, T * B), T, B), V), [B, T, V]);
        const y = tensor(oneHot(timeToBatchMajor(tokens.slice(B), T, B), V), [B, T, V]);
        const model = tf.sequential({
          layers: [
            tf.layers.lstm({ units: H, returnSequences: true, inputShape: [T, V], ...rnnOptions }),
            tf.layers.dense({ units: V }),
          ],
        });
        model.compile({ optimizer: tf.train.adam(1e-3), loss: softmaxCE });
        return {
          what: "one-hot floats [32, 64, 65] -> lstm(128) -> dense(65), tf.losses.softmaxCrossEntropy every step, adam; model.trainOnBatch",
          fn: trainStep(model, x, y),
          dispose: disposer(model, x, y),
        };
      },

      W2() {
        const { D, H, T } = WORKLOADS.W2;
        const model = tf.sequential({
          layers: [
            tf.layers.lstm({ units: H, returnSequences: true, inputShape: [T, D], ...rnnOptions }),
            tf.layers.lstm({ units: H, returnSequences: true, ...rnnOptions }),
          ],
        });
        const x = tensor(uniform(T * D, 21), [1, T, D]);
        return {
          what: "lstm(256) -> lstm(256), model.predict(x [1, 100, 64])",
          fn: predictStep(model, x),
          dispose: disposer(model, x),
        };
      },

      W3() {
        const { D, H, T, B } = WORKLOADS.W3;
        const model = tf.sequential({
          layers: [
            tf.layers.gru({ units: H, inputShape: [T, D], ...rnnOptions }),
            tf.layers.dense({ units: 1 }),
          ],
        });
        model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
        const x = tensor(timeToBatchMajor(uniform(T * B * D, 31), T, B, D), [B, T, D]);
        const y = tensor(uniform(B, 32), [B, 1]);
        return {
          what: "gru(32, last step) -> dense(1), meanSquaredError, adam; model.trainOnBatch (tfjs GRU has no resetAfter: true, so r multiplies h before the recurrent product, the original GRU, not PyTorch's; same products)",
          fn: trainStep(model, x, y),
          dispose: disposer(model, x, y),
        };
      },

      W4() {
        const { V, E, H, T, B, tags } = WORKLOADS.W4;
        const tokenIds = timeToBatchMajor(ids(T * B, V, 41), T, B);
        const y = tensor(oneHot(timeToBatchMajor(ids(T * B, tags, 42), T, B), tags), [B, T, tags]);
        const head = [
          tf.layers.bidirectional({ layer: tf.layers.lstm({ units: H, returnSequences: true, ...rnnOptions }), mergeMode: "concat" }),
          tf.layers.dense({ units: tags }),
        ];
        // The embedding is a one-hot input times a bias-free dense layer (the same maths as a dense
        // product) on both backends: the wasm backend has no gradient kernel for tf.layers.embedding
        // (UnsortedSegmentSum), and on the cpu backend its gradient made a step about 4x slower
        // (11 s instead of 2.3 s on the machine of the README's table).
        const first = tf.layers.dense({ units: E, useBias: false, inputShape: [T, V] });
        const x = tensor(oneHot(tokenIds, V), [B, T, V]);
        const model = tf.sequential({ layers: [first, ...head] });
        model.compile({ optimizer: tf.train.adam(1e-3), loss: softmaxCE });
        return {
          what: "one-hot floats [32, 20, 1000] -> dense(64, no bias) as the embedding -> bidirectional(lstm(64), concat) -> dense(10), softmax CE every step, adam; model.trainOnBatch",
          fn: trainStep(model, x, y),
          dispose: disposer(model, x, y),
        };
      },

      W5() {
        const { D, H, T, B } = WORKLOADS.W5;
        const model = tf.sequential({
          layers: [tf.layers.lstm({ units: H, returnSequences: true, inputShape: [T, D], ...rnnOptions })],
        });
        const x = tensor(uniform(T * B * D, 51), [B, T, D]);
        return {
          what: "lstm(512), model.predict(x [64, 50, 512])",
          fn: predictStep(model, x),
          dispose: disposer(model, x),
        };
      },

      W6() {
        const { V, E, H, T, B } = WORKLOADS.W6;
        const tokens = ids((T + 1) * B, V, 61);
        const x = tensor(oneHot(timeToBatchMajor(tokens.slice(0, T * B), T, B), V), [B, T, V]);
        const y = tensor(oneHot(timeToBatchMajor(tokens.slice(B), T, B), V), [B, T, V]);
        // The embedding as a bias-free dense layer on one-hot input, for the reason given in W4.
        const model = tf.sequential({
          layers: [
            tf.layers.dense({ units: E, useBias: false, inputShape: [T, V] }),
            tf.layers.lstm({ units: H, returnSequences: true, ...rnnOptions }),
            tf.layers.dense({ units: V }),
          ],
        });
        model.compile({ optimizer: tf.train.adam(1e-3), loss: softmaxCE });
        return {
          what: "one-hot floats [32, 100, 65] -> dense(64, no bias) as the embedding -> lstm(256) -> dense(65), softmax CE every step, adam (tfjs Layers' optimizers have no global-norm clipping: none); model.trainOnBatch",
          fn: trainStep(model, x, y),
          dispose: disposer(model, x, y),
        };
      },
    },
  };
}

export const tfjsCpu = makeTfjs("cpu");
export const tfjsWasm = makeTfjs("wasm");
