// Trivial predictors to read a model's held-out numbers against.

/** Masked class ids: ids[i] counts where mask[i] is nonzero. */
export interface MaskedIds {
  data: Int32Array;
  mask: Float32Array;
}

/**
 * Bits per character of a unigram model, the next-character frequencies of `train`
 * (add-one smoothed over `V` ids), on `test`: what a model that ignores context achieves.
 */
export function unigramBitsPerChar(train: MaskedIds, test: MaskedIds, V: number): number {
  const counts = new Float64Array(V).fill(1);
  train.data.forEach((id, i) => {
    if (train.mask[i] !== 0) counts[id]! += 1;
  });
  const total = counts.reduce((a, b) => a + b, 0);
  let bits = 0;
  let steps = 0;
  test.data.forEach((id, i) => {
    if (test.mask[i] === 0) return;
    bits -= Math.log2(counts[id]! / total);
    steps++;
  });
  return bits / steps;
}

/** Accuracy on `test` of always answering the most frequent label of `train`. */
export function majorityClassAccuracy(train: Int32Array, test: Int32Array): number {
  const counts = new Map<number, number>();
  for (const label of train) counts.set(label, (counts.get(label) ?? 0) + 1);
  const majority = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  return test.filter((label) => label === majority).length / test.length;
}
