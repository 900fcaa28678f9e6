// The time/batch/padding sweep every fused recurrent cell pass shares, written once.
//
// A cell pass is an @unmanaged class over the kernel's argument struct (the fields the bindings
// lay out in linear memory, see bindings/layers/cells/) with @inline methods:
//   lanes(n, g, s, r, u)  the cell's formula on n <= 4 units of one valid row, at byte offsets
//                  g into a [T, B, G] block (this step's gates), s into a [T(+1), B, H] block
//                  (this step's states), r into a [B, H] block and u into [H] per-unit vectors
//   hold(g, s, r)  a padded row (t >= lengths[b]): hold the state or zero the gradients
//   step(t), done(t)  before and after the rows of step t (e.g. the step's recurrent gemm)
// Everything is inlined into the kernel, so each cell compiles to its own tight loop.
import { isPadded } from "./step";

/** One valid row: the 16-byte body with n = 4, then the H % 4 tail. */
// @ts-ignore: decorator
@inline function rowLanes<P>(pass: P, g: usize, s: usize, r: usize, H: i32): void {
  const tail = H & 3;
  const body = <usize>(H - tail) << 2;
  for (let j: usize = 0; j < body; j += 16) pass.lanes(4, g + j, s + j, r + j, j);
  if (tail != 0) pass.lanes(tail, g + body, s + body, r + body, body);
}

/** Rows b of step t: pass.hold for the padded ones (lengths: i32 [B] or 0), the lanes of the others. */
// @ts-ignore: decorator
@inline export function sweepRows<P>(pass: P, t: i32, B: i32, H: i32, G: i32, lengths: usize): void {
  const H4 = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const g = <usize>(t * B + b) * (<usize>G << 2);
    const r = <usize>b * H4;
    const s = <usize>(t * B) * H4 + r;
    if (isPadded(lengths, b, t)) pass.hold(g, s, r);
    else rowLanes<P>(pass, g, s, r, H);
  }
}

/** The lanes of every row b of step t, padded or not (a pass whose results padded rows ignore). */
// @ts-ignore: decorator
@inline export function sweepAllRows<P>(pass: P, t: i32, B: i32, H: i32, G: i32): void {
  const H4 = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const r = <usize>b * H4;
    rowLanes<P>(pass, <usize>(t * B + b) * (<usize>G << 2), <usize>(t * B) * H4 + r, r, H);
  }
}

/** Steps 0..T-1 (or T-1..0 when reverse): pass.step(t), the rows of step t, pass.done(t). */
// @ts-ignore: decorator
@inline export function sweepSteps<P>(pass: P, T: i32, B: i32, H: i32, G: i32, lengths: usize, reverse: bool): void {
  for (let i = 0; i < T; i++) {
    const t = reverse ? T - 1 - i : i;
    pass.step(t);
    sweepRows<P>(pass, t, B, H, G, lengths);
    pass.done(t);
  }
}
