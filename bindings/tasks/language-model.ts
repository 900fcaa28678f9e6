// Language-model scores: log-probabilities of whole sequences, perplexity and the next-token
// distribution, from a model that reads ids and predicts the next id at every step.
import type { Model } from "../model.js";
import { Vocabulary } from "../sequences/vocabulary.js";
import { padSequences } from "../sequences/padding.js";
import { toIndexArray, MAX_I32, type IdArray } from "../sequences/check.js";
import { toTensor, type IntTensor, type Tensor, type TensorLike } from "../tensor.js";
import { softmaxCrossEntropy } from "../losses.js";
import { checkOptionKeys, checkInt, shapeString } from "../validate.js";
import { checkTokenModel, checkIds, checkContextRow, checkSequenceList, optionalId, type TokenModel } from "./check.js";

/** Where a scored sequence starts and ends. */
export interface BoundaryOptions {
  /** Fed first, as the model was trained (default Vocabulary.BOS_ID, 3); null: the first id is only context, not scored. */
  bos?: number | null;
  /** Appended and scored, so the end of the sequence counts (default null: not appended; Vocabulary.EOS_ID is 2). */
  eos?: number | null;
}

/** Options of `sequenceLogProbability`. */
export interface SequenceScoreOptions extends BoundaryOptions {
  /** The context [C] (or [1, C]) for a model built with contextSize. */
  context?: TensorLike;
}

/** Options of `perplexity`. */
export interface PerplexityOptions extends BoundaryOptions {
  /** One context per sequence [N, C] for a model built with contextSize. */
  context?: TensorLike;
  /** Sequences per forward pass (default 256). */
  batchSize?: number;
}

/** Options of `nextTokenDistribution`. */
export interface NextTokenOptions {
  /** Fed before the prefix (default Vocabulary.BOS_ID, 3); null: the prefix alone (then it must not be empty). */
  bos?: number | null;
  /** The context [C] (or [1, C]) for a model built with contextSize. */
  context?: TensorLike;
}

/** Next-token pairs of a batch: inputs x [T, N] and targets y [T, N], post-padded, and each sequence's length. */
export interface NextTokenBatch {
  x: IntTensor;
  y: IntTensor;
  lengths: Int32Array;
}

/** x = s[:-1], y = s[1:] for every s = [bos?, ...ids, eos?] (ids already checked), padded to the longest. */
function nextTokenPairs(where: string, seqs: readonly Int32Array[], name: (n: number) => string, bos: number | null, eos: number | null): NextTokenBatch {
  const framed = seqs.map((ids, n) => {
    const s = Int32Array.from([...(bos === null ? [] : [bos]), ...ids, ...(eos === null ? [] : [eos])]);
    if (s.length < 2) throw new RangeError(`${where}: ${name(n)} leaves nothing to score: with bos and eos added it must hold at least 2 ids; got ${s.length}`);
    return s;
  });
  const x = padSequences(framed.map((s) => s.subarray(0, -1)), { padding: "post" });
  const y = padSequences(framed.map((s) => s.subarray(1)), { padding: "post" });
  return { x: x.ids, y: y.ids, lengths: x.lengths };
}

/**
 * What a next-token model trains on and what `perplexity` scores: sequence n becomes
 * s = [bos?, ...ids, eos?] (bos defaults to Vocabulary.BOS_ID, eos to none: pass
 * Vocabulary.EOS_ID to learn where sequences end), x = s without its last id and y = s without its
 * first, both post-padded [T, N], with lengths for `fit(x, y, { lengths })`.
 */
export function nextTokenBatch(sequences: readonly IdArray[], options: BoundaryOptions = {}): NextTokenBatch {
  const where = "nextTokenBatch";
  checkOptionKeys(where, options, ["bos", "eos"]);
  const seqs = checkSequenceList(where, "sequences", sequences).map((s, n) => toIndexArray(where, `sequences[${n}]`, s));
  const bos = optionalId(where, "bos", options.bos, Vocabulary.BOS_ID, MAX_I32);
  const eos = optionalId(where, "eos", options.eos, null, MAX_I32);
  return nextTokenPairs(where, seqs, (n) => `sequences[${n}]`, bos, eos);
}

/**
 * Σ log P over every scored token of `seqs` and the number of scored tokens: one padded forward
 * pass per batch of next-token pairs, the log-probabilities summed by the core's cross-entropy.
 */
function scoreSequences(
  where: string,
  tm: TokenModel,
  seqs: readonly IdArray[],
  name: (n: number) => string,
  options: BoundaryOptions,
  context: Tensor | undefined,
  batchSize: number,
): { logProbability: number; tokens: number } {
  const V = tm.vocabSize;
  const bos = optionalId(where, "bos", options.bos, Vocabulary.BOS_ID, V);
  const eos = optionalId(where, "eos", options.eos, null, V);
  const ids = seqs.map((s, n) => checkIds(where, name(n), s, V));
  let logProbability = 0;
  let tokens = 0;
  for (let b0 = 0; b0 < ids.length; b0 += batchSize) {
    const { x, y, lengths } = nextTokenPairs(where, ids.slice(b0, b0 + batchSize), (k) => name(b0 + k), bos, eos);
    const [T, B] = x.shape as [number, number];
    const options = context === undefined
      ? { lengths }
      : { lengths, context: { shape: [B, tm.contextSize], data: context.data.slice(b0 * tm.contextSize, (b0 + B) * tm.contextSize) } };
    const logits = tm.model.predict(x, options);
    const mask = new Float32Array(T * B);
    lengths.forEach((len, b) => {
      for (let t = 0; t < len; t++) mask[t * B + b] = 1;
    });
    logProbability -= softmaxCrossEntropy(logits, y, { mask: { shape: [T, B], data: mask }, reduction: "sum" }).loss;
    tokens += lengths.reduce((a, l) => a + l, 0);
  }
  return { logProbability, tokens };
}

/**
 * log P(ids) = Σ_t log P(id_t | ids before t), natural log, under a next-token model (first
 * layer an Embedding, loss softmaxCrossEntropy over the same vocabulary, unidirectional). By
 * default BOS is fed first and P(ids[0] | BOS) counts; pass eos (e.g. Vocabulary.EOS_ID) to also
 * score the end of the sequence.
 */
export function sequenceLogProbability(model: Model, ids: IdArray, options: SequenceScoreOptions = {}): number {
  const where = "sequenceLogProbability";
  const tm = checkTokenModel(where, model);
  checkOptionKeys(where, options, ["bos", "eos", "context"]);
  const context = checkContextRow(where, options.context, tm.contextSize);
  return scoreSequences(where, tm, [ids], () => "ids", options, context, 1).logProbability;
}

/**
 * exp(-Σ log P / tokens) over all scored tokens of all sequences (each scored as in
 * sequenceLogProbability, with the same bos / eos options): the model's average branching factor.
 */
export function perplexity(model: Model, sequences: readonly IdArray[], options: PerplexityOptions = {}): number {
  const where = "perplexity";
  const tm = checkTokenModel(where, model);
  checkOptionKeys(where, options, ["bos", "eos", "context", "batchSize"]);
  const seqs = checkSequenceList(where, "sequences", sequences);
  const batchSize = checkInt(where, "batchSize", options.batchSize ?? 256);
  let context: Tensor | undefined;
  if (options.context !== undefined || tm.contextSize > 0) {
    if (options.context === undefined) throw new RangeError(`${where}: context [N, ${tm.contextSize}] is required (the model's layers were built with contextSize ${tm.contextSize})`);
    if (tm.contextSize === 0) throw new RangeError(`${where}: context given, but no layer of the model was built with contextSize`);
    context = toTensor(where, "context", options.context);
    if (context.shape.length !== 2 || context.shape[0] !== seqs.length || context.shape[1] !== tm.contextSize) {
      throw new RangeError(`${where}: context must have shape [${seqs.length}, ${tm.contextSize}] (one row per sequence); got ${shapeString(context.shape)}`);
    }
  }
  const { logProbability, tokens } = scoreSequences(where, tm, seqs, (n) => `sequences[${n}]`, options, context, batchSize);
  return Math.exp(-logProbability / tokens);
}

/**
 * P(next id | bos?, ...prefix) as a Float32Array over the vocabulary (sums to 1), computed in
 * float64 from the model's logits. Feed it to `sampleToken` to draw from it.
 */
export function nextTokenDistribution(model: Model, prefix: IdArray, options: NextTokenOptions = {}): Float32Array {
  const where = "nextTokenDistribution";
  const tm = checkTokenModel(where, model);
  checkOptionKeys(where, options, ["bos", "context"]);
  const V = tm.vocabSize;
  const bos = optionalId(where, "bos", options.bos, Vocabulary.BOS_ID, V);
  const ids = checkIds(where, "prefix", prefix, V);
  const input = Int32Array.from([...(bos === null ? [] : [bos]), ...ids]);
  if (input.length === 0) throw new RangeError(`${where}: prefix must not be empty when bos is null`);
  const context = checkContextRow(where, options.context, tm.contextSize);
  const x = { shape: [input.length, 1], data: input };
  const probabilities = model.predict(x, context === undefined ? { probabilities: true } : { context, probabilities: true }).data;
  return probabilities.slice((input.length - 1) * V);
}
