// Model.fromTfjs: models built and saved by TF.js 4.22 (cpu backend, seeded weights) and Keras-style
// model.json artifacts imported into wasm-rnn predict what tfjs predicts within 1e-5; exported back
// with toTfjs they hold the same weights byte for byte. Hostile artifacts get clear errors.
import assert from "node:assert/strict";
import { Model, GRU, LSTM, SimpleRNN, Dense, Embedding } from "../bindings/index.js";
import { toTfjs } from "../bindings/formats/tfjs-export.js";
import { modelFromTfjs } from "../bindings/formats/tfjs-import.js";
import type { FromTfjsOptions, KerasLayerJson, TfjsArtifactsLike } from "../bindings/formats/tfjs-types.js";
import { mulberry32, randomArray } from "./helpers/random.js";
import { captureArtifacts, maxAbsDiff, predictWith, setSeededWeights, swapLeading, tf, tfjsPredict, useTfjsCpu } from "./helpers/tfjs.js";

const T = 4;
const N = 3;
const D = 2;
const V = 6;

const seeded = (n: number, seed: number): Float32Array => randomArray(n, seed, 0.6);

/** Imports `artifacts` and checks its predictions against tfjs' for x (batch-first); returns the imported model. */
function checkImport(tfModel: tf.LayersModel, artifacts: TfjsArtifactsLike, x: Float32Array | Int32Array, options?: FromTfjsOptions): Model {
  const ids = x instanceof Int32Array;
  const F = ids ? 1 : D;
  const want = predictWith(tfModel, x, ids ? [N, T] : [N, T, D]);
  const model = modelFromTfjs(artifacts, options);
  const xt = swapLeading(x, N, T, F);
  const out = model.predict(xt instanceof Int32Array ? { shape: [T, N], data: xt } : { shape: [T, N, D], data: xt }, { probabilities: model.loss !== "meanSquaredError" });
  const O = out.shape[out.shape.length - 1]!;
  const got = out.shape.length === 3 ? swapLeading(out.data, T, N, O) : out.data;
  const diff = maxAbsDiff(got, want);
  assert.ok(diff <= 1e-5, `wasm-rnn vs tfjs: max |diff| ${diff}`);
  return model;
}

/** Keras' name of a recurrent weight: its cell between the layer and the weight ("bidirectional/forward_lstm/lstm_cell/kernel"). */
function kerasCellName(name: string): string {
  return name.startsWith("bidirectional/") ? name.replace(/\/(\w+)$/, "/lstm_cell/$1") : name;
}

function ids(seed: number): Int32Array {
  const next = mulberry32(seed);
  return Int32Array.from({ length: N * T }, () => Math.floor(next() * V));
}

describe("Model.fromTfjs: TF.js -> wasm-rnn -> TF.js", () => {
  before(useTfjsCpu);

  it("Embedding, LSTM (hard_sigmoid), Bidirectional GRU, TimeDistributed Dense and a softmax Dense", async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: V, outputDim: 3, inputLength: T }));
    m.add(tf.layers.lstm({ units: 4, returnSequences: true, recurrentInitializer: "glorotUniform" }));
    m.add(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3, returnSequences: true, recurrentInitializer: "glorotUniform" }), mergeMode: "ave" }));
    m.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 5, activation: "relu" }) }));
    m.add(tf.layers.dense({ units: 4, activation: "softmax" }));
    setSeededWeights(m, seeded, 100);
    const artifacts = await captureArtifacts(m);
    const x = ids(1);
    const model = checkImport(m, artifacts, x);
    assert.equal(model.loss, "softmaxCrossEntropy");
    assert.deepEqual(model.layers.map((l) => l.constructor.name), ["Embedding", "LSTM", "GRU", "Dense", "Dense"]);
    const gru = model.layers[2] as GRU;
    assert.equal(gru.recurrentActivation, "hardSigmoid");
    assert.equal(gru.resetAfter, false);
    assert.equal(gru.mergeMode, "ave");
    const again = toTfjs(model);
    assert.deepEqual(new Uint8Array(again.weightData), new Uint8Array(artifacts.weightData as ArrayBuffer));
    assert.deepEqual(await tfjsPredict(again, x, [N, T]), predictWith(m, x, [N, T]));
    model.dispose();
    m.dispose();
  });

  it("stacked SimpleRNNs (relu) become numLayers 2, GlobalAveragePooling1D pooling mean", async () => {
    const m = tf.sequential();
    m.add(tf.layers.simpleRNN({ units: 3, activation: "relu", returnSequences: true, inputShape: [T, D], recurrentInitializer: "glorotUniform" }));
    m.add(tf.layers.dropout({ rate: 0.5 }));
    m.add(tf.layers.simpleRNN({ units: 3, activation: "relu", returnSequences: true, recurrentInitializer: "glorotUniform" }));
    m.add(tf.layers.globalAveragePooling1d());
    m.add(tf.layers.dense({ units: 2 }));
    setSeededWeights(m, seeded, 200);
    const model = checkImport(m, await captureArtifacts(m), randomArray(N * T * D, 2));
    assert.equal(model.loss, "meanSquaredError");
    const rnn = model.layers[0] as SimpleRNN;
    assert.deepEqual([rnn.numLayers, rnn.returnSequences, rnn.pooling, rnn.activation], [2, false, "mean", "relu"]);
    model.dispose();
    m.dispose();
  });

  it("a many-to-one Bidirectional LSTM with a sigmoid output, as binary logits with options.loss", async () => {
    const m = tf.sequential();
    m.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, recurrentActivation: "sigmoid", recurrentInitializer: "glorotUniform" }), inputShape: [T, D] }));
    m.add(tf.layers.dense({ units: 2, activation: "sigmoid" }));
    setSeededWeights(m, seeded, 300);
    const model = checkImport(m, await captureArtifacts(m), randomArray(N * T * D, 3), { loss: "binaryCrossEntropyWithLogits" });
    assert.equal((model.layers[1] as { activation?: string }).activation, "linear");
    assert.equal((model.layers[0] as LSTM).returnSequences, false);
    model.dispose();
    m.dispose();
  });

  it("Keras' model.json: model_config, InputLayer, lstm_cell and model-prefixed names, weightsManifest, a Buffer", async () => {
    const m = tf.sequential();
    m.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, returnSequences: true, name: "lstm", recurrentInitializer: "glorotUniform" }), inputShape: [T, D], name: "bidirectional", mergeMode: "concat" }));
    m.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, name: "dense" }), name: "time_distributed" }));
    setSeededWeights(m, seeded, 400);
    const captured = await captureArtifacts(m);
    const topology = captured.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } };
    const [first, second] = topology.config.layers;
    const { batch_input_shape: batchInputShape, ...firstConfig } = first!.config;
    const kerasJson = {
      format: "layers-model",
      modelTopology: {
        keras_version: "2.15.0", backend: "tensorflow",
        model_config: { class_name: "Sequential", config: { name: "sequential", layers: [
          { class_name: "InputLayer", config: { batch_input_shape: batchInputShape, dtype: "float32", name: "input_1" } },
          { class_name: "Bidirectional", config: firstConfig },
          second,
        ] } },
      },
      weightsManifest: [{ paths: ["group1-shard1of1.bin"], weights: captured.weightSpecs!.map((s) => ({ ...s, name: `sequential/${kerasCellName(s.name)}:0` })) }],
      weightData: Buffer.from(captured.weightData as ArrayBuffer),
    };
    const model = checkImport(m, kerasJson, randomArray(N * T * D, 4));
    assert.equal((model.layers[0] as LSTM).bidirectional, true);
    model.dispose();
    m.dispose();
  });

  it("a Keras reset_after GRU (bias [2, 3H]) matches Keras' equations", () => {
    const H = 2;
    const kernel = seeded(D * 3 * H, 500);
    const recurrent = seeded(H * 3 * H, 501);
    const bias = seeded(2 * 3 * H, 502);
    const artifacts: TfjsArtifactsLike = {
      modelTopology: { class_name: "Sequential", config: { name: "sequential", layers: [{ class_name: "GRU", config: {
        name: "gru", units: H, activation: "tanh", recurrent_activation: "sigmoid", reset_after: true, return_sequences: true, batch_input_shape: [null, T, D],
      } }] } },
      weightSpecs: [
        { name: "gru/gru_cell/kernel", shape: [D, 3 * H], dtype: "float32" },
        { name: "gru/gru_cell/recurrent_kernel", shape: [H, 3 * H], dtype: "float32" },
        { name: "gru/gru_cell/bias", shape: [2, 3 * H], dtype: "float32" },
      ],
      weightData: Float32Array.from([...kernel, ...recurrent, ...bias]).buffer,
    };
    const x = randomArray(T * N * D, 5);
    const model = modelFromTfjs(artifacts);
    assert.equal((model.layers[0] as GRU).resetAfter, true);
    const got = model.predict({ shape: [T, N, D], data: x }).data;
    // Keras GRUCell, reset_after=True: gates z, r, h; x_* = x K + b_in, inner_* = h U + b_rec.
    const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
    const want = new Float32Array(T * N * H);
    for (let n = 0; n < N; n++) {
      let h = new Array<number>(H).fill(0);
      for (let t = 0; t < T; t++) {
        const xs = x.subarray((t * N + n) * D, (t * N + n + 1) * D);
        const gate = (g: number, j: number): [number, number] => {
          const c = g * H + j;
          let xi = bias[c]!;
          for (let d = 0; d < D; d++) xi += xs[d]! * kernel[d * 3 * H + c]!;
          let hi = bias[3 * H + c]!;
          for (let k = 0; k < H; k++) hi += h[k]! * recurrent[k * 3 * H + c]!;
          return [xi, hi];
        };
        h = h.map((prev, j) => {
          const z = sigmoid(gate(0, j)[0] + gate(0, j)[1]);
          const r = sigmoid(gate(1, j)[0] + gate(1, j)[1]);
          const [xh, hh] = gate(2, j);
          return z * prev + (1 - z) * Math.tanh(xh + r * hh);
        });
        want.set(h, (t * N + n) * H);
      }
    }
    assert.ok(maxAbsDiff(got, want) <= 1e-5, `max |diff| ${maxAbsDiff(got, want)}`);
    assert.throws(() => toTfjs(model), /resetAfter true; TF\.js 4\.22 does not implement reset_after/);
    model.dispose();
  });
});

/** A spec and its values, for rebuilding artifacts with a weight changed. */
interface StoredWeight {
  spec: { name: string; shape: number[]; dtype: string; quantization?: unknown };
  values: Float32Array;
}

function storedWeights(artifacts: ReturnType<typeof toTfjs>): StoredWeight[] {
  let offset = 0;
  return artifacts.weightSpecs.map((spec) => {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(artifacts.weightData, offset * 4, n).slice();
    offset += n;
    return { spec: { ...spec }, values };
  });
}

function withWeights(artifacts: ReturnType<typeof toTfjs>, weights: StoredWeight[]): TfjsArtifactsLike {
  const data = new Float32Array(weights.reduce((n, w) => n + w.values.length, 0));
  let offset = 0;
  for (const w of weights) {
    data.set(w.values, offset);
    offset += w.values.length;
  }
  return { ...artifacts, weightSpecs: weights.map((w) => w.spec), weightData: data.buffer };
}

describe("Model.fromTfjs: hostile artifacts", () => {
  const base = (): ReturnType<typeof toTfjs> => {
    const model = new Model({ layers: [new LSTM({ inputSize: D, units: 2, seed: 1 }), new Dense({ inputSize: 2, units: 3, seed: 2 })], loss: "softmaxCrossEntropy" });
    const artifacts = toTfjs(model);
    model.dispose();
    return artifacts;
  };
  const withLayers = (edit: (layers: KerasLayerJson[]) => void): TfjsArtifactsLike => {
    const artifacts = structuredClone(base());
    edit(artifacts.modelTopology.config.layers);
    return artifacts;
  };

  const cases: [string, () => TfjsArtifactsLike, ErrorConstructor, RegExp][] = [
    ["weightData too short", () => ({ ...base(), weightData: base().weightData.slice(4) }), RangeError,
      /^Model\.fromTfjs: weightData holds 192 bytes; the 5 weight specs need 196$/],
    ["weightData too long", () => ({ ...base(), weightData: new ArrayBuffer(200) }), RangeError, /weightData holds 200 bytes; the 5 weight specs need 196/],
    ["a weight missing", () => withWeights(base(), storedWeights(base()).filter((w) => w.spec.name !== "lstm/recurrent_kernel")), RangeError,
      /^Model\.fromTfjs: the weight specs have no weight "recurrent_kernel" \[2, 8\] of layer "lstm"$/],
    ["a weight of the wrong shape", () => withWeights(base(), storedWeights(base()).map((w) => (w.spec.name === "dense/bias" ? { spec: { ...w.spec, shape: [1, 3] }, values: w.values } : w))), RangeError,
      /^Model\.fromTfjs: weight "dense\/bias" must have shape \[3\]; got \[1, 3\]$/],
    ["a weight of no layer", () => withWeights(base(), [...storedWeights(base()), { spec: { name: "conv/kernel", shape: [1], dtype: "float32" }, values: new Float32Array(1) }]), RangeError,
      /^Model\.fromTfjs: weight "conv\/kernel" belongs to no layer of the topology \(layers: lstm, dense\)$/],
    ["a non-float32 dtype", () => withWeights(base(), storedWeights(base()).map((w) => (w.spec.name === "lstm/bias" ? { ...w, spec: { ...w.spec, dtype: "int32" } } : w))), RangeError,
      /^Model\.fromTfjs: weight "lstm\/bias" has dtype "int32"; expected "float32"$/],
    ["quantized weights", () => withWeights(base(), storedWeights(base()).map((w, i) => (i === 0 ? { ...w, spec: { ...w.spec, quantization: { dtype: "uint8", scale: 1, min: 0 } } } : w))), RangeError,
      /^Model\.fromTfjs: weight "lstm\/kernel" is quantized; only float32 weights are supported/],
    ["a NaN weight", () => withWeights(base(), storedWeights(base()).map((w, i) => (i === 4 ? { ...w, values: w.values.map(() => NaN) } : w))), RangeError,
      /^Model\.fromTfjs: weight "dense\/bias" must be finite; got NaN at flat index 0$/],
    ["an unknown layer class", () => withLayers((layers) => layers.splice(1, 0, { class_name: "Conv1D", config: { name: "conv1d", filters: 2 } })), RangeError,
      /^Model\.fromTfjs: layer "conv1d" \(Conv1D\): unsupported layer class "Conv1D"; expected Embedding, SimpleRNN, LSTM, GRU, Bidirectional/],
    ["a stateful LSTM", () => withLayers((layers) => (layers[0]!.config.stateful = true)), RangeError,
      /^Model\.fromTfjs: layer "lstm" \(LSTM\) has stateful true, which wasm-rnn does not support \(expected false\)$/],
    ["go_backwards", () => withLayers((layers) => (layers[0]!.config.go_backwards = true)), RangeError, /layer "lstm" \(LSTM\) has go_backwards true/],
    ["an unsupported activation", () => withLayers((layers) => (layers[1]!.config.activation = "elu")), RangeError,
      /^Model\.fromTfjs: layer "dense" \(Dense\): activation "elu" is not supported; expected one of linear, tanh, sigmoid, relu, hard_sigmoid, softmax$/],
    ["a Masking layer", () => withLayers((layers) => layers.unshift({ class_name: "Masking", config: { name: "masking", mask_value: 0 } })), RangeError,
      /^Model\.fromTfjs: layer "masking" \(Masking\): wasm-rnn takes sequence lengths instead of masks/],
    ["a functional model", () => ({ ...base(), modelTopology: { ...base().modelTopology, class_name: "Functional" } }), RangeError,
      /^Model\.fromTfjs: only Sequential models are supported; got a Functional model$/],
    ["no topology", () => ({ ...base(), modelTopology: undefined }), TypeError, /^Model\.fromTfjs: artifacts\.modelTopology must be a Keras model topology/],
    ["no weight specs", () => ({ ...base(), weightSpecs: undefined }), TypeError, /^Model\.fromTfjs: artifacts must hold weightSpecs/],
  ];
  for (const [name, artifacts, type, message] of cases) {
    it(name, () => {
      const a = artifacts();
      assert.throws(() => modelFromTfjs(a), (e: Error) => e instanceof type && message.test(e.message), name);
    });
  }

  it("a softmax output with another loss, and bad options", () => {
    assert.throws(() => modelFromTfjs(base(), { loss: "meanSquaredError" }),
      (e: Error) => e instanceof RangeError && /^Model\.fromTfjs: layer "dense": softmax is only supported as the model's output activation, with the softmaxCrossEntropy loss$/.test(e.message));
    assert.throws(() => modelFromTfjs(base(), { loss: "hinge" as never }), (e: Error) => e instanceof TypeError && /^Model\.fromTfjs: options\.loss must be one of/.test(e.message));
    assert.throws(() => modelFromTfjs(null as never), (e: Error) => e instanceof TypeError && /^Model\.fromTfjs: artifacts must be a tf\.io\.ModelArtifacts object; got null$/.test(e.message));
  });

  it("an Embedding with mask_zero", () => {
    const model = new Model({ layers: [new Embedding({ inputSize: V, units: 2, seed: 1 }), new GRU({ inputSize: 2, units: 2, resetAfter: false, seed: 2 })], loss: "meanSquaredError" });
    const artifacts = structuredClone(toTfjs(model));
    model.dispose();
    artifacts.modelTopology.config.layers[0]!.config.mask_zero = true;
    assert.throws(() => modelFromTfjs(artifacts), (e: Error) => e instanceof RangeError && /^Model\.fromTfjs: layer "embedding" \(Embedding\) has mask_zero true; wasm-rnn takes sequence lengths instead of masks/.test(e.message));
  });
});
