// Finite-difference checks of the Attention layer's backward (bindings/seq2seq/attention.ts): every
// kind, memories with padded source steps, gradients of the query, the memory and every parameter.
import assert from "node:assert/strict";
import { Attention, ATTENTION_KINDS, type AttentionKind } from "../bindings/seq2seq/attention.js";
import { checkGradient } from "./helpers/gradcheck.js";
import { randomArray } from "./helpers/random.js";

/** L = Σ rc ⊙ context + Σ rw ⊙ weights, in float64 from the float32 results. */
function loss(att: Attention, query: Float32Array, memory: Float32Array, shape: { S: number; B: number }, lengths: Int32Array, rc: Float32Array, rw: Float32Array): number {
  const { context, weights } = att.forward({ shape: [shape.B, att.querySize], data: query }, { memory: { shape: [shape.S, shape.B, att.memorySize], data: memory }, lengths });
  let sum = 0;
  context.data.forEach((v, i) => (sum += v * rc[i]!));
  weights.data.forEach((v, i) => (sum += v * rw[i]!));
  return sum;
}

const CASES: { kind: AttentionKind; H: number; F: number; A?: number }[] = [
  { kind: "luong", H: 5, F: 5 },
  { kind: "luongGeneral", H: 3, F: 6 },
  { kind: "bahdanau", H: 4, F: 5, A: 7 },
];

describe("Attention gradients (finite differences)", () => {
  for (const { kind, H, F, A } of CASES) {
    it(`${kind}: d query, d memory and every parameter, with padded source steps`, () => {
      const S = 6, B = 3;
      const lengths = Int32Array.from([6, 2, 4]);
      const att = new Attention({ kind, querySize: H, memorySize: F, ...(A === undefined ? {} : { attentionSize: A }), seed: 7 });
      try {
        const query = randomArray(B * H, 1, 1.5);
        const memory = randomArray(S * B * F, 2, 1.5);
        const rc = randomArray(B * F, 3);
        const rw = randomArray(B * S, 4);
        const shape = { S, B };
        const L = (): number => loss(att, query, memory, shape, lengths, rc, rw);
        L();
        att.zeroGrad();
        const { dQuery, dMemory } = att.backward({ shape: [B, F], data: rc }, { shape: [B, S], data: rw });
        const grads = att.gradDict();
        const opts = { eps: 1e-2, rtol: 1e-2, atol: 1e-3 };
        checkGradient({ name: `${kind} dQuery`, values: () => query, analytic: dQuery.data, loss: L, ...opts });
        checkGradient({ name: `${kind} dMemory`, values: () => memory, analytic: dMemory.data, loss: L, ...opts });
        for (let b = 0; b < B; b++) {
          for (let s = lengths[b]!; s < S; s++) {
            for (let i = 0; i < F; i++) assert.equal(dMemory.data[(s * B + b) * F + i], 0, `dMemory at padded step ${s} of row ${b}`);
          }
        }
        for (const { name } of att.paramSpecs()) {
          checkGradient({ name: `${kind} ${name}`, values: () => att.paramView(name), analytic: grads[name]!.data, loss: L, ...opts });
        }
        assert.equal(att.paramSpecs().length, { luong: 0, luongGeneral: 1, bahdanau: 4 }[kind]);
      } finally {
        att.dispose();
      }
    });
  }

  it("weights are exactly 0 at padded source steps and sum to 1 over the real ones", () => {
    for (const kind of ATTENTION_KINDS) {
      const att = new Attention({ kind, querySize: 4, memorySize: 4, seed: 1 });
      const { weights } = att.forward({ shape: [2, 4], data: randomArray(8, 5) }, { memory: { shape: [5, 2, 4], data: randomArray(40, 6) }, lengths: [5, 3] });
      assert.deepEqual(Array.from(weights.data.subarray(8, 10)), [0, 0], kind);
      for (const [row, n] of [[0, 5], [1, 3]] as const) {
        const sum = weights.data.subarray(row * 5, row * 5 + n).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-6, `${kind} row ${row} sums to ${sum}`);
      }
      att.dispose();
    }
  });

  it("option errors name Attention and the option", () => {
    assert.throws(() => new Attention({ kind: "luong", querySize: 4, memorySize: 5 }), /Attention: kind "luong" \(dot\) needs memorySize = querySize/);
    assert.throws(() => new Attention({ kind: "dot" as AttentionKind, querySize: 4, memorySize: 4 }), /Attention: kind must be one of "luong", "luongGeneral", "bahdanau"; got "dot"/);
    assert.throws(() => new Attention({ kind: "luongGeneral", querySize: 4, memorySize: 4, attentionSize: 3 }), /Attention: attentionSize 3 has no effect with kind "luongGeneral"/);
    const att = new Attention({ kind: "luong", querySize: 2, memorySize: 2 });
    assert.throws(() => att.forward({ shape: [1, 2], data: new Float32Array(2) }, { memory: { shape: [3, 2, 2], data: new Float32Array(12) } }), /Attention.forward: memory must have shape \[S, 1, 2\]/);
    assert.throws(() => att.forward({ shape: [1, 2], data: new Float32Array(2) }, { memory: { shape: [3, 1, 2], data: new Float32Array(6) }, lengths: [4] }), /Attention.forward: lengths must lie in \[1, T=3\]/);
    att.dispose();
  });
});
