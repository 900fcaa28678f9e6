import assert from "node:assert/strict";
import { Seq2Seq, type Seq2SeqCell } from "../bindings/seq2seq/seq2seq.js";
import { Model } from "../bindings/model.js";
import { Dense } from "../bindings/layers/dense.js";
import { Adam, SGD } from "../bindings/optimizers.js";
import { Vocabulary } from "../bindings/sequences/vocabulary.js";
import { padSequences } from "../bindings/sequences/padding.js";
import type { IntTensor } from "../bindings/tensor.js";
import { checkGradient } from "./helpers/gradcheck.js";
import { mulberry32 } from "./helpers/random.js";
import { smallBatch } from "./helpers/seq2seq-batch.js";

// ---- data: "23 nov 2026" -> "2026-11-23", character by character -------------------------------

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

interface DatePair {
  source: string;
  target: string;
}

/** n distinct random dates in 1950..2049 (none of `exclude`), as "d mon yyyy" -> "yyyy-mm-dd". */
function dates(n: number, seed: number, exclude: ReadonlySet<string> = new Set()): DatePair[] {
  const next = mulberry32(seed);
  const seen = new Set(exclude);
  const out: DatePair[] = [];
  while (out.length < n) {
    const y = 1950 + Math.floor(next() * 100);
    const m = Math.floor(next() * 12);
    const d = 1 + Math.floor(next() * DAYS[m]!);
    const source = `${d} ${MONTHS[m]} ${y}`;
    if (seen.has(source)) continue;
    seen.add(source);
    out.push({ source, target: `${y}-${String(m + 1).padStart(2, "0")}-${String(d).padStart(2, "0")}` });
  }
  return out;
}

interface Encoded {
  source: IntTensor;
  sourceLengths: Int32Array;
  target: IntTensor;
  targetLengths: Int32Array;
}

/** Source characters padded [S, N]; target characters framed BOS … EOS and padded [U, N]. */
function encodePairs(pairs: readonly DatePair[], sv: Vocabulary, tv: Vocabulary): Encoded {
  const s = padSequences(pairs.map((p) => sv.encode([...p.source])), { padding: "post" });
  const t = padSequences(pairs.map((p) => tv.encode([...p.target], { addBos: true, addEos: true })), { padding: "post" });
  return { source: s.ids, sourceLengths: s.lengths, target: t.ids, targetLengths: t.lengths };
}

function exactMatch(decoded: readonly number[][], pairs: readonly DatePair[], tv: Vocabulary): number {
  return decoded.filter((ids, i) => tv.decode(ids).join("") === pairs[i]!.target).length / pairs.length;
}

/** Random ids [T, N] in [lo, hi), a tiny batch for checks that need no training. */
function randomIds(T: number, N: number, lo: number, hi: number, seed: number): IntTensor {
  const next = mulberry32(seed);
  return { shape: [T, N], data: Int32Array.from({ length: T * N }, () => lo + Math.floor(next() * (hi - lo))) };
}


describe("Seq2Seq", () => {
  describe("date-format conversion (source and target of different lengths)", function () {
    const train = dates(3000, 1);
    const heldOut = dates(200, 2, new Set(train.map((p) => p.source)));
    const sv = Vocabulary.build(train.map((p) => [...p.source]));
    const tv = Vocabulary.build(train.map((p) => [...p.target]));
    let model: Seq2Seq;
    let test: Encoded;
    let greedy: number[][];

    before(async function () {
      this.timeout(60000);
      const data = encodePairs(train, sv, tv);
      test = encodePairs(heldOut, sv, tv);
      model = new Seq2Seq({
        sourceVocabSize: sv.size, targetVocabSize: tv.size, units: 64, embeddingSize: 16, cell: "lstm",
        optimizer: new Adam({ lr: 0.01 }), clipNorm: 5, seed: 0,
      });
      model.metadata = { source: sv.toJSON(), target: tv.toJSON() };
      const started = performance.now();
      const logs = await model.fit(data.source, data.sourceLengths, data.target, data.targetLengths, { epochs: 10, batchSize: 32, seed: 0 });
      const seconds = (performance.now() - started) / 1000;
      const last = logs[logs.length - 1]!;
      console.log(`      date task: 10 epochs x 3000 pairs in ${seconds.toFixed(1)} s; teacher-forced loss ${last.loss.toFixed(4)}, token accuracy ${last.accuracy.toFixed(4)}`);
      assert.ok(logs[0]!.loss > last.loss, "the loss goes down");
    });

    after(() => model.dispose());

    it("decodes held-out dates exactly (greedy and beam width 3 >= 0.9)", () => {
      // Source "7 oct 1961" is 10 characters, "19 nov 2003" 11; every target "yyyy-mm-dd" is 10 (+ BOS, EOS).
      assert.deepEqual(new Set(test.sourceLengths), new Set([10, 11]));
      assert.deepEqual(new Set(test.targetLengths), new Set([12]));
      let started = performance.now();
      greedy = model.greedyDecode(test.source, { sourceLengths: test.sourceLengths, maxLength: 20 });
      const greedyMs = performance.now() - started;
      started = performance.now();
      const beams = model.beamSearch(test.source, { sourceLengths: test.sourceLengths, maxLength: 20, beamWidth: 3 });
      const beamMs = performance.now() - started;
      const greedyAccuracy = exactMatch(greedy, heldOut, tv);
      const beamAccuracy = exactMatch(beams.map((hyps) => hyps[0]!.tokens), heldOut, tv);
      console.log(`      held-out exact match: greedy ${greedyAccuracy} (${greedyMs.toFixed(0)} ms), beam 3 ${beamAccuracy} (${beamMs.toFixed(0)} ms) over ${heldOut.length} dates`);
      assert.ok(greedyAccuracy >= 0.9, `greedy exact match ${greedyAccuracy} < 0.9`);
      assert.ok(beamAccuracy >= 0.9, `beam exact match ${beamAccuracy} < 0.9`);
      // EOS ended every hypothesis: 10 characters, never EOS itself, although maxLength allowed 20.
      for (const ids of greedy) assert.equal(ids.length, 10);
      for (const hyps of beams) {
        assert.equal(hyps.length, 3);
        for (const h of hyps) assert.ok(!h.tokens.includes(Vocabulary.EOS_ID) && !h.tokens.includes(Vocabulary.BOS_ID));
      }
    });

    it("beam width 1 equals greedy; beams are sorted by score = logProb / length^lengthPenalty", () => {
      const ones = model.beamSearch(test.source, { sourceLengths: test.sourceLengths, maxLength: 20, beamWidth: 1 });
      assert.deepEqual(ones.map((h) => h[0]!.tokens), greedy);
      for (const lengthPenalty of [0, 1, 2]) {
        const beams = model.beamSearch(test.source, { sourceLengths: test.sourceLengths, maxLength: 20, beamWidth: 5, lengthPenalty });
        for (const hyps of beams) {
          assert.equal(hyps.length, 5);
          for (let k = 1; k < hyps.length; k++) assert.ok(hyps[k - 1]!.score >= hyps[k]!.score, `scores not sorted: ${hyps.map((h) => h.score)}`);
          for (const h of hyps) {
            assert.ok(h.logProb <= 0);
            const length = h.tokens.length + 1; // EOS counts
            assert.ok(Math.abs(h.score - h.logProb / length ** lengthPenalty) < 1e-12);
          }
        }
      }
      // logProb is the model's log-probability of BOS tokens EOS: the teacher-forced loss summed over the steps.
      const beams = model.beamSearch(test.source, { sourceLengths: test.sourceLengths, maxLength: 20, beamWidth: 3 });
      for (let n = 0; n < 4; n++) {
        const S = test.sourceLengths[n]!;
        const source = { shape: [S, 1], data: Int32Array.from({ length: S }, (_, t) => test.source.data[t * heldOut.length + n]!) };
        for (const h of beams[n]!) {
          const target = { shape: [h.tokens.length + 2, 1], data: Int32Array.from([Vocabulary.BOS_ID, ...h.tokens, Vocabulary.EOS_ID]) };
          const { loss } = model.evaluate(source, [S], target, [h.tokens.length + 2]);
          const logProb = -loss * (h.tokens.length + 1);
          assert.ok(Math.abs(logProb - h.logProb) <= 1e-4 + 1e-4 * Math.abs(h.logProb), `logProb ${h.logProb} vs teacher-forced ${logProb}`);
        }
      }
    });

    it("maxLength caps the output: greedy with maxLength 4 gives the first 4 tokens", () => {
      const short = model.greedyDecode(test.source, { sourceLengths: test.sourceLengths, maxLength: 4 });
      assert.deepEqual(short, greedy.map((ids) => ids.slice(0, 4)));
      const beams = model.beamSearch(test.source, { sourceLengths: test.sourceLengths, maxLength: 4, beamWidth: 2 });
      for (const hyps of beams) for (const h of hyps) assert.ok(h.tokens.length <= 4);
    });

    it("save/load round-trips exactly: same bytes, parameters, metadata and decodes", () => {
      const bytes = model.save();
      const copy = Seq2Seq.load(bytes);
      assert.deepEqual(copy.save(), bytes);
      assert.deepEqual(copy.stateDict(), model.stateDict());
      assert.deepEqual(copy.optimizer.config, model.optimizer.config);
      assert.equal(copy.clipNorm, 5);
      assert.deepEqual(Vocabulary.fromJSON(copy.metadata.target as never).tokens, tv.tokens);
      const few = { shape: [test.source.shape[0]!, 50], data: test.source.data.filter((_, i) => i % 200 < 50) };
      const lengths = test.sourceLengths.slice(0, 50);
      assert.deepEqual(copy.greedyDecode(few, { sourceLengths: lengths }), model.greedyDecode(few, { sourceLengths: lengths }));
      assert.deepEqual(copy.beamSearch(few, { sourceLengths: lengths, beamWidth: 3 }), model.beamSearch(few, { sourceLengths: lengths, beamWidth: 3 }));
      copy.dispose();
      assert.throws(() => Seq2Seq.load(bytes.subarray(0, bytes.length - 4)), (e: Error) => e instanceof RangeError && /^Seq2Seq\.load: not a wasm-rnn model file: .* out of range/.test(e.message));
      const plain = new Model({ layers: [new Dense({ inputSize: 2, units: 2, seed: 0 })], loss: "meanSquaredError" });
      assert.throws(() => Seq2Seq.load(plain.save()), /not a Seq2Seq/);
      plain.dispose();
    });
  });

  it("EOS ends a hypothesis at once and maxLength caps one that never ends", () => {
    const model = new Seq2Seq({ sourceVocabSize: 9, targetVocabSize: 8, units: 6, embeddingSize: 4, cell: "gru", seed: 3 });
    const source = randomIds(5, 4, 4, 9, 1);
    // A head that always prefers one token: EOS ends everything at the first step.
    const prefer = (id: number): void => {
      model.output.paramView("weight").fill(0);
      const bias = model.output.paramView("bias");
      bias.fill(0);
      bias[id] = 20;
    };
    prefer(Vocabulary.EOS_ID);
    assert.deepEqual(model.greedyDecode(source, { maxLength: 7 }), [[], [], [], []]);
    for (const hyps of model.beamSearch(source, { maxLength: 7, beamWidth: 3 })) {
      assert.deepEqual(hyps[0]!.tokens, []);
      assert.ok(hyps[0]!.logProb > -1e-6);
      for (const h of hyps.slice(1)) assert.ok(!h.tokens.includes(Vocabulary.EOS_ID)); // later EOS end their own hypotheses
    }
    // Without EOS, greedy and beams run to maxLength.
    prefer(5);
    assert.deepEqual(model.greedyDecode(source, { maxLength: 7 }), Array.from({ length: 4 }, () => [5, 5, 5, 5, 5, 5, 5]));
    for (const hyps of model.beamSearch(source, { maxLength: 7, beamWidth: 2, lengthPenalty: 0 })) {
      assert.deepEqual(hyps[0]!.tokens, [5, 5, 5, 5, 5, 5, 5]);
      assert.ok(hyps[0]!.score > hyps[1]!.score);
    }
    model.dispose();
  });

  /** Greedy decoding one source at a time through the layers' tensor-level forward (the path Seq2Seq ran on before it ran on pointers). */
  function tensorLevelGreedy(model: Seq2Seq, source: IntTensor, sourceLengths: Int32Array, maxLength: number): number[][] {
    const [S, N] = source.shape as [number, number];
    return Array.from({ length: N }, (_, n) => {
      const ids = { shape: [S, 1], data: Int32Array.from({ length: S }, (_, t) => source.data[t * N + n]!) };
      let state = model.encoder.forward(model.sourceEmbedding.forward(ids), { lengths: [sourceLengths[n]!] }).state;
      let token = Vocabulary.BOS_ID;
      const out: number[] = [];
      for (let step = 0; step < maxLength; step++) {
        const r = model.decoder.forward(model.targetEmbedding.forward({ shape: [1, 1], data: Int32Array.of(token) }), { initialState: state });
        const logits = model.output.forward(r.output).data;
        token = logits.indexOf(Math.max(...logits));
        if (token === Vocabulary.EOS_ID) break;
        out.push(token);
        state = r.state;
      }
      return out;
    });
  }

  for (const cell of ["lstm", "gru"] as Seq2SeqCell[]) {
    it(`greedy decoding equals a tensor-level decode, one source at a time, through the public layers (${cell}, 2 layers, variable lengths)`, () => {
      const model = new Seq2Seq({ sourceVocabSize: 11, targetVocabSize: 9, units: 8, embeddingSize: 5, cell, numLayers: 2, seed: 13 });
      const source = randomIds(6, 12, 4, 11, 3);
      const sourceLengths = Int32Array.from({ length: 12 }, (_, n) => 1 + (n % 6));
      assert.deepEqual(model.greedyDecode(source, { sourceLengths, maxLength: 9 }), tensorLevelGreedy(model, source, sourceLengths, 9));
      model.dispose();
    });
  }

  for (const cell of ["lstm", "gru"] as Seq2SeqCell[]) {
    it(`beam width 1 equals greedy on an untrained ${cell} model (stacked, variable lengths, maxLength reached)`, () => {
      const model = new Seq2Seq({ sourceVocabSize: 11, targetVocabSize: 9, units: 8, embeddingSize: 5, cell, numLayers: 2, seed: 7 });
      const source = randomIds(6, 12, 4, 11, 2);
      const sourceLengths = Int32Array.from({ length: 12 }, (_, n) => 1 + (n % 6));
      const greedy = model.greedyDecode(source, { sourceLengths, maxLength: 9 });
      const beams = model.beamSearch(source, { sourceLengths, maxLength: 9, beamWidth: 1 });
      assert.deepEqual(beams.map((h) => h[0]!.tokens), greedy);
      model.dispose();
    });

    it(`gradients reach the encoder through the decoder's initial state (${cell}, 2 layers, finite differences)`, () => {
      // SGD with lr 0: trainOnBatch leaves the parameters and keeps the gradients of its loss.
      const model = new Seq2Seq({ sourceVocabSize: 7, targetVocabSize: 6, units: 4, embeddingSize: 3, cell, numLayers: 2, optimizer: new SGD({ lr: 0 }), seed: 11 });
      const b = smallBatch(7, 6, [4, 2, 3], [5, 3, 4], 5);
      const loss = (): number => model.evaluate(b.source, b.sourceLengths, b.target, b.targetLengths).loss;
      const before = loss();
      // evaluate averages (loss · tokens) / tokens in float64: equal to trainOnBatch's loss up to rounding
      const trained = model.trainOnBatch(b.source, b.sourceLengths, b.target, b.targetLengths);
      assert.ok(Math.abs(trained - before) <= 1e-12 * Math.abs(before), `${trained} vs ${before}`);
      assert.equal(loss(), before, "lr 0 leaves the parameters");
      const arena = model.parameters;
      let checked = 0;
      for (const name of ["encoder.weight_ih_l0", "encoder.weight_hh_l0", "encoder.bias_ih_l1", "encoder.weight_hh_l1", "sourceEmbedding.weight", "decoder.weight_hh_l0"]) {
        const analytic = arena.gradView(name).slice();
        assert.ok(analytic.some((g) => Math.abs(g) > 1e-4), `${name}: no gradient arrived`);
        checked += checkGradient({ name: `Seq2Seq(${cell}) ${name}`, values: () => arena.paramView(name), analytic, loss, maxChecks: 12 });
      }
      assert.ok(checked >= 60);
      model.dispose();
    });
  }

  it("fit is deterministic for a seed, reports per-epoch loss and token accuracy, yields, and stops on a signal", async () => {
    const b = smallBatch(10, 9, [5, 3, 4, 2, 5, 1, 3], [6, 4, 5, 3, 2, 6, 4], 8);
    const run = async (): Promise<{ logs: unknown[]; state: unknown }> => {
      const model = new Seq2Seq({ sourceVocabSize: 10, targetVocabSize: 9, units: 8, cell: "gru", optimizer: new Adam({ lr: 0.02 }), seed: 1 });
      const epochs: unknown[] = [];
      let ticks = 0;
      const timer = setInterval(() => ticks++, 0);
      const logs = await model.fit(b.source, b.sourceLengths, b.target, b.targetLengths, { epochs: 6, batchSize: 3, seed: 4, onEpochEnd: (l) => epochs.push(l) });
      clearInterval(timer);
      assert.ok(ticks > 0, "fit yields to the event loop");
      assert.deepEqual(epochs, logs);
      for (const l of logs) assert.ok(l.loss > 0 && l.accuracy >= 0 && l.accuracy <= 1);
      assert.ok(logs[5]!.loss < logs[0]!.loss);
      const state = model.stateDict();
      model.dispose();
      return { logs, state };
    };
    const first = await run();
    assert.deepEqual(await run(), first);
    const model = new Seq2Seq({ sourceVocabSize: 10, targetVocabSize: 9, units: 8, seed: 1 });
    const controller = new AbortController();
    const fit = model.fit(b.source, b.sourceLengths, b.target, b.targetLengths, { epochs: 5, batchSize: 2, signal: controller.signal, onBatchEnd: ({ batch }) => batch === 1 && controller.abort(new Error("stop")) });
    await assert.rejects(fit, /stop/);
    assert.ok(Number.isFinite(model.trainOnBatch(b.source, b.sourceLengths, b.target, b.targetLengths)));
    model.dispose();
  });

  it("rejects bad options and inputs with errors naming the argument, and stays usable", async () => {
    const Vs = 9;
    const Vt = 8;
    assert.throws(() => new Seq2Seq(undefined as never), TypeError);
    assert.throws(() => new Seq2Seq({ sourceVocabSize: Vs, targetVocabSize: Vt, units: 4, layers: 2 } as never), /unknown option "layers"/);
    assert.throws(() => new Seq2Seq({ sourceVocabSize: Vs, targetVocabSize: Vt, units: 4, cell: "rnn" as never }), (e: Error) => e instanceof TypeError && /cell/.test(e.message));
    assert.throws(() => new Seq2Seq({ sourceVocabSize: Vs, targetVocabSize: 3, units: 4 }), (e: Error) => e instanceof RangeError && /bosId must be a target id in \[0, 3\)/.test(e.message));
    assert.throws(() => new Seq2Seq({ sourceVocabSize: Vs, targetVocabSize: Vt, units: 4, eosId: 3 }), /bosId and eosId must differ/);
    assert.throws(() => new Seq2Seq({ sourceVocabSize: Vs, targetVocabSize: Vt, units: 0 }), (e: Error) => e instanceof RangeError && /units/.test(e.message));

    const model = new Seq2Seq({ sourceVocabSize: Vs, targetVocabSize: Vt, units: 6, seed: 2 });
    const b = smallBatch(Vs, Vt, [4, 2, 3], [5, 3, 4], 3); // source [4, 3], target [5, 3]
    const src = b.source;
    const decodedBefore = model.beamSearch(src, { sourceLengths: b.sourceLengths, maxLength: 6, beamWidth: 2 });
    const paramsBefore = model.stateDict();
    const range = (pattern: RegExp) => (e: Error): boolean => e instanceof RangeError && pattern.test(e.message);
    const type = (pattern: RegExp) => (e: Error): boolean => e instanceof TypeError && pattern.test(e.message);
    const train = (o: Partial<Encoded> & { sl?: unknown; tl?: unknown }) => () =>
      model.trainOnBatch(o.source ?? b.source, (o.sl ?? b.sourceLengths) as Int32Array, o.target ?? b.target, (o.tl ?? b.targetLengths) as Int32Array);
    // Decoding options.
    assert.throws(() => model.beamSearch(src, { beamWidth: 0 }), range(/Seq2Seq\.beamSearch: beamWidth must be >= 1; got 0/));
    assert.throws(() => model.beamSearch(src, { beamWidth: 1.5 }), type(/beamWidth must be an integer/));
    assert.throws(() => model.beamSearch(src, { maxLength: 0 }), range(/beamSearch: maxLength must be >= 1/));
    assert.throws(() => model.greedyDecode(src, { maxLength: 0 }), range(/greedyDecode: maxLength must be >= 1/));
    assert.throws(() => model.beamSearch(src, { lengthPenalty: NaN }), range(/lengthPenalty/));
    assert.throws(() => model.greedyDecode(src, { beamWidth: 2 } as never), type(/unknown option "beamWidth"/));
    // Ids outside the vocabularies, shapes, lengths, N mismatches.
    const badSource = { shape: [4, 3], data: b.source.data.slice() };
    badSource.data[7] = Vs;
    assert.throws(() => model.greedyDecode(badSource), range(/source must hold ids in \[0, 9\); got 9 at flat index 7 \(step 2, sequence 1\)/));
    assert.throws(train({ source: badSource }), range(/trainOnBatch: source must hold ids in \[0, 9\)/));
    assert.throws(() => model.greedyDecode({ shape: [4, 3], data: Int32Array.from(b.source.data, (v) => -v) }), range(/source must hold ids/));
    assert.throws(() => model.greedyDecode({ shape: [12], data: b.source.data }), range(/source must be time-major ids \[T, N\]/));
    const badTarget = { shape: [5, 3], data: b.target.data.slice() };
    badTarget.data[4] = Vt + 3;
    assert.throws(train({ target: badTarget }), range(/target must hold ids in \[0, 8\); got 11/));
    const noBos = { shape: [5, 3], data: b.target.data.slice() };
    noBos.data[1] = 5;
    assert.throws(train({ target: noBos }), range(/target must start every sequence with BOS \(id 3\); sequence 1 starts with 5/));
    assert.throws(train({ sl: [4, 5, 3] }), range(/sourceLengths must lie in \[1, 4\] .*got 5 at index 1/));
    assert.throws(() => model.greedyDecode(src, { sourceLengths: [4, 0, 3] }), range(/sourceLengths must lie in \[1, 4\]/));
    assert.throws(train({ tl: [5, 6, 4] }), range(/targetLengths must lie in \[2, 5\]/));
    assert.throws(train({ tl: [5, 1, 4] }), range(/targetLengths must lie in \[2, 5\]/));
    assert.throws(train({ sl: [4, 2] }), range(/sourceLengths must have shape \[3\]; got \[2\]/));
    assert.throws(train({ tl: [4, 2, 3, 3] }), range(/targetLengths must have shape \[3\]; got \[4\]/));
    assert.throws(train({ target: { shape: [5, 2], data: b.target.data.subarray(0, 10) } }), range(/target must hold as many sequences as source \(N = 3\)/));
    assert.throws(train({ target: { shape: [1, 3], data: b.target.data.subarray(0, 3) } }), range(/target must hold at least 2 steps/));
    assert.throws(train({ sl: [4, 2.5, 3] }), range(/sourceLengths must hold integers/));
    assert.throws(train({ source: "abc" as never }), type(/source must be/));
    // fit's own options.
    await assert.rejects(model.fit(b.source, b.sourceLengths, b.target, b.targetLengths, { epochs: 0 }), range(/fit: epochs must be >= 1/));
    await assert.rejects(model.fit(b.source, b.sourceLengths, b.target, b.targetLengths, { onEpochEnd: 3 as never }), type(/onEpochEnd must be a function/));
    // Nothing changed, and the model still trains and decodes.
    assert.deepEqual(model.stateDict(), paramsBefore);
    assert.deepEqual(model.beamSearch(src, { sourceLengths: b.sourceLengths, maxLength: 6, beamWidth: 2 }), decodedBefore);
    assert.ok(Number.isFinite(train({})()));
    model.dispose();
    assert.throws(() => model.greedyDecode(src), /disposed/);
    model.dispose(); // twice is fine
  });
});
