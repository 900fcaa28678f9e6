// Attention scores e [B, S] of a decoder query against an attention memory m [S, B, F] (the
// encoder outputs, time-major), for one decoder step of B sequences; padded source steps
// (s >= lengths[b]) score 0 and get no gradient (the masked softmax gives them weight 0).
//
// Luong dot:     e[b, s] = h[b] · m[s, b]                        h [B, F]
//   backward:    dh[b] = Σ_s de[b, s] m[s, b],   dm[s, b] += de[b, s] h[b]
// (Luong general, h^T W m, is the dot score of the query h W [B, F]: the bindings do that product.)
//
// Bahdanau:      e[b, s] = v · tanh(q[b] + k[s, b])              q = W_q h [B, A], v [A]
//   with the keys k = U_k m + b [S, B, A] computed once per sequence (a dense layer over S·B rows).
//   backward:    u = tanh(q[b] + k[s, b]),  g = de[b, s] v ⊙ (1 - u²)
//                dq[b] = Σ_s g,   dk[s, b] += g,   dv += Σ_{b, s} de[b, s] u
import { projectOnMemory, poolMemory, spreadOnMemory, sourceSteps } from "./memory";
import { tanhV } from "../activations";
import { hsum } from "../softmax";
import { loadLanes, storeLanes, addLanes } from "../rnn/lanes";

/** scores [B, S] = Luong dot scores of query [B, F] against memory [S, B, F]. */
export function attentionDotScores(S: i32, B: i32, F: i32, memory: usize, query: usize, lengths: usize, scores: usize): void {
  projectOnMemory(S, B, F, memory, query, lengths, scores);
}

/** dQuery [B, F] = Σ_s dScores m; dMemory [S, B, F] += dScores ⊗ query. */
export function attentionDotScoresBackward(S: i32, B: i32, F: i32, memory: usize, query: usize, lengths: usize, dScores: usize, dQuery: usize, dMemory: usize): void {
  poolMemory(S, B, F, memory, dScores, lengths, dQuery);
  spreadOnMemory(S, B, F, dMemory, dScores, query, lengths);
}

/** Σ over n (<= 4) lanes of v ⊙ tanh(q + k). */
// @ts-ignore: decorator
@inline function energyLanes(n: i32, q: usize, k: usize, v: usize): v128 {
  return f32x4.mul(loadLanes(v, n), tanhV(f32x4.add(loadLanes(q, n), loadLanes(k, n))));
}

/** The Bahdanau backward of one (b, s) over n (<= 4) lanes: dq, dk += g; dv += d u. */
// @ts-ignore: decorator
@inline function energyBackwardLanes(n: i32, d: v128, q: usize, k: usize, v: usize, dq: usize, dk: usize, dv: usize): void {
  const u = tanhV(f32x4.add(loadLanes(q, n), loadLanes(k, n)));
  const g = f32x4.mul(f32x4.mul(d, loadLanes(v, n)), f32x4.sub(f32x4.splat(1), f32x4.mul(u, u)));
  addLanes(dq, g, n);
  addLanes(dk, g, n);
  addLanes(dv, f32x4.mul(d, u), n);
}

/** scores [B, S] = Bahdanau scores v · tanh(query[b] + keys[s, b]); query [B, A], keys [S, B, A], v [A]. */
export function attentionAdditiveScores(S: i32, B: i32, A: i32, keys: usize, query: usize, v: usize, lengths: usize, scores: usize): void {
  const row = <usize>A << 2;
  const step = <usize>B * row;
  const tail = A & 3;
  const body = <usize>(A - tail) << 2;
  for (let b = 0; b < B; b++) {
    const n = sourceSteps(lengths, b, S);
    const q = query + <usize>b * row;
    const out = scores + (<usize>(b * S) << 2);
    let k = keys + <usize>b * row;
    for (let s = 0; s < n; s++, k += step) {
      let acc = f32x4.splat(0);
      for (let i: usize = 0; i < body; i += 16) acc = f32x4.add(acc, energyLanes(4, q + i, k + i, v + i));
      if (tail != 0) acc = f32x4.add(acc, energyLanes(tail, q + body, k + body, v + body));
      store<f32>(out + (<usize>s << 2), hsum(acc));
    }
    memory.fill(out + (<usize>n << 2), 0, <usize>(S - n) << 2);
  }
}

/** dQuery [B, A] = Σ_s g; dKeys [S, B, A] += g; dv [A] += Σ dScores u (see the equations above). */
export function attentionAdditiveScoresBackward(
  S: i32, B: i32, A: i32, keys: usize, query: usize, v: usize, lengths: usize, dScores: usize, dQuery: usize, dKeys: usize, dv: usize,
): void {
  const row = <usize>A << 2;
  const step = <usize>B * row;
  const tail = A & 3;
  const body = <usize>(A - tail) << 2;
  memory.fill(dQuery, 0, <usize>B * row);
  for (let b = 0; b < B; b++) {
    const n = sourceSteps(lengths, b, S);
    const q = query + <usize>b * row;
    const dq = dQuery + <usize>b * row;
    const de = dScores + (<usize>(b * S) << 2);
    let k = keys + <usize>b * row;
    let dk = dKeys + <usize>b * row;
    for (let s = 0; s < n; s++, k += step, dk += step) {
      const d = v128.load32_splat(de + (<usize>s << 2));
      for (let i: usize = 0; i < body; i += 16) energyBackwardLanes(4, d, q + i, k + i, v + i, dq + i, dk + i, dv + i);
      if (tail != 0) energyBackwardLanes(tail, d, q + body, k + body, v + body, dq + body, dk + body, dv + body);
    }
  }
}
