// Matrix-vector products over gemmPackB's panels: the rows gemmPacked's quads leave over (M % 4), and
// batch 1 with its row contiguous (gemvPacked):
//   rowTimesPanel:  C[1, n] (+)= A[1, kc] · B[kc, 32],   n = min(32, columns left)
//                   A: kc contiguous floats; B: kc rows of one panel (NR = 32 floats each)
//   gemvPacked:     C[1, N] (+)= A[1, K] · B[K, N],       B packed (panel q at packed + 4*(q*K*32))
// gemvPacked runs panel by panel, each through all K (reading the packed B once, in memory order, and
// A in place), where gemmPacked runs K slice by K slice over all panels; it sums each slice of GEMM_KC
// rows apart and adds the slices into C in the same order, so it gives the same bits.
// A panel is taken as two halves of 16 columns, 4 accumulators each. Every column sums its k in order
// with the same `madd` as the 4 x 8 tile of gemm.ts, so a row of C comes out the same, bit for bit,
// whichever kernel computed it: a sequence's outputs do not depend on the batch it ran in, nor on the
// thread (test/threads.test.ts, test/seq2seq-chunks.test.ts). Measured on [1, 256] · [256, 1024]
// (about 31 GFLOP/s plain, 34 relaxed, also when B fits in L1): a 1 x 32 tile (8 chains) ran 10-15%
// slower (V8 loads first and spills), two k per iteration the same or slower; splitting each column's
// k into two chains would change the rounding against the 4 x 8 tile.
import { GEMM_NR as NR, GEMM_KC as KC } from "./constants";
import { madd, storeRow8 } from "./tile-store";

/** Bytes per row of a panel (NR floats). */
const PANEL_ROW: usize = <usize>NR << 2;

/** C[1, n] (+)= A[1, kc] · B[kc, 32] for n = min(32, columns left): `a` kc contiguous floats, `b` a panel slice. */
export function rowTimesPanel(a: usize, b: usize, kc: i32, c: usize, n: i32, acc: bool): void {
  rowTimes16(a, b, kc, c, n, acc);
  if (n > 16) rowTimes16(a, b + 64, kc, c + 64, n - 16, acc);
}

/** C[1, min(n, 16)] (+)= A[1, kc] · the 16 columns of a panel at b. */
function rowTimes16(a: usize, b: usize, kc: i32, c: usize, n: i32, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const end = b + <usize>kc * PANEL_ROW;
  for (; b < end; b += PANEL_ROW, a += 4) {
    const x = v128.load32_splat(a);
    c0 = madd(x, v128.load(b), c0);
    c1 = madd(x, v128.load(b, 16), c1);
    c2 = madd(x, v128.load(b, 32), c2);
    c3 = madd(x, v128.load(b, 48), c3);
  }
  storeRow8(c, c0, c1, n, acc);
  storeRow8(c + 32, c2, c3, n - 8, acc);
}

/** C[1, N] = A[1, K] · B[K, N] (accumulate=0) or C += A·B (accumulate=1): A K contiguous floats, B packed by gemmPackB; K > 0. */
export function gemvPacked(N: i32, K: i32, A: usize, packed: usize, C: usize, accumulate: i32): void {
  const panelBytes = <usize>K * PANEL_ROW;
  for (let n0 = 0, panel = packed; n0 < N; n0 += NR, panel += panelBytes) {
    const c = C + (<usize>n0 << 2);
    for (let k0 = 0; k0 < K; k0 += KC) {
      rowTimesPanel(A + (<usize>k0 << 2), panel + <usize>k0 * PANEL_ROW, min(KC, K - k0), c, N - n0, accumulate != 0 || k0 > 0);
    }
  }
}
