import assert from "node:assert/strict";
import { core } from "../bindings/core.js";
import { WasmArray } from "../bindings/buffer.js";
import { mulberry32 } from "./helpers/random.js";

const SIZES = [1, 3, 5, 17, 33];

/** Values in a few levels, so rows hold ties (and, with `negative`, only negative values). */
function tiedValues(n: number, seed: number, negative = false): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: n }, () => Math.floor(next() * 6) * 0.5 - (negative ? 10 : 1));
}

/** Scalar reference: the first index of each row's max. */
function refArgmax(x: Float32Array, M: number, N: number): Int32Array {
  const out = new Int32Array(M);
  for (let i = 0; i < M; i++) {
    let best = 0;
    for (let j = 1; j < N; j++) if (x[i * N + j]! > x[i * N + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/** Scalar reference of beamCandidates: per group, all (score, row, token) sorted by score, stable in (row, token), cut to K. */
function refCandidates(logp: Float32Array, base: Float64Array, start: number[], V: number, K: number): { score: number; row: number; token: number }[][] {
  return start.slice(0, -1).map((r0, g) => {
    const all: { score: number; row: number; token: number }[] = [];
    for (let r = r0; r < start[g + 1]!; r++) for (let v = 0; v < V; v++) all.push({ score: base[r]! + logp[r * V + v]!, row: r, token: v });
    return all.sort((a, b) => b.score - a.score).slice(0, K); // Array.prototype.sort is stable
  });
}

describe("decoding kernels", () => {
  it("argmaxRows gives the first index of each row's max (sizes 1, 3, 5, 17, 33; ties; the max in the SIMD body and in the tail)", () => {
    for (const N of SIZES) {
      for (const M of [1, 3, 5]) {
        for (const negative of [false, true]) {
          const x = tiedValues(M * N, 100 * N + M, negative);
          const xb = new WasmArray(M * N);
          const ob = new WasmArray(M);
          try {
            xb.f32().set(x);
            core().argmaxRows(xb.ptr, ob.ptr, M, N);
            assert.deepEqual(ob.i32(), refArgmax(x, M, N), `M ${M}, N ${N}`);
          } finally {
            xb.free();
            ob.free();
          }
        }
      }
    }
    // A row whose only max is its last element, after a body of equal values.
    for (const N of SIZES) {
      const x = new Float32Array(N).fill(-3);
      x[N - 1] = 2;
      const xb = new WasmArray(N);
      const ob = new WasmArray(1);
      xb.f32().set(x);
      core().argmaxRows(xb.ptr, ob.ptr, 1, N);
      assert.equal(ob.i32()[0], N - 1, `N ${N}`);
      xb.free();
      ob.free();
    }
  });

  it("beamCandidates keeps the K best base + logp per group, best first, ties to the earlier row and token (sizes 1, 3, 5, 17, 33)", () => {
    for (const V of SIZES) {
      for (const K of [1, 2, 5, 8]) {
        const groups = [1, 3, 2];
        const start = [0];
        for (const g of groups) start.push(start[start.length - 1]! + g);
        const R = start[start.length - 1]!;
        const G = groups.length;
        const logp = tiedValues(R * V, 7 * V + K, true);
        const next = mulberry32(V + K);
        const base = Float64Array.from({ length: R }, () => (next() < 0.5 ? -1 : -1.5));
        const blocks = { logp: new WasmArray(R * V), base: new WasmArray(2 * R), start: new WasmArray(G + 1), score: new WasmArray(2 * G * K), row: new WasmArray(G * K), token: new WasmArray(G * K), count: new WasmArray(G) };
        try {
          blocks.logp.f32().set(logp);
          new Float64Array(core().memory.buffer, blocks.base.ptr, R).set(base);
          blocks.start.i32().set(start);
          core().beamCandidates(blocks.logp.ptr, blocks.base.ptr, blocks.start.ptr, G, V, K, blocks.score.ptr, blocks.row.ptr, blocks.token.ptr, blocks.count.ptr);
          const scores = new Float64Array(core().memory.buffer, blocks.score.ptr, G * K);
          const want = refCandidates(logp, base, start, V, K);
          want.forEach((top, g) => {
            assert.equal(blocks.count.i32()[g], top.length, `V ${V}, K ${K}, group ${g}: count`);
            top.forEach((c, i) => {
              const at = g * K + i;
              assert.deepEqual([scores[at], blocks.row.i32()[at], blocks.token.i32()[at]], [c.score, c.row, c.token], `V ${V}, K ${K}, group ${g}, rank ${i}`);
            });
          });
        } finally {
          for (const b of Object.values(blocks)) b.free();
        }
      }
    }
  });
});
