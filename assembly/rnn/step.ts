// The fused per-step pass the ungated recurrent backwards share, and flushing of tiny gradients.
import { activationGradV } from "../activations";
import { loadLanes, storeLanes } from "./lanes";

/**
 * Gradients below this magnitude are flushed to zero. Wasm has no flush-to-zero mode, and
 * vanishing gradients that reach denormals (< 1.2e-38) make every later multiply about ten times
 * slower; 1e-30 keeps products with weights clear of the denormal range too.
 */
const TINY: v128 = f32x4.splat(1e-30);

/** v with the lanes of magnitude below 1e-30 set to 0. */
// @ts-ignore: decorator
@inline export function flushTiny(v: v128): v128 {
  return v128.and(v, f32x4.ge(f32x4.abs(v), TINY));
}

// @ts-ignore: decorator
@inline function gateLanes(n: i32, kind: i32, y: usize, dOut: usize, dNext: usize, dz: usize): void {
  let d = loadLanes(dNext, n);
  if (dOut != 0) d = f32x4.add(d, loadLanes(dOut, n));
  storeLanes(dz, flushTiny(f32x4.mul(d, activationGradV(kind, loadLanes(y, n)))), n);
}

/**
 * dz = (dOut + dNext) ⊙ f'(y) over n floats, f' expressed through the output y = f(z), tiny
 * values flushed to zero. dOut may be 0 (no gradient from this step's output). dz may alias dNext.
 */
export function gateGradient(kind: i32, y: usize, dOut: usize, dNext: usize, dz: usize, n: i32): void {
  const tail = n & 3;
  const body = <usize>(n - tail) << 2;
  for (let i: usize = 0; i < body; i += 16) gateLanes(4, kind, y + i, dOut != 0 ? dOut + i : 0, dNext + i, dz + i);
  if (tail != 0) gateLanes(tail, kind, y + body, dOut != 0 ? dOut + body : 0, dNext + body, dz + body);
}

/** dst = the gradient given for the last step (0: none, then zeros) over `bytes`: where BPTT starts. */
export function startGradient(dst: usize, given: usize, bytes: usize): void {
  if (given != 0) memory.copy(dst, given, bytes);
  else memory.fill(dst, 0, bytes);
}

// Variable lengths: at step t, row b of a batch is padded when t >= lengths[b] (lengths i32 [B],
// or 0 when every sequence has all steps). A padded step keeps the state and passes its
// gradient straight through.

/** True when step t is padding for sequence b. */
// @ts-ignore: decorator
@inline export function isPadded(lengths: usize, b: i32, t: i32): bool {
  return lengths != 0 && t >= load<i32>(lengths + (<usize>b << 2));
}

/** cur[b] = prev[b] for the padded rows of [B, F] blocks at step t: the state is held. */
export function holdPaddedRows(prev: usize, cur: usize, lengths: usize, t: i32, B: i32, F: i32): void {
  if (lengths == 0) return;
  const rowBytes = <usize>F << 2;
  for (let b = 0; b < B; b++) {
    if (isPadded(lengths, b, t)) memory.copy(cur + <usize>b * rowBytes, prev + <usize>b * rowBytes, rowBytes);
  }
}

/** Zeroes the rows of a [B, F] block at step t that are padded (padded = true) or valid (false). */
export function zeroRows(x: usize, lengths: usize, t: i32, B: i32, F: i32, padded: bool): void {
  const rowBytes = <usize>F << 2;
  if (lengths == 0) {
    if (!padded) memory.fill(x, 0, rowBytes * <usize>B);
    return;
  }
  for (let b = 0; b < B; b++) {
    if (isPadded(lengths, b, t) == padded) memory.fill(x + <usize>b * rowBytes, 0, rowBytes);
  }
}
