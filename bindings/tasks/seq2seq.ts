// Encoder-decoder sequence-to-sequence model (Sutskever et al. 2014; Cho et al. 2014): a source
// Embedding and a recurrent encoder whose final state initialises a recurrent decoder over the
// target Embedding, with a Dense head giving the next token's logits. Trained with teacher forcing,
// decoded greedily or by beam search, one decoder step (T = 1) at a time with explicit states.
import { ParameterArena, type ParameterSpec } from "../arena.js";
import type { Layer } from "../layers/layer.js";
import { torchRecurrentParams, type RecurrentLayer, type RecurrentState } from "../layers/recurrent.js";
import { checkLayerCount, checkParameterBlock } from "../sizes.js";
import { LSTM } from "../layers/lstm.js";
import { GRU } from "../layers/gru.js";
import { Embedding } from "../layers/embedding.js";
import { Dense } from "../layers/dense.js";
import { softmaxCrossEntropy } from "../losses.js";
import { bindOptimizer } from "../model.js";
import { checkEpochOptions, runEpochs, type EpochOptions } from "../epochs.js";
import { Adam, checkOptimizer, type Optimizer } from "../optimizers.js";
import { guardedBatch, checkEvaluatedLoss, type GuardedBatch } from "../step-guard.js";
import { encodeModelFile, decodeModelFile, restoreModelFile, optimizerOfFile, type ModelFile } from "../model-file.js";
import { labelErrors } from "../errors.js";
import { checkNotDisposed, guardDisposal, isDisposed, markDisposed, setOwner } from "../disposal.js";
import { integer, jsonObject, literal, nullable, number, object, oneOf, type Schema } from "../schema.js";
import { SEQ2SEQ_FORMAT } from "../model-file-schema.js";
import { i32View } from "../core.js";
import { toIntTensor, expectShape, type Tensor, type IntTensor, type IntTensorLike } from "../tensor.js";
import { checkOptionKeys, checkInt, checkNumber, checkPositive, checkChoice, describe, shapeString } from "../validate.js";

/** The recurrent cell of the encoder and the decoder. */
export type Seq2SeqCell = "lstm" | "gru";

/** Options of `new Seq2Seq(...)`. */
export interface Seq2SeqOptions {
  /** Source ids lie in [0, sourceVocabSize). */
  sourceVocabSize: number;
  /** Target ids lie in [0, targetVocabSize); the Dense head has this many logits. */
  targetVocabSize: number;
  /** Hidden units H of the encoder and of the decoder. */
  units: number;
  /** Size of the source and target embeddings (default: units). */
  embeddingSize?: number;
  /** "lstm" (default; the state { h, c } is handed over) or "gru" ({ h }). */
  cell?: Seq2SeqCell;
  /** Stacked layers of the encoder and of the decoder (default 1, at most 64); layer l of the encoder initialises layer l of the decoder. */
  numLayers?: number;
  /** Steps every parameter (default: new Adam()); the model owns it and disposes it. */
  optimizer?: Optimizer;
  /** Clip the global L2 norm of all gradients (encoder, decoder, embeddings, head) before each step (default: no clipping). */
  clipNorm?: number;
  /** Start-of-sequence id: the first target step and the first decoder input when decoding (default 3, Vocabulary.BOS_ID). */
  bosId?: number;
  /** End-of-sequence id: ends a hypothesis when decoding (default 2, Vocabulary.EOS_ID). */
  eosId?: number;
  /** Initialisation seed: the five layers take seed, seed + 1, ..., seed + 4 (default 0). */
  seed?: number;
}

/** Options of `Seq2Seq.fit`: the shared epoch options; each batch is cut to its longest source and target. */
export type Seq2SeqFitOptions = EpochOptions<Seq2SeqEpochLogs>;

/** Per-epoch numbers reported by `fit`. */
export interface Seq2SeqEpochLogs {
  epoch: number;
  /** Mean cross-entropy per target token (teacher forcing). */
  loss: number;
  /** Share of target tokens (EOS included) whose argmax logit is right, with teacher forcing. */
  accuracy: number;
}

/** Options of `greedyDecode`. */
export interface GreedyDecodeOptions {
  /** Real steps of each source, [N] ints in [1, S] (default: all S). */
  sourceLengths?: LengthsLike;
  /** Most tokens generated per sequence, EOS not counted (default 100). */
  maxLength?: number;
}

/** Options of `beamSearch`. */
export interface BeamSearchOptions extends GreedyDecodeOptions {
  /** Hypotheses kept per source (default 4, or targetVocabSize if smaller), at most targetVocabSize; 1 gives the greedy decode. */
  beamWidth?: number;
  /** α in score = logProb / length^α, length counting EOS (default 1, as fairseq and Hugging Face; 0: raw log-probability). */
  lengthPenalty?: number;
}

/** One finished hypothesis of `beamSearch`. */
export interface BeamHypothesis {
  /** Target ids, without BOS and EOS. */
  tokens: number[];
  /** logProb / length^lengthPenalty: hypotheses are sorted by it, best first. */
  score: number;
  /** Σ log p of the tokens (and of the EOS that ended the hypothesis, if it did). */
  logProb: number;
}

/** Sequence lengths: an array, an Int32Array (as padSequences gives) or an [N] int tensor. */
export type LengthsLike = readonly number[] | Int32Array | IntTensorLike;

const OPTION_KEYS = ["sourceVocabSize", "targetVocabSize", "units", "embeddingSize", "cell", "numLayers", "optimizer", "clipNorm", "bosId", "eosId", "seed"] as const;
const FIT_KEYS = ["epochs", "batchSize", "shuffle", "seed", "onBatchEnd", "onEpochEnd", "signal"] as const;
const CELLS = ["lstm", "gru"] as const;
const DEFAULT_MAX_LENGTH = 100;

/** The options save() stores: everything but the optimizer (saved as its config). */
type SavedOptions = Required<Omit<Seq2SeqOptions, "optimizer" | "clipNorm">> & { clipNorm: number | null };

/** The model's metadata entry of a Seq2Seq file: the format tag and version, the options, the user's metadata. */
const SAVED_MODEL = object({
  format: literal(SEQ2SEQ_FORMAT),
  version: literal(1),
  options: object({
    sourceVocabSize: integer(0), targetVocabSize: integer(0), units: integer(0), embeddingSize: integer(0), cell: oneOf(CELLS),
    numLayers: integer(0), clipNorm: nullable(number), bosId: integer(0), eosId: integer(0), seed: integer(0),
  } satisfies Record<keyof SavedOptions, Schema<unknown>>),
  metadata: jsonObject,
});

/** A validated, time-major batch: source [S, N] and target [U, N] ids with their lengths. */
interface Batch {
  S: number;
  U: number;
  N: number;
  source: Int32Array;
  sourceLengths: Int32Array;
  target: Int32Array;
  targetLengths: Int32Array;
}

/** Loss (mean per target token) and the counts behind the token accuracy. */
interface Score {
  loss: number;
  correct: number;
  tokens: number;
}

/** A live beam-search hypothesis: its tokens so far and their log-probability. */
interface Live {
  tokens: number[];
  logProb: number;
}

/** Index of the largest of row[0..V) (the first one on ties). */
function argmax(row: Float32Array): number {
  let best = 0;
  for (let v = 1; v < row.length; v++) if (row[v]! > row[best]!) best = v;
  return best;
}

/** log softmax of a row of logits, in float64. */
function logSoftmax(row: Float32Array): Float64Array {
  let max = -Infinity;
  for (let v = 0; v < row.length; v++) max = Math.max(max, row[v]!);
  let sum = 0;
  for (let v = 0; v < row.length; v++) sum += Math.exp(row[v]! - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(row.length);
  for (let v = 0; v < row.length; v++) out[v] = row[v]! - lse;
  return out;
}

/** Rows `rows` of every [L, B, H] state tensor, in that order: the states of the chosen parents. */
function gatherStates(state: RecurrentState, rows: readonly number[]): RecurrentState {
  const out: RecurrentState = {};
  for (const [name, t] of Object.entries(state)) {
    const [L, B, H] = t.shape as [number, number, number];
    const data = new Float32Array(L * rows.length * H);
    for (let l = 0; l < L; l++) {
      rows.forEach((r, i) => data.set(t.data.subarray((l * B + r) * H, (l * B + r + 1) * H), (l * rows.length + i) * H));
    }
    out[name] = { shape: [L, rows.length, H], data };
  }
  return out;
}

/** Columns `index` of a time-major [T, N] id matrix, cut to its first Tb steps. */
function columns(data: Int32Array, N: number, index: Int32Array, Tb: number): Int32Array {
  const out = new Int32Array(Tb * index.length);
  for (let t = 0; t < Tb; t++) for (let k = 0; k < index.length; k++) out[t * index.length + k] = data[t * N + index[k]!]!;
  return out;
}

function maxOf(a: Int32Array): number {
  return a.reduce((m, v) => Math.max(m, v), 0);
}

/** The first NaN or ±Infinity in the tensors' data, or null when every value is finite. */
function firstNonFinite(tensors: readonly Tensor[]): number | null {
  for (const t of tensors) {
    const bad = t.data.find((v) => !Number.isFinite(v));
    if (bad !== undefined) return bad;
  }
  return null;
}

/**
 * Encoder-decoder model over token ids, time-major as the rest of the library: sources [S, N],
 * targets [U, N] framed as BOS y1 … yk EOS with PAD after. All parameters live in one
 * ParameterArena (`parameters`), named "sourceEmbedding.weight", "encoder.weight_ih_l0",
 * "targetEmbedding.weight", "decoder.weight_hh_l1", "output.bias", …, so one optimizer step and
 * one clipping pass cover everything.
 */
export class Seq2Seq {
  readonly sourceVocabSize: number;
  readonly targetVocabSize: number;
  readonly units: number;
  readonly embeddingSize: number;
  readonly cell: Seq2SeqCell;
  readonly numLayers: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly seed: number;
  /** Global-norm clipping before each step (null: none); may be changed between steps. */
  clipNorm: number | null;
  readonly optimizer: Optimizer;
  /** The layers, usable on their own in custom loops (their parameters are in `parameters`). */
  readonly sourceEmbedding: Embedding;
  readonly encoder: RecurrentLayer;
  readonly targetEmbedding: Embedding;
  readonly decoder: RecurrentLayer;
  readonly output: Dense;
  /** JSON data saved with the model (e.g. { source: vocab.toJSON(), target: vocab.toJSON() }). */
  metadata: Record<string, unknown> = {};
  private readonly arena: ParameterArena;
  private readonly parts: readonly (readonly [string, Layer])[];

  constructor(options: Seq2SeqOptions) {
    const where = "Seq2Seq";
    checkOptionKeys(where, options, OPTION_KEYS);
    if (options === undefined) throw new TypeError(`${where}: options { sourceVocabSize, targetVocabSize, units } are required`);
    this.sourceVocabSize = checkInt(where, "sourceVocabSize", options.sourceVocabSize);
    this.targetVocabSize = checkInt(where, "targetVocabSize", options.targetVocabSize, 2);
    this.units = checkInt(where, "units", options.units);
    this.embeddingSize = checkInt(where, "embeddingSize", options.embeddingSize ?? this.units);
    this.cell = checkChoice(where, "cell", options.cell ?? "lstm", CELLS);
    this.numLayers = checkLayerCount(where, "numLayers", options.numLayers ?? 1);
    this.clipNorm = options.clipNorm === undefined ? null : checkPositive(where, "clipNorm", options.clipNorm, "0 would zero every gradient");
    this.bosId = this.checkTargetId(where, "bosId", options.bosId ?? 3);
    this.eosId = this.checkTargetId(where, "eosId", options.eosId ?? 2);
    if (this.bosId === this.eosId) throw new RangeError(`${where}: bosId and eosId must differ; both are ${this.bosId}`);
    this.seed = checkInt(where, "seed", options.seed ?? 0, 0);
    if (this.seed > 0xffffffff - 4) throw new RangeError(`${where}: seed must be <= ${0xffffffff - 4}; got ${this.seed}`);
    const optimizer = options.optimizer === undefined ? undefined : checkOptimizer(where, "optimizer", options.optimizer);
    this.checkParameterSizes(where);
    const E = this.embeddingSize;
    const H = this.units;
    const recurrent = (inputSize: number, seed: number): RecurrentLayer => {
      const o = { inputSize, units: H, numLayers: this.numLayers, seed };
      return this.cell === "lstm" ? new LSTM(o) : new GRU(o);
    };
    this.sourceEmbedding = new Embedding({ inputSize: this.sourceVocabSize, units: E, seed: this.seed });
    this.encoder = recurrent(E, this.seed + 1);
    this.targetEmbedding = new Embedding({ inputSize: this.targetVocabSize, units: E, seed: this.seed + 2 });
    this.decoder = recurrent(E, this.seed + 3);
    this.output = new Dense({ inputSize: H, units: this.targetVocabSize, seed: this.seed + 4 });
    this.parts = [
      ["sourceEmbedding", this.sourceEmbedding], ["encoder", this.encoder], ["targetEmbedding", this.targetEmbedding],
      ["decoder", this.decoder], ["output", this.output],
    ];
    // One arena for all five layers: each layer copies its freshly initialised parameters in.
    this.arena = new ParameterArena(this.parts.flatMap(([prefix, layer]) => layer.paramSpecs().map((s) => ({ name: `${prefix}.${s.name}`, shape: s.shape }))));
    this.optimizer = optimizer ?? new Adam();
    bindOptimizer(this.optimizer, this.arena);
    for (const [prefix, layer] of this.parts) layer.adopt(this.arena, `${prefix}.`);
    for (const part of [this.arena, this.optimizer, ...this.parts.map(([, layer]) => layer)]) setOwner(part, this);
    guardDisposal(this, Seq2Seq, "model");
  }

  /** Checks, before any layer is built, that the five layers' parameters fit the model's one block of wasm memory. */
  private checkParameterSizes(where: string): void {
    const { sourceVocabSize: Vs, targetVocabSize: Vt, embeddingSize: E, units: H, numLayers } = this;
    const gates = this.cell === "lstm" ? 4 : 3;
    const recurrent = (part: string): ParameterSpec[] => Array.from({ length: numLayers }, (_, l) => torchRecurrentParams(gates, H, l === 0 ? E : H, `_l${l}`))
      .flat().map((s) => ({ name: `${part}.${s.name}`, shape: s.shape }));
    checkParameterBlock(where, `sourceVocabSize ${Vs}, targetVocabSize ${Vt}, units ${H}, embeddingSize ${E}, numLayers ${numLayers}`, [
      { name: "sourceEmbedding.weight", shape: [Vs, E] }, ...recurrent("encoder"),
      { name: "targetEmbedding.weight", shape: [Vt, E] }, ...recurrent("decoder"),
      { name: "output.weight", shape: [Vt, H] }, { name: "output.bias", shape: [Vt] },
    ]);
  }

  private checkTargetId(where: string, name: string, value: unknown): number {
    const id = checkInt(where, name, value, 0);
    if (id >= this.targetVocabSize) throw new RangeError(`${where}: ${name} must be a target id in [0, ${this.targetVocabSize}); got ${id}`);
    return id;
  }

  /** The parameter arena (one block of parameters, one of gradients), for custom loops and clipping. */
  get parameters(): ParameterArena {
    return this.arena;
  }

  /** Trainable parameters in all layers. */
  get parameterCount(): number {
    return this.parts.reduce((n, [, l]) => n + l.parameterCount, 0);
  }

  /** Copies of all parameters, named "<part>.<PyTorch name>" ("encoder.weight_ih_l0", "output.weight", ...). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [prefix, layer] of this.parts) for (const [name, t] of Object.entries(layer.stateDict())) out[`${prefix}.${name}`] = t;
    return out;
  }


  // ---- validation -------------------------------------------------------------------------

  /** Ids [T, N] (T >= minSteps) with every id in [0, vocab). */
  private ids(where: string, name: string, value: unknown, vocab: number, minSteps: number): IntTensor {
    const t = toIntTensor(where, name, value);
    if (t.shape.length !== 2) throw new RangeError(`${where}: ${name} must be time-major ids [T, N]; got shape ${shapeString(t.shape)}`);
    const [T, N] = t.shape as [number, number];
    if (T < minSteps || N === 0) throw new RangeError(`${where}: ${name} must hold at least ${minSteps} step${minSteps > 1 ? "s" : ""} and one sequence; got shape ${shapeString(t.shape)}`);
    const bad = t.data.findIndex((id) => id < 0 || id >= vocab);
    if (bad >= 0) throw new RangeError(`${where}: ${name} must hold ids in [0, ${vocab}); got ${t.data[bad]} at flat index ${bad} (step ${Math.floor(bad / N)}, sequence ${bad % N})`);
    return t;
  }

  /** Lengths [N], each in [min, T]. */
  private lengths(where: string, name: string, value: unknown, N: number, T: number, min: number, what: string): Int32Array {
    const t = toIntTensor(where, name, value);
    expectShape(where, name, t.shape, [N]);
    const bad = t.data.findIndex((l) => l < min || l > T);
    if (bad >= 0) throw new RangeError(`${where}: ${name} must lie in [${min}, ${T}] (${what}); got ${t.data[bad]} at index ${bad}`);
    return t.data.slice();
  }

  /** Validates a training batch: sources, targets framed by BOS, lengths, matching N. */
  private batch(where: string, source: unknown, sourceLengths: unknown, target: unknown, targetLengths: unknown): Batch {
    const src = this.ids(where, "source", source, this.sourceVocabSize, 1);
    const [S, N] = src.shape as [number, number];
    const srcLen = this.lengths(where, "sourceLengths", sourceLengths, N, S, 1, `S = ${S}, the source's steps`);
    const tgt = this.ids(where, "target", target, this.targetVocabSize, 2);
    const [U, Nt] = tgt.shape as [number, number];
    if (Nt !== N) throw new RangeError(`${where}: target must hold as many sequences as source (N = ${N}); got shape ${shapeString(tgt.shape)}`);
    const tgtLen = this.lengths(where, "targetLengths", targetLengths, N, U, 2, `BOS … EOS within U = ${U} steps`);
    const noBos = tgt.data.subarray(0, N).findIndex((id) => id !== this.bosId);
    if (noBos >= 0) throw new RangeError(`${where}: target must start every sequence with BOS (id ${this.bosId}); sequence ${noBos} starts with ${tgt.data[noBos]}`);
    return { S, U, N, source: src.data, sourceLengths: srcLen, target: tgt.data, targetLengths: tgtLen };
  }

  /** Source ids [S, N] and their lengths for decoding, plus the options' maxLength. */
  private decodeInputs(where: string, source: unknown, options: GreedyDecodeOptions): { src: IntTensor; lengths: Int32Array; maxLength: number } {
    const src = this.ids(where, "source", source, this.sourceVocabSize, 1);
    const [S, N] = src.shape as [number, number];
    const lengths = options.sourceLengths === undefined ? new Int32Array(N).fill(S)
      : this.lengths(where, "sourceLengths", options.sourceLengths, N, S, 1, `S = ${S}, the source's steps`);
    const maxLength = checkInt(where, "maxLength", options.maxLength ?? DEFAULT_MAX_LENGTH);
    return { src, lengths, maxLength };
  }

  // ---- training ---------------------------------------------------------------------------

  /**
   * Teacher forcing on a validated batch: encoder over the sources (with their lengths), decoder
   * from the encoder's final state over target[:-1], cross-entropy against target[1:] on the real
   * steps. With `guarded` (training), backpropagates: the decoder's dInitialState is the encoder's
   * dFinalState. What one layer hands the next must be finite: a forward value that overflowed
   * gives the loss NaN (no backward), a gradient that overflowed refuses the batch through `guarded`.
   */
  private teacherForced(b: Batch, guarded: GuardedBatch | null): Score {
    const { S, U, N } = b;
    const T = U - 1;
    const decoderLengths = b.targetLengths.map((l) => l - 1);
    const tokens = decoderLengths.reduce((sum, l) => sum + l, 0);
    const overflowed: Score = { loss: NaN, correct: 0, tokens };
    const enc = this.encoder.forward(this.sourceEmbedding.forward({ shape: [S, N], data: b.source }), { lengths: { shape: [N], data: b.sourceLengths } });
    if (firstNonFinite(Object.values(enc.state)) !== null) return overflowed;
    const decoderInput = this.targetEmbedding.forward({ shape: [T, N], data: b.target.subarray(0, T * N) });
    const dec = this.decoder.forward(decoderInput, { initialState: enc.state, lengths: { shape: [N], data: decoderLengths } });
    if (firstNonFinite([dec.output]) !== null) return overflowed;
    const logits = this.output.forward(dec.output);
    if (firstNonFinite([logits]) !== null) return overflowed;
    const targets = b.target.subarray(N);
    const mask = new Float32Array(T * N);
    for (let t = 0; t < T; t++) for (let n = 0; n < N; n++) if (t < decoderLengths[n]!) mask[t * N + n] = 1;
    const { loss, grad } = softmaxCrossEntropy(logits, { shape: [T, N], data: targets }, { mask: { shape: [T, N], data: mask } });
    const V = this.targetVocabSize;
    let correct = 0;
    for (let i = 0; i < T * N; i++) {
      if (mask[i] !== 0 && argmax(logits.data.subarray(i * V, (i + 1) * V)) === targets[i]) correct++;
    }
    if (guarded !== null) {
      const handOff = (what: string, tensors: Tensor[]): void => {
        const bad = firstNonFinite(tensors);
        if (bad !== null) guarded.refuse(`the gradient is not finite (${what} holds ${bad})`);
      };
      const dHidden = this.output.backward(grad);
      handOff("the gradient of the decoder's output", [dHidden]);
      const dDecoder = this.decoder.backward(dHidden);
      handOff("the gradient of the decoder's input and initial state", [dDecoder.dInput, ...Object.values(dDecoder.dInitialState)]);
      this.targetEmbedding.backward(dDecoder.dInput);
      const dEncoder = this.encoder.backward(null, dDecoder.dInitialState);
      handOff("the gradient of the encoder's input", [dEncoder.dInput]);
      this.sourceEmbedding.backward(dEncoder.dInput);
    }
    return { loss, correct, tokens };
  }

  /**
   * One optimizer step on a batch under the finite-step guard: applied only when the loss, the
   * gradient norm and the step are finite, else a RangeError naming `where` and `at` (the batch
   * within fit; "" for trainOnBatch) with the parameters and the optimizer state unchanged.
   */
  private trainStep(b: Batch, where: string, at: string): Score {
    return guardedBatch({ where, at, data: null }, this.arena, this.optimizer, { clipValue: null, clipNorm: this.clipNorm }, (guarded) => {
      this.arena.zeroGrad();
      const score = this.teacherForced(b, guarded);
      guarded.step(score.loss);
      return score;
    });
  }

  /**
   * One optimizer step with teacher forcing. source ids [S, N] (padded after sourceLengths[n]
   * steps), sourceLengths [N]; target ids [U, N] as BOS y1 … yk EOS then padding, targetLengths
   * [N] counting BOS and EOS (each >= 2). Returns the loss (mean per target token) before the step,
   * always finite (see trainStep).
   */
  trainOnBatch(source: IntTensorLike, sourceLengths: LengthsLike, target: IntTensorLike, targetLengths: LengthsLike): number {
    const where = "Seq2Seq.trainOnBatch";
    return this.trainStep(this.batch(where, source, sourceLengths, target, targetLengths), where, "").loss;
  }

  /** Teacher-forced loss (mean per target token) and token accuracy over a dataset, without training. */
  evaluate(source: IntTensorLike, sourceLengths: LengthsLike, target: IntTensorLike, targetLengths: LengthsLike, options: { batchSize?: number } = {}): { loss: number; accuracy: number } {
    const where = "Seq2Seq.evaluate";
    checkOptionKeys(where, options, ["batchSize"]);
    const batchSize = checkInt(where, "batchSize", options.batchSize ?? 256);
    const all = this.batch(where, source, sourceLengths, target, targetLengths);
    const sum = { loss: 0, correct: 0, tokens: 0 };
    for (let b0 = 0; b0 < all.N; b0 += batchSize) {
      const index = Int32Array.from({ length: Math.min(batchSize, all.N - b0) }, (_, k) => b0 + k);
      const s = this.teacherForced(this.subBatch(all, index), null);
      sum.loss += s.loss * s.tokens;
      sum.correct += s.correct;
      sum.tokens += s.tokens;
    }
    return { loss: checkEvaluatedLoss(where, sum.loss / sum.tokens, null), accuracy: sum.correct / sum.tokens };
  }

  /** Sequences `index` of a batch, cut to their longest source and target. */
  private subBatch(all: Batch, index: Int32Array): Batch {
    const sourceLengths = Int32Array.from(index, (i) => all.sourceLengths[i]!);
    const targetLengths = Int32Array.from(index, (i) => all.targetLengths[i]!);
    const S = maxOf(sourceLengths);
    const U = maxOf(targetLengths);
    return {
      S, U, N: index.length, sourceLengths, targetLengths,
      source: columns(all.source, all.N, index, S), target: columns(all.target, all.N, index, U),
    };
  }

  /**
   * Trains for `epochs` passes in (shuffled) batches, yielding to the event loop between batches.
   * Arguments as in `trainOnBatch`, over the whole dataset. Resolves to the per-epoch logs.
   */
  async fit(source: IntTensorLike, sourceLengths: LengthsLike, target: IntTensorLike, targetLengths: LengthsLike, options: Seq2SeqFitOptions = {}): Promise<Seq2SeqEpochLogs[]> {
    const where = "Seq2Seq.fit";
    checkOptionKeys(where, options, FIT_KEYS);
    const settings = checkEpochOptions(where, options);
    const all = this.batch(where, source, sourceLengths, target, targetLengths);
    let sum = { loss: 0, correct: 0, tokens: 0 };
    return runEpochs(all.N, settings, (indices, count, at) => {
      checkNotDisposed(this, where, "model"); // it may have been disposed while fit awaited
      const s = this.trainStep(this.subBatch(all, i32View(indices, count).slice()), where, at);
      sum.loss += s.loss * s.tokens;
      sum.correct += s.correct;
      sum.tokens += s.tokens;
      return s.loss;
    }, (epoch) => {
      const logs = { epoch, loss: sum.loss / sum.tokens, accuracy: sum.correct / sum.tokens };
      sum = { loss: 0, correct: 0, tokens: 0 };
      return logs;
    });
  }

  // ---- decoding ---------------------------------------------------------------------------

  /** The encoder's final states [layers, N, H] for validated sources. */
  private encode(src: IntTensor, lengths: Int32Array): RecurrentState {
    const [, N] = src.shape as [number, number];
    return this.encoder.forward(this.sourceEmbedding.forward(src), { lengths: { shape: [N], data: lengths } }).state;
  }

  /** One decoder step for B rows: the previous tokens [B] and states [layers, B, H] -> logits [B, V] and the next states. */
  private decodeStep(tokens: Int32Array, state: RecurrentState): { logits: Float32Array; state: RecurrentState } {
    const r = this.decoder.forward(this.targetEmbedding.forward({ shape: [1, tokens.length], data: tokens }), { initialState: state });
    return { logits: this.output.forward(r.output).data, state: r.state };
  }

  /**
   * Greedy decoding: from BOS and the encoder's final state, feeds back the most likely token until
   * EOS or maxLength tokens. Returns, per source, the target ids without BOS and EOS. Sequences
   * that ended leave the batch.
   */
  greedyDecode(source: IntTensorLike, options: GreedyDecodeOptions = {}): number[][] {
    const where = "Seq2Seq.greedyDecode";
    checkOptionKeys(where, options, ["sourceLengths", "maxLength"]);
    const { src, lengths, maxLength } = this.decodeInputs(where, source, options);
    const N = src.shape[1]!;
    const V = this.targetVocabSize;
    const out: number[][] = Array.from({ length: N }, () => []);
    let rows = Array.from({ length: N }, (_, n) => n); // row r decodes source rows[r]
    let tokens = new Int32Array(N).fill(this.bosId);
    let state = this.encode(src, lengths);
    for (let step = 0; step < maxLength && rows.length > 0; step++) {
      const next = this.decodeStep(tokens, state);
      const keep: number[] = [];
      const kept: number[] = [];
      rows.forEach((n, r) => {
        const best = argmax(next.logits.subarray(r * V, (r + 1) * V));
        if (best === this.eosId) return;
        out[n]!.push(best);
        keep.push(r);
        kept.push(best);
      });
      state = keep.length === rows.length ? next.state : gatherStates(next.state, keep);
      rows = keep.map((r) => rows[r]!);
      tokens = Int32Array.from(kept);
    }
    return out;
  }

  /**
   * Beam search: every source keeps `beamWidth` hypotheses, all sources' beams decoded together as
   * one batch (rows reordered by the chosen parents every step). Each step ranks the 2·beamWidth best
   * continuations; an EOS among the first beamWidth finishes a hypothesis, the best non-EOS ones
   * continue. A source is done with beamWidth finished hypotheses; at maxLength its live ones count
   * as finished. Returns, per source, up to beamWidth hypotheses sorted by score, best first.
   */
  beamSearch(source: IntTensorLike, options: BeamSearchOptions = {}): BeamHypothesis[][] {
    const where = "Seq2Seq.beamSearch";
    checkOptionKeys(where, options, ["sourceLengths", "maxLength", "beamWidth", "lengthPenalty"]);
    const { src, lengths, maxLength } = this.decodeInputs(where, source, options);
    const V = this.targetVocabSize;
    const K = checkInt(where, "beamWidth", options.beamWidth ?? Math.min(4, V));
    if (K > V) throw new RangeError(`${where}: beamWidth must be <= targetVocabSize ${V} (a beam wider than the vocabulary keeps no more hypotheses); got ${K}`);
    const alpha = checkNumber(where, "lengthPenalty", options.lengthPenalty ?? 1);
    const N = src.shape[1]!;
    const finish = (tokens: number[], logProb: number, length: number): BeamHypothesis => ({ tokens, logProb, score: logProb / Math.pow(length, alpha) });
    const finished: BeamHypothesis[][] = Array.from({ length: N }, () => []);
    // The batch: for every unfinished source (in order), its live hypotheses, one row each.
    let beams: { n: number; live: Live[] }[] = Array.from({ length: N }, (_, n) => ({ n, live: [{ tokens: [], logProb: 0 }] }));
    let tokens = new Int32Array(N).fill(this.bosId);
    let state = this.encode(src, lengths);
    for (let step = 0; step < maxLength && beams.length > 0; step++) {
      const next = this.decodeStep(tokens, state);
      const parents: number[] = [];
      const nextBeams: { n: number; live: Live[] }[] = [];
      let row0 = 0;
      for (const { n, live } of beams) {
        // The 2K best (score, row, token) continuations, ties to the earlier row and token.
        const top: { score: number; row: number; token: number }[] = [];
        live.forEach((hyp, k) => {
          const logp = logSoftmax(next.logits.subarray((row0 + k) * V, (row0 + k + 1) * V));
          for (let v = 0; v < V; v++) {
            const score = hyp.logProb + logp[v]!;
            if (top.length === 2 * K && score <= top[top.length - 1]!.score) continue;
            let i = top.length;
            while (i > 0 && top[i - 1]!.score < score) i--;
            top.splice(i, 0, { score, row: k, token: v });
            if (top.length > 2 * K) top.pop();
          }
        });
        const survivors: Live[] = [];
        const rows: number[] = [];
        for (let i = 0; i < top.length && survivors.length < K; i++) {
          const { score, row, token } = top[i]!;
          const parent = live[row]!;
          if (token === this.eosId) {
            if (i < K) finished[n]!.push(finish(parent.tokens, score, parent.tokens.length + 1));
          } else {
            survivors.push({ tokens: [...parent.tokens, token], logProb: score });
            rows.push(row0 + row);
          }
        }
        row0 += live.length;
        if (finished[n]!.length >= K) continue; // done: its rows leave the batch
        if (step === maxLength - 1) {
          for (const hyp of survivors) finished[n]!.push(finish(hyp.tokens, hyp.logProb, hyp.tokens.length));
        } else {
          nextBeams.push({ n, live: survivors });
          parents.push(...rows);
        }
      }
      beams = nextBeams;
      if (beams.length === 0) break;
      state = gatherStates(next.state, parents);
      tokens = Int32Array.from(beams.flatMap(({ live }) => live.map((hyp) => hyp.tokens[hyp.tokens.length - 1]!)));
    }
    return finished.map((hyps) => hyps.sort((a, b) => b.score - a.score).slice(0, K));
  }

  // ---- save / load ------------------------------------------------------------------------

  /** The options that rebuild this model (the optimizer is saved as its config). */
  private savedOptions(): SavedOptions {
    return {
      sourceVocabSize: this.sourceVocabSize, targetVocabSize: this.targetVocabSize, units: this.units, embeddingSize: this.embeddingSize,
      cell: this.cell, numLayers: this.numLayers, clipNorm: this.clipNorm, bosId: this.bosId, eosId: this.eosId, seed: this.seed,
    };
  }

  /**
   * The model as bytes in the library's save format (bindings/io.ts): the options, the layer
   * configs, the optimizer settings, `metadata` and every parameter as exact float32.
   */
  save(): Uint8Array {
    try {
      JSON.stringify(this.metadata);
    } catch (e) {
      throw new RangeError(`Seq2Seq.save: metadata must be JSON-serialisable; ${(e as Error).message}`);
    }
    if (this.metadata === null || typeof this.metadata !== "object" || Array.isArray(this.metadata)) {
      throw new TypeError(`Seq2Seq.save: metadata must be a plain object; got ${describe(this.metadata)}`);
    }
    return encodeModelFile({
      metadata: { format: SEQ2SEQ_FORMAT, version: 1, options: this.savedOptions(), metadata: this.metadata },
      layers: this.parts.map(([, l]) => l.config()),
      loss: "softmaxCrossEntropy",
      optimizer: this.optimizer.config,
      clipNorm: this.clipNorm,
      clipValue: null,
    }, this.arena, this.optimizer);
  }

  /**
   * Rebuilds a model saved with `save()`, its optimizer with the saved settings and state. The
   * file's header is checked in full first (model-file.ts): its Seq2Seq options against their
   * schema and the constructor's checks, its layer configs, loss and clipping against what those
   * options build.
   */
  static load(bytes: Uint8Array): Seq2Seq {
    const where = "Seq2Seq.load";
    const file = decodeModelFile(bytes, where);
    const { header, paths } = file;
    if (header.metadata.format !== SEQ2SEQ_FORMAT) throw new RangeError(`${where}: the bytes hold a wasm-rnn model that is not a Seq2Seq (load it with Model.load)`);
    if (header.metadata.version !== 1) throw new RangeError(`${where}: Seq2Seq format version ${describe(header.metadata.version)} is not supported; expected 1`);
    const saved = SAVED_MODEL(where, paths.metadata, header.metadata);
    const optimizer = optimizerOfFile(where, file);
    const { clipNorm, ...rest } = saved.options;
    const options: Seq2SeqOptions = { ...rest, optimizer };
    if (clipNorm !== null) options.clipNorm = clipNorm;
    const model = labelErrors(where, () => new Seq2Seq(options), { path: `${paths.metadata}.options`, keys: Object.keys(saved.options) });
    try {
      model.checkSavedLayers(where, file);
      restoreModelFile(where, file, model.arena, model.optimizer);
      model.metadata = saved.metadata;
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  }

  /** Throws unless a file's layer configs, loss and clipping are what this model, built from the file's options, saves. */
  private checkSavedLayers(where: string, file: ModelFile): void {
    const { header, paths } = file;
    if (header.layers.length !== this.parts.length) throw new RangeError(`${where}: ${paths.model}.layers must hold the ${this.parts.length} layers of a Seq2Seq; got ${header.layers.length}`);
    this.parts.forEach(([part, layer], i) => {
      const built = layer.config();
      const saved = header.layers[i]!;
      const same = saved.type === built.type && Object.keys(saved.options).length === Object.keys(built.options).length
        && Object.entries(built.options).every(([k, v]) => saved.options[k] === v);
      if (!same) throw new RangeError(`${where}: ${paths.model}.layers[${i}] must be the ${part} the saved options build, ${JSON.stringify(built)}; got ${JSON.stringify(saved)}`);
    });
    if (header.loss !== "softmaxCrossEntropy") throw new RangeError(`${where}: ${paths.model}.loss must be "softmaxCrossEntropy"; got "${header.loss}"`);
    if (header.clipValue !== null) throw new RangeError(`${where}: ${paths.model}.clipValue must be null (a Seq2Seq clips by norm); got ${header.clipValue}`);
    if (header.clipNorm !== this.clipNorm) throw new RangeError(`${where}: ${paths.model}.clipNorm must equal the saved options' clipNorm ${this.clipNorm}; got ${header.clipNorm}`);
  }

  /**
   * Frees every wasm block: the layers' workspaces, the parameter arena and the optimizer;
   * afterwards every method and accessor of the model and of its parts throws. A second dispose
   * does nothing.
   */
  dispose(): void {
    if (isDisposed(this)) return;
    markDisposed(this);
    for (const [, layer] of this.parts) layer.dispose();
    this.optimizer.dispose();
    this.arena.dispose();
  }
}
