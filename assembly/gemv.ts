// Matrix-vector products over gemmPackB's panels: the rows gemmPacked's quads leave over (M % 4), and
// batch 1 with its row contiguous (gemvPacked):
//   rowTimesPanel:  C[1, n] (+)= A[1, kc] · B[kc, 32],   n = min(32, columns left)
//                   A: kc contiguous floats; B: kc rows of one panel (NR = 32 floats each)
//   gemvPacked:     C[1, N] (+)= A[1, K] · B[K, N],       B packed (panel q at packed + 4*(q*K*32))
// gemvPacked runs panel by panel, each through all K (reading the packed B once, in memory order, and
// A in place), where gemmPacked runs K slice by K slice over all panels; it sums each slice of GEMM_KC
// rows apart and adds the slices into C in the same order, so it gives the same bits.
// rowTimesPanel takes a panel as two halves of 16 columns, 4 accumulators each; gemvPacked takes
// panels in pairs: 24 columns of each with 6 accumulators, then the last 8 of both together (4), which
// measured 6-7% faster on [1, 256] · [256, 1024] (34 GFLOP/s plain, 36.7 relaxed, against 32 and 34).
// Every column sums its k in order with the same `madd` as the 4 x 8 tile of gemm.ts, so a row of C
// comes out the same, bit for bit, whichever kernel computed it: a sequence's outputs do not depend on
// the batch it ran in, nor on the thread (test/threads.test.ts, the Seq2Seq decoding tests). What did
// not help: a 1 x 32 tile (8 accumulators) ran 10-15% slower (V8 loads first and spills), two k per
// iteration the same or slower; splitting each column's k into two chains would change the rounding
// against the 4 x 8 tile.
import { GEMM_NR as NR, GEMM_KC as KC, GEMV_WIDE_N as WIDE } from "./constants";
import { madd, storeRow8 } from "./tile-store";

/** Bytes per row of a panel (NR floats). */
const PANEL_ROW: usize = <usize>NR << 2;
/** Bytes of the columns rowTimes24 covers. */
const WIDE_BYTES: usize = <usize>WIDE << 2;

/** C[1, n] (+)= A[1, kc] · B[kc, 32] for n = min(32, columns left): `a` kc contiguous floats, `b` a panel slice. */
export function rowTimesPanel(a: usize, b: usize, kc: i32, c: usize, n: i32, acc: bool): void {
  rowTimesTwo8(a, b, 32, kc, c, n, c + 32, n - 8, acc);
  if (n > 16) rowTimesTwo8(a, b + 64, 32, kc, c + 64, n - 16, c + 96, n - 24, acc);
}

/** C[1, min(n, 24)] (+)= A[1, kc] · the first 24 (GEMV_WIDE_N) columns of a panel at b: 6 accumulators. */
function rowTimes24(a: usize, b: usize, kc: i32, c: usize, n: i32, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
  let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
  const end = b + <usize>kc * PANEL_ROW;
  for (; b < end; b += PANEL_ROW, a += 4) {
    const x = v128.load32_splat(a);
    c0 = madd(x, v128.load(b), c0);
    c1 = madd(x, v128.load(b, 16), c1);
    c2 = madd(x, v128.load(b, 32), c2);
    c3 = madd(x, v128.load(b, 48), c3);
    c4 = madd(x, v128.load(b, 64), c4);
    c5 = madd(x, v128.load(b, 80), c5);
  }
  storeRow8(c, c0, c1, n, acc);
  storeRow8(c + 32, c2, c3, n - 8, acc);
  storeRow8(c + 64, c4, c5, n - 16, acc);
}

/**
 * Two blocks of 8 columns of a panel slice, 4 accumulators: C[1, min(n, 8)] at c from the 8 columns at b,
 * and C[1, min(n2, 8)] at c2 from the 8 columns `apart` bytes after them (in the same panel or the next).
 */
function rowTimesTwo8(a: usize, b: usize, apart: usize, kc: i32, c: usize, n: i32, c2: usize, n2: i32, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), d0 = f32x4.splat(0), d1 = f32x4.splat(0);
  const end = b + <usize>kc * PANEL_ROW;
  for (; b < end; b += PANEL_ROW, a += 4) {
    const x = v128.load32_splat(a);
    c0 = madd(x, v128.load(b), c0);
    c1 = madd(x, v128.load(b, 16), c1);
    d0 = madd(x, v128.load(b + apart), d0);
    d1 = madd(x, v128.load(b + apart, 16), d1);
  }
  storeRow8(c, c0, c1, n, acc);
  storeRow8(c2, d0, d1, n2, acc);
}

/** C[1, N] = A[1, K] · B[K, N] (accumulate=0) or C += A·B (accumulate=1): A K contiguous floats, B packed by gemmPackB; K > 0. */
export function gemvPacked(N: i32, K: i32, A: usize, packed: usize, C: usize, accumulate: i32): void {
  const panelBytes = <usize>K * PANEL_ROW;
  let n0 = 0;
  let panel = packed;
  // Pairs of panels: 24 columns of each with 6 accumulators, then their last 8 columns together.
  for (; n0 + NR < N; n0 += 2 * NR, panel += 2 * panelBytes) {
    const c = C + (<usize>n0 << 2);
    const c2 = c + (<usize>NR << 2);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const a = A + (<usize>k0 << 2);
      const b = panel + <usize>k0 * PANEL_ROW;
      const kc = min(KC, K - k0);
      const acc = accumulate != 0 || k0 > 0;
      rowTimes24(a, b, kc, c, N - n0, acc);
      rowTimes24(a, b + panelBytes, kc, c2, N - n0 - NR, acc);
      rowTimesTwo8(a, b + WIDE_BYTES, panelBytes, kc, c + WIDE_BYTES, N - n0 - WIDE, c2 + WIDE_BYTES, N - n0 - NR - WIDE, acc);
    }
  }
  if (n0 >= N) return;
  // A last panel alone.
  const c = C + (<usize>n0 << 2);
  for (let k0 = 0; k0 < K; k0 += KC) {
    rowTimesPanel(A + (<usize>k0 << 2), panel + <usize>k0 * PANEL_ROW, min(KC, K - k0), c, N - n0, accumulate != 0 || k0 > 0);
  }
}
