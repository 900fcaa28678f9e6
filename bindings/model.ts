// A model: layers composed with a loss and an optimizer, all parameters in one wasm arena. The
// class is the public face; each concern lives in bindings/model/: construction (checks, arena,
// optimizer), training (trainOnBatch, fit, evaluate), prediction, streaming (step, resetState),
// parameters by name (stateDict, loadStateDict) and saving (save, load).
import type { ParameterArena } from "./arena.js";
import type { History } from "./callbacks/history.js";
import type { Layer } from "./layers/layer.js";
import { lossConfigOf, type LossConfig, type LossName } from "./losses.js";
import type { Optimizer } from "./optimizers.js";
import { guardDisposal, isDisposed, markDisposed, setOwner } from "./disposal.js";
import type { NestedArray, Tensor, TensorLike } from "./tensor.js";
import { modelFromStateDict, type FromStateDictOptions } from "./formats/torch-model.js";
import { modelFromTfjs } from "./formats/tfjs-import.js";
import { modelFromOnnx, type OnnxImportOptions } from "./formats/onnx-import.js";
import type { TfjsArtifactsLike, FromTfjsOptions } from "./formats/tfjs-types.js";
import type { LoadResult, ModelLoadOptions, StateDictSource } from "./state-dict.js";
import { buildModel } from "./model/construction.js";
import type { ModelRuntime } from "./model/runtime.js";
import { evaluate, fit, trainOnBatch } from "./model/training.js";
import { predict } from "./model/prediction.js";
import { ModelStreams } from "./model/streaming.js";
import { loadModelStateDict, modelStateDict } from "./model/parameters-by-name.js";
import { modelWeights, setModelWeights } from "./model/weights-list.js";
import { modelSummary, type ModelSummary, type SummaryOptions } from "./model/summary.js";
import { loadModel, saveModel } from "./model/saving.js";
import { callBytes, callOfShape, reserveFor, type BatchShape } from "./model/memory.js";
import type { MetricSpec } from "./metrics.js";
import type { EpochLogs, Evaluation, EvaluateOptions, FitOptions, ModelInput, ModelOptions, ModelTarget, PredictOptions, SequenceInputs, StepOptions } from "./model/options.js";

export { bindOptimizer } from "./model/construction.js";
export type { BatchShape } from "./model/memory.js";
export type { ModelSummary, SummaryOptions, SummaryRow, FreeDimension } from "./model/summary.js";
export type { ModelOptions, ModelInput, ModelTarget, EpochLogs, SequenceInputs, FitOptions, EvaluateOptions, PredictOptions, StepOptions, Evaluation } from "./model/options.js";

/**
 * Layers + loss + optimizer. Data is time-major (batch-first with `batchFirst: true`, [N, T, ...]): x [T, N, D] (or ids [T, N]), targets per step
 * [T, N] / [T, N, O], or per sequence [N] / [N, O] when a recurrent layer has returnSequences false.
 */
export class Model {
  readonly layers: readonly Layer[];
  /** The loss's name; `lossConfig` adds its parameters. */
  readonly loss: LossName;
  readonly optimizer: Optimizer;
  clipNorm: number | null;
  clipValue: number | null;
  /** Set to true (in a fit callback) to stop fit after the current batch; fit resets it when it starts (as tf.js' model.stopTraining). */
  stopTraining = false;
  /**
   * JSON data written by save() and restored by Model.load, e.g.
   * { vocabulary: vocab.toJSON(), normalizer: normalizer.toJSON() }.
   */
  metadata: Record<string, unknown> = {};
  private readonly runtime: ModelRuntime;
  private readonly streams: ModelStreams;

  constructor(options: ModelOptions) {
    const { runtime, clipNorm, clipValue } = buildModel("Model", options);
    this.runtime = runtime;
    this.layers = runtime.layers;
    this.loss = runtime.loss.name;
    this.optimizer = runtime.optimizer;
    this.clipNorm = clipNorm;
    this.clipValue = clipValue;
    this.streams = new ModelStreams(runtime);
    for (const part of [runtime.arena, runtime.optimizer, ...runtime.layers]) setOwner(part, this);
    guardDisposal(this, Model, "model");
  }

  /** The loss with every parameter's value, e.g. { name: "huber", delta: 1 } or { name: "meanSquaredError" }. */
  get lossConfig(): LossConfig {
    return lossConfigOf(this.runtime.loss);
  }

  /** The vocabulary size when the first layer reads ids (an Embedding, or a recurrent layer with tokenInput), else null. */
  get vocabSize(): number | null {
    return this.runtime.spec.vocabSize;
  }

  /** The `metrics` option the model was built with (fit's logs and evaluate report these, and accuracy for a classification loss). */
  get metrics(): readonly MetricSpec[] {
    return this.runtime.metricSpecs;
  }

  /** Whether the model takes and returns sequences batch-first ([N, T, ...]) rather than time-major ([T, N, ...]). */
  get batchFirst(): boolean {
    return this.runtime.spec.batchFirst;
  }

  /** The size of the per-sequence context the layers take (0: none). */
  get contextSize(): number {
    return this.runtime.spec.contextSize;
  }

  /** Trainable parameters in all layers. */
  get parameterCount(): number {
    return this.layers.reduce((n, l) => n + l.parameterCount, 0);
  }

  /**
   * A Keras-style summary: per layer its name in the model (its index), type, output shape
   * (time-major, free dimensions "T" steps and "N" sequences: [T, N, 64], or [N, 64] after a
   * returnSequences false layer) and parameters; the total, trainable and non-trainable parameter
   * counts (those of the parameter arena, `model.parameters`) and the bytes of wasm memory of the
   * parameters, their gradients and the optimizer's state. Returns the rows, totals and the table's
   * lines; `{ print: true }` prints them with console.log, `{ printFn }` with printFn (Keras' print_fn).
   */
  summary(options?: SummaryOptions): ModelSummary {
    return modelSummary(this.runtime, options);
  }

  /**
   * One optimizer step on one batch (x, y as in `fit`); returns the loss before the step, always
   * finite: a batch whose loss, gradient norm or step is not finite is a RangeError and leaves the
   * parameters and the optimizer state unchanged.
   */
  trainOnBatch(x: ModelInput, y: ModelTarget, options: SequenceInputs & { mask?: TensorLike } = {}): number {
    return trainOnBatch(this.runtime, this, x, y, options);
  }

  /**
   * Trains for `epochs` passes over the data in (shuffled) batches, yielding to the event loop
   * between batches, with the options' validation, verbose report and callbacks. Resolves to the
   * History: the per-epoch logs as an array, with `epoch` and `history` as tf.History.
   */
  async fit(x: ModelInput, y: ModelTarget, options: FitOptions = {}): Promise<History<EpochLogs>> {
    return await fit(this.runtime, this, this, x, y, options);
  }

  /**
   * Bytes of wasm memory a batch of T steps and B sequences takes beyond the parameters and the
   * optimizer state: a `trainOnBatch` (training, the default) or a forward alone (`training: false`)
   * of ids or floats with targets, no mask or lengths. Every layer's workspace (`layer.workspaceSize`),
   * the batch's staged and gathered x and y, the loss gradient and the step guard's copy of the
   * parameters; not the core's own scratch (its gemm packing buffer, a token table).
   */
  workspaceSize(shape: BatchShape): number {
    return callBytes(this.runtime, callOfShape(this.runtime, "Model.workspaceSize", shape));
  }

  /**
   * Makes room in wasm memory for batches of `shape` (as `workspaceSize`) before they run: grows it
   * once, by what the workspaces lack beyond the free memory at its end, and allocates every
   * missing workspace block there, so that the steps that follow do not grow it (the allocator
   * would otherwise double it block by block during the first step). `trainOnBatch`, `fit`,
   * `evaluate` and `predict` do this themselves for their data before their first batch. Returns the
   * bytes reserved: 0 when the workspaces already hold such a batch.
   */
  reserve(shape: BatchShape): number {
    return reserveFor(this.runtime, [callOfShape(this.runtime, "Model.reserve", shape)]);
  }

  /** Mean loss (and accuracy for classification losses) over a dataset, without training. */
  evaluate(x: ModelInput, y: ModelTarget, options: EvaluateOptions = {}): Evaluation {
    return evaluate(this.runtime, x, y, options);
  }

  /**
   * The last layer's output for x: [T, N, O] (or [N, O] for many-to-one). For the logit losses
   * these are logits; pass { probabilities: true } for softmax / sigmoid probabilities.
   */
  predict(x: ModelInput, options: PredictOptions = {}): Tensor {
    return predict(this.runtime, x, options);
  }

  /**
   * Streaming: advances the model by one step x [B, D] (ids [B]) or a chunk [T, B, D] (ids [T, B]),
   * starting from the state the previous call left (zeros after `resetState()` or at first).
   * Returns the last layer's output, [B, O] for one step or [T, B, O] for a chunk (probabilities
   * with { probabilities: true }). Feeding a sequence step by step gives the same outputs as the
   * whole sequence at once. Not for bidirectional layers (they need the whole sequence).
   */
  step(x: ModelInput, options: StepOptions = {}): Tensor {
    return this.streams.step(x, options);
  }

  /** Starts new streams: the next `step` begins from zero states. */
  resetState(): void {
    this.streams.reset();
  }

  /** Copies of all parameters, named "<layer index>.<PyTorch name>" as torch.nn.Sequential; { nested: true } as Layer.stateDict. */
  stateDict(): Record<string, Tensor>;
  stateDict(options: { nested: true }): Record<string, NestedArray>;
  stateDict(options?: { nested?: boolean }): Record<string, Tensor | NestedArray> {
    return modelStateDict(this.layers, options);
  }

  /**
   * Loads parameters by name: this model's own `stateDict()`, a PyTorch module's state dict read
   * with `readSafetensors` / `readTorchStateDict` (nn.Sequential names "0.weight", "1.weight_ih_l0",
   * ...), or another module's with `modules` naming its submodules ({ embed: 0, lstm: 1, fc: 2 }) and
   * `prefix` for what wraps them. Strict by default: a missing, extra or wrongly shaped tensor is an
   * error naming it, and nothing changes; { strict: false } loads what matches and reports the rest.
   */
  loadStateDict(dict: StateDictSource, options?: ModelLoadOptions): LoadResult {
    return loadModelStateDict(this.layers, dict, options);
  }

  /**
   * Copies of every layer's weights as one list, in Keras' layouts and order (what Keras'
   * `model.get_weights()` gives, and the weights `toTfjs` writes for the layers it maps, but for a
   * tokenInput layer, whose kernel [V, G·H] toTfjs writes as an Embedding): per layer, Dense kernel [I, O]
   * and bias [O]; Embedding embeddings [V, E]; a recurrent layer's cells (stacked layer by layer,
   * forward then backward direction) each kernel [D, G·H], recurrent_kernel [H, G·H] and one bias
   * [G·H] = bias_ih + bias_hh ([2, G·H], input then recurrent, for a resetAfter GRU), gates in
   * Keras order (LSTM i,f,c,o; GRU z,r,h); LSTM peepholes follow their cell's bias (PeepholeLSTMCell's
   * input/forget/output_gate_peephole_weights [H]) and a context weight comes last as a kernel
   * [C, G·H]. Jordan and MGU layers, which Keras lacks, give their PyTorch parameters in `stateDict()`
   * order. For names and PyTorch layouts, use `stateDict()`.
   */
  getWeights(): Tensor[] {
    return modelWeights(this.layers);
  }

  /**
   * Sets every weight from a list in `getWeights()`' layouts and order, as Keras'
   * `model.set_weights()`. The count, every shape and every value are checked first (a
   * TypeError/RangeError naming the index, the layer and the weight, expected vs got shape) and
   * nothing changes when any check fails. A Keras bias [G·H] goes to bias_ih with bias_hh = 0: the
   * same sums, so the model predicts bit for bit as the one the list came from.
   */
  setWeights(weights: readonly TensorLike[]): void {
    setModelWeights(this.layers, weights);
  }

  /**
   * The model as bytes: a safetensors file with every parameter under its state_dict name (PyTorch
   * reads it with safetensors.torch.load_file), the optimizer's state under "optimizer." (training
   * resumes exactly), and the layer configs, loss (with its parameters), optimizer settings,
   * metadata and a checksum in its metadata (bindings/model-file.ts). { includeOptimizer: false }
   * leaves the optimizer state out (a file to serve, a third the size with Adam; loading it gives a
   * fresh optimizer state).
   */
  save(options: { includeOptimizer?: boolean } = {}): Uint8Array {
    return saveModel(this.runtime, this, this.metadata, options);
  }

  /**
   * Rebuilds a model saved with `save()`, its optimizer with the saved settings and state (a
   * version-1 file gets a fresh optimizer state). A corrupt file (checksum) or one whose tensors do
   * not fit its layers is an error.
   */
  static load(bytes: Uint8Array): Model {
    return loadModel(bytes, (options) => new Model(options));
  }

  /**
   * The model a PyTorch module's state dict describes (readTorchStateDict / readSafetensors, or a
   * dict): one layer per submodule, read off the names and shapes (nn.Embedding first, nn.LSTM/GRU/
   * RNN with any num_layers and bidirectional, nn.Linear), loaded with its values.
   */
  static fromStateDict(dict: StateDictSource, options: FromStateDictOptions): Model {
    return modelFromStateDict(dict, options);
  }

  /**
   * A model from an ONNX file: the graphs torch.onnx.export writes for nn.Embedding / nn.LSTM /
   * nn.GRU / nn.RNN / nn.Linear modules (opsets 11-21) and those `toOnnx` writes. The recurrent
   * nodes' weights are read by position and put back in PyTorch's gate order.
   */
  static fromOnnx(bytes: Uint8Array, options?: OnnxImportOptions): Model {
    return modelFromOnnx(bytes, options);
  }

  /** A Sequential TF.js / Keras layers model (tf.io.ModelArtifacts: modelTopology, weightSpecs, weightData) as a Model. */
  static fromTfjs(artifacts: TfjsArtifactsLike, options?: FromTfjsOptions): Model {
    return modelFromTfjs(artifacts, options);
  }

  /** The parameter arena (one block of parameters, one of gradients), for custom loops. */
  get parameters(): ParameterArena {
    return this.runtime.arena;
  }

  /**
   * Frees every wasm block of the model, its layers and its optimizer; afterwards every method and
   * accessor of the model and of its parts throws. A second dispose does nothing.
   */
  dispose(): void {
    if (isDisposed(this)) return;
    markDisposed(this);
    for (const l of this.layers) l.dispose();
    this.optimizer.dispose();
    this.runtime.arena.dispose();
    this.runtime.ws.free();
    this.runtime.slices.dispose();
  }
}
