import assert from "node:assert/strict";
import { core } from "../bindings/core.js";
import { WasmArray } from "../bindings/buffer.js";
import { mulberry32 } from "./helpers/random.js";
import { CLASSIC_SIZES, GEMM, tileEdges } from "./helpers/tile-sizes.js";

const uniform = mulberry32(0x5eed);
/** Deterministic uniform floats in [-1, 1). */
const rand = (): number => uniform() * 2 - 1;
const GUARD = 12345.5;
/** Floats after the last row of C (and after a packed B) that must stay untouched. */
const TAIL = 8;

interface Case {
  M: number;
  N: number;
  K: number;
  /** A stored as [K, M] (rsA = 1, csA = M) instead of [M, K]. */
  transA: boolean;
  /** B stored as [N, K] (rsB = 1, csB = K) instead of [K, N]. */
  transB: boolean;
  accumulate: 0 | 1;
  /** gemmPackB + gemmPacked instead of gemm. */
  packed: boolean;
  /** Row stride of C; > N leaves guard columns. */
  ldc: number;
}

function filled(n: number): WasmArray {
  const a = new WasmArray(n);
  const v = a.f32();
  for (let i = 0; i < n; i++) v[i] = rand();
  return a;
}

/** Runs one product in wasm and checks it against a float64 reference, guards included. */
function check(c: Case): void {
  const { M, N, K, ldc } = c;
  const name = `${c.packed ? "gemmPacked" : "gemm"} ${c.transA ? "T" : "N"}${c.transB ? "T" : "N"} `
    + `M=${M} N=${N} K=${K} ldc=${ldc} accumulate=${c.accumulate}`;
  const A = filled(M * K);
  const B = filled(K * N);
  const C = filled(M * ldc + TAIL);
  const cv = C.f32();
  for (let i = 0; i < M; i++) for (let j = N; j < ldc; j++) cv[i * ldc + j] = GUARD;
  cv.fill(GUARD, M * ldc);
  const c0 = Float32Array.from(cv);
  const [rsA, csA] = c.transA ? [1, M] : [K, 1];
  const [rsB, csB] = c.transB ? [1, K] : [N, 1];
  const x = core();
  let P: WasmArray | null = null;
  if (c.packed) {
    const size = x.gemmPackedSize(K, N);
    assert.ok(size >= K * N, `${name}: gemmPackedSize ${size} < K*N`);
    P = new WasmArray(size + TAIL).fill(GUARD);
    x.gemmPackB(K, N, B.ptr, rsB, csB, P.ptr);
    assert.ok(P.f32().subarray(size).every((v) => v === GUARD), `${name}: gemmPackB wrote past gemmPackedSize`);
    x.gemmPacked(M, N, K, A.ptr, rsA, csA, P.ptr, C.ptr, ldc, c.accumulate);
  } else {
    x.gemm(M, N, K, A.ptr, rsA, csA, B.ptr, rsB, csB, C.ptr, ldc, c.accumulate);
  }
  const av = A.f32();
  const bv = B.f32();
  const out = C.f32();
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = c.accumulate ? c0[i * ldc + j]! : 0;
      let scale = Math.abs(sum);
      for (let k = 0; k < K; k++) {
        const p = av[c.transA ? k * M + i : i * K + k]! * bv[c.transB ? j * K + k : k * N + j]!;
        sum += p;
        scale += Math.abs(p);
      }
      const got = out[i * ldc + j]!;
      assert.ok(Math.abs(got - sum) <= 1e-5 * scale + 1e-30, `${name}: C[${i},${j}] = ${got}, expected ${sum}`);
    }
    for (let j = N; j < ldc; j++) assert.equal(out[i * ldc + j], GUARD, `${name}: guard column C[${i},${j}] written`);
  }
  for (let t = 0; t < TAIL; t++) assert.equal(out[M * ldc + t], GUARD, `${name}: wrote past the last row of C`);
  for (const w of [A, B, C, P]) w?.free();
}

const SIZES = CLASSIC_SIZES;
/** Rows around the micro-tile's quads and the packed block of A. */
const M_EDGES = tileEdges(GEMM.MR, GEMM.MC);
/** Columns around the 4 x 8 tile, the lone-row kernel's 24 columns, a panel of B and gemv's pairs of panels. */
const N_EDGES = tileEdges(GEMM.TILE_N, GEMM.GEMV_WIDE_N, GEMM.NR, 2 * GEMM.NR);
/** Depths around the K slice. */
const K_EDGES = tileEdges(GEMM.KC);
const LAYOUTS: Array<[boolean, boolean]> = [[false, false], [false, true], [true, false], [true, true]];

describe("gemm", () => {
  for (const [transA, transB] of LAYOUTS) {
    for (const accumulate of [0, 1] as const) {
      const layout = `${transA ? "T" : "N"}${transB ? "T" : "N"}`;
      it(`${layout}, accumulate=${accumulate}: every M, N, K in {1, 3, 5, 17, 33}, gemm and gemmPacked`, () => {
        for (const M of SIZES) {
          for (const N of SIZES) {
            for (const K of SIZES) {
              for (const packed of [false, true]) {
                check({ M, N, K, transA, transB, accumulate, packed, ldc: N + (K % 3) });
              }
            }
          }
        }
      });
    }
  }

  for (const [transA, transB] of LAYOUTS) {
    const layout = `${transA ? "T" : "N"}${transB ? "T" : "N"}`;
    it(`${layout}: every tile edge, M in {${M_EDGES.join(", ")}} x N in {${N_EDGES.join(", ")}} (K = 5), K in {${K_EDGES.join(", ")}}, gemm and gemmPacked`, () => {
      for (const packed of [false, true]) {
        for (const M of M_EDGES) {
          for (const N of N_EDGES) check({ M, N, K: 5, transA, transB, accumulate: (M + N) % 2 === 0 ? 0 : 1, packed, ldc: N + (M % 3) });
        }
        for (const K of K_EDGES) {
          for (const [M, N] of [[1, GEMM.GEMV_WIDE_N + 1], [GEMM.MR + 1, GEMM.NR + 1]] as const) {
            check({ M, N, K, transA, transB, accumulate: K % 2 === 0 ? 0 : 1, packed, ldc: N + 1 });
          }
        }
      }
    });
  }

  it(`a packed B just below and above GEMM_TOUCH_BYTES (${GEMM.TOUCH_BYTES}): K in {1, 255, 256, 257, 513}, M up to 129, N with tails`, () => {
    const x = core();
    let n = 0;
    for (const K of [1, 255, 256, 257, 513]) {
      // Whole panels that fit the threshold: one more, even a 1-column one, makes B too large to stay in cache.
      const panels = Math.floor(GEMM.TOUCH_BYTES / (4 * K * GEMM.NR));
      const below = [(panels - 1) * GEMM.NR + 1, panels * GEMM.NR];
      const above = CLASSIC_SIZES.map((tail) => panels * GEMM.NR + tail);
      for (const N of below) assert.ok(4 * x.gemmPackedSize(K, N) <= GEMM.TOUCH_BYTES, `K=${K} N=${N} is below the threshold`);
      for (const N of above) assert.ok(4 * x.gemmPackedSize(K, N) > GEMM.TOUCH_BYTES, `K=${K} N=${N} is above the threshold`);
      for (const N of [...below, ...above]) {
        // Two row blocks of A (M = 129) at the threshold itself only; K = 1 has 4096 panels, so few rows there.
        const edge = K > 1 && (N === panels * GEMM.NR || N === panels * GEMM.NR + 1);
        for (const M of K === 1 ? [1, 5] : edge ? [1, 3, 5, 17, 129] : [1, 3, 5, 17]) {
          const [transA, transB] = LAYOUTS[n % LAYOUTS.length]!;
          check({ M, N, K, transA, transB, accumulate: n % 2 === 0 ? 0 : 1, packed: n % 3 !== 2, ldc: N + (n % 3) });
          n++;
        }
      }
    }
  });

  it(`column blocks of GEMM_NC (${GEMM.NC}) with several K slices: N around 1 and 2 blocks, K in {KC + 1, 2 KC + 3}, M up to MC + 1`, () => {
    let n = 0;
    for (const K of [GEMM.KC + 1, 2 * GEMM.KC + 3]) {
      for (const N of [GEMM.NC - 1, GEMM.NC, GEMM.NC + 1, 2 * GEMM.NC + GEMM.NR + 3]) {
        for (const M of [1, 5, GEMM.MC + 1]) {
          const [transA, transB] = LAYOUTS[n % LAYOUTS.length]!;
          check({ M, N, K, transA, transB, accumulate: n % 2 === 0 ? 0 : 1, packed: n % 3 !== 2, ldc: N + (n % 3) });
          n++;
        }
      }
    }
  });

  it("K = 0 zeroes C (accumulate=0) or leaves it unchanged (accumulate=1)", () => {
    for (const M of [1, 5, 33]) {
      for (const N of [1, 5, 33]) {
        for (const accumulate of [0, 1] as const) {
          for (const packed of [false, true]) check({ M, N, K: 0, transA: false, transB: false, accumulate, packed, ldc: N + 1 });
        }
      }
    }
  });

  it("M = 0 or N = 0 writes nothing", () => {
    const x = core();
    const C = new WasmArray(16).fill(GUARD);
    const A = filled(16);
    const P = new WasmArray(x.gemmPackedSize(4, 4)).fill(0);
    x.gemm(0, 4, 4, A.ptr, 4, 1, A.ptr, 4, 1, C.ptr, 4, 0);
    x.gemm(4, 0, 4, A.ptr, 4, 1, A.ptr, 4, 1, C.ptr, 4, 0);
    x.gemmPacked(0, 4, 4, A.ptr, 4, 1, P.ptr, C.ptr, 4, 0);
    x.gemmPacked(4, 0, 4, A.ptr, 4, 1, P.ptr, C.ptr, 4, 0);
    assert.ok(C.f32().every((v) => v === GUARD));
    for (const w of [A, C, P]) w.free();
  });

  it("large products: several K slices and row blocks, every layout", () => {
    for (const [transA, transB] of LAYOUTS) {
      check({ M: 64, N: 512, K: 256, transA, transB, accumulate: 0, packed: true, ldc: 512 });
      check({ M: 131, N: 70, K: 300, transA, transB, accumulate: 1, packed: false, ldc: 73 });
    }
  });

  it("batch 1 (M = 1) with large N and K", () => {
    for (const [transA, transB] of LAYOUTS) {
      check({ M: 1, N: 1024, K: 256, transA, transB, accumulate: 0, packed: true, ldc: 1024 });
      check({ M: 1, N: 1000, K: 515, transA, transB, accumulate: 1, packed: false, ldc: 1001 });
    }
  });

  it("a packed B serves many products", () => {
    const x = core();
    const [M, N, K] = [8, 40, 24];
    const B = filled(K * N);
    const P = new WasmArray(x.gemmPackedSize(K, N));
    x.gemmPackB(K, N, B.ptr, N, 1, P.ptr);
    const A = filled(M * K);
    const C1 = new WasmArray(M * N);
    const C2 = new WasmArray(M * N);
    x.gemm(M, N, K, A.ptr, K, 1, B.ptr, N, 1, C1.ptr, N, 0);
    for (let t = 0; t < 3; t++) x.gemmPacked(M, N, K, A.ptr, K, 1, P.ptr, C2.ptr, N, 0);
    assert.deepEqual(C2.f32(), C1.f32());
    for (const w of [A, B, P, C1, C2]) w.free();
  });
});
