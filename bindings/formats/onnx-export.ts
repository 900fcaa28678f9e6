// toOnnx: a Model as an ONNX model (time-major, layout 0) that onnxruntime runs with the
// predictions of model.predict.
import { GraphBuilder } from "./onnx-builder.js";
import { exportRecurrent, type Flow, type SideInputs } from "./onnx-export-recurrent.js";
import { DATA_TYPE, attribute, encodeOnnxModel, type OnnxValueInfo } from "./onnx-proto.js";
import { Model } from "../model.js";
import type { Layer } from "../layers/layer.js";
import { Embedding } from "../layers/embedding.js";
import { Dense } from "../layers/dense.js";
import { SimpleRNN } from "../layers/simple-rnn.js";
import { LSTM } from "../layers/lstm.js";
import { GRU } from "../layers/gru.js";
import { Jordan } from "../layers/jordan.js";
import { checkBoolean, checkChoice, checkInt, checkOptionKeys, describe } from "../validate.js";

/** Options of `toOnnx`. */
export interface OnnxExportOptions {
  /** Append a Softmax over the last axis, so "output" holds probabilities (softmaxCrossEntropy models only). Default false: logits, as predict. */
  softmax?: boolean;
  /** Operator set of the default ONNX domain, 14 to 21 (default 17); the IR version follows it. */
  opset?: number;
  /**
   * Add the graph input "lengths" (int32 [B], each in [1, T]) wired to every recurrent node's
   * sequence_lens: as model.predict's lengths, padded steps output zeros and keep the state,
   * and many-to-one layers pool over each sequence's own steps. Default false.
   */
  lengths?: boolean;
  /** Element type of the ids input when the first layer reads ids: "int64" (default, as torch.onnx) or "int32". */
  idsType?: "int64" | "int32";
}

const OPTION_KEYS = ["softmax", "opset", "lengths", "idsType"] as const;

/** The IR version written for each supported opset (the ONNX release that introduced the opset). */
const IR_VERSIONS: Record<number, number> = { 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };
const MIN_OPSET = 14;
const MAX_OPSET = 21;

/** Dense activations as ONNX operators (linear: none). */
const DENSE_ACTIVATIONS = {
  tanh: { op: "Tanh", attributes: [] },
  sigmoid: { op: "Sigmoid", attributes: [] },
  relu: { op: "Relu", attributes: [] },
  hardSigmoid: { op: "HardSigmoid", attributes: [attribute("alpha", { f: 0.2 }), attribute("beta", { f: 0.5 })] },
} as const;

/** Metadata key holding the model's loss, which modelFromOnnx takes as its default. */
export const LOSS_METADATA_KEY = "wasm-rnn.loss";

/** x [T, B, I] (or [B, I]) · weightᵀ + bias, then the activation. */
function exportDense(g: GraphBuilder, layer: Dense, input: Flow, hint: string): Flow {
  const { weight, bias } = layer.stateDict();
  const [O, I] = weight!.shape as [number, number];
  const transposed = new Float32Array(I * O);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) transposed[i * O + o] = weight!.data[o * I + i]!;
  const product = g.op("MatMul", [input.name, g.floats(`${hint}.weight_t`, [I, O], transposed)], `${hint}.MatMul`);
  let y = g.op("Add", [product, g.floats(`${hint}.bias`, [O], bias!.data)], `${hint}.Add`);
  if (layer.activation !== "linear") {
    const { op, attributes } = DENSE_ACTIVATIONS[layer.activation];
    y = g.op(op, [y], `${hint}.${op}`, [...attributes]);
  }
  return { name: y, kind: input.kind };
}

/** Emits layer i; refuses what ONNX cannot express. */
function exportLayer(g: GraphBuilder, layer: Layer, i: number, input: Flow, side: SideInputs): Flow {
  const where = `toOnnx: layers[${i}] (${layer.constructor.name})`;
  const hint = `layers.${i}`;
  if (layer instanceof Embedding) {
    const { weight } = layer.stateDict();
    const table = g.floats(`${hint}.weight`, weight!.shape, weight!.data);
    return { name: g.op("Gather", [table, input.name], `${hint}.Gather`, [attribute("axis", { i: 0 })]), kind: "sequence" };
  }
  if (layer instanceof Dense) return exportDense(g, layer, input, hint);
  if (layer instanceof Jordan) {
    throw new RangeError(`${where}: ONNX has no recurrent operator whose memory is the previous output y_{t-1} (a Jordan network); toOnnx exports SimpleRNN, LSTM, GRU, Dense and Embedding layers`);
  }
  if (layer instanceof SimpleRNN || layer instanceof LSTM || layer instanceof GRU) {
    if (input.kind === "vector") throw new RangeError(`${where}: reads the one-vector-per-sequence output of a layer with returnSequences false, which toOnnx does not export; put many-to-one layers last`);
    return exportRecurrent(g, layer, input, side, hint);
  }
  throw new RangeError(`${where}: not a layer toOnnx exports; expected SimpleRNN, LSTM, GRU, Dense or Embedding`);
}

function tensorInfo(name: string, elemType: number, shape: (number | string)[]): OnnxValueInfo {
  return { name, elemType, shape };
}

/**
 * The model as ONNX bytes (ModelProto, producer "wasm-rnn"): input "x" — float [T, B, D], or for
 * a model whose first layer reads ids (Embedding, or tokenInput) ids [T, B] of `idsType` —,
 * optionally "lengths" int32 [B] (options.lengths) and "context" float [B, C] (layers built with
 * contextSize); output "output" [T, B, O], or [B, O] for many-to-one models, equal to
 * model.predict (logits; probabilities with options.softmax). T and B are dynamic.
 *
 * Layers: Embedding (Gather), Dense (MatMul + Add + activation), SimpleRNN (ONNX RNN; linear is
 * Affine), LSTM (peepholes as P; hardSigmoid as HardSigmoid 0.2, 0.5), GRU (linear_before_reset 1
 * for resetAfter, 0 without), stacked and bidirectional with any mergeMode, returnSequences false
 * with pooling "last" or "mean", tokenInput (one-hot), contextSize (concatenated to the input).
 * Refused with a RangeError naming the layer: Jordan layers, and recurrent layers after a
 * many-to-one layer. Dropout is not exported (inference).
 */
export function toOnnx(model: Model, options: OnnxExportOptions = {}): Uint8Array {
  const where = "toOnnx";
  if (!(model instanceof Model)) throw new TypeError(`${where}: model must be a Model; got ${describe(model)}`);
  checkOptionKeys(where, options, OPTION_KEYS);
  const opset = checkInt(where, "opset", options.opset ?? 17, MIN_OPSET);
  if (opset > MAX_OPSET) throw new RangeError(`${where}: opset must be in [${MIN_OPSET}, ${MAX_OPSET}]; got ${opset}`);
  const softmax = checkBoolean(where, "softmax", options.softmax ?? false);
  if (softmax && model.loss !== "softmaxCrossEntropy") {
    throw new RangeError(`${where}: softmax needs a softmaxCrossEntropy model (its outputs are logits); got loss ${model.loss}`);
  }
  const withLengths = checkBoolean(where, "lengths", options.lengths ?? false);
  const idsType = checkChoice(where, "idsType", options.idsType ?? "int64", ["int64", "int32"] as const) === "int64" ? DATA_TYPE.int64 : DATA_TYPE.int32;
  const g = new GraphBuilder(opset);
  const ids = model.vocabSize !== null;
  const inputs = [ids ? tensorInfo(g.reserve("x"), idsType, ["T", "B"]) : tensorInfo(g.reserve("x"), DATA_TYPE.float, ["T", "B", model.layers[0]!.inputSize])];
  const side: SideInputs = { lengths: "", context: "", idsType };
  if (withLengths) inputs.push(tensorInfo(side.lengths = g.reserve("lengths"), DATA_TYPE.int32, ["B"]));
  if (model.contextSize > 0) inputs.push(tensorInfo(side.context = g.reserve("context"), DATA_TYPE.float, ["B", model.contextSize]));
  g.reserve("output");
  let flow: Flow = { name: "x", kind: ids ? "ids" : "sequence" };
  model.layers.forEach((layer, i) => (flow = exportLayer(g, layer, i, flow, side)));
  if (softmax) flow = { ...flow, name: g.op("Softmax", [flow.name], "Softmax", [attribute("axis", { i: -1 })]) };
  g.renameOutput(flow.name, "output");
  const O = model.layers[model.layers.length - 1]!.outputSize;
  return encodeOnnxModel({
    irVersion: IR_VERSIONS[opset]!,
    opsetImport: [{ domain: "", version: opset }],
    producerName: "wasm-rnn",
    producerVersion: "",
    graph: {
      name: "wasm-rnn",
      node: g.nodes,
      initializer: g.initializers,
      input: inputs,
      output: [tensorInfo("output", DATA_TYPE.float, flow.kind === "vector" ? ["B", O] : ["T", "B", O])],
      sparseInitializerCount: 0,
    },
    metadataProps: [{ key: LOSS_METADATA_KEY, value: model.loss }],
  });
}
