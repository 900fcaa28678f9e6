// The fused per-step pass every recurrent backward shares.
import { activationGradV, activationGrad } from "../activations";

/**
 * dz = (dOut + dNext) ⊙ f'(y) over n floats, f' expressed through the output y = f(z).
 * dOut may be 0 (no gradient from this step's output). dz may alias dNext.
 */
export function gateGradient(kind: i32, y: usize, dOut: usize, dNext: usize, dz: usize, n: i32): void {
  const end = <usize>n << 2;
  let i: usize = 0;
  if (dOut != 0) {
    for (; i + 16 <= end; i += 16) {
      const d = f32x4.add(v128.load(dOut + i), v128.load(dNext + i));
      v128.store(dz + i, f32x4.mul(d, activationGradV(kind, v128.load(y + i))));
    }
    for (; i < end; i += 4) {
      store<f32>(dz + i, (load<f32>(dOut + i) + load<f32>(dNext + i)) * activationGrad(kind, load<f32>(y + i)));
    }
  } else {
    for (; i + 16 <= end; i += 16) {
      v128.store(dz + i, f32x4.mul(v128.load(dNext + i), activationGradV(kind, v128.load(y + i))));
    }
    for (; i < end; i += 4) store<f32>(dz + i, load<f32>(dNext + i) * activationGrad(kind, load<f32>(y + i)));
  }
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
