// The product of one row with a packed panel of B, for the rows gemmPacked leaves over after its quads
// (batch 1, and M % 4):
//   C[1, n] (+)= A[1, kc] · B[kc, 32],  n = min(32, columns left), B one panel slice of gemmPackB (kc rows of NR = 32 floats).
// A lone row gives a matrix-vector product, bound by the latency of its accumulator chains rather than
// by loads: each accumulator of c += a * b waits for the previous add. Here 8 chains run at once: the
// 32 columns as two halves of 16 (4 vectors each), each half summing the even and the odd k in two
// chains that are added at the end:
//   c[j] = Σ_{k even} a_k B[k, j] + Σ_{k odd} a_k B[k, j]
// An odd kc leaves its last k to the even chains.
import { GEMM_NR as NR } from "./constants";
import { madd, storeRow8 } from "./tile-store";

/** Bytes per row of a panel (NR floats). */
const PANEL_ROW: usize = <usize>NR << 2;

/** C[1, n] (+)= A[1, kc] · B[kc, 32] for n = min(32, columns left): `a` kc contiguous floats, `b` a panel slice. */
export function rowTimesPanel(a: usize, b: usize, kc: i32, c: usize, n: i32, acc: bool): void {
  halfPanel(a, b, kc, c, n, acc);
  if (n > 16) halfPanel(a, b + 64, kc, c + 64, n - 16, acc);
}

/** C[1, min(n, 16)] (+)= A[1, kc] · the 16 columns of a panel at b, k in pairs over two chains per vector. */
function halfPanel(a: usize, b: usize, kc: i32, c: usize, n: i32, acc: bool): void {
  let e0 = f32x4.splat(0), e1 = f32x4.splat(0), e2 = f32x4.splat(0), e3 = f32x4.splat(0);
  let o0 = f32x4.splat(0), o1 = f32x4.splat(0), o2 = f32x4.splat(0), o3 = f32x4.splat(0);
  const pairs = b + <usize>(kc & ~1) * PANEL_ROW;
  for (; b < pairs; b += PANEL_ROW * 2, a += 8) {
    const x = v128.load32_splat(a);
    e0 = madd(x, v128.load(b), e0);
    e1 = madd(x, v128.load(b, 16), e1);
    e2 = madd(x, v128.load(b, 32), e2);
    e3 = madd(x, v128.load(b, 48), e3);
    const y = v128.load32_splat(a, 4);
    o0 = madd(y, v128.load(b, PANEL_ROW), o0);
    o1 = madd(y, v128.load(b, PANEL_ROW + 16), o1);
    o2 = madd(y, v128.load(b, PANEL_ROW + 32), o2);
    o3 = madd(y, v128.load(b, PANEL_ROW + 48), o3);
  }
  if (kc & 1) {
    const x = v128.load32_splat(a);
    e0 = madd(x, v128.load(b), e0);
    e1 = madd(x, v128.load(b, 16), e1);
    e2 = madd(x, v128.load(b, 32), e2);
    e3 = madd(x, v128.load(b, 48), e3);
  }
  storeRow8(c, f32x4.add(e0, o0), f32x4.add(e1, o1), n, acc);
  storeRow8(c + 32, f32x4.add(e2, o2), f32x4.add(e3, o3), n - 8, acc);
}
