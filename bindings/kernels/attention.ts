/**
 * Attention exports of the wasm core (assembly/attention/), for one decoder step of B sequences
 * against a memory [S, B, F] (time-major encoder outputs). lengths: i32 [B], each in [1, S], or 0
 * when every source has all S steps; padded source steps score 0, get weight exactly 0 and no gradient.
 * Scores and weights are [B, S] row-major. Backward kernels write d query / d weights and ADD to d memory / d keys / d v.
 */
export interface AttentionExports {
  /** scores[b, s] = query[b] · memory[s, b] (Luong dot); query [B, F]. */
  attentionDotScores(S: number, B: number, F: number, memory: number, query: number, lengths: number, scores: number): void;
  /** dQuery [B, F] = Σ_s dScores[b, s] memory[s, b]; dMemory += dScores[b, s] query[b]. */
  attentionDotScoresBackward(S: number, B: number, F: number, memory: number, query: number, lengths: number, dScores: number, dQuery: number, dMemory: number): void;
  /** scores[b, s] = v · tanh(query[b] + keys[s, b]) (Bahdanau); query [B, A], keys [S, B, A], v [A]. */
  attentionAdditiveScores(S: number, B: number, A: number, keys: number, query: number, v: number, lengths: number, scores: number): void;
  /** dQuery [B, A] (written), dKeys [S, B, A] and dv [A] (added) of attentionAdditiveScores. */
  attentionAdditiveScoresBackward(S: number, B: number, A: number, keys: number, query: number, v: number, lengths: number,
    dScores: number, dQuery: number, dKeys: number, dv: number): void;
  /** weights [B, S] = softmax of scores over each row's real steps, 0 at padded steps (weights may be scores). */
  maskedSoftmax(S: number, B: number, lengths: number, scores: number, weights: number): void;
  /** dScores [B, S] = weights ⊙ (dWeights - Σ dWeights ⊙ weights) on real steps, 0 at padded ones. */
  maskedSoftmaxBackward(S: number, B: number, lengths: number, weights: number, dWeights: number, dScores: number): void;
  /** context [B, F] = Σ_s weights[b, s] memory[s, b]. */
  attentionContext(S: number, B: number, F: number, memory: number, weights: number, lengths: number, context: number): void;
  /** dWeights [B, S] = dContext[b] · memory[s, b]; dMemory += weights[b, s] dContext[b]. */
  attentionContextBackward(S: number, B: number, F: number, memory: number, weights: number, lengths: number,
    dContext: number, dWeights: number, dMemory: number): void;
}
