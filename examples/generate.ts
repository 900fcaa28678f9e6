// Sampling new names from a character-level language model, one character at a time.
import type { Model, Rng } from "../bindings/index.js";
import { CharVocabulary } from "./names.js";

/** Options of `sampleNames`. */
export interface SampleOptions {
  count: number;
  /** Below 1 sharpens the model's distribution (safer names), above 1 flattens it. */
  temperature: number;
  /** Stop a name after this many characters even without END. */
  maxLength: number;
  rng: Rng;
}

/**
 * An index drawn from `probabilities` raised to 1 / temperature (the same as a softmax of
 * logits / temperature). PAD and START are never drawn: they are never targets.
 */
function drawIndex(probabilities: Float32Array, temperature: number, rng: Rng): number {
  const weights = Array.from(probabilities, (p, id) => (id === CharVocabulary.PAD || id === CharVocabulary.START ? 0 : p ** (1 / temperature)));
  let r = rng.nextFloat() * weights.reduce((a, b) => a + b, 0);
  for (let id = 0; id < weights.length; id++) {
    r -= weights[id]!;
    if (r < 0) return id;
  }
  return CharVocabulary.END;
}

/**
 * Generates `count` names at once with a model trained on START + name -> name + END: each
 * step runs the model over the prefixes so far (ids [t, count]) and draws the next character
 * from the last step's distribution, until END.
 */
export function sampleNames(model: Model, vocab: CharVocabulary, { count, temperature, maxLength, rng }: SampleOptions): string[] {
  const prefixes = Array.from({ length: count }, () => [CharVocabulary.START]);
  const finished = new Array<boolean>(count).fill(false);
  for (let T = 1; T <= maxLength && finished.includes(false); T++) {
    const ids = new Int32Array(T * count);
    prefixes.forEach((prefix, n) => prefix.forEach((id, t) => (ids[t * count + n] = id)));
    const probabilities = model.predict({ shape: [T, count], data: ids }, { probabilities: true });
    const V = probabilities.shape[2]!;
    for (let n = 0; n < count; n++) {
      if (finished[n]) continue;
      const last = probabilities.data.subarray(((T - 1) * count + n) * V, ((T - 1) * count + n + 1) * V);
      const next = drawIndex(last, temperature, rng);
      if (next === CharVocabulary.END) finished[n] = true;
      else prefixes[n]!.push(next);
    }
  }
  return prefixes.map((prefix) => prefix.slice(1).map((id) => vocab.char(id)).join(""));
}
