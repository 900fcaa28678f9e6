// One-to-many generation: feed each sampled token back as the next input, step by step.
import type { Model } from "../model.js";
import { Rng } from "../random.js";
import { Vocabulary } from "../sequences/vocabulary.js";
import type { TensorLike } from "../tensor.js";
import { checkOptionKeys, checkInt, checkSeed } from "../validate.js";
import { checkTokenModel, checkIds, checkContextRow, optionalId } from "./check.js";
import { SAMPLING_KEYS, checkSamplingOptions, checkUniformSource, drawToken, type SamplingOptions } from "./sampling.js";

/** Options of `generate`. */
export interface GenerateOptions extends SamplingOptions {
  /** The first input id(s): a prompt fed before the first draw (default Vocabulary.BOS_ID, 3). */
  start?: number | readonly number[];
  /** The per-sequence context [C] (or [1, C]) for a model whose layers were built with contextSize. */
  context?: TensorLike;
  /** At most this many ids are generated (an integer >= 1). */
  maxLength: number;
  /** Generation stops when this id is drawn; it is not returned (default Vocabulary.EOS_ID, 2; null: never stop early). */
  eos?: number | null;
  /** Seed of a fresh Rng for the draws (give this or rng unless decoding is greedy). */
  seed?: number;
  /** The Rng (or a function of uniform numbers in [0, 1)) to draw from; it is advanced, not disposed. */
  rng?: Rng | (() => number);
  /** Ids never generated (default [Vocabulary.UNK_ID]; [] allows every id). */
  avoid?: readonly number[];
}

const GENERATE_KEYS = ["start", "context", "maxLength", "eos", "seed", "rng", ...SAMPLING_KEYS] as const;

/**
 * Generates token ids from a model whose first layer is an Embedding and whose loss is
 * softmaxCrossEntropy over the same vocabulary: resets the model's streams, feeds `start`, then
 * repeatedly draws the next id from the model's distribution (see `sampleToken` for temperature,
 * topK, topP and avoid) and feeds it back with `Model.step`, until `eos` is drawn or `maxLength`
 * ids were generated. Returns the generated ids without the start ids and without the EOS, so
 * fewer than maxLength ids means the model ended the sequence. The model's streams are reset
 * again afterwards. Greedy decoding (temperature 0 or topK 1) needs neither seed nor rng.
 */
export function generate(model: Model, options: GenerateOptions): number[] {
  const where = "generate";
  const { vocabSize: V, contextSize } = checkTokenModel(where, model);
  checkOptionKeys(where, options, GENERATE_KEYS);
  if (options === undefined) throw new TypeError(`${where}: options { maxLength } are required`);
  const maxLength = checkInt(where, "maxLength", options.maxLength, 1);
  const start = options.start === undefined
    ? checkIds(where, "start (default Vocabulary.BOS_ID)", [Vocabulary.BOS_ID], V)
    : checkIds(where, "start", typeof options.start === "number" ? [options.start] : options.start, V);
  if (start.length === 0) throw new RangeError(`${where}: start must hold at least one id`);
  const eos = optionalId(where, "eos", options.eos, Vocabulary.EOS_ID, V);
  const context = checkContextRow(where, options.context, contextSize);
  const settings = checkSamplingOptions(where, options, V, Vocabulary.UNK_ID < V ? [Vocabulary.UNK_ID] : []);
  if (options.seed !== undefined && options.rng !== undefined) throw new TypeError(`${where}: give seed or rng, not both`);
  const owned = options.seed === undefined ? null : new Rng(checkSeed(where, options.seed));
  const stepOptions = context === undefined ? { probabilities: true } : { context, probabilities: true };
  const out: number[] = [];
  try {
    const rng = checkUniformSource(where, owned ?? options.rng, settings);
    model.resetState();
    let probs = model.step({ shape: [start.length, 1], data: start }, stepOptions).data;
    for (;;) {
      const id = drawToken(where, probs.subarray(probs.length - V), settings, rng);
      if (id === eos) break;
      out.push(id);
      if (out.length === maxLength) break;
      probs = model.step({ shape: [1], data: Int32Array.of(id) }, stepOptions).data;
    }
  } finally {
    model.resetState();
    owned?.dispose();
  }
  return out;
}
