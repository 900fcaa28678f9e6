// toOnnx: every exportable layer configuration, run in onnxruntime-node and in onnxruntime-web
// (its wasm backend, in Node), matches model.predict within 1e-5 relative + 1e-6 absolute; what
// ONNX cannot express is refused with a message naming the layer.
import assert from "node:assert/strict";
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import { Model, type ModelInput } from "../bindings/model.js";
import type { Layer } from "../bindings/layers/layer.js";
import { SimpleRNN } from "../bindings/layers/simple-rnn.js";
import { Jordan } from "../bindings/layers/jordan.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { GRU } from "../bindings/layers/gru.js";
import { Dense } from "../bindings/layers/dense.js";
import { Embedding } from "../bindings/layers/embedding.js";
import type { LossName } from "../bindings/losses.js";
import type { Tensor } from "../bindings/tensor.js";
import { toOnnx, type OnnxExportOptions } from "../bindings/formats/onnx-export.js";
import { DATA_TYPE, decodeOnnxModel } from "../bindings/formats/onnx-proto.js";

ortWeb.env.wasm.numThreads = 1;

const T = 7;
const B = 3;
const D = 3;
const H = 5;
const V = 11;
const C = 2;
const LENGTHS = [7, 4, 1];

/** A deterministic float sequence [T, B, D] spanning roughly [-1.5, 1.5]. */
function floats(): Tensor {
  return { shape: [T, B, D], data: Float32Array.from({ length: T * B * D }, (_, i) => 1.5 * Math.sin(1.7 * i)) };
}

/** Deterministic ids [T, B] in [0, V). */
function ids(): { shape: number[]; data: Int32Array } {
  return { shape: [T, B], data: Int32Array.from({ length: T * B }, (_, i) => (7 * i + 3) % V) };
}

const CONTEXT: Tensor = { shape: [B, C], data: Float32Array.from([0.3, -0.5, 1, 0.2, -1, 0.7]) };

interface ExportCase {
  name: string;
  layers: () => Layer[];
  loss?: LossName;
  /** The model reads ids (Embedding or tokenInput first). */
  ids?: boolean;
  options?: OnnxExportOptions;
  lengths?: boolean;
  context?: boolean;
}

const rnn = (o: Partial<ConstructorParameters<typeof SimpleRNN>[0]> = {}): SimpleRNN => new SimpleRNN({ inputSize: D, units: H, seed: 1, ...o });
const lstm = (o: Partial<ConstructorParameters<typeof LSTM>[0]> = {}): LSTM => new LSTM({ inputSize: D, units: H, seed: 2, ...o });
const gru = (o: Partial<ConstructorParameters<typeof GRU>[0]> = {}): GRU => new GRU({ inputSize: D, units: H, seed: 3, ...o });

const CASES: ExportCase[] = [
  { name: "SimpleRNN tanh", layers: () => [rnn()] },
  { name: "SimpleRNN relu", layers: () => [rnn({ activation: "relu" })] },
  { name: "SimpleRNN linear (Affine)", layers: () => [rnn({ activation: "linear" })] },
  { name: "LSTM", layers: () => [lstm()] },
  { name: "LSTM with peepholes", layers: () => [lstm({ peephole: true })] },
  { name: "LSTM hardSigmoid gates, relu cell", layers: () => [lstm({ recurrentActivation: "hardSigmoid", activation: "relu" })] },
  { name: "LSTM sigmoid / linear cell", layers: () => [lstm({ activation: "linear", peephole: true }), lstm({ inputSize: H, activation: "sigmoid", seed: 4 })] },
  { name: "GRU resetAfter true", layers: () => [gru()] },
  { name: "GRU resetAfter false", layers: () => [gru({ resetAfter: false })] },
  { name: "GRU hardSigmoid gates", layers: () => [gru({ recurrentActivation: "hardSigmoid", resetAfter: false })] },
  { name: "2-layer SimpleRNN", layers: () => [rnn({ numLayers: 2, activation: "relu" })] },
  { name: "2-layer LSTM", layers: () => [lstm({ numLayers: 2, peephole: true })] },
  { name: "2-layer GRU", layers: () => [gru({ numLayers: 2, resetAfter: false })] },
  { name: "bidirectional SimpleRNN", layers: () => [rnn({ bidirectional: true })] },
  { name: "bidirectional 2-layer LSTM", layers: () => [lstm({ bidirectional: true, numLayers: 2, peephole: true })] },
  { name: "bidirectional 2-layer GRU", layers: () => [gru({ bidirectional: true, numLayers: 2 })] },
  { name: "bidirectional merge sum", layers: () => [gru({ bidirectional: true, numLayers: 2, mergeMode: "sum" })] },
  { name: "bidirectional merge mul", layers: () => [lstm({ bidirectional: true, numLayers: 2, mergeMode: "mul" })] },
  { name: "bidirectional merge ave", layers: () => [rnn({ bidirectional: true, numLayers: 2, mergeMode: "ave" })] },
  { name: "lengths: 2-layer bidirectional LSTM", layers: () => [lstm({ bidirectional: true, numLayers: 2 })], lengths: true },
  { name: "lengths: GRU + SimpleRNN", layers: () => [gru({ resetAfter: false }), rnn({ inputSize: H, seed: 5 })], lengths: true },
  { name: "many-to-one last", layers: () => [lstm({ returnSequences: false })] },
  { name: "many-to-one last, 2-layer bidirectional concat", layers: () => [gru({ returnSequences: false, bidirectional: true, numLayers: 2 })] },
  { name: "many-to-one last, bidirectional sum, lengths", layers: () => [lstm({ returnSequences: false, bidirectional: true, mergeMode: "sum" })], lengths: true },
  { name: "many-to-one last, bidirectional, lengths", layers: () => [rnn({ returnSequences: false, bidirectional: true, numLayers: 2 })], lengths: true },
  { name: "many-to-one mean", layers: () => [gru({ returnSequences: false, pooling: "mean" })] },
  { name: "many-to-one mean, opset 18 (ReduceMean axes input)", layers: () => [gru({ returnSequences: false, pooling: "mean", bidirectional: true })], options: { opset: 18 } },
  { name: "many-to-one mean, bidirectional ave, lengths", layers: () => [lstm({ returnSequences: false, pooling: "mean", bidirectional: true, mergeMode: "ave" })], lengths: true },
  {
    name: "many-to-one then Dense hardSigmoid",
    layers: () => [lstm({ returnSequences: false }), new Dense({ inputSize: H, units: 4, activation: "hardSigmoid", seed: 6 })],
  },
  {
    name: "Embedding front, Dense back",
    layers: () => [new Embedding({ inputSize: V, units: 4, seed: 7 }), lstm({ inputSize: 4 }), new Dense({ inputSize: H, units: 6, seed: 8 })],
    ids: true,
  },
  {
    name: "Embedding, int32 ids, Dense tanh + relu",
    layers: () => [new Embedding({ inputSize: V, units: 4, seed: 7 }), gru({ inputSize: 4 }), new Dense({ inputSize: H, units: 6, activation: "tanh", seed: 8 }), new Dense({ inputSize: 6, units: 2, activation: "relu", seed: 9 })],
    ids: true,
    options: { idsType: "int32" },
  },
  {
    name: "softmax option (softmaxCrossEntropy)",
    layers: () => [new Embedding({ inputSize: V, units: 4, seed: 7 }), gru({ inputSize: 4, bidirectional: true }), new Dense({ inputSize: 2 * H, units: 6, seed: 8 })],
    loss: "softmaxCrossEntropy",
    ids: true,
    options: { softmax: true },
  },
  {
    name: "softmax option, many-to-one, opset 14",
    layers: () => [lstm({ returnSequences: false }), new Dense({ inputSize: H, units: 4, seed: 6 })],
    loss: "softmaxCrossEntropy",
    options: { softmax: true, opset: 14 },
  },
  { name: "tokenInput (one-hot)", layers: () => [lstm({ inputSize: V, tokenInput: true, bidirectional: true })], ids: true },
  { name: "tokenInput with lengths, opset 21", layers: () => [gru({ inputSize: V, tokenInput: true, returnSequences: false })], ids: true, lengths: true, options: { opset: 21 } },
  { name: "contextSize", layers: () => [gru({ contextSize: C, numLayers: 2 })], context: true },
  { name: "contextSize, bidirectional LSTM with lengths", layers: () => [lstm({ contextSize: C, bidirectional: true, peephole: true })], context: true, lengths: true },
  { name: "contextSize with tokenInput", layers: () => [rnn({ inputSize: V, contextSize: C, tokenInput: true })], ids: true, context: true },
  { name: "Dense sigmoid alone", layers: () => [new Dense({ inputSize: D, units: 2, activation: "sigmoid", seed: 9 })] },
];

type Runtime = typeof ortNode | typeof ortWeb;

/** The ONNX model's "output" in `ort` for the case's inputs. */
async function runOnnx(ort: Runtime, bytes: Uint8Array, c: ExportCase, x: ModelInput): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds: Record<string, ortNode.Tensor> = {};
    const xt = x as { shape: number[]; data: Float32Array | Int32Array };
    if (xt.data instanceof Int32Array) {
      feeds.x = c.options?.idsType === "int32" ? new ort.Tensor("int32", xt.data, xt.shape) : new ort.Tensor("int64", BigInt64Array.from(xt.data, (v) => BigInt(v)), xt.shape);
    } else {
      feeds.x = new ort.Tensor("float32", xt.data, xt.shape);
    }
    if (c.lengths === true) feeds.lengths = new ort.Tensor("int32", Int32Array.from(LENGTHS), [B]);
    if (c.context === true) feeds.context = new ort.Tensor("float32", CONTEXT.data, CONTEXT.shape);
    const { output } = await session.run(feeds);
    return output!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Asserts |got - want| <= 1e-5 |want| + 1e-6 everywhere. */
function assertClose(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} values; expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const tolerance = 1e-5 * Math.abs(want[i]!) + 1e-6;
    assert.ok(Math.abs(got[i]! - want[i]!) <= tolerance, `${what}: value ${i} is ${got[i]}; expected ${want[i]} (±${tolerance})`);
  }
}

describe("toOnnx", () => {
  for (const c of CASES) {
    it(`${c.name}: onnxruntime-node and onnxruntime-web match predict`, async () => {
      const model = new Model({ layers: c.layers(), loss: c.loss ?? "meanSquaredError" });
      try {
        const bytes = toOnnx(model, { ...c.options, lengths: c.lengths === true });
        const x = c.ids === true ? ids() : floats();
        const want = model.predict(x, {
          ...(c.lengths === true ? { lengths: Int32Array.from(LENGTHS) } : {}),
          ...(c.context === true ? { context: CONTEXT } : {}),
          probabilities: c.options?.softmax === true,
        });
        assertClose(await runOnnx(ortNode, bytes, c, x), want.data, "onnxruntime-node");
        assertClose(await runOnnx(ortWeb, bytes, c, x), want.data, "onnxruntime-web");
      } finally {
        model.dispose();
      }
    });
  }

  it("writes a ModelProto: producer wasm-rnn, the opset asked with its IR version, inputs x / lengths / context, output [B, O]", () => {
    const model = new Model({ layers: [gru({ contextSize: C, returnSequences: false })], loss: "meanSquaredError" });
    try {
      const onnx = decodeOnnxModel(toOnnx(model, { opset: 15, lengths: true }), "test");
      assert.equal(onnx.producerName, "wasm-rnn");
      assert.equal(onnx.irVersion, 8);
      assert.deepEqual(onnx.opsetImport, [{ domain: "", version: 15 }]);
      assert.deepEqual(onnx.graph.input.map((i) => [i.name, i.elemType, i.shape]), [["x", DATA_TYPE.float, ["T", "B", D]], ["lengths", DATA_TYPE.int32, ["B"]], ["context", DATA_TYPE.float, ["B", C]]]);
      assert.deepEqual(onnx.graph.output.map((o) => [o.name, o.shape]), [["output", ["B", H]]]);
      assert.deepEqual(onnx.graph.node.filter((n) => n.opType === "GRU").map((n) => n.attribute.find((a) => a.name === "linear_before_reset")?.i), [1]);
    } finally {
      model.dispose();
    }
  });

  it("refuses a Jordan layer, naming it and why", () => {
    const model = new Model({ layers: [new Jordan({ inputSize: D, units: H, outputUnits: 2, seed: 1 })], loss: "meanSquaredError" });
    try {
      assert.throws(() => toOnnx(model), (e: Error) => e instanceof RangeError && e.message.startsWith("toOnnx: layers[0] (Jordan): ONNX has no recurrent operator whose memory is the previous output"));
    } finally {
      model.dispose();
    }
  });

  it("a recurrent layer reading a many-to-one layer's output is not a Model to export (issue 11: refused when built)", () => {
    const layers = [lstm({ returnSequences: false }), gru({ inputSize: H })];
    assert.throws(() => new Model({ layers, loss: "meanSquaredError" }), /^RangeError: Model: layers\[1\] \(GRU\) reads a sequence/);
    for (const layer of layers) layer.dispose();
  });

  it("checks its arguments", () => {
    const model = new Model({ layers: [gru()], loss: "meanSquaredError" });
    try {
      assert.throws(() => toOnnx({} as Model), /^TypeError: toOnnx: model must be a Model; got an object/);
      assert.throws(() => toOnnx(model, { opset: 13 }), /^RangeError: toOnnx: opset must be >= 14; got 13/);
      assert.throws(() => toOnnx(model, { opset: 22 }), /^RangeError: toOnnx: opset must be in \[14, 21\]; got 22/);
      assert.throws(() => toOnnx(model, { softmax: true }), /^RangeError: toOnnx: softmax needs a softmaxCrossEntropy model .* got loss meanSquaredError/);
      assert.throws(() => toOnnx(model, { idsType: "int8" as "int32" }), /^TypeError: toOnnx: idsType must be one of "int64", "int32"; got "int8"/);
      assert.throws(() => toOnnx(model, { lenghts: true } as OnnxExportOptions), /^TypeError: toOnnx: unknown option "lenghts"/);
    } finally {
      model.dispose();
    }
  });
});
