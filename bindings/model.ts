// A model: layers composed with a loss and an optimizer, all parameters in one wasm arena.
import { checkEpochOptions, runEpochs, type EpochOptions } from "./epochs.js";
import { core, copyOut } from "./core.js";
import { Workspace } from "./buffer.js";
import { ParameterArena } from "./arena.js";
import { Layer, type SequencePointers } from "./layers/layer.js";
import { RecurrentLayer } from "./layers/recurrent.js";
import { Embedding } from "./layers/embedding.js";
import { lossOnPointers, LOSS_NAMES, type LossName } from "./losses.js";
import { Adam, checkOptimizer, type Optimizer } from "./optimizers.js";
import { encodeModelFile, decodeModelFile, restoreModelFile, optimizerOfFile, layersOfFile } from "./model-file.js";
import { labelErrors } from "./errors.js";
import { SEQ2SEQ_FORMAT } from "./model-file-schema.js";
import { checkNotDisposed, guardDisposal, isDisposed, isOwned, markDisposed, setOwner } from "./disposal.js";
import { guardedBatch, checkEvaluatedLoss, type GuardedBatch } from "./step-guard.js";
import { StagedDataset, type Batch, type DataSpec } from "./dataset.js";
import { toTensor, toIntTensor, type NestedArray, type Tensor, type TensorLike, type IntTensorLike } from "./tensor.js";
import { ACTIVATION_CODES } from "./kernels/activations.js";
import { checkOptionKeys, checkInt, checkPositive, checkInEffect, checkChoice, checkBoolean, describe } from "./validate.js";
import { checkModelBatch, checkLayerChain, checkLossFits, checkModelParameters } from "./layer-chain.js";
import { modelFromStateDict, type FromStateDictOptions } from "./formats/torch-model.js";
import { modelFromTfjs } from "./formats/tfjs-import.js";
import { modelFromOnnx, type OnnxImportOptions } from "./formats/onnx-import.js";
import type { TfjsArtifactsLike, FromTfjsOptions } from "./formats/tfjs-types.js";
import { checkLoadOptions, finishLoad, keysUnderPrefix, stateDictTensors, type LoadResult, type ModelLoadOptions, type StateDictSource } from "./state-dict.js";

/** Options of `new Model(...)`. */
export interface ModelOptions {
  /** Layers applied in order; sizes must chain (each inputSize equals the previous outputSize). */
  layers: Layer[];
  /** Loss on the last layer's output: logits for softmaxCrossEntropy and binaryCrossEntropyWithLogits. */
  loss: LossName;
  /** Default: new Adam(). */
  optimizer?: Optimizer;
  /** Clip the global L2 norm of all gradients to this before each step (torch clip_grad_norm_). */
  clipNorm?: number;
  /** Clip every gradient to [-clipValue, clipValue] before each step. */
  clipValue?: number;
}

/** Inputs of a model: ids [T, N] when the first layer reads ids (Embedding, or tokenInput), else floats [T, N, D]. */
export type ModelInput = TensorLike | IntTensorLike;
/** Targets: class ids [T, N] ([N] for many-to-one) for softmaxCrossEntropy, else floats [T, N, O] ([N, O]). */
export type ModelTarget = TensorLike | IntTensorLike;

/** Per-epoch numbers reported by `fit`. */
export interface EpochLogs {
  epoch: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
}

/** Per-sequence inputs beside x, for fit, evaluate and predict. */
export interface SequenceInputs {
  /** Length of each sequence, [N] ints in [1, T]: padded steps give zero outputs, keep the state and are left out of the loss. */
  lengths?: IntTensorLike;
  /** Context vectors [N, contextSize] for models whose layers were built with contextSize. */
  context?: TensorLike;
}

/** Options of `Model.fit`: the shared epoch options (epochs, batchSize, shuffle, seed, onBatchEnd, onEpochEnd, signal) and these. */
export interface FitOptions extends SequenceInputs, EpochOptions<EpochLogs> {
  /** Per-target weights in [0, 1] with the targets' leading shape ([T, N] or [N]): 0 ignores a padded step. */
  mask?: TensorLike;
  validationData?: { x: ModelInput; y: ModelTarget; mask?: TensorLike; lengths?: IntTensorLike; context?: TensorLike };
  /** Truncated BPTT: process each batch in chunks of k steps, carrying the state and cutting the gradient. */
  truncatedBptt?: number;
}

/** Options of `Model.evaluate`. */
export interface EvaluateOptions extends SequenceInputs {
  batchSize?: number;
  mask?: TensorLike;
}

/** Options of `Model.predict`. */
export interface PredictOptions extends SequenceInputs {
  batchSize?: number;
  /** Softmax (softmaxCrossEntropy) or sigmoid (binaryCrossEntropyWithLogits) of the logits. */
  probabilities?: boolean;
}

/** Loss and accuracy (classification losses only) over a dataset. */
export interface Evaluation {
  loss: number;
  accuracy?: number;
}

const MODEL_KEYS = ["layers", "loss", "optimizer", "clipNorm", "clipValue"] as const;
const FIT_KEYS = ["epochs", "batchSize", "shuffle", "seed", "mask", "lengths", "context", "validationData", "truncatedBptt", "onBatchEnd", "onEpochEnd", "signal"] as const;

/** Loss of a training step and the counts behind its accuracy. */
interface StepScore {
  loss: number;
  correct: number;
  weight: number;
}

/** The context size the model's layers share (0 when none takes a context). */
function contextSizeOf(where: string, layers: readonly Layer[]): number {
  const sizes = new Set(layers.filter((l): l is RecurrentLayer => l instanceof RecurrentLayer && l.contextSize > 0).map((l) => l.contextSize));
  if (sizes.size > 1) throw new RangeError(`${where}: layers built with different contextSize values (${[...sizes].join(", ")}) cannot share one context`);
  return sizes.size === 1 ? [...sizes][0]! : 0;
}

/**
 * Binds `optimizer` to a model's fresh `arena`, allocating its state beside the parameters before
 * any workspace; frees the arena and rethrows when the optimizer already belongs to another model.
 */
export function bindOptimizer(optimizer: Optimizer, arena: ParameterArena): void {
  try {
    optimizer.bind(arena);
  } catch (e) {
    arena.dispose();
    throw e;
  }
}

/** The submodule name of each layer: `modules`' names, "<index>" for the others. */
function moduleNames(where: string, modules: Record<string, number> | undefined, count: number): string[] {
  const names = Array.from({ length: count }, (_, i) => `${i}`);
  if (modules === undefined) return names;
  if (modules === null || typeof modules !== "object" || Array.isArray(modules)) throw new TypeError(`${where}: modules must be an object of submodule name -> layer index; got ${describe(modules)}`);
  const seen = new Set<number>();
  for (const [name, index] of Object.entries(modules)) {
    if (name.startsWith(".") || name.endsWith(".")) throw new RangeError(`${where}: modules: "${name}" is not a submodule name`);
    if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`${where}: modules["${name}"] must be a layer index in [0, ${count - 1}]; got ${describe(index)}`);
    if (seen.has(index)) throw new RangeError(`${where}: modules names layer ${index} twice`);
    seen.add(index);
    names[index] = name;
  }
  return names;
}

/** How a layer's keys start: the prefix and its submodule name ("" for the root module). */
function keyPrefixOf(prefix: string, name: string): string {
  return name === "" ? prefix : `${prefix}${name}.`;
}

/**
 * The layer a key belongs to and the parameter name within it: the layer whose submodule name is
 * the longest dotted prefix of `key` ("" names the root module: keys without a submodule, as a bare
 * nn.LSTM's state dict has), or null.
 */
function layerOfKey(names: readonly string[], key: string): { layer: number; name: string } | null {
  let best = -1;
  names.forEach((name, i) => {
    const inside = name === "" ? !key.includes(".") : key.startsWith(`${name}.`);
    if (inside && (best < 0 || name.length > names[best]!.length)) best = i;
  });
  if (best < 0) return null;
  return { layer: best, name: names[best] === "" ? key : key.slice(names[best]!.length + 1) };
}

/** Whether a layer reads token ids rather than floats: an Embedding, or a recurrent layer built with tokenInput. */
function takesIds(layer: Layer): boolean {
  return layer instanceof Embedding || (layer instanceof RecurrentLayer && layer.tokenInput);
}

/**
 * Layers + loss + optimizer. Data is time-major: x [T, N, D] (or ids [T, N]), targets per step
 * [T, N] / [T, N, O], or per sequence [N] / [N, O] when a recurrent layer has returnSequences false.
 */
export class Model {
  readonly layers: readonly Layer[];
  readonly loss: LossName;
  readonly optimizer: Optimizer;
  clipNorm: number | null;
  clipValue: number | null;
  /**
   * JSON data written by save() and restored by Model.load, e.g.
   * { vocabulary: vocab.toJSON(), normalizer: normalizer.toJSON() }.
   */
  metadata: Record<string, unknown> = {};
  private readonly arena: ParameterArena;
  private readonly spec: DataSpec;
  private readonly ws = new Workspace();
  /** Streaming: the batch size and, per recurrent layer, its carried state blocks. */
  private stream: { B: number; states: Map<RecurrentLayer, number[]> } | null = null;

  constructor(options: ModelOptions) {
    const where = "Model";
    checkOptionKeys(where, options, MODEL_KEYS);
    if (options === undefined || !Array.isArray(options.layers) || options.layers.length === 0) {
      throw new TypeError(`${where}: layers must be a non-empty array of layers; got ${describe(options?.layers)}`);
    }
    const layers = options.layers;
    layers.forEach((layer, i) => {
      if (!(layer instanceof Layer)) throw new TypeError(`${where}: layers[${i}] must be a layer; got ${describe(layer)}`);
      if (isDisposed(layer)) throw new Error(`${where}: layers[${i}] has been disposed`);
      if (isOwned(layer)) throw new RangeError(`${where}: layers[${i}] already belongs to a model; build a new ${layer.constructor.name}`);
      if (i > 0 && takesIds(layer)) throw new RangeError(`${where}: layers[${i}]: ${layer instanceof Embedding ? "an Embedding" : "a layer built with tokenInput"} can only be the first layer`);
    });
    if (new Set(layers).size !== layers.length) throw new RangeError(`${where}: the same layer appears twice in layers`);
    checkLayerChain(where, layers);
    this.loss = checkChoice(where, "loss", options.loss, LOSS_NAMES);
    checkLossFits(where, this.loss, layers);
    this.clipNorm = options.clipNorm === undefined ? null : checkPositive(where, "clipNorm", options.clipNorm, "0 would zero every gradient");
    this.clipValue = options.clipValue === undefined ? null : checkPositive(where, "clipValue", options.clipValue, "0 would zero every gradient");
    this.optimizer = options.optimizer === undefined ? new Adam() : checkOptimizer(where, "optimizer", options.optimizer);
    const first = layers[0]!;
    this.spec = {
      vocabSize: takesIds(first) ? first.inputSize : null,
      inputSize: first.inputSize,
      outputSize: layers[layers.length - 1]!.outputSize,
      loss: this.loss,
      sequenceOutput: layers.every((l) => !(l instanceof RecurrentLayer) || l.returnSequences),
      contextSize: contextSizeOf(where, layers),
    };
    checkModelParameters(where, layers);
    this.arena = new ParameterArena(layers.flatMap((l, i) => l.paramSpecs().map((s) => ({ name: `${i}.${s.name}`, shape: s.shape }))));
    bindOptimizer(this.optimizer, this.arena);
    layers.forEach((l, i) => l.adopt(this.arena, `${i}.`));
    this.layers = [...layers];
    for (const part of [this.arena, this.optimizer, ...layers]) setOwner(part, this);
    guardDisposal(this, Model, "model");
  }

  /** The vocabulary size when the first layer reads ids (an Embedding, or a recurrent layer with tokenInput), else null. */
  get vocabSize(): number | null {
    return this.spec.vocabSize;
  }

  /** The size of the per-sequence context the layers take (0: none). */
  get contextSize(): number {
    return this.spec.contextSize;
  }

  /** Trainable parameters in all layers. */
  get parameterCount(): number {
    return this.layers.reduce((n, l) => n + l.parameterCount, 0);
  }


  private forwardPointers(input: SequencePointers): SequencePointers {
    let p = input;
    for (const layer of this.layers) p = layer.forwardPointers(p);
    return p;
  }

  /** Forward, loss, BPTT and one guarded optimizer step for one (chunk of a) batch; `chunk` names the chunk for the guard. */
  private trainStep(batch: Batch, carry: boolean, guarded: GuardedBatch, chunk: string): StepScore {
    for (const layer of this.layers) if (layer instanceof RecurrentLayer && carry) layer.carryState();
    const out = this.forwardPointers({ x: batch.x, T: batch.T, B: batch.B, lengths: batch.lengths, context: batch.context, training: true });
    const M = out.T * out.B;
    const N = this.spec.outputSize;
    const grad = this.ws.ptr("dOut", M * N);
    this.arena.zeroGrad();
    const loss = lossOnPointers(this.loss, out.x, batch.y, batch.mask, M, N, "mean", grad);
    const score = { loss, correct: this.countCorrect(out.x, batch, M), weight: core().maskWeight(batch.mask, M) };
    let d = grad;
    for (let i = this.layers.length - 1; i >= 0; i--) d = this.layers[i]!.backwardPointers(d, i > 0);
    guarded.step(loss, chunk);
    return score;
  }

  /**
   * Trains on a batch (in chunks of tbptt steps) under the finite-step guard: either every chunk's
   * step is finite and applied, or none is (a RangeError naming `where` and `at`). The loss is the
   * mean over chunks.
   */
  private trainBatch(data: StagedDataset, batch: Batch, tbptt: number, where: string, at: string): StepScore {
    return guardedBatch({ where, at, data: "x and y" }, this.arena, this.optimizer, { clipValue: this.clipValue, clipNorm: this.clipNorm }, (guarded) => {
      if (tbptt >= batch.T) return this.trainStep(batch, false, guarded, "");
      const total = { loss: 0, correct: 0, weight: 0 };
      const chunks = Math.ceil(batch.T / tbptt);
      for (let c = 0; c < chunks; c++) {
        const t0 = c * tbptt;
        const chunk = data.chunk(batch, t0, Math.min(tbptt, batch.T - t0), this.ws.ptr("chunkLengths", batch.B));
        const s = this.trainStep(chunk, c > 0, guarded, `truncatedBptt chunk ${c + 1} of ${chunks}`);
        total.loss += s.loss;
        total.correct += s.correct;
        total.weight += s.weight;
      }
      total.loss /= chunks;
      return total;
    });
  }

  /** Correct predictions weighted by the mask (0 for meanSquaredError). */
  private countCorrect(out: number, batch: Batch, M: number): number {
    const N = this.spec.outputSize;
    if (this.loss === "softmaxCrossEntropy") return core().countCorrectClasses(out, batch.y, batch.mask, M, N);
    if (this.loss === "binaryCrossEntropyWithLogits") return core().countCorrectBinary(out, batch.y, batch.mask, M, N);
    return 0;
  }

  /** Accuracy from summed counts: per row for classes, per output for binary targets. */
  private accuracy(correct: number, weight: number): number | undefined {
    if (this.loss === "meanSquaredError") return undefined;
    const perRow = this.loss === "softmaxCrossEntropy" ? 1 : this.spec.outputSize;
    return weight > 0 ? correct / (weight * perRow) : 0;
  }

  /**
   * One optimizer step on one batch (x, y as in `fit`); returns the loss before the step, always
   * finite: a batch whose loss, gradient norm or step is not finite is a RangeError and leaves the
   * parameters and the optimizer state unchanged.
   */
  trainOnBatch(x: ModelInput, y: ModelTarget, options: SequenceInputs & { mask?: TensorLike } = {}): number {
    const where = "Model.trainOnBatch";
    checkOptionKeys(where, options, ["mask", "lengths", "context"]);
    const data = new StagedDataset(where, this.spec, x, { y }, options);
    try {
      checkModelBatch(where, this.layers, data.T, data.N);
      return this.trainBatch(data, data.gather(this.identityIndex(data.N), data.N, this.ws), data.T, where, "").loss;
    } finally {
      data.free();
    }
  }

  private identityIndex(N: number): number {
    const index = this.ws.ptr("index", N);
    core().fillIotaI32(index, N);
    return index;
  }

  /**
   * Trains for `epochs` passes over the data in (shuffled) batches, yielding to the event loop
   * between batches. Resolves to the per-epoch logs.
   */
  async fit(x: ModelInput, y: ModelTarget, options: FitOptions = {}): Promise<EpochLogs[]> {
    const where = "Model.fit";
    checkOptionKeys(where, options, FIT_KEYS);
    const settings = checkEpochOptions(where, options);
    if (options.truncatedBptt !== undefined && !this.spec.sequenceOutput) {
      throw new RangeError(`${where}: truncatedBptt needs an output at every step (all recurrent layers with returnSequences true)`);
    }
    const bidirectional = this.layers.find((l) => l instanceof RecurrentLayer && l.bidirectional);
    if (options.truncatedBptt !== undefined && bidirectional !== undefined) {
      throw new RangeError(`${where}: truncatedBptt carries the state from chunk to chunk, which a bidirectional ${bidirectional.constructor.name} cannot (its reverse direction needs the whole sequence)`);
    }
    const tbptt = options.truncatedBptt === undefined ? Infinity : checkInt(where, "truncatedBptt", options.truncatedBptt);
    const data = new StagedDataset(where, this.spec, x, { y }, options);
    let validation: StagedDataset | null = null;
    try {
      checkInEffect(where, "truncatedBptt", options.truncatedBptt, tbptt < data.T, `with sequences of T = ${data.T} steps (every batch would be one chunk)`);
      checkModelBatch(where, this.layers, data.T, Math.min(settings.batchSize, data.N));
      const validationData: unknown = options.validationData;
      if (validationData !== undefined) {
        // Checked and staged once, before any training: a bad validation set fails now, not after an epoch.
        if (validationData === null || typeof validationData !== "object" || Array.isArray(validationData)) {
          throw new TypeError(`${where}: validationData must be an object { x, y, mask?, lengths?, context? }; got ${describe(validationData)}`);
        }
        checkOptionKeys(`${where}: validationData`, validationData, ["x", "y", "mask", "lengths", "context"]);
        const { x: vx, y: vy, ...extras } = validationData as NonNullable<FitOptions["validationData"]>;
        validation = new StagedDataset(`${where}: validationData`, this.spec, vx, { y: vy }, extras);
      }
      let sums = { loss: 0, correct: 0, weight: 0 };
      return await runEpochs(data.N, settings, (indices, count, at) => {
        checkNotDisposed(this, where, "model"); // it may have been disposed while fit awaited
        const { loss, correct, weight } = this.trainBatch(data, data.gather(indices, count, this.ws), tbptt, where, at);
        sums.loss += loss;
        sums.correct += correct;
        sums.weight += weight;
        return loss;
      }, (epoch, batches) => {
        const logs: EpochLogs = { epoch, loss: sums.loss / batches };
        const accuracy = this.accuracy(sums.correct, sums.weight);
        if (accuracy !== undefined) logs.accuracy = accuracy;
        sums = { loss: 0, correct: 0, weight: 0 };
        if (validation !== null) {
          const val = this.evaluateStaged(validation, settings.batchSize, `${where}: validationData after epoch ${epoch}`);
          logs.valLoss = val.loss;
          if (val.accuracy !== undefined) logs.valAccuracy = val.accuracy;
        }
        return logs;
      });
    } finally {
      data.free();
      validation?.free();
    }
  }

  /** Mean loss (and accuracy for classification losses) over a dataset, without training. */
  evaluate(x: ModelInput, y: ModelTarget, options: EvaluateOptions = {}): Evaluation {
    const where = "Model.evaluate";
    checkOptionKeys(where, options, ["batchSize", "mask", "lengths", "context"]);
    const batchSize = checkInt(where, "batchSize", options.batchSize ?? 256);
    const data = new StagedDataset(where, this.spec, x, { y }, options);
    try {
      checkModelBatch(where, this.layers, data.T, Math.min(batchSize, data.N));
      return this.evaluateStaged(data, batchSize, where);
    } finally {
      data.free();
    }
  }

  /** evaluate over staged data; a loss that is not finite is a RangeError naming `where`. */
  private evaluateStaged(data: StagedDataset, batchSize: number, where: string): Evaluation {
    const N = this.spec.outputSize;
    let lossSum = 0;
    let weight = 0;
    let correct = 0;
    const index = this.identityIndex(data.N);
    for (let b0 = 0; b0 < data.N; b0 += batchSize) {
      const batch = data.gather(index + b0 * 4, Math.min(batchSize, data.N - b0), this.ws);
      const out = this.forwardPointers({ x: batch.x, T: batch.T, B: batch.B, lengths: batch.lengths, context: batch.context });
      const M = out.T * out.B;
      lossSum += lossOnPointers(this.loss, out.x, batch.y, batch.mask, M, N, "sum", 0);
      weight += core().maskWeight(batch.mask, M);
      correct += this.countCorrect(out.x, batch, M);
    }
    const perRow = this.loss === "softmaxCrossEntropy" ? 1 : N;
    const result: Evaluation = { loss: checkEvaluatedLoss(where, weight > 0 ? lossSum / (weight * perRow) : 0, "x and y") };
    const accuracy = this.accuracy(correct, weight);
    if (accuracy !== undefined) result.accuracy = accuracy;
    return result;
  }

  /**
   * The last layer's output for x: [T, N, O] (or [N, O] for many-to-one). For the logit losses
   * these are logits; pass { probabilities: true } for softmax / sigmoid probabilities.
   */
  predict(x: ModelInput, options: PredictOptions = {}): Tensor {
    const where = "Model.predict";
    checkOptionKeys(where, options, ["batchSize", "probabilities", "lengths", "context"]);
    const batchSize = checkInt(where, "batchSize", options.batchSize ?? 256);
    const probabilities = this.probabilitiesOption(where, options.probabilities);
    const { lengths, context } = options;
    const data = new StagedDataset(where, this.spec, x, null, { lengths, context });
    const O = this.spec.outputSize;
    const Tout = this.spec.sequenceOutput ? data.T : 1;
    try {
      checkModelBatch(where, this.layers, data.T, Math.min(batchSize, data.N));
      const result = new Float32Array(Tout * data.N * O);
      const index = this.identityIndex(data.N);
      for (let b0 = 0; b0 < data.N; b0 += batchSize) {
        const B = Math.min(batchSize, data.N - b0);
        const batch = data.gather(index + b0 * 4, B, this.ws);
        const out = this.forwardPointers({ x: batch.x, T: batch.T, B, lengths: batch.lengths, context: batch.context });
        if (probabilities) this.toProbabilities(out.x, out.T * B);
        const block = copyOut(out.x, out.T * B * O);
        for (let t = 0; t < Tout; t++) result.set(block.subarray(t * B * O, (t + 1) * B * O), (t * data.N + b0) * O);
      }
      return { shape: this.spec.sequenceOutput ? [data.T, data.N, O] : [data.N, O], data: result };
    } finally {
      data.free();
    }
  }

  /** The `probabilities` option, checked before anything runs: a boolean, true only for the logit losses. */
  private probabilitiesOption(where: string, value: unknown): boolean {
    const probabilities = checkBoolean(where, "probabilities", value ?? false);
    if (probabilities && this.loss === "meanSquaredError") throw new RangeError(`${where}: probabilities needs a softmaxCrossEntropy or binaryCrossEntropyWithLogits model`);
    return probabilities;
  }

  /** Softmax or sigmoid of the logits [M, O] at ptr, in place (after probabilitiesOption). */
  private toProbabilities(ptr: number, M: number): void {
    const O = this.spec.outputSize;
    if (this.loss === "softmaxCrossEntropy") core().softmaxRows(ptr, ptr, M, O);
    else core().activationForward(ACTIVATION_CODES.sigmoid, ptr, ptr, M * O);
  }

  /**
   * Streaming: advances the model by one step x [B, D] (ids [B]) or a chunk [T, B, D] (ids [T, B]),
   * starting from the state the previous call left (zeros after `resetState()` or at first).
   * Returns the last layer's output, [B, O] for one step or [T, B, O] for a chunk (probabilities
   * with { probabilities: true }). Feeding a sequence step by step gives the same outputs as the
   * whole sequence at once. Not for bidirectional layers (they need the whole sequence).
   */
  step(x: ModelInput, options: { context?: TensorLike; probabilities?: boolean } = {}): Tensor {
    const where = "Model.step";
    checkOptionKeys(where, options, ["context", "probabilities"]);
    const probabilities = this.probabilitiesOption(where, options.probabilities);
    const recurrent = this.layers.filter((l): l is RecurrentLayer => l instanceof RecurrentLayer);
    const bidirectional = recurrent.find((l) => l.bidirectional);
    if (bidirectional !== undefined) throw new RangeError(`${where}: a bidirectional ${bidirectional.constructor.name} needs the whole sequence; streaming is for unidirectional layers`);
    const ids = this.spec.vocabSize !== null;
    const t = ids ? toIntTensor(where, "x", x) : toTensor(where, "x", x);
    const single = t.shape.length === (ids ? 1 : 2); // one step [B(, D)]: a sequence of one step
    const data = new StagedDataset(where, this.spec, single ? { shape: [1, ...t.shape], data: t.data } : t, null, { context: options.context });
    try {
      const { T, N: B } = data;
      checkModelBatch(where, this.layers, T, B);
      if (this.stream !== null && this.stream.B !== B) {
        throw new RangeError(`${where}: the stream has batch size ${this.stream.B}; got ${B} (call resetState() to start new streams)`);
      }
      if (this.stream === null) {
        const states = new Map(recurrent.map((l) => [l, l.stateBlockSizes(B).map((n, i) => {
          const ptr = this.ws.ptr(`stream.${this.layers.indexOf(l)}.${i}`, n);
          core().fillF32(ptr, n, 0);
          return ptr;
        })]));
        this.stream = { B, states };
      }
      const batch = data.gather(this.identityIndex(B), B, this.ws);
      const states = this.stream.states;
      for (const [layer, blocks] of states) layer.setInitialStates(blocks, B);
      const out = this.forwardPointers({ x: batch.x, T, B, context: batch.context });
      for (const [layer, blocks] of states) layer.finalStatesInto(blocks);
      if (probabilities) this.toProbabilities(out.x, out.T * B);
      const O = this.spec.outputSize;
      const shape = single || out.T === 1 ? [B, O] : [out.T, B, O];
      return { shape, data: copyOut(out.x, out.T * B * O) };
    } finally {
      data.free();
    }
  }

  /** Starts new streams: the next `step` begins from zero states. */
  resetState(): void {
    this.stream = null;
  }

  /** Copies of all parameters, named "<layer index>.<PyTorch name>" as torch.nn.Sequential; { nested: true } as Layer.stateDict. */
  stateDict(): Record<string, Tensor>;
  stateDict(options: { nested: true }): Record<string, NestedArray>;
  stateDict(options?: { nested?: boolean }): Record<string, Tensor | NestedArray> {
    checkOptionKeys("Model.stateDict", options, ["nested"]);
    const nested = checkBoolean("Model.stateDict", "nested", options?.nested ?? false);
    const out: Record<string, Tensor | NestedArray> = {};
    this.layers.forEach((l, i) => {
      const dict = nested ? l.stateDict({ nested: true }) : l.stateDict();
      for (const [name, t] of Object.entries(dict)) out[`${i}.${name}`] = t;
    });
    return out;
  }

  /**
   * Loads parameters by name: this model's own `stateDict()`, a PyTorch module's state dict read
   * with `readSafetensors` / `readTorchStateDict` (nn.Sequential names "0.weight", "1.weight_ih_l0",
   * ...), or another module's with `modules` naming its submodules ({ embed: 0, lstm: 1, fc: 2 }) and
   * `prefix` for what wraps them. Strict by default: a missing, extra or wrongly shaped tensor is an
   * error naming it, and nothing changes; { strict: false } loads what matches and reports the rest.
   */
  loadStateDict(dict: StateDictSource, options?: ModelLoadOptions): LoadResult {
    const where = "Model.loadStateDict";
    const { prefix, strict } = checkLoadOptions(where, options, ["prefix", "strict", "modules"]);
    const names = moduleNames(where, options?.modules, this.layers.length);
    const tensors = stateDictTensors(where, dict);
    const result: LoadResult = { missingKeys: [], unexpectedKeys: [] };
    const perLayer = this.layers.map(() => new Map<string, string>());
    for (const [key, original] of keysUnderPrefix(tensors, prefix, result.unexpectedKeys)) {
      const found = layerOfKey(names, key);
      if (found === null) result.unexpectedKeys.push(original);
      else perLayer[found.layer]!.set(found.name, original);
    }
    const values = this.layers.map((l, i) => l.matchStateDict(where, tensors, perLayer[i]!, keyPrefixOf(prefix, names[i]!), strict, result));
    finishLoad(where, strict, result, () => this.layers.flatMap((l, i) => l.paramSpecs().map((s) => keyPrefixOf(prefix, names[i]!) + s.name)));
    this.layers.forEach((l, i) => l.writeParams(values[i]!));
    return result;
  }

  /**
   * The model as bytes: a safetensors file with every parameter under its state_dict name (PyTorch
   * reads it with safetensors.torch.load_file), the optimizer's state under "optimizer." (training
   * resumes exactly), and the layer configs, loss, optimizer settings, metadata and a checksum in
   * its metadata (bindings/model-file.ts). { includeOptimizer: false } leaves the optimizer state out
   * (a file to serve, a third the size with Adam; loading it gives a fresh optimizer state).
   */
  save(options: { includeOptimizer?: boolean } = {}): Uint8Array {
    checkOptionKeys("Model.save", options, ["includeOptimizer"]);
    const includeOptimizer = checkBoolean("Model.save", "includeOptimizer", options.includeOptimizer ?? true);
    if (this.metadata === null || typeof this.metadata !== "object" || Array.isArray(this.metadata)) {
      throw new TypeError(`Model.save: metadata must be a plain object; got ${describe(this.metadata)}`);
    }
    try {
      JSON.stringify(this.metadata);
    } catch (e) {
      throw new RangeError(`Model.save: metadata must be JSON-serialisable; ${(e as Error).message}`);
    }
    return encodeModelFile({
      metadata: this.metadata,
      layers: this.layers.map((l) => l.config()),
      loss: this.loss,
      optimizer: this.optimizer.config,
      clipNorm: this.clipNorm,
      clipValue: this.clipValue,
    }, this.arena, this.optimizer, includeOptimizer);
  }

  /**
   * Rebuilds a model saved with `save()`, its optimizer with the saved settings and state (a
   * version-1 file gets a fresh optimizer state). A corrupt file (checksum) or one whose tensors do
   * not fit its layers is an error.
   */
  static load(bytes: Uint8Array): Model {
    const where = "Model.load";
    const file = decodeModelFile(bytes, where);
    const { header } = file;
    if (header.metadata.format === SEQ2SEQ_FORMAT) throw new RangeError(`${where}: the bytes hold a Seq2Seq model (load it with Seq2Seq.load)`);
    const optimizer = optimizerOfFile(where, file);
    const layers = layersOfFile(where, file);
    const options: ModelOptions = { layers, loss: header.loss, optimizer };
    if (header.clipNorm !== null) options.clipNorm = header.clipNorm;
    if (header.clipValue !== null) options.clipValue = header.clipValue;
    let model: Model;
    try {
      model = labelErrors(where, () => new Model(options), { path: file.paths.model, keys: MODEL_KEYS });
    } catch (e) {
      for (const layer of layers) layer.dispose();
      throw e;
    }
    try {
      restoreModelFile(where, file, model.arena, model.optimizer);
    } catch (e) {
      model.dispose();
      throw e;
    }
    model.metadata = header.metadata;
    return model;
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
    return this.arena;
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
    this.arena.dispose();
    this.ws.free();
  }
}
