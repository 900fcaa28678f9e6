// The sweeps over an attention memory m [S, B, F] (time-major encoder outputs: row (s, b) at
// m + 4*(s*B + b)*F) that the score and context kernels are made of. Only the first n_b source
// steps of batch row b are read, n_b = lengths[b] (lengths i32 [B], or 0 when all S are real):
//   project  out[b, s] = x[b] · m[s, b]       out [B, S], 0 at padded s
//   pool     out[b] = Σ_s w[b, s] m[s, b]     out [B, F]
//   spread   dm[s, b] += w[b, s] g[b]         dm [S, B, F]
import { rowSum } from "../softmax";

/** Real source steps of batch row b: lengths[b], or S when lengths is 0. */
// @ts-ignore: decorator
@inline export function sourceSteps(lengths: usize, b: i32, S: i32): i32 {
  return lengths == 0 ? S : load<i32>(lengths + (<usize>b << 2));
}

/** y[i] += c x[i] for i < n. */
// @ts-ignore: decorator
@inline function addScaled(y: usize, x: usize, c: f32, n: i32): void {
  const end = <usize>n << 2;
  const cv = f32x4.splat(c);
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(y + i, f32x4.add(v128.load(y + i), f32x4.mul(cv, v128.load(x + i))));
  for (; i < end; i += 4) store<f32>(y + i, load<f32>(y + i) + c * load<f32>(x + i));
}

/** out [B, S]: out[b, s] = x[b] · m[s, b] for s < n_b, 0 for the padded steps; x [B, F]. */
export function projectOnMemory(S: i32, B: i32, F: i32, m: usize, x: usize, lengths: usize, out: usize): void {
  const row = <usize>F << 2;
  const step = <usize>B * row;
  for (let b = 0; b < B; b++) {
    const n = sourceSteps(lengths, b, S);
    const o = out + (<usize>(b * S) << 2);
    const xb = x + <usize>b * row;
    let mb = m + <usize>b * row;
    for (let s = 0; s < n; s++, mb += step) store<f32>(o + (<usize>s << 2), rowSum(xb, mb, F, true));
    memory.fill(o + (<usize>n << 2), 0, <usize>(S - n) << 2);
  }
}

/** out [B, F] = Σ_{s < n_b} w[b, s] m[s, b]; w [B, S]. */
export function poolMemory(S: i32, B: i32, F: i32, m: usize, w: usize, lengths: usize, out: usize): void {
  const row = <usize>F << 2;
  const step = <usize>B * row;
  for (let b = 0; b < B; b++) {
    const n = sourceSteps(lengths, b, S);
    const ob = out + <usize>b * row;
    const wb = w + (<usize>(b * S) << 2);
    memory.fill(ob, 0, row);
    let mb = m + <usize>b * row;
    for (let s = 0; s < n; s++, mb += step) addScaled(ob, mb, load<f32>(wb + (<usize>s << 2)), F);
  }
}

/** dm [S, B, F] += w[b, s] g[b] for s < n_b; w [B, S], g [B, F]. */
export function spreadOnMemory(S: i32, B: i32, F: i32, dm: usize, w: usize, g: usize, lengths: usize): void {
  const row = <usize>F << 2;
  const step = <usize>B * row;
  for (let b = 0; b < B; b++) {
    const n = sourceSteps(lengths, b, S);
    const gb = g + <usize>b * row;
    const wb = w + (<usize>(b * S) << 2);
    let mb = dm + <usize>b * row;
    for (let s = 0; s < n; s++, mb += step) addScaled(mb, gb, load<f32>(wb + (<usize>s << 2)), F);
  }
}
