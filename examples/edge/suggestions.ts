// The answer of POST /suggest: computed by the Worker in workerd, and by the edge test in Node
// with the same function, so that the test compares the two runtimes and nothing else.
import { Vocabulary, nextTokenDistribution, generate, type Model } from "wasm-rnn";

/** Ids that are never a next character. */
export const NEVER_NEXT = [Vocabulary.PAD_ID, Vocabulary.UNK_ID, Vocabulary.BOS_ID];
/** Most characters a completion adds. */
export const MAX_COMPLETION = 20;

/** One suggested next character (or "<eos>") and its probability. */
export interface Suggestion {
  next: string;
  p: number;
}

/** What POST /suggest answers. */
export interface SuggestAnswer {
  prefix: string;
  suggestions: Suggestion[];
  completion: string;
}

/**
 * The `top` most likely next characters after BOS + `prefix` (lowercased; every character must be
 * in `vocab`), most likely first, and the greedy completion: one Model.step per character until EOS.
 */
export function suggestNext(model: Model, vocab: Vocabulary, prefix: string, top: number): SuggestAnswer {
  const lower = prefix.toLowerCase();
  const ids = vocab.encode([...lower]);
  const p = nextTokenDistribution(model, ids);
  const suggestions = Array.from(p, (prob, id) => ({ id, prob }))
    .filter(({ id }) => !NEVER_NEXT.includes(id))
    .sort((a, b) => b.prob - a.prob || a.id - b.id)
    .slice(0, top)
    .map(({ id, prob }) => ({ next: vocab.tokenOf(id), p: prob }));
  const added = generate(model, { start: [Vocabulary.BOS_ID, ...ids], maxLength: MAX_COMPLETION, temperature: 0, avoid: NEVER_NEXT });
  return { prefix: lower, suggestions, completion: lower + vocab.decode(added).join("") };
}
