// Drawing one token from a distribution over a vocabulary: temperature, top-k, top-p (nucleus) and
// ids to avoid. The one sampler behind generate() and language-model sampling.
import { Rng } from "../random.js";
import { checkOptionKeys, checkInt, checkNumber, describe } from "../validate.js";

/** How `sampleToken` (and `generate`) pick a token from a distribution. */
export interface SamplingOptions {
  /**
   * Scales the distribution to p^(1/temperature) (default 1): below 1 sharper, above 1 flatter;
   * 0 is greedy decoding (the most probable id, no randomness).
   */
  temperature?: number;
  /** Keep only the k most probable ids (an integer in [1, vocabulary size]; 1 is greedy). Default: all. */
  topK?: number;
  /**
   * Nucleus sampling, in (0, 1] (default 1: off): keep the smallest set of most probable ids whose
   * mass reaches topP of the remaining mass (within float32 rounding, 1e-6 relative).
   */
  topP?: number;
  /**
   * Ids never returned: they are removed before temperature, top-k and top-p, which equals
   * drawing again whenever one comes up (e.g. [Vocabulary.UNK_ID]). Default for sampleToken: none.
   */
  avoid?: readonly number[];
}

/** Uniform random numbers in [0, 1): the library's seeded Rng, or any function (e.g. for tests). */
export type UniformSource = Rng | (() => number);

/** The checked sampling settings (avoid as a set of ids). */
export interface SamplingSettings {
  temperature: number;
  topK: number;
  topP: number;
  avoid: Set<number>;
}

export const SAMPLING_KEYS = ["temperature", "topK", "topP", "avoid"] as const;

/** Validates sampling options for a vocabulary of V ids; `defaultAvoid` applies when avoid is absent. */
export function checkSamplingOptions(where: string, options: SamplingOptions, V: number, defaultAvoid: readonly number[] = []): SamplingSettings {
  const temperature = checkNumber(where, "temperature", options.temperature ?? 1, 0);
  const topK = options.topK === undefined ? V : checkInt(where, "topK", options.topK, 1);
  if (topK > V) throw new RangeError(`${where}: topK must be <= the vocabulary size ${V} (it keeps the topK most probable of ${V} ids); got ${topK}`);
  const topP = checkNumber(where, "topP", options.topP ?? 1, 0, 1);
  if (topP === 0) throw new RangeError(`${where}: topP must be in (0, 1]; got 0`);
  const avoidList = options.avoid ?? defaultAvoid;
  if (!Array.isArray(avoidList)) throw new TypeError(`${where}: avoid must be an array of token ids; got ${describe(avoidList)}`);
  const avoid = new Set<number>();
  avoidList.forEach((id: unknown, i) => {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= V) {
      throw new RangeError(`${where}: avoid must hold ids in [0, ${V}); got ${describe(id)} at index ${i}`);
    }
    avoid.add(id);
  });
  if (avoid.size >= V) throw new RangeError(`${where}: avoid lists every id of the vocabulary (${V}); nothing is left to sample`);
  return { temperature, topK, topP, avoid };
}

/** True when the settings always pick the most probable id (no random number is drawn). */
export function isGreedy(settings: SamplingSettings): boolean {
  return settings.temperature === 0 || settings.topK === 1;
}

/** Validates the random source; null is allowed only for greedy settings. */
export function checkUniformSource(where: string, rng: unknown, settings: SamplingSettings): UniformSource | null {
  if (rng === undefined || rng === null) {
    if (isGreedy(settings)) return null;
    throw new TypeError(`${where}: sampling (temperature > 0 and topK > 1) needs a random source: pass an Rng or a seed`);
  }
  if (!(rng instanceof Rng) && typeof rng !== "function") throw new TypeError(`${where}: rng must be an Rng or a function returning numbers in [0, 1); got ${describe(rng)}`);
  return rng as UniformSource;
}

function uniform(where: string, rng: UniformSource): number {
  const u = rng instanceof Rng ? rng.nextFloat() : rng();
  if (typeof u !== "number" || !(u >= 0 && u < 1)) throw new RangeError(`${where}: rng must return numbers in [0, 1); got ${describe(u)}`);
  return u;
}

/** Checks a distribution: a non-empty array of finite, non-negative numbers. */
function checkProbabilities(where: string, probabilities: unknown): ArrayLike<number> {
  if (!Array.isArray(probabilities) && !(probabilities instanceof Float32Array) && !(probabilities instanceof Float64Array)) {
    throw new TypeError(`${where}: probabilities must be an array, Float32Array or Float64Array of numbers; got ${describe(probabilities)}`);
  }
  if (probabilities.length === 0) throw new RangeError(`${where}: probabilities must not be empty`);
  for (let i = 0; i < probabilities.length; i++) {
    const p: unknown = probabilities[i];
    if (typeof p !== "number" || !Number.isFinite(p) || p < 0) {
      throw new RangeError(`${where}: probabilities must hold finite numbers >= 0; got ${describe(p)} at index ${i}`);
    }
  }
  return probabilities as ArrayLike<number>;
}

/**
 * The id drawn from already-checked settings (no validation: the loop of generate()). Avoided
 * ids are dropped, then temperature rescales, top-k and top-p cut, and one uniform number picks
 * an id among the rest in proportion to its (rescaled) probability.
 */
export function drawToken(where: string, p: ArrayLike<number>, s: SamplingSettings, rng: UniformSource | null): number {
  const ids: number[] = [];
  let best = -1;
  for (let i = 0; i < p.length; i++) {
    if (s.avoid.has(i) || !(p[i]! > 0)) continue;
    ids.push(i);
    if (best < 0 || p[i]! > p[best]!) best = i;
  }
  if (best < 0) throw new RangeError(`${where}: no probability mass is left outside avoid`);
  if (isGreedy(s)) return best;
  if (rng === null) throw new TypeError(`${where}: sampling needs a random source`);
  // p^(1/T) relative to the largest, in float64: exact order, no overflow.
  const logMax = Math.log(p[best]!);
  const weight = new Float64Array(p.length);
  for (const i of ids) weight[i] = Math.exp((Math.log(p[i]!) - logMax) / s.temperature);
  ids.sort((a, b) => weight[b]! - weight[a]! || a - b);
  let kept = Math.min(s.topK, ids.length);
  let total = 0;
  for (let j = 0; j < kept; j++) total += weight[ids[j]!]!;
  if (s.topP < 1) {
    const target = s.topP * total * (1 - 1e-6);
    let mass = 0;
    for (let j = 0; j < kept; j++) {
      mass += weight[ids[j]!]!;
      if (mass >= target) {
        kept = j + 1;
        total = mass;
        break;
      }
    }
  }
  let r = uniform(where, rng) * total;
  for (let j = 0; j < kept; j++) {
    r -= weight[ids[j]!]!;
    if (r < 0) return ids[j]!;
  }
  return ids[kept - 1]!;
}

/**
 * Draws one id from `probabilities` (one non-negative weight per id; they need not sum to 1):
 * avoided ids are removed, the rest rescaled by the temperature, cut to the topK most probable and
 * then to the smallest most-probable set holding topP of the mass, and one is drawn in proportion
 * to its weight. temperature 0 or topK 1 return the most probable id (ties: the lowest id) and need
 * no `rng`. Throws when no mass is left outside `avoid`.
 */
export function sampleToken(probabilities: ArrayLike<number>, options: SamplingOptions = {}, rng?: UniformSource): number {
  const where = "sampleToken";
  const p = checkProbabilities(where, probabilities);
  checkOptionKeys(where, options, SAMPLING_KEYS);
  const settings = checkSamplingOptions(where, options, p.length);
  return drawToken(where, p, settings, checkUniformSource(where, rng, settings));
}
