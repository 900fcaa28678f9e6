// Seq2Seq's public option and result types, and the checks of its constructor options.
import type { ParameterSpec } from "../arena.js";
import { torchRecurrentParams } from "../layers/recurrent.js";
import { checkLayerCount, checkParameterBlock } from "../sizes.js";
import { checkOptimizer, type Optimizer } from "../optimizers.js";
import type { BaseLogs } from "../callbacks/callback.js";
import type { EpochOptions } from "../epochs.js";
import type { IntTensorLike } from "../tensor.js";
import { checkOptionKeys, checkInt, checkPositive, checkChoice, checkBoolean } from "../validate.js";

/** The recurrent cell of the encoder and the decoder. */
export type Seq2SeqCell = "lstm" | "gru";

/**
 * Attention of the decoder over the encoder's outputs: "luong" (dot score) and "luongGeneral"
 * (bilinear score) attend with the decoder's new state and feed the attentional vector to the next
 * step (input feeding); "bahdanau" (additive score) attends with the previous state and feeds the context.
 */
export type Seq2SeqAttention = "luong" | "luongGeneral" | "bahdanau";

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
  /** Initialisation seed: the five layers take seed, seed + 1, ..., seed + 4 (default 0; with attention, its two layers seed + 5 and seed + 6). */
  seed?: number;
  /**
   * Attention over the encoder's outputs (default: none, the plain encoder-decoder). The decoder then
   * attends over every source step (padded ones get weight 0), the Dense head reads the attentional
   * vector h~ = tanh(W_c [c; s] + b_c), and gradients flow into the encoder's outputs too.
   */
  attention?: Seq2SeqAttention;
  /**
   * Source ids come [N, S] and target ids [N, U] (as PyTorch's batch_first) in fit, trainOnBatch,
   * evaluate and decoding, instead of [S, N] and [U, N] (default false); the core gathers them into
   * time-major batches, with the same numbers. Saved with the model.
   */
  batchFirst?: boolean;
}

/** Pairs to evaluate after every epoch of `Seq2Seq.fit`, as fit's own four arguments. */
export interface Seq2SeqValidationData {
  source: IntTensorLike;
  sourceLengths: LengthsLike;
  target: IntTensorLike;
  targetLengths: LengthsLike;
}

/**
 * Options of `Seq2Seq.fit`: the shared epoch options (validationSplit holds out the last pairs);
 * each batch is cut to its longest source and target.
 */
export interface Seq2SeqFitOptions extends EpochOptions<Seq2SeqEpochLogs> {
  /** Pairs to evaluate after every epoch (valLoss, valAccuracy); not with validationSplit. */
  validationData?: Seq2SeqValidationData;
}

/** Per-epoch numbers reported by `fit`. */
export interface Seq2SeqEpochLogs extends BaseLogs {
  /** Mean cross-entropy per target token (teacher forcing). */
  loss: number;
  /** Share of target tokens (EOS included) whose argmax logit is right, with teacher forcing. */
  accuracy: number;
  /** With validationSplit or validationData: loss and accuracy on the validation pairs. */
  valLoss?: number;
  valAccuracy?: number;
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
  /** With attention: per token, the attention weights over the source's real steps it was chosen with. */
  attention?: Float32Array[];
}

/** A greedy decode with its attention weights (`greedyDecodeWithAttention`). */
export interface AttendedDecode {
  /** Target ids, without BOS and EOS. */
  tokens: number[];
  /** Per token, the attention weights [sourceLength] it was chosen with (they sum to 1). */
  attention: Float32Array[];
}

/** Sequence lengths: an array, an Int32Array (as padSequences gives) or an [N] int tensor. */
export type LengthsLike = readonly number[] | Int32Array | IntTensorLike;

export const OPTION_KEYS = ["sourceVocabSize", "targetVocabSize", "units", "embeddingSize", "cell", "numLayers", "optimizer", "clipNorm", "bosId", "eosId", "seed", "attention", "batchFirst"] as const;
export const CELLS = ["lstm", "gru"] as const;
export const ATTENTIONS = ["luong", "luongGeneral", "bahdanau"] as const;

/**
 * The options save() stores in the Seq2Seq entry: everything but the optimizer (saved as its
 * config) and batchFirst (the model entry's, as a Model's); attention only when set.
 */
export type SavedOptions = Required<Omit<Seq2SeqOptions, "optimizer" | "clipNorm" | "attention" | "batchFirst">> & { clipNorm: number | null; attention?: Seq2SeqAttention };

/** Checked constructor options: every size and id resolved, the optimizer when one was given. */
export interface ResolvedOptions extends SavedOptions {
  optimizer: Optimizer | undefined;
  batchFirst: boolean;
}

/** Checks `new Seq2Seq(options)`'s options (errors name `where`) and resolves their defaults. */
export function resolveOptions(where: string, options: Seq2SeqOptions): ResolvedOptions {
  checkOptionKeys(where, options, OPTION_KEYS);
  if (options === undefined) throw new TypeError(`${where}: options { sourceVocabSize, targetVocabSize, units } are required`);
  const sourceVocabSize = checkInt(where, "sourceVocabSize", options.sourceVocabSize);
  const targetVocabSize = checkInt(where, "targetVocabSize", options.targetVocabSize, 2);
  const units = checkInt(where, "units", options.units);
  const embeddingSize = checkInt(where, "embeddingSize", options.embeddingSize ?? units);
  const cell = checkChoice(where, "cell", options.cell ?? "lstm", CELLS);
  const numLayers = checkLayerCount(where, "numLayers", options.numLayers ?? 1);
  const clipNorm = options.clipNorm === undefined ? null : checkPositive(where, "clipNorm", options.clipNorm, "0 would zero every gradient");
  const targetId = (name: string, value: unknown): number => {
    const id = checkInt(where, name, value, 0);
    if (id >= targetVocabSize) throw new RangeError(`${where}: ${name} must be a target id in [0, ${targetVocabSize}); got ${id}`);
    return id;
  };
  const bosId = targetId("bosId", options.bosId ?? 3);
  const eosId = targetId("eosId", options.eosId ?? 2);
  if (bosId === eosId) throw new RangeError(`${where}: bosId and eosId must differ; both are ${bosId}`);
  const attention = options.attention === undefined ? undefined : checkChoice(where, "attention", options.attention, ATTENTIONS);
  const seed = checkInt(where, "seed", options.seed ?? 0, 0);
  const lastSeed = attention === undefined ? 4 : 6;
  if (seed > 0xffffffff - lastSeed) throw new RangeError(`${where}: seed must be <= ${0xffffffff - lastSeed}${attention === undefined ? "" : " with attention"}; got ${seed}`);
  const optimizer = options.optimizer === undefined ? undefined : checkOptimizer(where, "optimizer", options.optimizer);
  const batchFirst = checkBoolean(where, "batchFirst", options.batchFirst ?? false);
  const resolved = { sourceVocabSize, targetVocabSize, units, embeddingSize, cell, numLayers, clipNorm, bosId, eosId, seed, optimizer, batchFirst, ...(attention === undefined ? {} : { attention }) };
  checkParameterSizes(where, resolved);
  return resolved;
}

/** Checks, before any layer is built, that the layers' parameters fit the model's one block of wasm memory. */
function checkParameterSizes(where: string, o: SavedOptions): void {
  const { sourceVocabSize: Vs, targetVocabSize: Vt, embeddingSize: E, units: H, numLayers } = o;
  const gates = o.cell === "lstm" ? 4 : 3;
  const recurrent = (part: string): ParameterSpec[] => Array.from({ length: numLayers }, (_, l) => torchRecurrentParams(gates, H, l === 0 ? E : H, `_l${l}`))
    .flat().map((s) => ({ name: `${part}.${s.name}`, shape: s.shape }));
  // With attention: the feed weight_ch_l0 [gates·H, H], the score's weights (at most 2 [H, H] and [H] + [1, H]), W_c [H, 2H] and b_c [H].
  const attention: ParameterSpec[] = o.attention === undefined ? [] : [
    { name: "decoder.weight_ch_l0", shape: [gates * H, H] }, { name: "attention.weights", shape: [2 * H + 2, H] },
    { name: "attentional.weight", shape: [H, 2 * H] }, { name: "attentional.bias", shape: [H] },
  ];
  checkParameterBlock(where, `sourceVocabSize ${Vs}, targetVocabSize ${Vt}, units ${H}, embeddingSize ${E}, numLayers ${numLayers}${o.attention === undefined ? "" : `, attention "${o.attention}"`}`, [
    { name: "sourceEmbedding.weight", shape: [Vs, E] }, ...recurrent("encoder"),
    { name: "targetEmbedding.weight", shape: [Vt, E] }, ...recurrent("decoder"), ...attention,
    { name: "output.weight", shape: [Vt, H] }, { name: "output.bias", shape: [Vt] },
  ]);
}
