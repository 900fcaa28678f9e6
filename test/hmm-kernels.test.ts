// The HMM kernels against float64 JavaScript references over awkward sizes (states and symbols
// 1, 3, 5, 17, 33: every SIMD tail), brute force over every state path for tiny models, and
// sequences of thousands of steps (the scaled forward pass must not underflow).
import assert from "node:assert/strict";
import { core } from "../bindings/core.js";
import { Workspace } from "../bindings/buffer.js";
import { HMM } from "../bindings/index.js";
import { checkTables, f64View } from "../bindings/hmm-tables.js";
import { packSequences } from "../bindings/hmm-batch.js";
import {
  randomTables, randomSymbols, referenceLogProbability, referenceViterbi, referenceExpectedCounts, bruteForce, type Tables,
} from "./helpers/hmm-reference.js";

const SIZES = [1, 3, 5, 17, 33];

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

function withHmm<T>(tables: Tables, body: (hmm: HMM) => T): T {
  const hmm = HMM.fromProbabilities(tables);
  try {
    return body(hmm);
  } finally {
    hmm.dispose();
  }
}

/** The core's expected counts of `batch` under `tables` (public layouts) and its per-sequence log-likelihoods. */
function coreExpectedCounts(tables: Tables, batch: number[][]): { counts: Tables; logLikelihoods: number[]; total: number } {
  const flat = checkTables("test", "tables", tables, 1e-9);
  const S = flat.states;
  const V = flat.symbols;
  const ws = new Workspace();
  try {
    const block = (name: string, values: Float64Array | number) => {
      const n = typeof values === "number" ? values : values.length;
      const ptr = ws.ptr(name, 2 * n);
      if (typeof values !== "number") f64View(ptr, n).set(values);
      return ptr;
    };
    const initial = block("initial", flat.initial);
    const transition = block("transition", flat.transition);
    const emissionT = block("emissionT", flat.emissionT);
    const packed = packSequences(ws, "batch", batch);
    const start = block("start", S);
    const trans = block("trans", S * S);
    const emit = block("emit", V * S);
    const ll = block("ll", batch.length);
    const work = block("work", packed.longest * (S + 1) + 3 * S);
    const total = core().hmmExpectedCounts(initial, transition, emissionT, S, V, packed.ids, packed.offsets, packed.count, start, trans, emit, ll, work);
    const e = f64View(emit, V * S);
    const t = f64View(trans, S * S);
    return {
      counts: {
        initial: Array.from(f64View(start, S)),
        transition: Array.from({ length: S }, (_, i) => Array.from(t.subarray(i * S, (i + 1) * S))),
        emission: Array.from({ length: S }, (_, i) => Array.from({ length: V }, (_, o) => e[o * S + i]!)),
      },
      logLikelihoods: Array.from(f64View(ll, batch.length)),
      total,
    };
  } finally {
    ws.free();
  }
}

describe("HMM kernels", () => {
  it("forward log P matches the log-space reference over awkward sizes and a batch of lengths 1..9", () => {
    for (const S of SIZES) {
      for (const V of SIZES) {
        const tables = randomTables(S, V, 100 * S + V);
        const batch = Array.from({ length: 9 }, (_, n) => randomSymbols(n + 1, V, 7 * n + S));
        withHmm(tables, (hmm) => {
          const got = hmm.logProbabilities(batch);
          batch.forEach((o, n) => assertClose(got[n]!, referenceLogProbability(tables, o), 1e-10, `S=${S} V=${V} n=${n}`));
        });
      }
    }
  });

  it("forward = log Σ over every state path, Viterbi = the best path, for tiny models", () => {
    for (const [S, V, T] of [[1, 1, 4], [1, 3, 5], [2, 3, 6], [3, 2, 5], [3, 5, 4], [4, 3, 5]] as const) {
      for (let seed = 0; seed < 4; seed++) {
        const tables = randomTables(S, V, 31 * seed + S * 5 + V);
        const o = randomSymbols(T, V, seed + 50);
        const brute = bruteForce(tables, o);
        withHmm(tables, (hmm) => {
          assertClose(hmm.logProbability(o), brute.logProbability, 1e-12, `forward S=${S} V=${V} seed ${seed}`);
          const v = hmm.viterbi(o);
          assert.deepEqual(v.path, brute.best, `Viterbi path S=${S} V=${V} seed ${seed}`);
          assertClose(v.logProbability, brute.bestLogProbability, 1e-12, `Viterbi log P S=${S} V=${V} seed ${seed}`);
        });
      }
    }
  });

  it("Viterbi matches the reference DP over awkward sizes", () => {
    for (const S of SIZES) {
      for (const V of [1, 5, 33]) {
        const tables = randomTables(S, V, 3 * S + 11 * V);
        const o = randomSymbols(40, V, S + V);
        withHmm(tables, (hmm) => {
          const got = hmm.viterbi(o);
          const want = referenceViterbi(tables, o);
          assert.deepEqual(got.path, want.path, `S=${S} V=${V}`);
          assertClose(got.logProbability, want.logProbability, 1e-12, `S=${S} V=${V}`);
        });
      }
    }
  });

  it("Viterbi breaks ties toward the lower state, in the SIMD lanes and the tail alike", () => {
    for (const S of SIZES) {
      const uniform = (n: number) => new Array<number>(n).fill(1 / n);
      const tables = { initial: uniform(S), transition: Array.from({ length: S }, () => uniform(S)), emission: Array.from({ length: S }, () => uniform(2)) };
      withHmm(tables, (hmm) => assert.deepEqual(hmm.viterbi([0, 1, 1, 0]).path, [0, 0, 0, 0], `S=${S}`));
    }
  });

  it("the E-step's expected counts and log-likelihoods match forward-backward over awkward sizes", () => {
    for (const S of SIZES) {
      for (const V of SIZES) {
        const tables = randomTables(S, V, 1000 + 10 * S + V);
        const batch = [1, 4, 2, 7].map((T, n) => randomSymbols(T, V, 3 * n + S * V));
        const { counts, logLikelihoods, total } = coreExpectedCounts(tables, batch);
        const want = referenceExpectedCounts(tables, batch);
        want.initial.forEach((v, i) => assertClose(counts.initial[i]!, v, 1e-10, `start S=${S} V=${V}`));
        want.transition.forEach((r, i) => r.forEach((v, j) => assertClose(counts.transition[i]![j]!, v, 1e-10, `transition[${i}][${j}] S=${S} V=${V}`)));
        want.emission.forEach((r, i) => r.forEach((v, o) => assertClose(counts.emission[i]![o]!, v, 1e-10, `emission[${i}][${o}] S=${S} V=${V}`)));
        batch.forEach((o, n) => assertClose(logLikelihoods[n]!, referenceLogProbability(tables, o), 1e-10, `log P S=${S} V=${V}`));
        assertClose(total, logLikelihoods.reduce((a, b) => a + b, 0), 1e-12, "total");
        const symbols = batch.reduce((a, o) => a + o.length, 0);
        assertClose(counts.emission.flat().reduce((a, b) => a + b, 0), symbols, 1e-10, "Σ γ = symbols");
      }
    }
  });

  it("stays finite and exact on sequences of 5000 steps (probabilities far below the float64 range)", () => {
    for (const S of [3, 17]) {
      const tables = randomTables(S, 5, S);
      const o = randomSymbols(5000, 5, 9);
      withHmm(tables, (hmm) => {
        const logP = hmm.logProbability(o);
        assert.ok(logP < -745 * 5, `log P ${logP} is below the smallest float64's log`);
        assertClose(logP, referenceLogProbability(tables, o), 1e-11, `forward S=${S}`);
        const v = hmm.viterbi(o);
        const want = referenceViterbi(tables, o);
        assert.deepEqual(v.path, want.path);
        assertClose(v.logProbability, want.logProbability, 1e-11, `Viterbi S=${S}`);
      });
      const { logLikelihoods, counts } = coreExpectedCounts(tables, [o]);
      assertClose(logLikelihoods[0]!, referenceLogProbability(tables, o), 1e-11, "E-step log P");
      assertClose(counts.transition.flat().reduce((a, b) => a + b, 0), o.length - 1, 1e-9, "Σ ξ = T - 1");
    }
  });

  it("a sequence no state path can emit has log P -Infinity, forward and Viterbi", () => {
    const tables = { initial: [1, 0], transition: [[0, 1], [0, 1]], emission: [[1, 0], [1, 0]] };
    withHmm(tables, (hmm) => {
      assert.equal(hmm.logProbability([0, 1]), -Infinity);
      assert.equal(hmm.viterbi([0, 1]).logProbability, -Infinity);
      assert.equal(hmm.logProbability([0, 0, 0]), 0);
    });
  });
});
