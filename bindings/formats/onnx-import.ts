// modelFromOnnx: a Model from the ONNX graphs torch.onnx.export writes for Embedding / RNN /
// LSTM / GRU / Linear modules (and from toOnnx's own files), found by following the data flow
// from the graph input to the first graph output.
import { decodeOnnxModel, DATA_TYPE, type OnnxGraph, type OnnxModel, type OnnxValueInfo } from "./onnx-proto.js";
import { tensorNumbers } from "./onnx-tensor.js";
import { IMPORT_WHERE, NodeContext } from "./onnx-import-context.js";
import { PLUMBING } from "./onnx-import-plumbing.js";
import { AXIS_NODES } from "./onnx-import-axes.js";
import { LAYER_NODES } from "./onnx-import-layers.js";
import { buildLayers } from "./onnx-import-stages.js";
import { fixedDim, rolesOf, symbolDim, type Axis, type AxisRole, type DataTag, type Value } from "./onnx-import-values.js";
import { LOSS_METADATA_KEY } from "./onnx-export.js";
import { Model } from "../model.js";
import { LOSS_NAMES, type LossName } from "../losses.js";
import { checkChoice, checkOptionKeys, describe } from "../validate.js";
import { labelErrors } from "../errors.js";

/** Options of `modelFromOnnx` (Model.fromOnnx). */
export interface OnnxImportOptions {
  /**
   * The model's loss. Default: the loss a toOnnx file records; else softmaxCrossEntropy when the
   * graph ends with Softmax (the model then outputs the logits before it), else meanSquaredError.
   */
  loss?: LossName;
}

/** The ONNX element types accepted for token ids. */
const ID_TYPES: readonly number[] = [DATA_TYPE.int64, DATA_TYPE.int32];
const MIN_OPSET = 11;
const MAX_OPSET = 21;

/** What the imported model's graph inputs were, kept in model.metadata.onnx. */
export interface OnnxImportMetadata {
  producerName: string;
  /** The graph input wired to sequence_lens: pass predict({ lengths }) as it took them. */
  lengths: string | null;
  /** The graph input holding the per-sequence context. */
  context: string | null;
}

function fail(why: string): never {
  throw new RangeError(`${IMPORT_WHERE}: ${why}`);
}

function checkOpset(model: OnnxModel): void {
  const main = model.opsetImport.find((o) => o.domain === "" || o.domain === "ai.onnx");
  if (main === undefined) fail("the model imports no default-domain operator set (opset_import)");
  if (main.version < MIN_OPSET || main.version > MAX_OPSET) fail(`opset ${main.version} is not supported; expected ${MIN_OPSET} to ${MAX_OPSET}`);
}

/** The axes of a graph input with the given roles, its named dims symbolic. */
function inputAxes(info: OnnxValueInfo, roles: AxisRole[]): Axis[] {
  return roles.map((role, i) => {
    const d = info.shape![i];
    return { role, size: typeof d === "number" ? fixedDim(d) : symbolDim(d ?? `${info.name}:${i}`) };
  });
}

/** The value of a graph input: x (floats [T, B, D] or ids [T, B]), lengths (int32 [B]) or context (float [B, C]). */
function inputValue(info: OnnxValueInfo, first: boolean): Value {
  const rank = info.shape?.length ?? -1;
  const data = (roles: AxisRole[], tag: DataTag): Value => ({ kind: "data", stages: [], axes: inputAxes(info, roles), tag });
  if (first && info.elemType === DATA_TYPE.float && rank === 3 && typeof info.shape![2] === "number") return data(["T", "B", "F"], { t: "output", fuse: "none" });
  if (first && ID_TYPES.includes(info.elemType) && rank === 2) return data(["T", "B"], { t: "ids" });
  if (first) fail(`the first graph input "${info.name}" must be float [T, B, D] (D known) or int64 / int32 ids [T, B]; got element type ${info.elemType} and ${rank < 0 ? "no shape" : `rank ${rank}`}`);
  if (info.elemType === DATA_TYPE.int32 && rank === 1) return data(["B"], { t: "lengths" });
  if (info.elemType === DATA_TYPE.float && rank === 2 && typeof info.shape![1] === "number") return data(["B", "F"], { t: "context" });
  return fail(`graph input "${info.name}" is neither lengths (int32 [B]) nor a context (float [B, C]); got element type ${info.elemType} and ${rank < 0 ? "no shape" : `rank ${rank}`}`);
}

/** Indices of the nodes the first graph output depends on. */
function neededNodes(graph: OnnxGraph, output: string): Set<number> {
  const producer = new Map<string, number>();
  graph.node.forEach((n, i) => n.output.forEach((o) => o !== "" && producer.set(o, i)));
  const needed = new Set<number>();
  const stack = [output];
  while (stack.length > 0) {
    const i = producer.get(stack.pop()!);
    if (i === undefined || needed.has(i)) continue;
    needed.add(i);
    for (const name of graph.node[i]!.input) if (name !== "") stack.push(name);
  }
  return needed;
}

const UNSUPPORTED = "wasm-rnn imports Embedding (Gather), Linear (MatMul + Add, Gemm) with Tanh / Sigmoid / Relu / HardSigmoid, RNN, LSTM, GRU, Softmax and the shape plumbing around them";

/** The handler of a node: on data (computed from the graph inputs) or on constants and shapes only. */
function handlerFor(ctx: NodeContext, onData: boolean): (ctx: NodeContext) => Value[] {
  const op = ctx.node.opType;
  if (onData) {
    const layer = LAYER_NODES[op];
    if (layer !== undefined) return layer;
    const axis = AXIS_NODES[op];
    if (axis !== undefined) return (c) => [axis(c, c.data(0, "input"))];
  } else {
    const plumbing = PLUMBING[op];
    if (plumbing !== undefined) return plumbing;
    if (LAYER_NODES[op] !== undefined || AXIS_NODES[op] !== undefined) ctx.fail("computes only on constants, which wasm-rnn does not evaluate for this operator");
  }
  return ctx.fail(`operator ${op} is not supported; ${UNSUPPORTED}`);
}

/** Evaluates the needed nodes in order; returns the value of every tensor. */
function followGraph(graph: OnnxGraph, output: string): Map<string, Value> {
  const values = new Map<string, Value>();
  const needed = neededNodes(graph, output);
  const neededNames = new Set([output, ...[...needed].flatMap((i) => graph.node[i]!.input)]);
  for (const t of graph.initializer) {
    if (neededNames.has(t.name)) values.set(t.name, { kind: "const", dataType: t.dataType, dims: t.dims, values: tensorNumbers(IMPORT_WHERE, "initializer", t) });
  }
  const initializers = new Set(graph.initializer.map((t) => t.name));
  graph.input.filter((info) => !initializers.has(info.name)).forEach((info, k) => {
    if (k === 0 || neededNames.has(info.name)) values.set(info.name, inputValue(info, k === 0));
  });
  graph.node.forEach((node, index) => {
    if (!needed.has(index)) return;
    const ctx = new NodeContext(node, index, values);
    if (node.domain !== "" && node.domain !== "ai.onnx") ctx.fail(`operators of domain "${node.domain}" are not supported`);
    const missing = node.input.find((n) => n !== "" && !values.has(n));
    if (missing !== undefined) ctx.fail(`input "${missing}" is not produced by an earlier node, an initializer or a graph input`);
    const onData = node.input.some((n) => values.get(n)?.kind === "data");
    handlerFor(ctx, onData)(ctx).forEach((v, k) => {
      const name = node.output[k];
      if (name !== undefined && name !== "") values.set(name, v);
    });
  });
  return values;
}

/**
 * A Model from ONNX bytes (an .onnx file): the layers recognised along the data flow from the
 * graph input "x" (float [T, B, D] time-major, or int64 / int32 ids [T, B]) to the first graph
 * output (others, e.g. h_n / c_n, are not imported). Recurrent nodes (RNN, LSTM, GRU; forward or
 * bidirectional) are read by input position, their gates returned to PyTorch's order; consecutive
 * ones form one stacked layer. A sequence_lens graph input becomes predict's `lengths`
 * (model.metadata.onnx names it). Refused with a RangeError naming the first unsupported node:
 * other operators, non-zero initial states, clip, layout 1, activations wasm-rnn lacks, weights
 * computed at run time, external data. Malformed bytes are RangeErrors too, all starting
 * "Model.fromOnnx:".
 */
export function modelFromOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): Model {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${IMPORT_WHERE}: bytes must be a Uint8Array; got ${describe(bytes)}`);
  checkOptionKeys(IMPORT_WHERE, options, ["loss"]);
  const lossOption = options.loss === undefined ? undefined : checkChoice(IMPORT_WHERE, "loss", options.loss, LOSS_NAMES);
  const onnx = decodeOnnxModel(bytes, IMPORT_WHERE);
  checkOpset(onnx);
  const graph = onnx.graph;
  if (graph.sparseInitializerCount > 0) fail("sparse initializers are not supported");
  const output = graph.output[0]?.name ?? fail("the graph has no output");
  if (graph.input.length === 0) fail("the graph has no input");
  const values = followGraph(graph, output);
  const result = values.get(output);
  if (result?.kind !== "data" || (result.tag.t !== "output" && result.tag.t !== "probabilities") || result.stages.length === 0) {
    fail(`graph output "${output}" is not computed by layers from the graph input`);
  }
  if (rolesOf(result.axes) !== "[T, B, F]" && rolesOf(result.axes) !== "[B, F]") fail(`graph output "${output}" has axes ${rolesOf(result.axes)}; expected [T, B, F] or [B, F]`);
  const recurrent = result.stages.flatMap((s) => (s.type === "recurrent" ? s.layers : []));
  const lengths = new Set(recurrent.map((n) => n.lengths));
  if (lengths.size > 1) fail("some recurrent nodes take sequence_lens and others do not (or take different ones); a wasm-rnn model applies one lengths input to all");
  const recorded = onnx.metadataProps.find((p) => p.key === LOSS_METADATA_KEY)?.value;
  const loss = lossOption ?? (LOSS_NAMES.includes(recorded as LossName) ? recorded as LossName : result.tag.t === "probabilities" ? "softmaxCrossEntropy" : "meanSquaredError");
  const model = labelErrors(IMPORT_WHERE, () => {
    const layers = buildLayers(result.stages);
    try {
      return new Model({ layers, loss });
    } catch (e) {
      for (const layer of layers) layer.dispose();
      throw e;
    }
  });
  const contextInput = graph.input.find((i) => {
    const v = values.get(i.name);
    return v?.kind === "data" && v.tag.t === "context";
  });
  const metadata: OnnxImportMetadata = { producerName: onnx.producerName, lengths: [...lengths][0] || null, context: model.contextSize > 0 ? contextInput?.name ?? null : null };
  model.metadata = { onnx: metadata };
  return model;
}
