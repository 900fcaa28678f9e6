// Matrix products C[M, N] (+)= A[M, K] · B[K, N], row-major f32. Any transposition is strides:
// A(i, k) at A + 4*(i*rsA + k*csA), B(k, n) at B + 4*(k*rsB + n*csB), C(i, n) at C + 4*(i*ldc + n).
//
// Layouts. B is packed once into column panels of NR = 32 (the last one zero-padded): panel q holds
// columns 32q..32q+31 as K rows of 32 floats, at packed + 4*(q*K*32). A is copied per block of
// MC rows x KC columns into blockA: quads of rows interleaved per k ([kc, 4]), leftover rows as [kc].
// The micro-kernels then read each operand through one pointer with constant offsets, whatever A's
// strides (a transposed A read in place also thrashes L1 sets when its row count is a power of 2).
// Micro-kernels (A broadcast with load32_splat, B read with v128.load, c += a * b by `madd`: f32x4 mul + add,
// or one f32x4.relaxed_madd (an FMA) in the relaxed-SIMD build, measured 1.25-1.3x faster on the 4 x 8 tile;
// both kernels use madd and sum k in order, so that a row of C comes out the same whichever computed it):
//   4 x 8  for quads of rows: 8 accumulators over a quarter panel. The relaxed build broadcasts A's quad with
//          one v128.load and four lane shuffles instead of four load32_splat: with FMA the loop is bound by its
//          6 loads per 8 FMAs, and 3 loads + 4 shuffles ran 1.11x at [64,512]x[512,2048] (the plain build,
//          whose mul + add share the vector ports with the shuffles, ran 0.83x that way, so it keeps the splats);
//   lone rows (M % 4, and batch 1 through gemvPacked): gemv.ts, 6 accumulators over 24 columns, 4 over two blocks of 8.
// Blocking: a panel slice of KC rows (16 KiB) stays in L1 while it sweeps the quads of the A block. When K has
// several KC slices, the loops run column blocks of NC = 256 columns, then row blocks, then K slices (A repacked per
// column block), so that C's block (<= 128 KiB) stays in L2 from one K slice to the next instead of being re-read
// from L3 (C gets the same slice sums in the same order: same bits). Measured relaxed/plain (p90, % of ceiling):
// [256..3200,512]x[512,2048] 81%/88% -> 84%/92%, [64,512]x[512,4096] relaxed 76% -> 83%; [64,512]x[512,2048]
// unchanged (83%/93%: C is 512 KiB there, its loss is B streaming from L3, 89% when B fits L2), W5 unchanged;
// NC = 128 and 512 measured the same as 256.
// Touching ahead: a packed B over GEMM_TOUCH_BYTES does not stay in L2 from one product to the next, so the first
// row block would wait on each panel slice as it reaches it (panels are K rows apart). Wasm has no prefetch
// instruction: while the first row block computes a panel slice, each 4 x 8 tile first loads one word per
// 64-byte line of its share of the next slice. At [64,512]x[512,2048] (B 4 MiB) that ran 1.06x plain and relaxed
// with a share per quad (16 lines at once), and 1.06-1.08x more with a share per tile (4 lines); touching B
// below the threshold (B in L2) changed nothing. Later row blocks find the column block's B (K x NC floats,
// 512 KiB at K = 512) in L2: touching for them too changed nothing at [3200,512]x[512,2048] (measured before the
// column blocks, when they found one K slice of all panels there). Touching the slice after next instead of the
// next changed nothing at [64,512]x[512,2048..4096].

import { alloc, free } from "./memory";
import { GEMM_NR as NR, GEMM_KC as KC, GEMM_MC as MC, GEMM_MR as MR, GEMM_TOUCH_BYTES, GEMM_TILE_N, GEMM_NC } from "./constants";
import { onWorker, tempRoom, tempAlloc, threadPackedA } from "./scratch";
import { madd, storeRow8, stagingBlock } from "./tile-store";
import { rowTimesPanel, gemvPacked } from "./gemv";

/** Bytes per row of a panel (NR floats). */
const PANEL_ROW: usize = <usize>NR << 2;

/** The packed block of A on the main thread (a worker has its own: scratch.ts). */
const mainBlockA = memory.data(MC * KC * 4, 16);

/** Floats needed to pack a [K, N] B for gemmPacked. */
export function gemmPackedSize(K: i32, N: i32): i32 {
  return ((N + NR - 1) / NR) * NR * K;
}

/** Packs B [K, N] (element (k,n) at B + 4*(k*rsB + n*csB)) into column panels for gemmPacked; 16-byte aligned `packed`. */
export function gemmPackB(K: i32, N: i32, B: usize, rsB: i32, csB: i32, packed: usize): void {
  assert(K >= 0 && N >= 0 && (packed & 15) == 0);
  const rowB = <usize>rsB << 2;
  const colB = <usize>csB << 2;
  const panelBytes = <usize>K * PANEL_ROW;
  for (let n0 = 0, panel = packed; n0 < N; n0 += NR, panel += panelBytes) {
    if (colB == 4 && n0 + NR <= N) {
      // Rows of B contiguous: copy 32 floats per k (quads would walk B's column with a large stride).
      const end = panel + panelBytes;
      for (let out = panel, src = B + (<usize>n0 << 2); out < end; out += PANEL_ROW, src += rowB) {
        for (let j: usize = 0; j < PANEL_ROW; j += 16) v128.store(out + j, v128.load(src + j));
      }
      continue;
    }
    // Four columns at a time: a [K, 4] quad of the panel, zero-filled past column N.
    for (let j = 0; j < NR; j += 4) {
      const src = B + <usize>(n0 + j) * colB;
      const out = panel + (<usize>j << 2);
      if (n0 + j + 4 <= N) packQuad(src, colB, rowB, K, out, PANEL_ROW);
      else packQuadTail(src, colB, rowB, K, out, N - n0 - j);
    }
  }
}

/** C[M, N] = A[M, K] · B[K, N] (accumulate=0) or C += A·B (accumulate=1); C row stride ldc (floats); B pre-packed by gemmPackB. */
export function gemmPacked(
  M: i32, N: i32, K: i32, A: usize, rsA: i32, csA: i32, packed: usize, C: usize, ldc: i32, accumulate: i32,
): void {
  assert(M >= 0 && N >= 0 && K >= 0 && (M <= 1 || ldc >= N));
  if (M <= 0 || N <= 0) return;
  const rowA = <usize>rsA << 2;
  const colA = <usize>csA << 2;
  const rowC = <usize>ldc << 2;
  if (K <= 0) {
    if (accumulate == 0) {
      for (let i = 0; i < M; i++) memory.fill(C + <usize>i * rowC, 0, <usize>N << 2);
    }
    return;
  }
  if (M == 1 && csA == 1) {
    gemvPacked(N, K, A, packed, C, accumulate);
    return;
  }
  const panelBytes = <usize>K * PANEL_ROW;
  const panels = (N + NR - 1) / NR;
  const touch = <usize>panels * panelBytes > <usize>GEMM_TOUCH_BYTES;
  const blockA = threadPackedA(mainBlockA);
  const sink = stagingBlock();
  // Column blocks of GEMM_NC when there are several K slices, so that C's block stays in L2 across them.
  const nc = K > KC ? GEMM_NC : panels * NR;
  const ncBytes = <usize>(nc / NR) * panelBytes;
  for (let j0 = 0, bJ = packed; j0 < N; j0 += nc, bJ += ncBytes) {
    const jEnd = min(N, j0 + nc);
    for (let i0 = 0; i0 < M; i0 += MC) {
      const rows = min(MC, M - i0);
      const rows4 = rows & ~3;
      const c0 = C + <usize>i0 * rowC;
      for (let k0 = 0; k0 < K; k0 += KC) {
        const kc = min(KC, K - k0);
        const acc = accumulate != 0 || k0 > 0;
        packA(blockA, A + <usize>i0 * rowA + <usize>k0 * colA, rowA, colA, rows, kc);
        // Row i of the block starts at blockA + i*kc*4 (in a quad or alone).
        const rowBytes = <usize>kc << 2;
        for (let n0 = j0, b = bJ + <usize>k0 * PANEL_ROW; n0 < jEnd; n0 += NR, b += panelBytes) {
          // The slice the first row block reads next (the next panel's, the column block's first panel's in the
          // next K slice, or the next column block's first), touched a share per 4 x 8 tile; none when B stays
          // in cache or on later row blocks.
          let next: usize = 0, nextEnd: usize = 0, share: usize = 0;
          if (touch && i0 == 0) {
            let nextRows = kc;
            if (n0 + NR < jEnd) next = b + panelBytes;
            else if (k0 + KC < K) {
              next = bJ + <usize>(k0 + KC) * PANEL_ROW;
              nextRows = min(KC, K - k0 - KC);
            } else if (jEnd < N && M <= MC) { // with more row blocks, the next is this column block's second
              next = bJ + ncBytes;
              nextRows = min(KC, K);
            }
            if (next != 0) {
              nextEnd = next + <usize>nextRows * PANEL_ROW;
              share = ((nextEnd - next) / <usize>max(1, (rows4 / MR) * (NR / GEMM_TILE_N)) + 63) & ~63;
            }
          }
          // [4, kc] x [kc, 8] tiles: the panel slice sweeps the quads of the block.
          for (let i = 0; i < rows4; i += MR) {
            const a = blockA + <usize>i * rowBytes;
            const c = c0 + <usize>i * rowC + (<usize>n0 << 2);
            for (let j = 0; j < NR && n0 + j < N; j += GEMM_TILE_N) {
              if (next < nextEnd) next = touchLines(next, min(next + share, nextEnd), sink);
              tile4x8(a, b + (<usize>j << 2), kc, c + (<usize>j << 2), rowC, N - n0 - j, acc);
            }
          }
          // [1, kc] x [kc, 32] for the rows left over (gemv.ts).
          for (let i = rows4; i < rows; i++) {
            const a = blockA + <usize>i * rowBytes;
            const c = c0 + <usize>i * rowC + (<usize>n0 << 2);
            rowTimesPanel(a, b, kc, c, N - n0, acc);
          }
          if (next < nextEnd) touchLines(next, nextEnd, sink);
        }
      }
    }
  }
}

/**
 * Loads one word per 64-byte line of [from, to) and stores their sum at `sink` (a scratch word), so that
 * the loads stay: wasm has no prefetch instruction. Returns `to`.
 */
function touchLines(from: usize, to: usize, sink: usize): usize {
  let sum = 0;
  for (let p = from; p < to; p += 64) sum += load<i32>(p);
  store<i32>(sink, sum);
  return to;
}

/** Copies the [rows, kc] block of A at `a` into blockA: quads of rows as [kc, 4], then leftover rows as [kc]. */
function packA(blockA: usize, a: usize, rowA: usize, colA: usize, rows: i32, kc: i32): void {
  const rows4 = rows & ~3;
  const quadBytes = <usize>kc << 4;
  let out = blockA;
  for (let i = 0; i < rows4; i += 4, out += quadBytes) packQuad(a + <usize>i * rowA, rowA, colA, kc, out, 16);
  for (let i = rows4; i < rows; i++) {
    const end = out + (<usize>kc << 2);
    for (let src = a + <usize>i * rowA; out < end; out += 4, src += colA) store<f32>(out, load<f32>(src));
  }
}

/** out(k, r) = src(r, k) for k < kc, r < 4, where src(r, k) is at src + r*lane + k*step and out(k, r)
 *  at out + k*outRow + 4r (bytes): 4 rows of A, or 4 columns of B, laid out k-major. */
function packQuad(src: usize, lane: usize, step: usize, kc: i32, out: usize, outRow: usize): void {
  const end = out + <usize>kc * outRow;
  if (lane == 4) {
    // The 4 values of a k are adjacent.
    for (; out < end; out += outRow, src += step) v128.store(out, v128.load(src));
    return;
  }
  if (step == 4) {
    // Each of the 4 lines is contiguous: [4, 4] blocks transposed in registers.
    const end4 = out + <usize>(kc & ~3) * outRow;
    for (; out < end4; out += outRow << 2, src += 16) {
      const r0 = v128.load(src), r1 = v128.load(src + lane);
      const r2 = v128.load(src + lane * 2), r3 = v128.load(src + lane * 3);
      const lo01 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), lo23 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const hi01 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), hi23 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      v128.store(out, v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5));
      v128.store(out + outRow, v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7));
      v128.store(out + outRow * 2, v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5));
      v128.store(out + outRow * 3, v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7));
    }
  }
  for (; out < end; out += outRow, src += step) {
    store<f32>(out, load<f32>(src));
    store<f32>(out, load<f32>(src + lane), 4);
    store<f32>(out, load<f32>(src + lane * 2), 8);
    store<f32>(out, load<f32>(src + lane * 3), 12);
  }
}

/** packQuad into a B panel for the last columns: only the first `valid` (< 4, maybe <= 0) lines exist, the rest are zeros. */
function packQuadTail(src: usize, lane: usize, step: usize, kc: i32, out: usize, valid: i32): void {
  const end = out + <usize>kc * PANEL_ROW;
  for (; out < end; out += PANEL_ROW, src += step) {
    for (let r = 0; r < 4; r++) {
      store<f32>(out + (<usize>r << 2), r < valid ? load<f32>(src + <usize>r * lane) : 0);
    }
  }
}

/** Floats of the scratch `gemm` packs a [K, N] B into: one slice of GEMM_KC rows of its panels at a time. */
export function gemmScratchSize(K: i32, N: i32): i32 {
  return gemmPackedSize(max(min(K, KC), 0), N);
}

/** Scratch for gemm's packed slices of B, grown on demand and kept for the next call. */
let scratch: usize = 0;
let scratchBytes: usize = 0;

/**
 * Same product with B unpacked: packs B into an internal scratch buffer (grown as needed, owned by
 * gemm.ts) one slice of GEMM_KC rows at a time, and runs gemmPacked on each slice. gemmPacked adds
 * into C per slice of KC rows anyway, so the result is the same, bit for bit, as packing all of B.
 * On a worker thread the slices come from its own scratch, in pieces that fit it (gemmInPieces).
 */
export function gemm(
  M: i32, N: i32, K: i32, A: usize, rsA: i32, csA: i32, B: usize, rsB: i32, csB: i32,
  C: usize, ldc: i32, accumulate: i32,
): void {
  if (M <= 0 || N <= 0) return;
  if (onWorker()) {
    gemmInPieces(M, N, K, A, rsA, csA, B, rsB, csB, C, ldc, accumulate);
    return;
  }
  if (K <= 0) {
    gemmPacked(M, N, K, A, rsA, csA, 0, C, ldc, accumulate);
    return;
  }
  const bytes = <usize>gemmScratchSize(K, N) << 2;
  if (bytes > scratchBytes) {
    if (scratch != 0) free(scratch);
    scratch = alloc(bytes);
    scratchBytes = bytes;
  }
  const rowB = <usize>rsB << 2;
  const colA = <usize>csA << 2;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    gemmPackB(kc, N, B + <usize>k0 * rowB, rsB, csB, scratch);
    gemmPacked(M, N, kc, A + <usize>k0 * colA, rsA, csA, scratch, C, ldc, accumulate != 0 || k0 > 0 ? 1 : 0);
  }
}

/**
 * gemm with B packed one KC-row block and as many panels as the temporary scratch holds at a time.
 * gemmPacked runs through K in KC blocks, adding each block's tile sums to C, and through N in
 * panels: each piece here is one of those blocks over whole panels, so C gets the same sums in the
 * same order as from one packing of B.
 */
function gemmInPieces(
  M: i32, N: i32, K: i32, A: usize, rsA: i32, csA: i32, B: usize, rsB: i32, csB: i32,
  C: usize, ldc: i32, accumulate: i32,
): void {
  const sliceBytes = <usize>KC * PANEL_ROW;
  const room = tempRoom(<usize>gemmPackedSize(K, N) << 2);
  const cols = max(1, <i32>(room / sliceBytes)) * NR;
  const packed = tempAlloc(min(room, <usize>gemmPackedSize(KC, cols) << 2));
  if (K <= 0) gemmPacked(M, N, K, A, rsA, csA, packed, C, ldc, accumulate);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const acc = accumulate != 0 || k0 > 0 ? 1 : 0;
    for (let n0 = 0; n0 < N; n0 += cols) {
      const n = min(cols, N - n0);
      gemmPackB(kc, n, B + ((<usize>k0 * <usize>rsB + <usize>n0 * <usize>csB) << 2), rsB, csB, packed);
      gemmPacked(M, n, kc, A + ((<usize>k0 * <usize>csA) << 2), rsA, csA, packed, C + (<usize>n0 << 2), ldc, acc);
    }
  }
}

/** C[4, n] (+)= A[4, kc] · B[kc, 8] for n = min(8, columns left): `a` a packed quad, `b` 8 columns of a panel. */
function tile4x8(a: usize, b: usize, kc: i32, c: usize, rowC: usize, n: i32, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = b + <usize>kc * PANEL_ROW;
  for (; b < end; b += PANEL_ROW, a += 16) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x0: v128, x1: v128, x2: v128, x3: v128;
    if (ASC_FEATURE_RELAXED_SIMD) {
      // One load and four lane splats: with FMA the loop is bound by its loads, not by the shuffle port.
      const q = v128.load(a);
      x0 = v128.shuffle<f32>(q, q, 0, 0, 0, 0);
      x1 = v128.shuffle<f32>(q, q, 1, 1, 1, 1);
      x2 = v128.shuffle<f32>(q, q, 2, 2, 2, 2);
      x3 = v128.shuffle<f32>(q, q, 3, 3, 3, 3);
    } else {
      x0 = v128.load32_splat(a);
      x1 = v128.load32_splat(a, 4);
      x2 = v128.load32_splat(a, 8);
      x3 = v128.load32_splat(a, 12);
    }
    c00 = madd(x0, b0, c00);
    c01 = madd(x0, b1, c01);
    c10 = madd(x1, b0, c10);
    c11 = madd(x1, b1, c11);
    c20 = madd(x2, b0, c20);
    c21 = madd(x2, b1, c21);
    c30 = madd(x3, b0, c30);
    c31 = madd(x3, b1, c31);
  }
  storeRow8(c, c00, c01, n, acc);
  storeRow8(c + rowC, c10, c11, n, acc);
  storeRow8(c + rowC * 2, c20, c21, n, acc);
  storeRow8(c + rowC * 3, c30, c31, n, acc);
}

/** 1 when this core was compiled with relaxed SIMD (its micro-kernels use f32x4.relaxed_madd), else 0. */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
