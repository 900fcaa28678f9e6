// The attention kernels of the core (assembly/attention/) against float64 scalar references,
// over awkward sizes for S, F, A and batches with padded source steps.
import assert from "node:assert/strict";
import { core } from "../bindings/core.js";
import { WasmArray } from "../bindings/buffer.js";
import { randomArray } from "./helpers/random.js";

const SIZES = [1, 3, 5, 17, 33];
const B = 3;

/** Lengths [B] in [1, S], one of them S and (when S > 1) one shorter. */
function lengthsFor(S: number): Int32Array {
  return Int32Array.from([S, Math.max(1, S - 2), Math.ceil(S / 2)]);
}

/** Runs `body` with wasm copies of `arrays` (Int32Array copied as ints); returns copies of every array afterwards. */
function inWasm(arrays: (Float32Array | Int32Array)[], body: (ptrs: number[]) => void): Float32Array[] {
  const bufs = arrays.map((a) => {
    const w = new WasmArray(a.length);
    if (a instanceof Int32Array) w.i32().set(a);
    else w.f32().set(a);
    return w;
  });
  try {
    body(bufs.map((b) => b.ptr));
    return bufs.map((b) => b.f32().slice());
  } finally {
    for (const b of bufs) b.free();
  }
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < got.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol * (1 + Math.abs(want[i]!)), `${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

/** m[s, b, :] of a [S, B, F] memory. */
const at = (m: ArrayLike<number>, s: number, b: number, F: number, i: number): number => m[(s * B + b) * F + i]!;

/** float64 reference of the masked softmax of scores [B, S]. */
function refSoftmax(e: ArrayLike<number>, S: number, len: Int32Array): Float64Array {
  const a = new Float64Array(B * S);
  for (let b = 0; b < B; b++) {
    let m = -Infinity;
    for (let s = 0; s < len[b]!; s++) m = Math.max(m, e[b * S + s]!);
    let z = 0;
    for (let s = 0; s < len[b]!; s++) z += Math.exp(e[b * S + s]! - m);
    for (let s = 0; s < len[b]!; s++) a[b * S + s] = Math.exp(e[b * S + s]! - m) / z;
  }
  return a;
}

describe("attention kernels", () => {
  for (const S of SIZES) {
    for (const F of SIZES) {
      it(`Luong dot scores and context, forward and backward, S ${S} F ${F}`, () => {
        const len = lengthsFor(S);
        const mem = randomArray(S * B * F, 10 + S * F);
        const q = randomArray(B * F, 20 + S);
        const dE = randomArray(B * S, 30 + F);
        const dC = randomArray(B * F, 40 + S);
        const w = new Float32Array(refSoftmax(randomArray(B * S, 50), S, len));
        const dMem0 = randomArray(S * B * F, 60);
        const [, , , scores, dQ, dMemDot, ctx, dW, dMemCtx] = inWasm(
          [mem, q, len, new Float32Array(B * S), new Float32Array(B * F), dMem0.slice(), new Float32Array(B * F), new Float32Array(B * S), dMem0.slice(), dE, dC, w],
          ([m, qp, lp, ep, dqp, dmp, cp, dwp, dmcp, dep, dcp, wp]) => {
            core().attentionDotScores(S, B, F, m!, qp!, lp!, ep!);
            core().attentionDotScoresBackward(S, B, F, m!, qp!, lp!, dep!, dqp!, dmp!);
            core().attentionContext(S, B, F, m!, wp!, lp!, cp!);
            core().attentionContextBackward(S, B, F, m!, wp!, lp!, dcp!, dwp!, dmcp!);
          },
        );
        const refE = new Float64Array(B * S), refDq = new Float64Array(B * F), refDm = Float64Array.from(dMem0);
        const refC = new Float64Array(B * F), refDw = new Float64Array(B * S), refDmC = Float64Array.from(dMem0);
        for (let b = 0; b < B; b++) {
          for (let s = 0; s < len[b]!; s++) {
            for (let i = 0; i < F; i++) {
              refE[b * S + s] += q[b * F + i]! * at(mem, s, b, F, i);
              refDq[b * F + i] += dE[b * S + s]! * at(mem, s, b, F, i);
              refDm[(s * B + b) * F + i] += dE[b * S + s]! * q[b * F + i]!;
              refC[b * F + i] += w[b * S + s]! * at(mem, s, b, F, i);
              refDw[b * S + s] += dC[b * F + i]! * at(mem, s, b, F, i);
              refDmC[(s * B + b) * F + i] += w[b * S + s]! * dC[b * F + i]!;
            }
          }
        }
        assertClose(scores!, refE, 1e-5, "scores");
        assertClose(dQ!, refDq, 1e-5, "dQuery");
        assertClose(dMemDot!, refDm, 1e-5, "dMemory (scores)");
        assertClose(ctx!, refC, 1e-5, "context");
        assertClose(dW!, refDw, 1e-5, "dWeights");
        assertClose(dMemCtx!, refDmC, 1e-5, "dMemory (context)");
      });
    }

    for (const A of SIZES) {
      it(`Bahdanau scores forward and backward, S ${S} A ${A}`, () => {
        const len = lengthsFor(S);
        const keys = randomArray(S * B * A, 70 + S * A, 1.5);
        const q = randomArray(B * A, 80 + A, 1.5);
        const v = randomArray(A, 90 + S);
        const dE = randomArray(B * S, 100 + A);
        const dK0 = randomArray(S * B * A, 110);
        const dv0 = randomArray(A, 120);
        const [, , , , scores, dQ, dK, dv] = inWasm(
          [keys, q, v, len, new Float32Array(B * S), randomArray(B * A, 130), dK0.slice(), dv0.slice(), dE],
          ([kp, qp, vp, lp, ep, dqp, dkp, dvp, dep]) => {
            core().attentionAdditiveScores(S, B, A, kp!, qp!, vp!, lp!, ep!);
            core().attentionAdditiveScoresBackward(S, B, A, kp!, qp!, vp!, lp!, dep!, dqp!, dkp!, dvp!);
          },
        );
        const refE = new Float64Array(B * S), refDq = new Float64Array(B * A), refDk = Float64Array.from(dK0), refDv = Float64Array.from(dv0);
        for (let b = 0; b < B; b++) {
          for (let s = 0; s < len[b]!; s++) {
            for (let i = 0; i < A; i++) {
              const u = Math.tanh(q[b * A + i]! + at(keys, s, b, A, i));
              refE[b * S + s] += v[i]! * u;
              const g = dE[b * S + s]! * v[i]! * (1 - u * u);
              refDq[b * A + i] += g;
              refDk[(s * B + b) * A + i] += g;
              refDv[i] += dE[b * S + s]! * u;
            }
          }
        }
        assertClose(scores!, refE, 1e-5, "scores");
        assertClose(dQ!, refDq, 1e-5, "dQuery");
        assertClose(dK!, refDk, 1e-5, "dKeys");
        assertClose(dv!, refDv, 1e-5, "dv");
      });
    }

    it(`masked softmax over ${S} source steps: weights, exact zeros at padded steps, backward`, () => {
      const len = lengthsFor(S);
      const e = randomArray(B * S, 140 + S, 8);
      const dA = randomArray(B * S, 150 + S);
      const [, , w, dE] = inWasm([len, e, new Float32Array(B * S).fill(7), dA], ([lp, ep, wp, dp]) => {
        core().maskedSoftmax(S, B, lp!, ep!, wp!);
        core().maskedSoftmaxBackward(S, B, lp!, wp!, dp!, dp!);
      });
      const ref = refSoftmax(e, S, len);
      assertClose(w!, ref, 2e-6, "weights");
      const refDe = new Float64Array(B * S);
      for (let b = 0; b < B; b++) {
        let dot = 0;
        for (let s = 0; s < len[b]!; s++) dot += dA[b * S + s]! * ref[b * S + s]!;
        for (let s = 0; s < len[b]!; s++) refDe[b * S + s] = ref[b * S + s]! * (dA[b * S + s]! - dot);
        for (let s = len[b]!; s < S; s++) {
          assert.equal(w![b * S + s], 0, `weight of padded step ${s} of row ${b}`);
          assert.equal(dE![b * S + s], 0, `gradient of padded step ${s} of row ${b}`);
        }
      }
      assertClose(dE!, refDe, 2e-6, "dScores");
    });
  }

  it("lengths 0 means every source step is real", () => {
    const S = 5, F = 3;
    const mem = randomArray(S * B * F, 1);
    const q = randomArray(B * F, 2);
    const full = Int32Array.from([S, S, S]);
    const run = (withLengths: boolean): Float32Array => inWasm([mem, q, full, new Float32Array(B * S)], ([m, qp, lp, ep]) => {
      core().attentionDotScores(S, B, F, m!, qp!, withLengths ? lp! : 0, ep!);
      core().maskedSoftmax(S, B, withLengths ? lp! : 0, ep!, ep!);
    })[3]!;
    assert.deepEqual(run(false), run(true));
  });
});
