// Encoder-decoder sequence-to-sequence model (Sutskever et al. 2014; Cho et al. 2014): a source
// Embedding and a recurrent encoder whose final state initialises a recurrent decoder over the
// target Embedding, with a Dense head giving the next token's logits. Trained with teacher forcing,
// decoded greedily or by beam search; everything runs at the pointer level in wasm memory. The
// parts: options.ts (options and their checks), inputs.ts (input checks, staged pairs), encoder.ts,
// decoder.ts (the decoder seam), training.ts, decoding.ts, saving.ts.
import { ParameterArena } from "../arena.js";
import { Workspace } from "../buffer.js";
import type { Layer } from "../layers/layer.js";
import type { RecurrentLayer } from "../layers/recurrent.js";
import { LSTM } from "../layers/lstm.js";
import { GRU } from "../layers/gru.js";
import { Embedding } from "../layers/embedding.js";
import { Dense } from "../layers/dense.js";
import { bindOptimizer } from "../model.js";
import { EPOCH_KEYS, checkEpochOptions, fitValidation, runEpochs, validationDataOption } from "../epochs.js";
import type { History } from "../callbacks/history.js";
import { Adam, type Optimizer } from "../optimizers.js";
import { checkEvaluatedLoss } from "../step-guard.js";
import { restoreModelFile } from "../model-file.js";
import { labelErrors } from "../errors.js";
import { checkNotDisposed, guardDisposal, isDisposed, markDisposed, setOwner } from "../disposal.js";
import { core } from "../core.js";
import type { Tensor, IntTensorLike } from "../tensor.js";
import { checkOptionKeys, checkInt, checkNumber } from "../validate.js";
import { resolveOptions, type Seq2SeqOptions, type Seq2SeqCell, type Seq2SeqAttention, type Seq2SeqFitOptions, type Seq2SeqValidationData, type Seq2SeqEpochLogs, type GreedyDecodeOptions,
  type BeamSearchOptions, type BeamHypothesis, type AttendedDecode, type LengthsLike, type SavedOptions } from "./options.js";
import { checkPairs, checkSources, StagedPairs, type Pairs } from "./inputs.js";
import { Encoder } from "./encoder.js";
import { PlainDecoder, type Decoder } from "./decoder.js";
import { AttentionDecoder } from "./attention-decoder.js";
import { Attention } from "./attention.js";
import { trainStep, teacherForced, ScoreSum, type Score, type Trainable } from "./training.js";
import { greedyDecode, beamSearch, type Decodable } from "./decoding.js";
import { encodeSeq2Seq, decodeSeq2Seq, checkSavedLayers } from "./saving.js";

/** The options Seq2Seq.fit takes: the shared epoch options and validationData. */
const FIT_KEYS = [...EPOCH_KEYS, "validationData"] as const;
/** The keys of fit's validationData, all required: fit's own four arguments. */
const VALIDATION_KEYS = ["source", "sourceLengths", "target", "targetLengths"] as const satisfies readonly (keyof Seq2SeqValidationData)[];

export type { Seq2SeqOptions, Seq2SeqCell, Seq2SeqAttention, AttendedDecode, Seq2SeqFitOptions, Seq2SeqValidationData, Seq2SeqEpochLogs, GreedyDecodeOptions, BeamSearchOptions, BeamHypothesis, LengthsLike };


/**
 * Encoder-decoder model over token ids, time-major as the rest of the library: sources [S, N],
 * targets [U, N] framed as BOS y1 … yk EOS with PAD after ([N, S] and [N, U] with `batchFirst`). All parameters live in one
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
  /** The decoder's attention over the encoder's outputs, or null (the plain encoder-decoder). */
  readonly attention: Seq2SeqAttention | null;
  /** Source and target ids come [N, S] and [N, U] rather than [S, N] and [U, N]. */
  readonly batchFirst: boolean;
  /** Global-norm clipping before each step (null: none); may be changed between steps. */
  clipNorm: number | null;
  readonly optimizer: Optimizer;
  /** Set to true (in a fit callback) to stop fit after the current batch; fit resets it when it starts (as tf.js' model.stopTraining). */
  stopTraining = false;
  /** The layers, usable on their own in custom loops (their parameters are in `parameters`). */
  readonly sourceEmbedding: Embedding;
  readonly encoder: RecurrentLayer;
  readonly targetEmbedding: Embedding;
  readonly decoder: RecurrentLayer;
  readonly output: Dense;
  /** With attention: the attention layer ("attention.*" parameters) and the attentional vector's Dense(2·units -> units, tanh) ("attentional.*"); else null. */
  readonly attentionLayer: Attention | null;
  readonly attentional: Dense | null;
  /** JSON data saved with the model (e.g. { source: vocab.toJSON(), target: vocab.toJSON() }). */
  metadata: Record<string, unknown> = {};
  private readonly arena: ParameterArena;
  private readonly encoderNetwork: Encoder;
  private readonly decoderNetwork: Decoder;
  /** The layers under their parameter-name prefixes, the encoder's first, in the order save() writes them. */
  private readonly parts: readonly (readonly [string, Layer])[];
  private readonly ws = new Workspace();

  constructor(options: Seq2SeqOptions) {
    const o = resolveOptions("Seq2Seq", options);
    this.sourceVocabSize = o.sourceVocabSize;
    this.targetVocabSize = o.targetVocabSize;
    this.units = o.units;
    this.embeddingSize = o.embeddingSize;
    this.cell = o.cell;
    this.numLayers = o.numLayers;
    this.clipNorm = o.clipNorm;
    this.bosId = o.bosId;
    this.eosId = o.eosId;
    this.seed = o.seed;
    this.attention = o.attention ?? null;
    this.batchFirst = o.batchFirst;
    const E = this.embeddingSize;
    const H = this.units;
    const recurrent = (inputSize: number, seed: number, contextSize = 0): LSTM | GRU => {
      const r = { inputSize, units: H, numLayers: this.numLayers, seed, ...(contextSize > 0 ? { contextSize } : {}) };
      return this.cell === "lstm" ? new LSTM(r) : new GRU(r);
    };
    this.sourceEmbedding = new Embedding({ inputSize: this.sourceVocabSize, units: E, seed: this.seed });
    this.encoder = recurrent(E, this.seed + 1);
    this.targetEmbedding = new Embedding({ inputSize: this.targetVocabSize, units: E, seed: this.seed + 2 });
    // With attention, the decoder's first layer also reads the feed (h~_{t-1} or c_t, H wide) through weight_ch_l0.
    const decoder = recurrent(E, this.seed + 3, this.attention === null ? 0 : H);
    this.decoder = decoder;
    this.output = new Dense({ inputSize: H, units: this.targetVocabSize, seed: this.seed + 4 });
    this.attentionLayer = this.attention === null ? null : new Attention({ kind: this.attention, querySize: H, memorySize: H, seed: this.seed + 5 });
    this.attentional = this.attention === null ? null : new Dense({ inputSize: 2 * H, units: H, activation: "tanh", seed: this.seed + 6 });
    this.encoderNetwork = new Encoder(this.sourceEmbedding, this.encoder);
    this.decoderNetwork = this.attentionLayer === null || this.attentional === null
      ? new PlainDecoder(this.targetEmbedding, this.decoder, this.output)
      : new AttentionDecoder({ embedding: this.targetEmbedding, recurrent: decoder, attention: this.attentionLayer, attentional: this.attentional, output: this.output });
    this.parts = [...this.encoderNetwork.parts, ...this.decoderNetwork.parts];
    // One arena for all the layers: each layer copies its freshly initialised parameters in.
    this.arena = new ParameterArena(this.parts.flatMap(([prefix, layer]) => layer.paramSpecs().map((s) => ({ name: `${prefix}.${s.name}`, shape: s.shape }))));
    this.optimizer = o.optimizer ?? new Adam();
    bindOptimizer(this.optimizer, this.arena);
    for (const [prefix, layer] of this.parts) layer.adopt(this.arena, `${prefix}.`);
    for (const part of [this.arena, this.optimizer, ...this.parts.map(([, layer]) => layer)]) setOwner(part, this);
    guardDisposal(this, Seq2Seq, "model");
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

  /** What training and decoding run with. */
  private get network(): Trainable & Decodable {
    return {
      encoder: this.encoderNetwork, decoder: this.decoderNetwork, arena: this.arena, optimizer: this.optimizer, clipNorm: this.clipNorm,
      targetVocabSize: this.targetVocabSize, bosId: this.bosId, eosId: this.eosId, ws: this.ws,
    };
  }

  /** Stages checked pairs and runs `use` on them, freeing them after. */
  private withStaged<R>(pairs: Pairs, use: (staged: StagedPairs) => R): R {
    const staged = new StagedPairs(pairs);
    try {
      return use(staged);
    } finally {
      staged.free();
    }
  }

  /** The indices 0 … N-1, i32 [N] in the workspace. */
  private identityIndex(N: number): number {
    const index = this.ws.ptr("index", N);
    core().fillIotaI32(index, N);
    return index;
  }

  /**
   * One optimizer step with teacher forcing. source ids [S, N] (batch-first [N, S]; padded after
   * sourceLengths[n] steps), sourceLengths [N]; target ids [U, N] (batch-first [N, U]) as BOS y1 …
   * yk EOS then padding, targetLengths
   * [N] counting BOS and EOS (each >= 2). Returns the loss (mean per target token) before the step,
   * always finite: a batch whose loss, gradient norm or step is not finite is a RangeError and
   * leaves the parameters and the optimizer state unchanged.
   */
  trainOnBatch(source: IntTensorLike, sourceLengths: LengthsLike, target: IntTensorLike, targetLengths: LengthsLike): number {
    const where = "Seq2Seq.trainOnBatch";
    const pairs = checkPairs(where, this, source, sourceLengths, target, targetLengths);
    return this.withStaged(pairs, (staged) => trainStep(this.network, staged.gather(this.identityIndex(pairs.N), pairs.N, this.ws), where, "").loss);
  }

  /** Teacher-forced loss (mean per target token) and token accuracy over a dataset, without training. */
  evaluate(source: IntTensorLike, sourceLengths: LengthsLike, target: IntTensorLike, targetLengths: LengthsLike, options: { batchSize?: number } = {}): { loss: number; accuracy: number } {
    const where = "Seq2Seq.evaluate";
    checkOptionKeys(where, options, ["batchSize"]);
    const batchSize = checkInt(where, "batchSize", options.batchSize ?? 256);
    const pairs = checkPairs(where, this, source, sourceLengths, target, targetLengths);
    const { loss, accuracy } = this.withStaged(pairs, (staged) => this.scoreOf(staged, 0, pairs.N, batchSize));
    return { loss: checkEvaluatedLoss(where, loss, null), accuracy };
  }

  /** Teacher-forced loss and token accuracy over the staged pairs [start, start + count), in batches. */
  private scoreOf(staged: StagedPairs, start: number, count: number, batchSize: number): { loss: number; accuracy: number } {
    const sum = new ScoreSum();
    const index = this.identityIndex(staged.N) + start * 4;
    for (let b0 = 0; b0 < count; b0 += batchSize) {
      sum.add(teacherForced(this.network, staged.gather(index + b0 * 4, Math.min(batchSize, count - b0), this.ws), null));
    }
    return sum.take();
  }

  /**
   * Trains for `epochs` passes in (shuffled) batches, yielding to the event loop between batches,
   * with the options' validationSplit or validationData, verbose report and callbacks. Arguments as
   * in `trainOnBatch`, over the whole dataset. Resolves to the History of the per-epoch logs.
   */
  async fit(source: IntTensorLike, sourceLengths: LengthsLike, target: IntTensorLike, targetLengths: LengthsLike, options: Seq2SeqFitOptions = {}): Promise<History<Seq2SeqEpochLogs>> {
    const where = "Seq2Seq.fit";
    checkOptionKeys(where, options, FIT_KEYS);
    const settings = checkEpochOptions(where, options);
    const validationData = validationDataOption<Seq2SeqValidationData>(where, settings.validationSplit, options.validationData, VALIDATION_KEYS, VALIDATION_KEYS.length);
    const staged = new StagedPairs(checkPairs(where, this, source, sourceLengths, target, targetLengths));
    let stagedValidation = null as StagedPairs | null; // set by fitValidation's stage, freed here
    const sum = new ScoreSum();
    try {
      const { N, validation } = fitValidation(where, settings.validationSplit, staged, validationData === null ? null : () => {
        const { source: vs, sourceLengths: vsl, target: vt, targetLengths: vtl } = validationData;
        return (stagedValidation = new StagedPairs(checkPairs(`${where}: validationData`, this, vs, vsl, vt, vtl)));
      });
      return await runEpochs<Seq2SeqEpochLogs>(N, settings, this, (indices, count, at) => {
        checkNotDisposed(this, where, "model"); // it may have been disposed while fit awaited
        const s: Score = trainStep(this.network, staged.gather(indices, count, this.ws), where, at);
        sum.add(s);
        return s.loss;
      }, (epoch) => {
        const logs: Omit<Seq2SeqEpochLogs, "lr"> = { epoch, ...sum.take() };
        if (validation === null) return logs;
        const val = this.scoreOf(validation.data, validation.start, validation.count, settings.batchSize);
        return { ...logs, valLoss: checkEvaluatedLoss(`${where}: ${validation.option} after epoch ${epoch}`, val.loss, null), valAccuracy: val.accuracy };
      });
    } finally {
      staged.free();
      stagedValidation?.free();
    }
  }

  /**
   * Greedy decoding: from BOS and the encoder's final state, feeds back the most likely token until
   * EOS or maxLength tokens. Returns, per source, the target ids without BOS and EOS.
   */
  greedyDecode(source: IntTensorLike, options: GreedyDecodeOptions = {}): number[][] {
    const where = "Seq2Seq.greedyDecode";
    checkOptionKeys(where, options, ["sourceLengths", "maxLength"]);
    return greedyDecode(this.network, checkSources(where, this, source, options)).tokens;
  }

  /**
   * greedyDecode of a model built with `attention`, returning with each source's ids the attention
   * weights over its real source steps that every id was chosen with (one row per id, EOS not included).
   */
  greedyDecodeWithAttention(source: IntTensorLike, options: GreedyDecodeOptions = {}): AttendedDecode[] {
    const where = "Seq2Seq.greedyDecodeWithAttention";
    checkOptionKeys(where, options, ["sourceLengths", "maxLength"]);
    if (this.attention === null) throw new TypeError(`${where}: the model has no attention (build it with attention: "luong", "luongGeneral" or "bahdanau")`);
    const { tokens, attention } = greedyDecode(this.network, checkSources(where, this, source, options));
    return tokens.map((ids, n) => ({ tokens: ids, attention: attention![n]! }));
  }

  /**
   * Beam search: every source keeps `beamWidth` hypotheses; each step ranks the 2·beamWidth best
   * continuations, an EOS among the first beamWidth finishes a hypothesis, the best non-EOS ones
   * continue. A source is done with beamWidth finished hypotheses; at maxLength its live ones count
   * as finished. Returns, per source, up to beamWidth hypotheses sorted by score, best first.
   */
  beamSearch(source: IntTensorLike, options: BeamSearchOptions = {}): BeamHypothesis[][] {
    const where = "Seq2Seq.beamSearch";
    checkOptionKeys(where, options, ["sourceLengths", "maxLength", "beamWidth", "lengthPenalty"]);
    const sources = checkSources(where, this, source, options);
    const V = this.targetVocabSize;
    const K = checkInt(where, "beamWidth", options.beamWidth ?? Math.min(4, V));
    if (K > V) throw new RangeError(`${where}: beamWidth must be <= targetVocabSize ${V} (a beam wider than the vocabulary keeps no more hypotheses); got ${K}`);
    const alpha = checkNumber(where, "lengthPenalty", options.lengthPenalty ?? 1);
    return beamSearch(this.network, sources, K, alpha);
  }

  /** The options that rebuild this model (the optimizer is saved as its config). */
  private savedOptions(): SavedOptions {
    return {
      sourceVocabSize: this.sourceVocabSize, targetVocabSize: this.targetVocabSize, units: this.units, embeddingSize: this.embeddingSize,
      cell: this.cell, numLayers: this.numLayers, clipNorm: this.clipNorm, bosId: this.bosId, eosId: this.eosId, seed: this.seed,
      ...(this.attention === null ? {} : { attention: this.attention }),
    };
  }

  /**
   * The model as bytes in the library's save format (bindings/io.ts): the options, the layer
   * configs, the optimizer settings, `metadata` and every parameter as exact float32.
   */
  save(): Uint8Array {
    return encodeSeq2Seq({ options: this.savedOptions(), batchFirst: this.batchFirst, parts: this.parts, arena: this.arena, optimizer: this.optimizer, metadata: this.metadata });
  }

  /**
   * Rebuilds a model saved with `save()`, its optimizer with the saved settings and state. The
   * file's header is checked in full first (model-file.ts): its Seq2Seq options against their
   * schema and the constructor's checks, its layer configs, loss and clipping against what those
   * options build.
   */
  static load(bytes: Uint8Array): Seq2Seq {
    const where = "Seq2Seq.load";
    const { file, options, optionKeys, metadata } = decodeSeq2Seq(where, bytes);
    const model = labelErrors(where, () => new Seq2Seq(options), { path: `${file.paths.metadata}.options`, keys: optionKeys });
    try {
      checkSavedLayers(where, file, model.parts, model.clipNorm);
      restoreModelFile(where, file, model.arena, model.optimizer);
      model.metadata = metadata;
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
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
    this.encoderNetwork.free();
    this.decoderNetwork.free();
    this.ws.free();
    this.optimizer.dispose();
    this.arena.dispose();
  }
}
