// A token vocabulary: reserved ids for padding, unknown words, end and start of sequence, then
// the corpus tokens by frequency.
import { toIntTensor, type Tensor, type IntTensor, type NestedArray } from "../tensor.js";
import { checkOptionKeys, checkInt, checkBoolean, describe } from "../validate.js";
import { toIndexArray, readJson, type IdArray } from "./check.js";
import { checkAllocation } from "../sizes.js";

/** Options of `Vocabulary.build`. */
export interface VocabularyOptions {
  /** Keep only tokens seen at least this often (default 1). */
  minFrequency?: number;
  /** At most this many ids in all, reserved tokens and specials included (default: no limit). */
  maxSize?: number;
  /** Extra reserved tokens (e.g. "<sep>"), given ids 4, 5, ... after the four reserved ones. */
  specials?: string[];
}

/** Options of `Vocabulary.encode`. */
export interface EncodeOptions {
  /** Start with BOS (id 3); default false. */
  addBos?: boolean;
  /** End with EOS (id 2); default false. */
  addEos?: boolean;
}

/** Options of `Vocabulary.decode`. */
export interface DecodeOptions {
  /** Stop before the first EOS; default false. */
  stopAtEos?: boolean;
  /** Leave out PAD, EOS, BOS and the extra specials (UNK is kept: it stands for a word); default false. */
  skipSpecials?: boolean;
}

/** A vocabulary as `toJSON()` saves it. */
export interface VocabularyJSON {
  format: "wasm-rnn/vocabulary";
  version: 1;
  /** Every token in id order, the reserved tokens and specials first. */
  tokens: string[];
  /** The extra specials given to `build` (ids 4, 5, ...). */
  specials: string[];
}

const FORMAT = "wasm-rnn/vocabulary";
const RESERVED = ["<pad>", "<unk>", "<eos>", "<bos>"] as const;

function checkTokens(where: string, name: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new TypeError(`${where}: ${name} must be an array of strings; got ${describe(value)}`);
  value.forEach((t, i) => {
    if (typeof t !== "string") throw new TypeError(`${where}: ${name}[${i}] must be a string; got ${describe(t)}`);
  });
  return value as string[];
}

/**
 * Token <-> id mapping. Reserved ids: PAD 0 ("<pad>", what `padSequences` fills with),
 * UNK 1 ("<unk>", every unknown token), EOS 2 ("<eos>", end of sequence), BOS 3 ("<bos>", the
 * first input of a generator); then the `specials` given to `build`; then the corpus tokens,
 * most frequent first, ties in order of first appearance (the same corpus always gives the same ids).
 */
export class Vocabulary {
  /** Id of "<pad>", the padding token. */
  static readonly PAD_ID = 0;
  /** Id of "<unk>", which every token outside the vocabulary maps to. */
  static readonly UNK_ID = 1;
  /** Id of "<eos>", the end-of-sequence token. */
  static readonly EOS_ID = 2;
  /** Id of "<bos>", the start-of-sequence token. */
  static readonly BOS_ID = 3;

  readonly #tokens: string[];
  readonly #specials: number;
  readonly #ids: Map<string, number>;

  private constructor(tokens: string[], specials: number) {
    this.#tokens = tokens;
    this.#specials = specials;
    this.#ids = new Map(tokens.map((t, i) => [t, i]));
  }

  /**
   * Builds a vocabulary from token lists (e.g. `tokenizeWords` of each text). Corpus tokens equal
   * to a reserved token or a special count as that token and get no id of their own.
   */
  static build(sequences: string[][], options: VocabularyOptions = {}): Vocabulary {
    const where = "Vocabulary.build";
    checkOptionKeys(where, options, ["minFrequency", "maxSize", "specials"]);
    const minFrequency = checkInt(where, "minFrequency", options.minFrequency ?? 1);
    const specials = checkTokens(where, "specials", options.specials ?? []);
    const reserved = [...RESERVED, ...specials];
    if (new Set(reserved).size !== reserved.length) {
      throw new RangeError(`${where}: specials must be distinct and differ from ${RESERVED.join(", ")}; got ${specials.join(", ")}`);
    }
    const maxSize = options.maxSize === undefined ? Infinity : checkInt(where, "maxSize", options.maxSize, reserved.length);
    if (!Array.isArray(sequences)) throw new TypeError(`${where}: sequences must be an array of token arrays; got ${describe(sequences)}`);
    const counts = new Map<string, number>(); // insertion order = first appearance
    const known = new Set(reserved);
    let total = 0;
    sequences.forEach((seq, i) => {
      for (const token of checkTokens(where, `sequences[${i}]`, seq)) {
        total++;
        if (!known.has(token)) counts.set(token, (counts.get(token) ?? 0) + 1);
      }
    });
    if (total === 0) throw new RangeError(`${where}: sequences must hold at least one token; got ${sequences.length} sequences and no tokens`);
    const kept = [...counts].filter(([, c]) => c >= minFrequency).sort((a, b) => b[1] - a[1]); // stable: ties keep first appearance
    const tokens = kept.slice(0, maxSize - reserved.length).map(([t]) => t);
    return new Vocabulary([...reserved, ...tokens], specials.length);
  }

  /** Rebuilds a vocabulary from `toJSON()`'s object (or its JSON string). */
  static fromJSON(json: VocabularyJSON | string): Vocabulary {
    const where = "Vocabulary.fromJSON";
    const record = readJson(where, json, FORMAT, 1);
    const tokens = checkTokens(where, "json.tokens", record.tokens);
    const specials = checkTokens(where, "json.specials", record.specials);
    const reserved = [...RESERVED, ...specials];
    reserved.forEach((t, i) => {
      if (tokens[i] !== t) throw new RangeError(`${where}: json.tokens[${i}] must be "${t}"; got ${describe(tokens[i])}`);
    });
    if (new Set(tokens).size !== tokens.length) throw new RangeError(`${where}: json.tokens must be distinct`);
    return new Vocabulary([...tokens], specials.length);
  }

  /** Number of ids, reserved tokens included: the `inputSize` of an Embedding over it. */
  get size(): number {
    return this.#tokens.length;
  }

  /** Every token in id order (a copy), as torchtext's `get_itos()`. */
  get tokens(): string[] {
    return [...this.#tokens];
  }

  /** True when `token` has an id of its own. */
  has(token: string): boolean {
    return this.#ids.has(token);
  }

  /** The id of `token`, or UNK_ID when the vocabulary does not hold it. */
  idOf(token: string): number {
    if (typeof token !== "string") throw new TypeError(`Vocabulary.idOf: token must be a string; got ${describe(token)}`);
    return this.#ids.get(token) ?? Vocabulary.UNK_ID;
  }

  /** The token of `id`, an integer in [0, size). */
  tokenOf(id: number): string {
    checkInt("Vocabulary.tokenOf", "id", id, 0);
    if (id >= this.size) throw new RangeError(`Vocabulary.tokenOf: id must be in [0, ${this.size}); got ${id}`);
    return this.#tokens[id]!;
  }

  /** The ids of `tokens` (unknown tokens -> UNK_ID), optionally framed by BOS / EOS. */
  encode(tokens: readonly string[], options: EncodeOptions = {}): Int32Array {
    const where = "Vocabulary.encode";
    checkOptionKeys(where, options, ["addBos", "addEos"]);
    const addBos = checkBoolean(where, "addBos", options.addBos ?? false);
    const addEos = checkBoolean(where, "addEos", options.addEos ?? false);
    checkTokens(where, "tokens", tokens);
    const out = new Int32Array(tokens.length + Number(addBos) + Number(addEos));
    if (addBos) out[0] = Vocabulary.BOS_ID;
    tokens.forEach((t, i) => (out[i + Number(addBos)] = this.#ids.get(t) ?? Vocabulary.UNK_ID));
    if (addEos) out[out.length - 1] = Vocabulary.EOS_ID;
    return out;
  }

  /** The tokens of `ids` (integers in [0, size)). */
  decode(ids: IdArray, options: DecodeOptions = {}): string[] {
    const where = "Vocabulary.decode";
    checkOptionKeys(where, options, ["stopAtEos", "skipSpecials"]);
    const stopAtEos = checkBoolean(where, "stopAtEos", options.stopAtEos ?? false);
    const skipSpecials = checkBoolean(where, "skipSpecials", options.skipSpecials ?? false);
    const out: string[] = [];
    for (const id of toIndexArray(where, "ids", ids, this.size)) {
      if (stopAtEos && id === Vocabulary.EOS_ID) break;
      const special = id < RESERVED.length + this.#specials && id !== Vocabulary.UNK_ID;
      if (!(skipSpecials && special)) out.push(this.#tokens[id]!);
    }
    return out;
  }

  /**
   * 1-of-N vectors: ids of shape [...] (an array, an Int32Array or an IntTensor such as
   * `padSequences(...).ids` [T, N]) give a Tensor [..., size] with a single 1 per vector, at the
   * id. Unknown words were encoded as UNK_ID, so the UNK dimension is "other".
   */
  oneHot(ids: IdArray | IntTensor | NestedArray): Tensor {
    const where = "Vocabulary.oneHot";
    const t = ids instanceof Int32Array ? { shape: [ids.length], data: ids } : toIntTensor(where, "ids", ids);
    const data = toIndexArray(where, "ids", t.data, this.size);
    const V = this.size;
    const out = new Float32Array(checkAllocation(where, `ids (${data.length}) × the vocabulary size (${V})`, data.length * V));
    data.forEach((id, i) => (out[i * V + id] = 1));
    return { shape: [...t.shape, V], data: out };
  }

  /** A plain object for JSON.stringify, to save next to a model; `Vocabulary.fromJSON` reads it back. */
  toJSON(): VocabularyJSON {
    return { format: FORMAT, version: 1, tokens: [...this.#tokens], specials: this.#tokens.slice(RESERVED.length, RESERVED.length + this.#specials) };
  }
}
