// Letter n-gram word hashing (as DSSM's "word hashing"): a word becomes the counts of its letter
// n-grams, folded into a fixed number of buckets, so words never seen in training still get a vector.
import type { Tensor } from "../tensor.js";
import { checkOptionKeys, checkInt, describe } from "../validate.js";
import { checkSeed } from "../validate.js";
import { checkAllocation } from "../sizes.js";

/** Options of `new NgramHasher(...)`. */
export interface NgramHasherOptions {
  /** Letters per n-gram (default 3). */
  n?: number;
  /** Length of every vector: n-grams are hashed into this many buckets (at most 2^28 - 1, one block of wasm memory). */
  buckets: number;
  /** Seed of the hash, an integer in [0, 2^32 - 1] (default 0): other seeds give other collisions. */
  seed?: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

function checkWord(where: string, name: string, word: unknown): string {
  if (typeof word !== "string") throw new TypeError(`${where}: ${name} must be a string; got ${describe(word)}`);
  if (word.length === 0) throw new RangeError(`${where}: ${name} must be a non-empty string; got ""`);
  return word;
}

/**
 * The letter n-grams of `word` framed by the boundary mark "#", in order and with repeats:
 * `letterNgrams("apple")` is `["#ap", "app", "ppl", "ple", "le#"]`. Letters are Unicode code
 * points; a framed word shorter than n is one n-gram (`letterNgrams("a")` is `["#a#"]`).
 */
export function letterNgrams(word: string, n = 3): string[] {
  const where = "letterNgrams";
  checkWord(where, "word", word);
  checkInt(where, "n", n);
  const letters = Array.from(`#${word}#`);
  if (letters.length <= n) return [letters.join("")];
  const grams: string[] = [];
  for (let i = 0; i + n <= letters.length; i++) grams.push(letters.slice(i, i + n).join(""));
  return grams;
}

/**
 * 32-bit FNV-1a of the UTF-8 bytes of `text`, started from the offset basis 2166136261 XOR `seed`
 * (seed 0 is the standard FNV-1a: `fnv1a32("a")` is 0xe40c292c). Stable across platforms and versions.
 */
export function fnv1a32(text: string, seed = 0): number {
  let h = (FNV_OFFSET ^ seed) >>> 0;
  for (const byte of utf8.encode(text)) h = Math.imul(h ^ byte, FNV_PRIME) >>> 0;
  return h;
}

/**
 * Maps words to vectors of letter n-gram counts: n-gram g adds 1 to bucket
 * `fnv1a32(g, seed) % buckets`. Words sharing n-grams ("apple", "apples") get similar vectors.
 */
export class NgramHasher {
  /** Letters per n-gram. */
  readonly n: number;
  /** Length of every vector. */
  readonly buckets: number;
  /** Seed of the hash. */
  readonly seed: number;

  constructor(options: NgramHasherOptions) {
    const where = "NgramHasher";
    checkOptionKeys(where, options, ["n", "buckets", "seed"]);
    if (options === undefined) throw new TypeError(`${where}: options { buckets } are required`);
    this.n = checkInt(where, "n", options.n ?? 3);
    const buckets = checkInt(where, "buckets", options.buckets);
    this.buckets = checkAllocation(where, `buckets ${buckets} (one vector, which must fit one block to reach a model)`, buckets);
    this.seed = checkSeed(where, options.seed ?? 0);
  }

  #countInto(out: Float32Array, offset: number, word: string): void {
    for (const gram of letterNgrams(word, this.n)) out[offset + (fnv1a32(gram, this.seed) % this.buckets)]! += 1;
  }

  /** The n-gram counts of one word, a Float32Array of length `buckets`. */
  vector(word: string): Float32Array {
    checkWord("NgramHasher.vector", "word", word);
    const out = new Float32Array(this.buckets);
    this.#countInto(out, 0, word);
    return out;
  }

  /** The vectors of `words` as rows of a Tensor [words.length, buckets]. */
  encode(words: readonly string[]): Tensor {
    const where = "NgramHasher.encode";
    if (!Array.isArray(words)) throw new TypeError(`${where}: words must be an array of strings; got ${describe(words)}`);
    const out = new Float32Array(checkAllocation(where, `words (${words.length}) × buckets (${this.buckets})`, words.length * this.buckets));
    words.forEach((w, i) => this.#countInto(out, i * this.buckets, checkWord(where, `words[${i}]`, w)));
    return { shape: [words.length, this.buckets], data: out };
  }

  /** The options that rebuild this hasher: `new NgramHasher(JSON.parse(JSON.stringify(hasher)))`. */
  toJSON(): Required<NgramHasherOptions> {
    return { n: this.n, buckets: this.buckets, seed: this.seed };
  }
}
