// The product of one row with a packed panel of B: what gemmPacked runs for the rows its quads leave
// over (batch 1, and M % 4), a matrix-vector product over gemmPackB's panels:
//   C[1, n] (+)= A[1, kc] · B[kc, 32],   n = min(32, columns left)
//   A: kc contiguous floats (a row of gemm's packed block); B: kc rows of one panel (NR = 32 floats each).
// A lone row has one product per loaded float of B, and each accumulator's c += a * b waits for its
// previous add: the kernel is bound by the latency of its accumulator chains. The whole panel row is
// taken at once, 8 accumulators (one f32x4 per 4 columns), twice the chains of a 1 x 16 tile.
// Each column still sums its k in order with the same `madd` as the 4 x 8 tile of gemm.ts, so a row
// of C comes out the same, bit for bit, whichever kernel computed it (a sequence's outputs do not
// depend on the batch it ran in, nor on the thread: test/threads.test.ts). Splitting k into two
// chains per column would shorten the chains, but change that rounding.
import { GEMM_NR as NR } from "./constants";
import { madd, storeRow8 } from "./tile-store";

/** Bytes per row of a panel (NR floats). */
const PANEL_ROW: usize = <usize>NR << 2;

/** C[1, n] (+)= A[1, kc] · B[kc, 32] for n = min(32, columns left): `a` kc contiguous floats, `b` a panel slice. */
export function rowTimesPanel(a: usize, b: usize, kc: i32, c: usize, n: i32, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  const end = b + <usize>kc * PANEL_ROW;
  for (; b < end; b += PANEL_ROW, a += 4) {
    const x = v128.load32_splat(a);
    c0 = madd(x, v128.load(b), c0);
    c1 = madd(x, v128.load(b, 16), c1);
    c2 = madd(x, v128.load(b, 32), c2);
    c3 = madd(x, v128.load(b, 48), c3);
    c4 = madd(x, v128.load(b, 64), c4);
    c5 = madd(x, v128.load(b, 80), c5);
    c6 = madd(x, v128.load(b, 96), c6);
    c7 = madd(x, v128.load(b, 112), c7);
  }
  storeRow8(c, c0, c1, n, acc);
  storeRow8(c + 32, c2, c3, n - 8, acc);
  storeRow8(c + 64, c4, c5, n - 16, acc);
  storeRow8(c + 96, c6, c7, n - 24, acc);
}
