// The context vector of one decoder step: the attention-weighted sum of the memory m [S, B, F].
//   forward:   c[b] = Σ_{s < n_b} a[b, s] m[s, b]                  c [B, F], a [B, S]
//   backward:  da[b, s] = dc[b] · m[s, b],   dm[s, b] += a[b, s] dc[b]   (s < n_b; da 0 at padded s)
import { projectOnMemory, poolMemory, spreadOnMemory } from "./memory";

/** context [B, F] = Σ_s weights[b, s] memory[s, b]. */
export function attentionContext(S: i32, B: i32, F: i32, memory: usize, weights: usize, lengths: usize, context: usize): void {
  poolMemory(S, B, F, memory, weights, lengths, context);
}

/** dWeights [B, S] = dContext · memory; dMemory [S, B, F] += weights ⊗ dContext. */
export function attentionContextBackward(S: i32, B: i32, F: i32, memory: usize, weights: usize, lengths: usize, dContext: usize, dWeights: usize, dMemory: usize): void {
  projectOnMemory(S, B, F, memory, dContext, lengths, dWeights);
  spreadOnMemory(S, B, F, dMemory, weights, dContext, lengths);
}
