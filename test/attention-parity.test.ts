// Parity of one attention step with PyTorch: float64 references from test/fixtures/gen_attention.py
// (context, weights and the gradients of L = Σ context ⊙ rc + Σ weights ⊙ rw) for every kind.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Attention, type AttentionKind } from "../bindings/seq2seq/attention.js";
import type { Tensor } from "../bindings/tensor.js";

interface Case {
  kind: AttentionKind;
  S: number;
  B: number;
  H: number;
  F: number;
  A: number;
  lengths: number[];
  params: Record<string, { shape: number[]; data: number[] }>;
  query: { shape: number[]; data: number[] };
  memory: { shape: number[]; data: number[] };
  rc: { shape: number[]; data: number[] };
  rw: { shape: number[]; data: number[] };
  context: { data: number[] };
  weights: { data: number[] };
  grads: Record<string, { data: number[] }>;
}

const fixture = JSON.parse(readFileSync(new URL("../../test/fixtures/attention.json", import.meta.url), "utf8")) as { cases: Case[] };

function assertClose(got: ArrayLike<number>, want: readonly number[], tol: number, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= tol * (1 + Math.abs(want[i]!)), `${what}[${i}]: got ${got[i]}, want ${want[i]}`);
}

const tensor = (t: { shape: number[]; data: number[] }): Tensor => ({ shape: t.shape, data: Float32Array.from(t.data) });

describe("Attention parity with PyTorch (one step)", () => {
  for (const c of fixture.cases) {
    it(`${c.kind}: context, weights (0 at padded steps), d query, d memory, parameter gradients`, () => {
      const att = new Attention({ kind: c.kind, querySize: c.H, memorySize: c.F, ...(c.kind === "bahdanau" ? { attentionSize: c.A } : {}) });
      try {
        att.loadStateDict(Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, tensor(v)])));
        const { context, weights } = att.forward(tensor(c.query), { memory: tensor(c.memory), lengths: c.lengths });
        assertClose(context.data, c.context.data, 1e-5, "context");
        assertClose(weights.data, c.weights.data, 1e-5, "weights");
        c.lengths.forEach((n, b) => {
          for (let s = n; s < c.S; s++) assert.equal(weights.data[b * c.S + s], 0, `weight of padded step ${s}, row ${b}`);
        });
        const { dQuery, dMemory } = att.backward(tensor(c.rc), tensor(c.rw));
        assertClose(dQuery.data, c.grads.query!.data, 1e-5, "d query");
        assertClose(dMemory.data, c.grads.memory!.data, 1e-5, "d memory");
        const grads = att.gradDict();
        for (const name of Object.keys(c.params)) assertClose(grads[name]!.data, c.grads[name]!.data, 1e-5, `d ${name}`);
      } finally {
        att.dispose();
      }
    });
  }
});
