// brain.js 1.6.1 on the workloads it can express. Its recurrent nets take one sequence at a time
// (no batches: a training step is one sequence, so B sequences make B weight updates), train with
// its own RMSprop-style update (gradient clipping at 5, L2 1e-6), and its LSTM has no separate cell
// state (the previous output h plays the cell's part). Numbers are plain JavaScript arrays.
import { createRequire } from "node:module";
import { WORKLOADS, packageInfo, rng, uniform } from "./common.mjs";

const require = createRequire(import.meta.url);
let brain;

/** A time-step net (numeric sequences in, outputSize values per step out) ready to run without train(). */
function timeStepNet(Net, options) {
  const net = new Net(options);
  net.initialize();
  net.bindEquation(); // run() refuses a net with no equation bound
  return net;
}

/** T steps of D floats, as brain.js takes them. */
function sequence(T, D, seed) {
  const data = uniform(T * D, seed);
  return Array.from({ length: T }, (_, t) => data.slice(t * D, (t + 1) * D));
}

export default {
  name: "brain.js",

  async setup() {
    brain = require("brain.js");
    return { version: packageInfo("brain.js").version, detail: "plain JavaScript, one sequence at a time" };
  },

  workloads: {
    W1() {
      const { V, H, T } = WORKLOADS.W1;
      // brain.recurrent.LSTM is a character model: ids go through its input table (V + 1 rows of V:
      // row 0 is the start/end token), an LSTM, and a softmax over V + 1 at every step.
      const net = new brain.recurrent.LSTM({ inputSize: V, inputRange: V, outputSize: V, hiddenLayers: [H] });
      net.initialize();
      net.updateTrainingOptions({ learningRate: 1e-3 });
      const next = rng(11);
      const seqs = Array.from({ length: 8 }, () => Array.from({ length: T }, () => Math.floor(next() * V)));
      let i = 0;
      return {
        what: "one sequence per step: ids -> its input table (66 x 65) -> LSTM(65 -> 128, no cell state) -> dense(66), softmax CE every step (65 steps: + start token), RMSprop-style update; net.trainPattern",
        tokens: T,
        fn: () => {
          const err = net.trainPattern(seqs[i++ % seqs.length], true);
          if (!Number.isFinite(err)) throw new Error(`brain.js: error is ${err}`);
        },
      };
    },

    W2() {
      const { D, H, T } = WORKLOADS.W2;
      const net = timeStepNet(brain.recurrent.LSTMTimeStep, { inputSize: D, hiddenLayers: [H, H], outputSize: 1 });
      const x = sequence(T, D, 21);
      return {
        what: "LSTMTimeStep(64 -> 256 -> 256 -> 1, no cell state).run(100 steps of 64) (+ its output layer of 1 and one extra end step)",
        fn: () => net.run(x)[0],
      };
    },

    W3() {
      const { H, T } = WORKLOADS.W3;
      const net = new brain.recurrent.GRUTimeStep({ inputSize: 1, hiddenLayers: [H], outputSize: 1 });
      const series = uniform(8 * (T + 1), 31);
      const data = Array.from({ length: 8 }, (_, k) => ({
        input: Array.from(series.subarray(k * (T + 1), k * (T + 1) + T)),
        output: [series[k * (T + 1) + T]],
      }));
      net.train(data, { iterations: 1, learningRate: 1e-3 }); // sizes the net and binds its equations
      const formatted = net.formatData(data);
      let i = 0;
      return {
        what: "one sequence per step: GRUTimeStep(1 -> 32 -> 1) on {input: 24 values, output: 1 value}; it predicts (MSE) the next value at all 24 steps, not only the last; RMSprop-style update; net.trainPattern",
        tokens: T,
        fn: () => {
          const err = net.trainPattern(formatted[i++ % formatted.length], true);
          if (!Number.isFinite(err)) throw new Error(`brain.js: error is ${err}`);
        },
      };
    },

    W5() {
      const { D, H, T } = WORKLOADS.W5;
      const net = timeStepNet(brain.recurrent.LSTMTimeStep, { inputSize: D, hiddenLayers: [H], outputSize: 1 });
      const x = sequence(T, D, 51);
      return {
        what: "one sequence at a time (no batch): LSTMTimeStep(512 -> 512 -> 1, no cell state).run(50 steps of 512) (+ its output layer of 1 and one extra end step)",
        tokens: T,
        fn: () => net.run(x)[0],
      };
    },
  },

  skip: {
    W4: "brain.js has no bidirectional layer and no embedding + per-step tagging of a separate label sequence (its recurrent nets predict their own next item)",
    W6: "brain.js has no embedding, no batching and no gradient clipping; its character LSTM is W1's row",
  },
};
