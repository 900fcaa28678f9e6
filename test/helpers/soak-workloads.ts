// The workloads of the soak (bench/soak.ts, test/soak.test.ts): small models trained, rebuilt,
// saved and loaded, layers run forward and backward, and bad calls refused, over and over. Each
// keeps its fixtures between repetitions and frees them in stop(); the data is seeded.
import {
  Model, SimpleRNN, Jordan, LSTM, GRU, Dense, Embedding, Adam, SGD, Seq2Seq,
  type Tensor, type IntTensor, type RecurrentLayer,
} from "../../bindings/index.js";
import { mulberry32, randomArray } from "./random.js";
import type { SoakWorkload } from "./soak-runner.js";

/** Steps, batch rows and vocabulary size of the workloads' data. */
const T = 6;
const B = 4;
const V = 10;

/** Seeded ids in [0, V) with the given shape. */
function ids(shape: number[], V: number, seed: number): IntTensor {
  const next = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Int32Array.from({ length: n }, () => Math.floor(next() * V)) };
}

/** Seeded floats in [-1, 1) with the given shape. */
function floats(shape: number[], seed: number): Tensor {
  return { shape, data: randomArray(shape.reduce((a, b) => a * b, 1), seed) };
}

/** Time-major targets [max length, N] framed as Seq2Seq reads them: BOS (3), ids in [4, V), EOS (2), then PAD (0). */
function framedTargets(lengths: Int32Array, seed: number): IntTensor {
  const next = mulberry32(seed);
  const N = lengths.length;
  const U = Math.max(...lengths);
  const data = new Int32Array(U * N);
  lengths.forEach((length, n) => {
    for (let t = 0; t < length; t++) data[t * N + n] = t === 0 ? 3 : t === length - 1 ? 2 : 4 + Math.floor(next() * (V - 4));
  });
  return { shape: [U, N], data };
}

/** Calls `call` and swallows the TypeError or RangeError it must throw; anything else (or no error) is rethrown. */
function refused(call: () => unknown): void {
  try {
    call();
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) return;
    throw e;
  }
  throw new Error("soak: a bad call was accepted");
}

/** An id model: Embedding(V, 4), GRU(4 -> 8), Dense(8 -> V), softmax cross-entropy, Adam. */
function idModel(seed: number): Model {
  return new Model({
    layers: [new Embedding({ inputSize: V, units: 4, seed }), new GRU({ inputSize: 4, units: 8, seed: seed + 1 }), new Dense({ inputSize: 8, units: V, seed: seed + 2 })],
    loss: "softmaxCrossEntropy",
    optimizer: new Adam({ lr: 0.01 }),
  });
}

/** 100k training steps: trainOnBatch of a small LSTM tagger. */
const training: SoakWorkload = {
  name: "train",
  what: "Model.trainOnBatch: LSTM(3 -> 8) + Dense(8 -> 4), softmax cross-entropy, Adam, x [6, 4, 3]",
  steps: 100_000,
  start() {
    const model = new Model({
      layers: [new LSTM({ inputSize: 3, units: 8, seed: 1 }), new Dense({ inputSize: 8, units: 4, seed: 2 })],
      loss: "softmaxCrossEntropy",
      optimizer: new Adam({ lr: 1e-3 }),
    });
    const x = floats([T, B, 3], 3);
    const y = ids([T, B], 4, 4);
    return { run: () => void model.trainOnBatch(x, y), stop: () => model.dispose() };
  },
};

/** 10k create / train / dispose cycles. */
const lifecycle: SoakWorkload = {
  name: "lifecycle",
  what: "new Model (Embedding + GRU + Dense, Adam), trainOnBatch, predict, dispose",
  steps: 10_000,
  start() {
    const x = ids([T, B], V, 5);
    const y = ids([T, B], V, 6);
    return {
      run(i) {
        const model = idModel(i % 7);
        model.trainOnBatch(x, y);
        model.predict(x);
        model.dispose();
      },
      stop() {},
    };
  },
};

/** 10k save / load cycles, with and without the optimizer state. */
const saveLoad: SoakWorkload = {
  name: "save-load",
  what: "Model.save (with / without the optimizer state every other time), Model.load, predict, dispose",
  steps: 10_000,
  start() {
    const model = idModel(7);
    const x = ids([T, B], V, 8);
    model.trainOnBatch(x, ids([T, B], V, 9));
    model.metadata = { note: "soak" };
    return {
      run(i) {
        const copy = Model.load(model.save({ includeOptimizer: i % 2 === 0 }));
        copy.predict(x);
        copy.dispose();
      },
      stop: () => model.dispose(),
    };
  },
};

/** Seq2Seq training and decoding, with a save / load every 10 steps. */
const seq2seq: SoakWorkload = {
  name: "seq2seq",
  what: "Seq2Seq (LSTM, 8 units): trainOnBatch, greedyDecode, beamSearch; save and load every 10th time",
  steps: 10_000,
  start() {
    const model = new Seq2Seq({ sourceVocabSize: V, targetVocabSize: V, units: 8, embeddingSize: 4, optimizer: new SGD({ lr: 0.1 }), clipNorm: 1, seed: 3 });
    const source = ids([5, 3], V, 10);
    const lengths = Int32Array.from([5, 3, 1]);
    const targetLengths = Int32Array.from([4, 2, 3]);
    const target = framedTargets(targetLengths, 11);
    return {
      run(i) {
        model.trainOnBatch(source, lengths, target, targetLengths);
        model.greedyDecode(source, { sourceLengths: lengths, maxLength: 4 });
        model.beamSearch(source, { sourceLengths: lengths, beamWidth: 2, maxLength: 3 });
        if (i % 10 === 0) Seq2Seq.load(model.save()).dispose();
      },
      stop: () => model.dispose(),
    };
  },
};

/** Layer-level forward / backward of every recurrent cell, stacked, bidirectional, with lengths. */
const layers: SoakWorkload = {
  name: "layers",
  what: "forward + backward + zeroGrad of SimpleRNN, Jordan, LSTM (2 layers, bidirectional, peepholes), GRU (lengths) and Dense",
  steps: 10_000,
  start() {
    const recurrent: RecurrentLayer[] = [
      new SimpleRNN({ inputSize: 3, units: 5, seed: 1 }),
      new Jordan({ inputSize: 3, units: 5, outputUnits: 2, outputActivation: "softmax", seed: 2 }),
      new LSTM({ inputSize: 3, units: 4, numLayers: 2, bidirectional: true, peephole: true, seed: 3 }),
      new GRU({ inputSize: 3, units: 4, resetAfter: false, seed: 4 }),
    ];
    const dense = new Dense({ inputSize: 3, units: 2, seed: 5 });
    const x = floats([T, B, 3], 12);
    const lengths = Int32Array.from([6, 4, 2, 1]);
    return {
      run() {
        for (const layer of recurrent) {
          layer.zeroGrad();
          const { output } = layer.forward(x, { lengths });
          layer.backward(output);
        }
        dense.zeroGrad();
        dense.backward(dense.forward(x));
      },
      stop() {
        for (const layer of recurrent) layer.dispose();
        dense.dispose();
      },
    };
  },
};

/** Bad calls, refused with a TypeError or RangeError, must not leak what they staged before the check failed. */
const rejected: SoakWorkload = {
  name: "rejected",
  what: "refused calls: NaN input, targets of the wrong shape, ids out of range, bad lengths, a corrupted file",
  steps: 10_000,
  start() {
    const model = idModel(13);
    const floatModel = new Model({
      layers: [new SimpleRNN({ inputSize: 3, units: 4, seed: 14 }), new Dense({ inputSize: 4, units: 2, seed: 15 })],
      loss: "meanSquaredError",
      optimizer: new SGD({ lr: 0.01 }),
    });
    const x = ids([T, B], V, 16);
    const y = ids([T, B], V, 17);
    const nan = floats([T, B, 3], 18);
    nan.data[7] = NaN;
    const corrupt = model.save();
    corrupt[corrupt.length - 3] ^= 0x10;
    const calls: (() => unknown)[] = [
      () => model.trainOnBatch(x, { shape: [T, B + 1], data: new Int32Array(T * (B + 1)) }),
      () => model.trainOnBatch({ shape: [T, B], data: x.data.map((v, i) => (i === 5 ? V : v)) }, y),
      () => model.evaluate(x, y, { lengths: Int32Array.from([1, 2, 3, T + 1]) }),
      () => floatModel.trainOnBatch(nan, floats([T, B, 2], 19)),
      () => floatModel.predict(nan),
      () => Model.load(corrupt),
    ];
    return { run: (i) => refused(calls[i % calls.length]!), stop: () => { model.dispose(); floatModel.dispose(); } };
  },
};

/** Whole fits: one epoch of four batches with validation data, awaited. */
const fitting: SoakWorkload = {
  name: "fit",
  what: "Model.fit: 1 epoch, 4 batches of 4, validation data, onBatchEnd",
  steps: 2_000,
  start() {
    const model = idModel(20);
    const x = ids([T, 16], V, 21);
    const y = ids([T, 16], V, 22);
    const validationData = { x: ids([T, 4], V, 23), y: ids([T, 4], V, 24) };
    return {
      async run(i) {
        await model.fit(x, y, { epochs: 1, batchSize: 4, seed: i, validationData, onBatchEnd: () => {} });
      },
      stop: () => model.dispose(),
    };
  },
};

/** Every soak workload, in the order they run. */
export const SOAK_WORKLOADS: readonly SoakWorkload[] = [training, lifecycle, saveLoad, seq2seq, layers, rejected, fitting];
