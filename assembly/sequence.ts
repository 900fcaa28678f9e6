// Whole-sequence helpers for variable lengths, directions and merges; time-major [T, B, F].
// lengths: i32 [B], each in [1, T], or 0 meaning every sequence has all T steps.
import { addInPlace, sumRowsInto } from "./rows";
import { scaleF32 } from "./memory";
import { MERGE_CONCAT, MERGE_MUL, MERGE_AVE } from "./constants";

/** The length of sequence b (T when lengths is 0). */
// @ts-ignore: decorator
@inline function lengthOf(lengths: usize, b: i32, T: i32): i32 {
  return lengths != 0 ? load<i32>(lengths + (<usize>b << 2)) : T;
}

/**
 * Reverses each sequence within its own length: dst[t, b] = src[len_b - 1 - t, b] for t < len_b,
 * 0 for the padded steps. Its own inverse (and its own backward). dst must not alias src.
 */
export function reverseWithinLengths(dst: usize, src: usize, lengths: usize, T: i32, B: i32, F: i32): void {
  const rowBytes = <usize>F << 2;
  for (let b = 0; b < B; b++) {
    const len = lengthOf(lengths, b, T);
    for (let t = 0; t < T; t++) {
      const d = dst + <usize>(t * B + b) * rowBytes;
      if (t < len) memory.copy(d, src + <usize>((len - 1 - t) * B + b) * rowBytes, rowBytes);
      else memory.fill(d, 0, rowBytes);
    }
  }
}

/** dst[t, b] = src[t, b] for t < len_b, 0 for padded steps (dst may be src). */
export function maskPaddedSteps(dst: usize, src: usize, lengths: usize, T: i32, B: i32, F: i32): void {
  const rowBytes = <usize>F << 2;
  for (let b = 0; b < B; b++) {
    const len = lengthOf(lengths, b, T);
    for (let t = 0; t < T; t++) {
      const off = <usize>(t * B + b) * rowBytes;
      if (t >= len) memory.fill(dst + off, 0, rowBytes);
      else if (dst != src) memory.copy(dst + off, src + off, rowBytes);
    }
  }
}

/** mask [T, B] = 1 for t < len_b, else 0: the loss mask of a padded batch. */
export function lengthMask(mask: usize, lengths: usize, T: i32, B: i32): void {
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) store<f32>(mask + (<usize>(t * B + b) << 2), t < lengthOf(lengths, b, T) ? 1 : 0);
  }
}

/** dst[m, dstOff + j] = src[m, srcOff + j] for j < F over M rows (strided column copy). */
export function copyColumns(dst: usize, dstCols: i32, dstOff: i32, src: usize, srcCols: i32, srcOff: i32, M: i32, F: i32): void {
  const bytes = <usize>F << 2;
  for (let m = 0; m < M; m++) {
    memory.copy(dst + (<usize>(m * dstCols + dstOff) << 2), src + (<usize>(m * srcCols + srcOff) << 2), bytes);
  }
}

/** x[i] *= y[i] for i < n (dropout masks, products of merges). */
export function mulInPlace(x: usize, y: usize, n: i32): void {
  const end = x + (<usize>n << 2);
  let p = x;
  let q = y;
  for (; p + 16 <= end; p += 16, q += 16) v128.store(p, f32x4.mul(v128.load(p), v128.load(q)));
  for (; p < end; p += 4, q += 4) store<f32>(p, load<f32>(p) * load<f32>(q));
}

/** sum [B, F] = Σ_t x[t] over x [T, B, F] (overwrite). */
export function sumSteps(sum: usize, x: usize, T: i32, BF: i32): void {
  const bytes = <usize>BF << 2;
  memory.fill(sum, 0, bytes);
  sumRowsInto(sum, x, T, BF);
}

// Merging the two directions of a bidirectional layer, a and b [M, H]:
//   concat: out [M, 2H] = [a | b]     d: da = dout[:, :H], db = dout[:, H:]
//   sum:    out = a + b               da = db = dout
//   mul:    out = a ⊙ b               da = dout ⊙ b, db = dout ⊙ a
//   ave:    out = (a + b) / 2         da = db = dout / 2

/** out = merge(a, b); out is [M, 2H] for concat, [M, H] otherwise. */
export function mergeForward(mode: i32, a: usize, b: usize, out: usize, M: i32, H: i32): void {
  const n = M * H;
  if (mode == MERGE_CONCAT) {
    copyColumns(out, 2 * H, 0, a, H, 0, M, H);
    copyColumns(out, 2 * H, H, b, H, 0, M, H);
    return;
  }
  memory.copy(out, a, <usize>n << 2);
  if (mode == MERGE_MUL) mulInPlace(out, b, n);
  else addInPlace(out, b, n);
  if (mode == MERGE_AVE) scaleF32(out, n, 0.5);
}

/** da, db from dOut (shaped as out) and the merged inputs a, b. */
export function mergeBackward(mode: i32, a: usize, b: usize, dOut: usize, da: usize, db: usize, M: i32, H: i32): void {
  const n = M * H;
  const bytes = <usize>n << 2;
  if (mode == MERGE_CONCAT) {
    copyColumns(da, H, 0, dOut, 2 * H, 0, M, H);
    copyColumns(db, H, 0, dOut, 2 * H, H, M, H);
    return;
  }
  memory.copy(da, dOut, bytes);
  memory.copy(db, dOut, bytes);
  if (mode == MERGE_MUL) {
    mulInPlace(da, b, n);
    mulInPlace(db, a, n);
  } else if (mode == MERGE_AVE) {
    scaleF32(da, n, 0.5);
    scaleF32(db, n, 0.5);
  }
}

// Mean over the valid steps of each sequence:  y[b] = (1 / len_b) Σ_{t < len_b} x[t, b]
//   backward: dx[t, b] = dy[b] / len_b for t < len_b, 0 for padded steps.

/** y [B, F] = mean of x [T, B, F] over each sequence's valid steps. */
export function meanOverValidSteps(y: usize, x: usize, lengths: usize, T: i32, B: i32, F: i32): void {
  const rowBytes = <usize>F << 2;
  for (let b = 0; b < B; b++) {
    const len = lengthOf(lengths, b, T);
    const dst = y + <usize>b * rowBytes;
    memory.fill(dst, 0, rowBytes);
    for (let t = 0; t < len; t++) addInPlace(dst, x + <usize>(t * B + b) * rowBytes, F);
    scaleF32(dst, F, <f32>(1.0 / <f64>len));
  }
}

/** dx [T, B, F] from dy [B, F]: the backward of meanOverValidSteps. */
export function meanOverValidStepsBackward(dx: usize, dy: usize, lengths: usize, T: i32, B: i32, F: i32): void {
  const rowBytes = <usize>F << 2;
  for (let b = 0; b < B; b++) {
    const len = lengthOf(lengths, b, T);
    const first = dx + <usize>b * rowBytes; // step 0: dy / len, then copied to the other valid steps
    memory.copy(first, dy + <usize>b * rowBytes, rowBytes);
    scaleF32(first, F, <f32>(1.0 / <f64>len));
    for (let t = 1; t < T; t++) {
      const dst = dx + <usize>(t * B + b) * rowBytes;
      if (t < len) memory.copy(dst, first, rowBytes);
      else memory.fill(dst, 0, rowBytes);
    }
  }
}

/** dst[b] = clamp(lengths[b] - t0, 0, T): the lengths within a chunk of T steps from step t0. */
export function chunkLengths(dst: usize, lengths: usize, B: i32, t0: i32, T: i32): void {
  for (let b = 0; b < B; b++) {
    const rest = load<i32>(lengths + (<usize>b << 2)) - t0;
    store<i32>(dst + (<usize>b << 2), rest < 0 ? 0 : rest > T ? T : rest);
  }
}
