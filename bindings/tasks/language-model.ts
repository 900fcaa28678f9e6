// Language-model scores: log-probabilities of whole sequences, perplexity and the next-token
// distribution, from a model that reads ids and predicts the next id at every step.
import type { Model } from "../model.js";
import { Vocabulary } from "../sequences/vocabulary.js";
import { padSequences } from "../sequences/padding.js";
import type { IdArray } from "../sequences/check.js";
import { toTensor, type Tensor, type TensorLike } from "../tensor.js";
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

/** The log-probability sum and the number of scored tokens of every sequence. */
interface Scores {
  logProbabilities: Float64Array;
  tokens: Int32Array;
}

/** log Σ_c exp(logits[offset + c]) over one row of V logits, in float64 (log-softmax = logit - this). */
function logSumExp(logits: Float32Array, offset: number, V: number): number {
  let max = -Infinity;
  for (let c = 0; c < V; c++) max = Math.max(max, logits[offset + c]!);
  let sum = 0;
  for (let c = 0; c < V; c++) sum += Math.exp(logits[offset + c]! - max);
  return max + Math.log(sum);
}

/**
 * Scores sequences with one padded forward pass per batch: sequence n becomes
 * [bos?, ...ids, eos?]; every id after the first is scored given the ids before it.
 */
function scoreSequences(
  where: string,
  tm: TokenModel,
  seqs: readonly IdArray[],
  name: (n: number) => string,
  options: BoundaryOptions,
  context: Tensor | undefined,
  batchSize: number,
): Scores {
  const V = tm.vocabSize;
  const bos = optionalId(where, "bos", options.bos, Vocabulary.BOS_ID, V);
  const eos = optionalId(where, "eos", options.eos, null, V);
  const full = seqs.map((s, n) => {
    const ids = checkIds(where, name(n), s, V);
    const seq = [...(bos === null ? [] : [bos]), ...ids, ...(eos === null ? [] : [eos])];
    if (seq.length < 2) {
      throw new RangeError(`${where}: ${name(n)} leaves nothing to score: with bos and eos added it must hold at least 2 ids; got ${seq.length}`);
    }
    return seq;
  });
  const N = full.length;
  const logProbabilities = new Float64Array(N);
  const tokens = new Int32Array(N);
  for (let b0 = 0; b0 < N; b0 += batchSize) {
    const batch = full.slice(b0, b0 + batchSize);
    const B = batch.length;
    const { ids, lengths } = padSequences(batch.map((s) => s.slice(0, -1)), { padding: "post" });
    const options = context === undefined
      ? { lengths }
      : { lengths, context: { shape: [B, tm.contextSize], data: context.data.slice(b0 * tm.contextSize, (b0 + B) * tm.contextSize) } };
    const logits = tm.model.predict(ids, options).data;
    batch.forEach((seq, k) => {
      let sum = 0;
      for (let t = 0; t < lengths[k]!; t++) {
        const offset = (t * B + k) * V;
        sum += logits[offset + seq[t + 1]!]! - logSumExp(logits, offset, V);
      }
      logProbabilities[b0 + k] = sum;
      tokens[b0 + k] = lengths[k]!;
    });
  }
  return { logProbabilities, tokens };
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
  return scoreSequences(where, tm, [ids], () => "ids", options, context, 1).logProbabilities[0]!;
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
  const { logProbabilities, tokens } = scoreSequences(where, tm, seqs, (n) => `sequences[${n}]`, options, context, batchSize);
  let sum = 0;
  let count = 0;
  logProbabilities.forEach((lp, n) => {
    sum += lp;
    count += tokens[n]!;
  });
  return Math.exp(-sum / count);
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
  const logits = model.predict(x, context === undefined ? {} : { context }).data;
  const offset = (input.length - 1) * V;
  const norm = logSumExp(logits, offset, V);
  const out = new Float32Array(V);
  for (let c = 0; c < V; c++) out[c] = Math.exp(logits[offset + c]! - norm);
  return out;
}
