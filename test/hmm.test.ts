// The HMM through its public API: textbook examples with hand-computed numbers, supervised counts,
// Baum-Welch (the log-likelihood never decreases), save/load, input checks and disposal.
import assert from "node:assert/strict";
import { HMM, writeSafetensors } from "../bindings/index.js";
import { randomTables, randomSymbols, referenceExpectedCounts, type Tables } from "./helpers/hmm-reference.js";
import { mulberry32 } from "./helpers/random.js";

// Jurafsky & Martin's ice-cream HMM (Speech and Language Processing, appendix A): states HOT 0,
// COLD 1; symbols: 1, 2 or 3 ice creams eaten (ids 0, 1, 2).
const ICE_CREAM: Tables = {
  initial: [0.8, 0.2],
  transition: [[0.6, 0.4], [0.5, 0.5]],
  emission: [[0.2, 0.4, 0.4], [0.5, 0.4, 0.1]],
};
// Wikipedia's Viterbi example: states Healthy 0, Fever 1; symbols normal 0, cold 1, dizzy 2.
const HEALTH: Tables = {
  initial: [0.6, 0.4],
  transition: [[0.7, 0.3], [0.4, 0.6]],
  emission: [[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]],
};

function close(actual: number, expected: number, tolerance = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${actual} vs ${expected}`);
}

describe("HMM", () => {
  it("ice cream 3 1 3: forward P = 0.028562 and Viterbi HOT COLD HOT with P = 0.0128 (by hand)", () => {
    // α1 = [.8·.4, .2·.1] = [.32, .02]
    // α2 = [(.32·.6 + .02·.5)·.2, (.32·.4 + .02·.5)·.5] = [.0404, .069]
    // α3 = [(.0404·.6 + .069·.5)·.4, (.0404·.4 + .069·.5)·.1] = [.023496, .005066]; P = .028562
    // δ2 = [max(.32·.6, .02·.5)·.2, max(.32·.4, .02·.5)·.5] = [.0384, .064]
    // δ3 = [max(.0384·.6, .064·.5)·.4, max(.0384·.4, .064·.5)·.1] = [.0128 (from COLD), .0032]
    const hmm = HMM.fromProbabilities(ICE_CREAM);
    close(Math.exp(hmm.logProbability([2, 0, 2])), 0.028562);
    const v = hmm.viterbi([2, 0, 2]);
    assert.deepEqual(v.path, [0, 1, 0]);
    close(Math.exp(v.logProbability), 0.0128);
    hmm.dispose();
  });

  it("Wikipedia's fever example: normal cold dizzy is Healthy Healthy Fever with P = 0.01512, forward P = 0.03628", () => {
    const hmm = HMM.fromProbabilities(HEALTH);
    const v = hmm.viterbi([0, 1, 2]);
    assert.deepEqual(v.path, [0, 0, 1]);
    close(Math.exp(v.logProbability), 0.01512);
    // α3 = [(.0904·.7 + .0342·.4)·.1, (.0904·.3 + .0342·.6)·.6] = [.007696, .028584]
    close(Math.exp(hmm.logProbability([0, 1, 2])), 0.03628);
    hmm.dispose();
  });

  it("fitSupervised: the parameters are the smoothed, normalized counts of the labelled paths", () => {
    const hmm = new HMM({ states: 2, symbols: 3 });
    hmm.fitSupervised([[0, 1, 2], [2, 2]], [[0, 0, 1], [1, 1]], { smoothing: 0.5 });
    const p = hmm.probabilities();
    // starts: state 0 once, state 1 once; transitions 0->0, 0->1, 1->1; emissions 0:{0,1}, 1:{2,2,2}
    assert.deepEqual(p.initial, [0.5, 0.5]);
    assert.deepEqual(p.transition, [[1.5 / 3, 1.5 / 3], [0.5 / 2, 1.5 / 2]]);
    close(p.emission[0]![0]!, 1.5 / 3.5);
    close(p.emission[0]![2]!, 0.5 / 3.5);
    close(p.emission[1]![2]!, 3.5 / 4.5);
    const counts = HMM.fromCounts({ initial: [1, 1], transition: [[1, 1], [0, 1]], emission: [[1, 1, 0], [0, 0, 3]] }, { smoothing: 0.5 });
    assert.deepEqual(counts.probabilities(), p);
    const unsmoothed = HMM.fromCounts({ initial: [0, 0], transition: [[2, 0], [0, 0]], emission: [[1, 3, 0], [0, 0, 0]] }, { smoothing: 0 });
    assert.deepEqual(unsmoothed.probabilities(), { initial: [0.5, 0.5], transition: [[1, 0], [0.5, 0.5]], emission: [[0.25, 0.75, 0], [1 / 3, 1 / 3, 1 / 3]] });
    for (const h of [hmm, counts, unsmoothed]) h.dispose();
  });

  it("fitSupervised recovers the generating model from many labelled samples", () => {
    const truth = randomTables(3, 4, 5);
    const next = mulberry32(17);
    const draw = (p: readonly number[]) => {
      let u = next();
      for (let k = 0; k < p.length - 1; k++) if ((u -= p[k]!) < 0) return k;
      return p.length - 1;
    };
    const obs: number[][] = [];
    const states: number[][] = [];
    for (let n = 0; n < 400; n++) {
      const s = [draw(truth.initial)];
      for (let t = 1; t < 50; t++) s.push(draw(truth.transition[s[t - 1]!]!));
      states.push(s);
      obs.push(s.map((i) => draw(truth.emission[i]!)));
    }
    const hmm = new HMM({ states: 3, symbols: 4 }).fitSupervised(obs, states, { smoothing: 0 });
    const p = hmm.probabilities();
    p.transition.flat().forEach((v, k) => assert.ok(Math.abs(v - truth.transition.flat()[k]!) < 0.03, `transition ${v} vs ${truth.transition.flat()[k]}`));
    p.emission.flat().forEach((v, k) => assert.ok(Math.abs(v - truth.emission.flat()[k]!) < 0.03, `emission ${v} vs ${truth.emission.flat()[k]}`));
    hmm.dispose();
  });

  it("one Baum-Welch update is the normalized forward-backward counts; the log-likelihood never decreases", async () => {
    const obs = [randomSymbols(30, 4, 1), randomSymbols(1, 4, 2), randomSymbols(12, 4, 3)];
    const start = new HMM({ states: 3, symbols: 4, seed: 9 });
    const before = start.probabilities();
    const once = await start.fitUnsupervised(obs, { iterations: 1 });
    assert.equal(once.iterations, 1);
    const counts = referenceExpectedCounts(before, obs);
    const normalize = (r: number[]) => r.map((v) => v / r.reduce((a, b) => a + b, 0));
    const p = start.probabilities();
    normalize(counts.initial).forEach((v, i) => close(p.initial[i]!, v, 1e-10));
    counts.transition.forEach((r, i) => normalize(r).forEach((v, j) => close(p.transition[i]![j]!, v, 1e-10)));
    counts.emission.forEach((r, i) => normalize(r).forEach((v, o) => close(p.emission[i]![o]!, v, 1e-10)));
    start.dispose();

    for (const [S, V, seed] of [[2, 3, 0], [5, 6, 1], [17, 5, 2]] as const) {
      const hmm = new HMM({ states: S, symbols: V, seed });
      const data = Array.from({ length: 20 }, (_, n) => randomSymbols(5 + n * 3, V, seed * 100 + n));
      const progress: number[] = [];
      const result = await hmm.fitUnsupervised(data, { iterations: 40, tolerance: 0, onIteration: (e) => { progress.push(e.logLikelihood); } });
      const ll = result.logLikelihoods;
      assert.equal(ll.length, 41);
      assert.deepEqual(progress, ll.slice(0, 40));
      for (let k = 1; k < ll.length; k++) assert.ok(ll[k]! >= ll[k - 1]! - 1e-9 * Math.abs(ll[k - 1]!), `S=${S}: ${ll[k]} after ${ll[k - 1]}`);
      assert.ok(ll[40]! > ll[0]! + 1, `S=${S}: ${ll[0]} -> ${ll[40]}`);
      close(hmm.logProbabilities(data).reduce((a, b) => a + b, 0), ll[40]!, 1e-10);
      hmm.dispose();
    }
  });

  it("Baum-Welch learns a two-state source from unlabelled data and stops at the tolerance", async () => {
    const truth: Tables = { initial: [0.5, 0.5], transition: [[0.9, 0.1], [0.1, 0.9]], emission: [[0.8, 0.15, 0.05], [0.05, 0.15, 0.8]] };
    const next = mulberry32(3);
    const draw = (p: readonly number[]) => (next() < p[0]! ? 0 : next() < p[1]! / (1 - p[0]!) ? 1 : 2);
    const obs = Array.from({ length: 40 }, () => {
      let s = next() < 0.5 ? 0 : 1;
      return Array.from({ length: 60 }, () => {
        const o = draw(truth.emission[s]!);
        s = next() < truth.transition[s]![s]! ? s : 1 - s;
        return o;
      });
    });
    const hmm = new HMM({ states: 2, symbols: 3, seed: 4 });
    const result = await hmm.fitUnsupervised(obs, { iterations: 500, tolerance: 1e-7 });
    assert.ok(result.converged && result.iterations < 500, `${result.iterations} updates`);
    const truthModel = HMM.fromProbabilities(truth);
    const gap = (truthModel.logProbabilities(obs).reduce((a, b) => a + b, 0) - result.logLikelihoods.at(-1)!) / 2400;
    assert.ok(gap < 0.01, `the learned model is ${gap} nats per symbol below the truth`);
    const stay = hmm.probabilities().transition;
    assert.ok(stay[0]![0]! > 0.8 && stay[1]![1]! > 0.8, JSON.stringify(stay));
    hmm.dispose();
    truthModel.dispose();
  });

  it("save / load round-trips within float32 rounding, with the same Viterbi paths", () => {
    const hmm = HMM.fromProbabilities(randomTables(5, 7, 2));
    const bytes = hmm.save();
    const back = HMM.load(bytes);
    assert.equal(back.states, 5);
    assert.equal(back.symbols, 7);
    const o = randomSymbols(50, 7, 1);
    close(back.logProbability(o), hmm.logProbability(o), 1e-6);
    assert.deepEqual(back.viterbi(o).path, hmm.viterbi(o).path);
    hmm.probabilities().emission.flat().forEach((v, k) => close(back.probabilities().emission.flat()[k]!, v, 1e-6));
    assert.throws(() => HMM.load(bytes.subarray(0, 20)), /^RangeError: HMM\.load: /);
    assert.throws(() => HMM.load(new Uint8Array(3)), /^RangeError: HMM\.load: the file has 3 bytes/);
    const tensors = { initial: { shape: [1], data: new Float32Array([1]) }, transition: { shape: [1, 1], data: new Float32Array([1]) }, emission: { shape: [1, 2], data: new Float32Array([0.5, 0.5]) } };
    HMM.load(writeSafetensors(tensors, { format: "wasm-rnn-hmm", format_version: "1" })).dispose();
    assert.throws(() => HMM.load(writeSafetensors(tensors, { format: "wasm-rnn" })), /^TypeError: HMM\.load: the file is not a saved HMM/);
    assert.throws(() => HMM.load(writeSafetensors({ ...tensors, emission: { shape: [1, 2], data: new Float32Array([0.5, 0.7]) } }, { format: "wasm-rnn-hmm", format_version: "1" })),
      /^RangeError: HMM\.load: the file's tables\.emission\[0\] must sum to 1/);
    assert.throws(() => HMM.load(writeSafetensors({ ...tensors, transition: { shape: [2], data: new Float32Array([1, 0]) } }, { format: "wasm-rnn-hmm", format_version: "1" })),
      /^RangeError: HMM\.load: tensor "transition" must have shape \[1, 1\]/);
    hmm.dispose();
    back.dispose();
  });

  it("bad input: TypeError / RangeError naming the function and the argument", async () => {
    assert.throws(() => new HMM({ states: 0, symbols: 3 }), /^RangeError: HMM: states must be >= 1; got 0/);
    assert.throws(() => new HMM({ states: 2, symbols: 2.5 }), /^TypeError: HMM: symbols must be an integer/);
    assert.throws(() => new HMM({ states: 2, symbols: 2, seeds: 1 } as never), /^TypeError: HMM: unknown option "seeds"/);
    assert.throws(() => HMM.fromProbabilities({ ...ICE_CREAM, initial: [0.8, 0.3] }), /^RangeError: HMM\.fromProbabilities: probabilities\.initial must sum to 1 .*got 1\.1/);
    assert.throws(() => HMM.fromProbabilities({ ...ICE_CREAM, transition: [[0.6, 0.4], [-0.5, 1.5]] }), /^RangeError: HMM\.fromProbabilities: probabilities\.transition\[1\]\[0\] must be a finite number >= 0; got number -0\.5/);
    assert.throws(() => HMM.fromProbabilities({ ...ICE_CREAM, emission: [[0.2, 0.4, 0.4], [NaN, 0.4, 0.1]] }), /emission\[1\]\[0\] must be a finite number >= 0; got number NaN/);
    assert.throws(() => HMM.fromProbabilities({ ...ICE_CREAM, emission: [[0.2, 0.8], [0.5, 0.4, 0.1]] }), /^RangeError: HMM\.fromProbabilities: probabilities\.emission\[1\] must have length 2; got 3/);
    assert.throws(() => HMM.fromProbabilities({ ...ICE_CREAM, transition: [[1]] }), /transition must have 2 rows \(one per state\); got 1/);
    assert.throws(() => HMM.fromCounts(ICE_CREAM, { smoothing: -1 }), /^RangeError: HMM\.fromCounts: smoothing must be a finite number in \[0, Infinity\]; got -1/);
    const hmm = HMM.fromProbabilities(ICE_CREAM);
    assert.throws(() => hmm.logProbability([0, 3]), /^RangeError: HMM\.logProbability: observations \(symbols\) must hold integers in \[0, 3\); got number 3 at index 1/);
    assert.throws(() => hmm.logProbability([]), /^RangeError: HMM\.logProbability: observations must hold at least one symbol; got an empty sequence/);
    assert.throws(() => hmm.viterbi("abc" as never), /^TypeError: HMM\.viterbi: observations \(symbols\) must be an array of integers/);
    assert.throws(() => hmm.logProbabilities([]), /^RangeError: HMM\.logProbabilities: sequences must hold at least one sequence/);
    assert.throws(() => hmm.fitSupervised([[0, 1]], [[0, 2]]), /^RangeError: HMM\.fitSupervised: stateSequences\[0\] \(states\) must hold integers in \[0, 2\); got number 2 at index 1/);
    assert.throws(() => hmm.fitSupervised([[0, 1]], [[0]]), /^RangeError: HMM\.fitSupervised: stateSequences\[0\] must have the length of observations\[0\] \(2\); got 1/);
    assert.throws(() => hmm.fitSupervised([[0, 1]], [[0, 1], [1]]), /stateSequences must hold one sequence per observation sequence \(1\); got 2/);
    await assert.rejects(hmm.fitUnsupervised([[0, 1, -1]]), /^RangeError: HMM\.fitUnsupervised: observations\[0\] \(symbols\) must hold integers in \[0, 3\); got number -1/);
    await assert.rejects(hmm.fitUnsupervised([[0]], { iterations: 1.5 }), /^TypeError: HMM\.fitUnsupervised: iterations must be an integer/);
    await assert.rejects(hmm.fitUnsupervised([[0]], { tolerance: NaN }), /^RangeError: HMM\.fitUnsupervised: tolerance must be a finite number/);
    const impossible = HMM.fromProbabilities({ initial: [1, 0], transition: [[1, 0], [0, 1]], emission: [[1, 0], [0, 1]] });
    await assert.rejects(impossible.fitUnsupervised([[0, 0], [0, 1]]), /^RangeError: HMM\.fitUnsupervised: observations\[1\] has probability 0 under the initial model/);
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await assert.rejects(hmm.fitUnsupervised([[0, 1]], { signal: controller.signal }), /^Error: stop/);
    // The model is unchanged by the refused calls.
    close(Math.exp(hmm.logProbability([2, 0, 2])), 0.028562);
    hmm.dispose();
    impossible.dispose();
  });

  it("every member of a disposed HMM throws; dispose twice is a no-op", async () => {
    const hmm = new HMM({ states: 2, symbols: 2 });
    const pending = hmm.fitUnsupervised([[0, 1, 1, 0]], { iterations: 50, tolerance: 0 });
    hmm.dispose();
    await assert.rejects(pending, /^Error: HMM\.fitUnsupervised: the HMM has been disposed/);
    assert.throws(() => hmm.logProbability([0]), /^Error: HMM\.logProbability: the HMM has been disposed/);
    assert.throws(() => hmm.viterbi([0]), /has been disposed/);
    assert.throws(() => hmm.save(), /has been disposed/);
    hmm.dispose();
  });
});
