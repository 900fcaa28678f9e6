// Seq2Seq with attention through the public API: options, parameter names, finite differences of the
// whole model (gradients into the encoder through its outputs and its final state), masking of padded
// source steps end to end, the attention weights of greedy and beam decoding, save and load.
import assert from "node:assert/strict";
import { Seq2Seq, type Seq2SeqAttention, type Seq2SeqCell } from "../bindings/seq2seq/seq2seq.js";
import { Adam, SGD } from "../bindings/optimizers.js";
import { checkGradient } from "./helpers/gradcheck.js";
import { smallBatch as pairs } from "./helpers/seq2seq-batch.js";

const KINDS: readonly Seq2SeqAttention[] = ["luong", "luongGeneral", "bahdanau"];

/** A model trained a little on the pairs, so that decodes are not all alike. */
async function trained(attention: Seq2SeqAttention, cell: Seq2SeqCell, b: ReturnType<typeof pairs>): Promise<Seq2Seq> {
  const model = new Seq2Seq({ sourceVocabSize: 9, targetVocabSize: 8, units: 8, embeddingSize: 5, cell, attention, optimizer: new Adam({ lr: 0.02 }), seed: 3 });
  await model.fit(b.source, b.sourceLengths, b.target, b.targetLengths, { epochs: 20, batchSize: 4, seed: 1 });
  return model;
}

describe("Seq2Seq with attention", () => {
  it("option checks name Seq2Seq and the option; a model without attention has no weights to return", () => {
    const base = { sourceVocabSize: 6, targetVocabSize: 6, units: 4 };
    assert.throws(() => new Seq2Seq({ ...base, attention: "dot" as Seq2SeqAttention }), /^TypeError: Seq2Seq: attention must be one of "luong", "luongGeneral", "bahdanau"; got "dot"/);
    assert.throws(() => new Seq2Seq({ ...base, attention: "luong", seed: 0xffffffff - 5 }), /^RangeError: Seq2Seq: seed must be <= 4294967289 with attention; got 4294967290/);
    const plain = new Seq2Seq(base);
    assert.equal(plain.attention, null);
    assert.throws(() => plain.greedyDecodeWithAttention({ shape: [2, 1], data: Int32Array.from([4, 5]) }), /^TypeError: Seq2Seq.greedyDecodeWithAttention: the model has no attention/);
    plain.dispose();
  });

  it("parameters: the attention's and the attentional vector's under their names, the decoder's feed weight_ch_l0", () => {
    const names = (attention: Seq2SeqAttention): string[] => {
      const model = new Seq2Seq({ sourceVocabSize: 6, targetVocabSize: 5, units: 4, embeddingSize: 3, attention });
      const out = Object.entries(model.stateDict()).filter(([n]) => /^(attention|attentional)\.|weight_ch/.test(n)).map(([n, t]) => `${n} [${t.shape.join(", ")}]`);
      model.dispose();
      return out;
    };
    const common = ["decoder.weight_ch_l0 [16, 4]", "attentional.weight [4, 8]", "attentional.bias [4]"];
    assert.deepEqual(names("luong"), common);
    assert.deepEqual(names("luongGeneral"), [common[0], "attention.linear_in.weight [4, 4]", ...common.slice(1)]);
    assert.deepEqual(names("bahdanau"), [common[0], "attention.linear_context.weight [4, 4]", "attention.linear_query.weight [4, 4]",
      "attention.linear_query.bias [4]", "attention.v.weight [1, 4]", ...common.slice(1)]);
  });

  for (const [attention, cell] of [["luong", "lstm"], ["luongGeneral", "gru"], ["bahdanau", "lstm"], ["bahdanau", "gru"]] as const) {
    it(`${attention} (${cell}): finite differences of the loss reach every part, the encoder through its outputs and its final state`, () => {
      const model = new Seq2Seq({ sourceVocabSize: 7, targetVocabSize: 6, units: 4, embeddingSize: 3, cell, attention, optimizer: new SGD({ lr: 0 }), seed: 11 });
      const b = pairs(7, 6, [4, 2, 3], [5, 3, 4], 5);
      const loss = (): number => model.evaluate(b.source, b.sourceLengths, b.target, b.targetLengths).loss;
      const before = loss();
      model.trainOnBatch(b.source, b.sourceLengths, b.target, b.targetLengths); // lr 0: the gradients stay, the parameters do not move
      assert.equal(loss(), before);
      const arena = model.parameters;
      let checked = 0;
      for (const name of arena.entries.keys()) {
        const analytic = arena.gradView(name).slice();
        assert.ok(analytic.some((g) => Math.abs(g) > 1e-5), `${name}: no gradient arrived`);
        checked += checkGradient({ name: `Seq2Seq(${attention}, ${cell}) ${name}`, values: () => arena.paramView(name), analytic, loss, maxChecks: 8, rtol: 1e-2, atol: 5e-4 });
      }
      assert.ok(checked >= 100, `${checked} entries checked`);
      model.dispose();
    });
  }

  it("padded source steps change nothing: padding ids after a source's length give the same loss and decodes", async () => {
    const b = pairs(9, 8, [5, 2, 4, 3], [6, 4, 5, 3], 7);
    for (const attention of KINDS) {
      const model = await trained(attention, "lstm", b);
      const noisy = { shape: b.source.shape, data: b.source.data.map((id, i) => (Math.floor(i / 4) >= b.sourceLengths[i % 4]! ? 8 : id)) };
      assert.equal(model.evaluate(noisy, b.sourceLengths, b.target, b.targetLengths).loss, model.evaluate(b.source, b.sourceLengths, b.target, b.targetLengths).loss, attention);
      const a = model.greedyDecodeWithAttention(b.source, { sourceLengths: b.sourceLengths, maxLength: 8 });
      assert.deepEqual(model.greedyDecodeWithAttention(noisy, { sourceLengths: b.sourceLengths, maxLength: 8 }), a, attention);
      model.dispose();
    }
  });

  for (const attention of KINDS) {
    it(`${attention}: greedy weights cover each source's real steps and sum to 1; beam width 1 is the greedy decode, weights included`, async () => {
      const b = pairs(9, 8, [5, 2, 4, 3], [6, 4, 5, 3], 7);
      const model = await trained(attention, "gru", b);
      const greedy = model.greedyDecodeWithAttention(b.source, { sourceLengths: b.sourceLengths, maxLength: 8 });
      assert.deepEqual(greedy.map((g) => g.tokens), model.greedyDecode(b.source, { sourceLengths: b.sourceLengths, maxLength: 8 }));
      greedy.forEach(({ tokens, attention: rows }, n) => {
        assert.equal(rows.length, tokens.length);
        for (const w of rows) {
          assert.equal(w.length, b.sourceLengths[n]);
          assert.ok(Math.abs(w.reduce((s, v) => s + v, 0) - 1) < 1e-5);
        }
      });
      const beams = model.beamSearch(b.source, { sourceLengths: b.sourceLengths, maxLength: 8, beamWidth: 1 });
      assert.deepEqual(beams.map((h) => ({ tokens: h[0]!.tokens, attention: h[0]!.attention })), greedy);
      const wide = model.beamSearch(b.source, { sourceLengths: b.sourceLengths, maxLength: 8, beamWidth: 3 });
      for (const hyps of wide) for (const h of hyps) assert.equal(h.attention!.length, h.tokens.length);
      model.dispose();
    });
  }

  it("save and load: the attention option and its parameters come back; decodes and weights are identical; a file without attention loads as before", async () => {
    const b = pairs(9, 8, [5, 2, 4, 3], [6, 4, 5, 3], 7);
    const model = await trained("bahdanau", "lstm", b);
    const copy = Seq2Seq.load(model.save());
    assert.equal(copy.attention, "bahdanau");
    assert.deepEqual(copy.stateDict(), model.stateDict());
    const options = { sourceLengths: b.sourceLengths, maxLength: 8 };
    assert.deepEqual(copy.greedyDecodeWithAttention(b.source, options), model.greedyDecodeWithAttention(b.source, options));
    assert.deepEqual(copy.beamSearch(b.source, { ...options, beamWidth: 3 }), model.beamSearch(b.source, { ...options, beamWidth: 3 }));
    assert.equal(copy.trainOnBatch(b.source, b.sourceLengths, b.target, b.targetLengths), model.trainOnBatch(b.source, b.sourceLengths, b.target, b.targetLengths));
    const plain = new Seq2Seq({ sourceVocabSize: 9, targetVocabSize: 8, units: 8 });
    const plainCopy = Seq2Seq.load(plain.save());
    assert.equal(plainCopy.attention, null);
    assert.deepEqual(plainCopy.stateDict(), plain.stateDict());
    for (const m of [model, copy, plain, plainCopy]) m.dispose();
  });
});
