// modelFromOnnx (Model.fromOnnx): the torch.onnx.export fixtures of test/fixtures/gen_interop.py
// import with PyTorch's weights and predictions; toOnnx files come back identical; hostile and
// corrupt files are refused with a RangeError / TypeError starting "Model.fromOnnx:".
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { Model } from "../bindings/model.js";
import type { Layer } from "../bindings/layers/layer.js";
import { SimpleRNN } from "../bindings/layers/simple-rnn.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { GRU } from "../bindings/layers/gru.js";
import { Dense } from "../bindings/layers/dense.js";
import { Embedding } from "../bindings/layers/embedding.js";
import type { LossName } from "../bindings/losses.js";
import type { Tensor } from "../bindings/tensor.js";
import { toOnnx } from "../bindings/formats/onnx-export.js";
import { modelFromOnnx } from "../bindings/formats/onnx-import.js";
import { DATA_TYPE, attribute, decodeOnnxModel, encodeOnnxModel, type OnnxModel } from "../bindings/formats/onnx-proto.js";
import { floatTensor, tensorNumbers } from "../bindings/formats/onnx-tensor.js";
import { ProtoWriter } from "../bindings/formats/protobuf.js";

const FIXTURES = new URL("../../test/fixtures/interop/", import.meta.url);

interface FixtureTensor {
  shape: number[];
  data: number[];
}

interface FixtureModule {
  layers: { type: string; prefix: string }[];
  files: { onnx: string };
  keyPrefix: string;
  stateDict: Record<string, FixtureTensor>;
  input: { kind: "ids" | "floats"; shape: number[]; data: number[] };
  outputs: Record<string, FixtureTensor>;
}

const interop = JSON.parse(readFileSync(new URL("interop.json", FIXTURES), "utf8")) as { modules: Record<string, FixtureModule> };

function fixtureInput(m: Pick<FixtureModule, "input">): Tensor | { shape: number[]; data: Int32Array } {
  return m.input.kind === "ids" ? { shape: m.input.shape, data: Int32Array.from(m.input.data) } : { shape: m.input.shape, data: Float32Array.from(m.input.data) };
}

/** Runs `use` on a model and disposes it. */
function withModel<R>(model: Model, use: (m: Model) => R): R {
  try {
    return use(model);
  } finally {
    model.dispose();
  }
}

/** The error check of every refusal: the class and the prefix of the public entry. */
function refusal(pattern: RegExp): (e: unknown) => boolean {
  return (e) => (e instanceof RangeError || e instanceof TypeError) && e.message.startsWith("Model.fromOnnx: ") && pattern.test(e.message);
}

describe("Model.fromOnnx: torch.onnx.export fixtures", () => {
  const EXPECTED_LAYERS: Record<string, string[]> = {
    lstm_2layer_bi: ["LSTM"],
    gru: ["GRU"],
    rnn_relu: ["SimpleRNN"],
    ddp_embed_lstm_linear: ["Embedding", "LSTM", "Dense"],
    sequential: ["Embedding", "GRU", "Dense"],
  };
  for (const [name, m] of Object.entries(interop.modules)) {
    it(`${name}: PyTorch's weights, and its output within 1e-5 relative + 1e-6`, () => {
      withModel(modelFromOnnx(readFileSync(new URL(m.files.onnx, FIXTURES))), (model) => {
        assert.deepEqual(model.layers.map((l) => l.constructor.name), EXPECTED_LAYERS[name]);
        assert.equal(model.loss, "meanSquaredError");
        const state = model.stateDict();
        for (const [key, want] of Object.entries(m.stateDict)) {
          const withoutPrefix = key.slice(m.keyPrefix.length);
          const layer = m.layers.findIndex((l) => withoutPrefix.startsWith(l.prefix));
          const got = state[`${layer}.${withoutPrefix.slice(m.layers[layer]!.prefix.length)}`];
          assert.ok(got !== undefined, `no parameter for ${key}`);
          assert.deepEqual(got.shape, want.shape, key);
          assert.deepEqual(Array.from(got.data), Array.from(Float32Array.from(want.data)), key);
        }
        const y = model.predict(fixtureInput(m));
        const want = m.outputs.output!;
        assert.deepEqual(y.shape, want.shape);
        want.data.forEach((w, i) => assert.ok(Math.abs(y.data[i]! - w) <= 1e-5 * Math.abs(w) + 1e-6, `output ${i}: ${y.data[i]} vs PyTorch ${w}`));
      });
    });
  }

  it("stacks nn.LSTM(num_layers=2, bidirectional=True) into one layer as PyTorch names it", () => {
    withModel(modelFromOnnx(readFileSync(new URL("lstm_2layer_bi.onnx", FIXTURES))), (model) => {
      const lstm = model.layers[0] as LSTM;
      assert.deepEqual([lstm.numLayers, lstm.bidirectional, lstm.units, lstm.inputSize, lstm.peephole], [2, true, 4, 3, false]);
      assert.deepEqual(Object.keys(model.stateDict()).slice(0, 4), ["0.weight_ih_l0", "0.weight_hh_l0", "0.bias_ih_l0", "0.bias_hh_l0"]);
    });
  });
});

interface ExtraFixture {
  opset: number;
  layers: string[];
  loss: LossName;
  probabilities: boolean;
  input: FixtureModule["input"];
  output: FixtureTensor;
}

const EXTRA = new URL("../../test/fixtures/onnx/", import.meta.url);
const extra = JSON.parse(readFileSync(new URL("extra.json", EXTRA), "utf8")) as Record<string, ExtraFixture>;

describe("Model.fromOnnx: torch idioms (test/fixtures/gen_onnx_extra.py)", () => {
  for (const [name, m] of Object.entries(extra)) {
    it(`${name} (opset ${m.opset}): ${m.layers.join(", ")}, its output within 1e-5 relative + 1e-6`, () => {
      withModel(modelFromOnnx(readFileSync(new URL(`${name}.onnx`, EXTRA))), (model) => {
        assert.deepEqual(model.layers.map((l) => l.constructor.name), m.layers);
        assert.equal(model.loss, m.loss);
        const y = model.predict(fixtureInput(m), { probabilities: m.probabilities });
        assert.deepEqual(y.shape, m.output.shape);
        m.output.data.forEach((w, i) => assert.ok(Math.abs(y.data[i]! - w) <= 1e-5 * Math.abs(w) + 1e-6, `output ${i}: ${y.data[i]} vs PyTorch ${w}`));
      });
    });
  }
});

const T = 6;
const B = 3;

function floats(D: number): Tensor {
  return { shape: [T, B, D], data: Float32Array.from({ length: T * B * D }, (_, i) => Math.cos(0.9 * i) * 1.3) };
}

function ids(V: number): { shape: number[]; data: Int32Array } {
  return { shape: [T, B], data: Int32Array.from({ length: T * B }, (_, i) => (5 * i + 2) % V) };
}

interface RoundTrip {
  name: string;
  layers: () => Layer[];
  loss?: LossName;
  x: () => Tensor | { shape: number[]; data: Int32Array };
  lengths?: boolean;
  context?: boolean;
}

const ROUND_TRIPS: RoundTrip[] = [
  { name: "SimpleRNN linear, 2 layers", layers: () => [new SimpleRNN({ inputSize: 3, units: 5, numLayers: 2, activation: "linear", seed: 1 })], x: () => floats(3) },
  { name: "LSTM peepholes hardSigmoid, bidirectional sum", layers: () => [new LSTM({ inputSize: 3, units: 5, peephole: true, recurrentActivation: "hardSigmoid", bidirectional: true, mergeMode: "sum", seed: 2 })], x: () => floats(3) },
  { name: "GRU reset before, mul, 2 layers, lengths", layers: () => [new GRU({ inputSize: 3, units: 4, resetAfter: false, bidirectional: true, mergeMode: "mul", numLayers: 2, seed: 3 })], x: () => floats(3), lengths: true },
  { name: "GRU ave, mean pooling with lengths, Dense", layers: () => [new GRU({ inputSize: 3, units: 4, bidirectional: true, mergeMode: "ave", returnSequences: false, pooling: "mean", seed: 3 }), new Dense({ inputSize: 4, units: 2, activation: "tanh", seed: 4 })], x: () => floats(3), lengths: true },
  { name: "LSTM many-to-one last, bidirectional", layers: () => [new LSTM({ inputSize: 3, units: 5, bidirectional: true, returnSequences: false, seed: 5 })], x: () => floats(3) },
  { name: "SimpleRNN mean pooling", layers: () => [new SimpleRNN({ inputSize: 3, units: 5, returnSequences: false, pooling: "mean", activation: "relu", seed: 5 })], x: () => floats(3) },
  { name: "Embedding, GRU, Dense (softmaxCrossEntropy)", layers: () => [new Embedding({ inputSize: 9, units: 4, seed: 6 }), new GRU({ inputSize: 4, units: 5, seed: 7 }), new Dense({ inputSize: 5, units: 3, seed: 8 })], loss: "softmaxCrossEntropy", x: () => ids(9) },
  { name: "tokenInput LSTM, context", layers: () => [new LSTM({ inputSize: 9, units: 5, tokenInput: true, contextSize: 2, seed: 9 })], x: () => ids(9), context: true },
  { name: "GRU context, 2 layers bidirectional, Dense sigmoid", layers: () => [new GRU({ inputSize: 3, units: 4, contextSize: 2, numLayers: 2, bidirectional: true, seed: 10 }), new Dense({ inputSize: 8, units: 2, activation: "sigmoid", seed: 11 })], x: () => floats(3), context: true },
];

describe("Model.fromOnnx: round trip of toOnnx files", () => {
  for (const c of ROUND_TRIPS) {
    it(`${c.name}: same layers, weights and predictions`, () => {
      withModel(new Model({ layers: c.layers(), loss: c.loss ?? "meanSquaredError" }), (model) => {
        withModel(modelFromOnnx(toOnnx(model, { lengths: c.lengths === true })), (back) => {
          const options = {
            ...(c.lengths === true ? { lengths: Int32Array.from([T, 3, 1]) } : {}),
            ...(c.context === true ? { context: { shape: [B, 2], data: Float32Array.from([1, -1, 0.5, 0.2, -0.3, 0.8]) } } : {}),
          };
          assert.equal(back.loss, model.loss);
          const config = (m: Model): unknown[] => m.layers.map((l) => ({ ...l.config(), options: { ...l.config().options, seed: 0 } }));
          assert.deepEqual(config(back), config(model));
          assert.deepEqual(back.stateDict(), model.stateDict());
          assert.deepEqual(back.predict(c.x(), options), model.predict(c.x(), options));
          assert.deepEqual(back.metadata.onnx, { producerName: "wasm-rnn", lengths: c.lengths === true ? "lengths" : null, context: c.context === true ? "context" : null });
        });
      });
    });
  }
});

describe("Model.fromOnnx: initializer encodings", () => {
  it("reads float_data / int64_data initializers as it reads raw_data", () => {
    const layers = (): Layer[] => [new LSTM({ inputSize: 3, units: 4, numLayers: 2, bidirectional: true, seed: 12 }), new Dense({ inputSize: 8, units: 2, seed: 13 })];
    withModel(new Model({ layers: layers(), loss: "meanSquaredError" }), (model) => {
      const onnx = decodeOnnxModel(toOnnx(model), "test");
      for (const t of onnx.graph.initializer) {
        const values = Array.from(tensorNumbers("test", "initializer", t));
        if (t.dataType === DATA_TYPE.float) t.floatData = values;
        else t.int64Data = values;
        t.rawData = null;
      }
      withModel(modelFromOnnx(encodeOnnxModel(onnx)), (back) => assert.deepEqual(back.predict(floats(3)), model.predict(floats(3))));
    });
  });
});

/** An exported model's ONNX messages, for editing. */
function exported(layers: Layer[], loss: LossName = "meanSquaredError", softmax = false): OnnxModel {
  return withModel(new Model({ layers, loss }), (m) => decodeOnnxModel(toOnnx(m, { softmax }), "test"));
}

describe("Model.fromOnnx: loss", () => {
  const classifier = (): Layer[] => [new Embedding({ inputSize: 9, units: 4, seed: 1 }), new GRU({ inputSize: 4, units: 5, seed: 2 }), new Dense({ inputSize: 5, units: 3, seed: 3 })];

  it("is softmaxCrossEntropy on the logits before a final Softmax, else meanSquaredError, without a recorded loss; options.loss overrides", () => {
    const withSoftmax = exported(classifier(), "softmaxCrossEntropy", true);
    withSoftmax.metadataProps = [];
    const bytes = encodeOnnxModel(withSoftmax);
    withModel(new Model({ layers: classifier(), loss: "softmaxCrossEntropy" }), (original) => {
      withModel(modelFromOnnx(bytes), (model) => {
        assert.equal(model.loss, "softmaxCrossEntropy");
        assert.deepEqual(model.predict(ids(9)), original.predict(ids(9)));
      });
    });
    const plain = exported(classifier(), "softmaxCrossEntropy");
    plain.metadataProps = [];
    withModel(modelFromOnnx(encodeOnnxModel(plain)), (model) => assert.equal(model.loss, "meanSquaredError"));
    withModel(modelFromOnnx(bytes, { loss: "binaryCrossEntropyWithLogits" }), (model) => assert.equal(model.loss, "binaryCrossEntropyWithLogits"));
  });

  it("checks its options", () => {
    const bytes = encodeOnnxModel(exported(classifier()));
    assert.throws(() => modelFromOnnx(bytes, { loss: "hinge" as LossName }), refusal(/loss must be one of/));
    assert.throws(() => modelFromOnnx(bytes, { los: "x" } as object), refusal(/unknown option "los"/));
    assert.throws(() => modelFromOnnx([1, 2] as unknown as Uint8Array), refusal(/bytes must be a Uint8Array; got an array of length 2/));
  });
});

describe("Model.fromOnnx: hostile and corrupt files", () => {
  const lstm = (): Layer[] => [new LSTM({ inputSize: 3, units: 4, seed: 1 })];

  it("refuses an unknown operator on the path, naming the node", () => {
    const onnx = exported(lstm());
    const first = onnx.graph.node[0]!;
    onnx.graph.node.unshift({ name: "stem", opType: "Conv", domain: "", input: ["x", "w"], output: ["features"], attribute: [attribute("group", { i: 1 })] });
    onnx.graph.initializer.push(floatTensor("w", [1, 1, 1], [1]));
    first.input[0] = "features";
    assert.throws(() => modelFromOnnx(encodeOnnxModel(onnx)), refusal(/^Model\.fromOnnx: node "stem" \(Conv\): operator Conv is not supported/));
  });

  it("refuses a non-zero initial state, cell clipping, a reverse-only direction (naming the node) and old opsets", () => {
    const withState = exported(lstm());
    withState.graph.initializer.push(floatTensor("h0", [1, 1, 4], [1, 0, 0, 0]));
    withState.graph.node[0]!.input.push("", "h0");
    assert.throws(() => modelFromOnnx(encodeOnnxModel(withState)), refusal(/\(LSTM\): initial_h must be absent or zeros/));
    const clipped = exported(lstm());
    clipped.graph.node[0]!.attribute.push(attribute("clip", { f: 3 }));
    assert.throws(() => modelFromOnnx(encodeOnnxModel(clipped)), refusal(/\(LSTM\): clip \(cell clipping\) has no wasm-rnn equivalent/));
    const old = exported(lstm());
    old.opsetImport = [{ domain: "", version: 9 }];
    assert.throws(() => modelFromOnnx(encodeOnnxModel(old)), refusal(/^Model\.fromOnnx: opset 9 is not supported; expected 11 to 21/));
    const reverse = exported(lstm());
    reverse.graph.node[0]!.attribute.find((a) => a.name === "direction")!.s = "reverse";
    assert.throws(() => modelFromOnnx(encodeOnnxModel(reverse)), refusal(/direction "reverse"/));
  });

  it("refuses external data and weights computed at run time", () => {
    const external = exported(lstm());
    external.graph.initializer[0]!.external = true;
    assert.throws(() => modelFromOnnx(encodeOnnxModel(external)), refusal(/is stored as external data/));
    const computed = exported(lstm());
    const W = computed.graph.node[0]!.input[1]!;
    computed.graph.node.unshift({ name: "weights", opType: "Identity", domain: "", input: ["x"], output: [W], attribute: [] });
    computed.graph.initializer = computed.graph.initializer.filter((t) => t.name !== W);
    assert.throws(() => modelFromOnnx(encodeOnnxModel(computed)), refusal(/\(LSTM\): input 1 \(W\) must be a constant/));
  });

  it("refuses a length field larger than the file before allocating, and a tensor larger than its data", () => {
    const header = new ProtoWriter().varint(1, 8).finish();
    const bytes = new Uint8Array([...header, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x07, 1, 2, 3]); // field 7 (graph), length 2^31 - 1
    assert.throws(() => modelFromOnnx(bytes), refusal(/a length of 2147483647 bytes exceeds the 3 bytes left/));
    const huge = exported(lstm());
    huge.graph.initializer[0]!.dims = [1e6, 1e6, 1e3];
    assert.throws(() => modelFromOnnx(encodeOnnxModel(huge)), refusal(/needs 4000000000000000 bytes of raw_data; got/));
    assert.throws(() => modelFromOnnx(new Uint8Array(0)), refusal(/not an ONNX model: no graph/));
  });

  it("truncated or garbled bytes give a model or a RangeError / TypeError starting \"Model.fromOnnx:\" (property)", () => {
    const files = [
      encodeOnnxModel(exported([new Embedding({ inputSize: 5, units: 3, seed: 1 }), new GRU({ inputSize: 3, units: 2, bidirectional: true, seed: 2 }), new Dense({ inputSize: 4, units: 2, seed: 3 })])),
      new Uint8Array(readFileSync(new URL("gru.onnx", FIXTURES))),
    ];
    const damage = fc.record({
      file: fc.integer({ min: 0, max: files.length - 1 }),
      keep: fc.double({ min: 0, max: 1, noNaN: true }),
      flips: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    });
    fc.assert(fc.property(damage, ({ file, keep, flips }) => {
      const source = files[file]!;
      const bytes = source.slice(0, Math.round(keep * source.length));
      for (const [at, value] of flips) if (bytes.length > 0) bytes[Math.floor(at * bytes.length)] = value;
      try {
        modelFromOnnx(bytes).dispose();
      } catch (e) {
        if (!((e instanceof RangeError || e instanceof TypeError) && e.message.startsWith("Model.fromOnnx: "))) throw e;
      }
    }), { numRuns: 1000, seed: 10 });
  });
});
