// The browser example's model and data, with no DOM: the page (main.ts) trains with these, and the
// browser test (test/runtimes-browser.test.ts) builds the same model in Node to check that both
// runtimes compute the same numbers for the same seed.
import {
  Model, Embedding, GRU, Dense, Adam, Rng, Vocabulary, tokenizeChars, nextTokenBatch, generate,
  type IntTensor, type BatchProgress, type EpochLogs,
} from "../../bindings/index.js";
import { NAMES } from "./names.js";

/** Everything that fixes the numbers: two runs with these settings train identically. */
export const SETTINGS = {
  seed: 7,
  embeddingSize: 16,
  units: 64,
  batchSize: 32,
  learningRate: 0.01,
  /** After every epoch the learning rate is multiplied by this. */
  learningRateDecay: 0.96,
  clipNorm: 5,
  epochs: 60,
  /** Names sampled after each epoch, at this temperature. */
  samples: 6,
  temperature: 0.8,
} as const;

/** Ids a generated name never contains. */
const NEVER = [Vocabulary.PAD_ID, Vocabulary.UNK_ID, Vocabulary.BOS_ID];

/** Next-character data: inputs BOS c1 … ck, targets c1 … ck EOS, post-padded, with the lengths. */
export interface NameData {
  names: readonly string[];
  vocab: Vocabulary;
  x: IntTensor;
  y: IntTensor;
  lengths: Int32Array;
  /** Characters predicted per epoch (the EOS of each name included). */
  tokens: number;
}

export function nameData(names: readonly string[] = NAMES): NameData {
  const chars = names.map((n) => tokenizeChars(n));
  const vocab = Vocabulary.build(chars);
  const { x, y, lengths } = nextTokenBatch(chars.map((c) => vocab.encode(c)), { eos: Vocabulary.EOS_ID }); // BOS c1 … ck -> c1 … ck EOS
  return { names, vocab, x, y, lengths, tokens: lengths.reduce((a, b) => a + b, 0) };
}

/** Embedding -> GRU -> Dense over the characters, seeded. Call `init()` first. */
export function nameModel(vocabSize: number): Model {
  const { seed, embeddingSize, units, learningRate, clipNorm } = SETTINGS;
  return new Model({
    layers: [
      new Embedding({ inputSize: vocabSize, units: embeddingSize, seed }),
      new GRU({ inputSize: embeddingSize, units, seed: seed + 1 }),
      new Dense({ inputSize: units, units: vocabSize, seed: seed + 2 }),
    ],
    loss: "softmaxCrossEntropy",
    optimizer: new Adam({ lr: learningRate }),
    clipNorm,
  });
}

/** `SETTINGS.samples` names drawn from the model, the same for the same weights and `seed`. */
export function sampleNames(model: Model, data: NameData, seed: number): string[] {
  const rng = new Rng(seed);
  try {
    return Array.from({ length: SETTINGS.samples }, () =>
      data.vocab.decode(generate(model, { maxLength: 12, temperature: SETTINGS.temperature, avoid: NEVER, rng })).join(""));
  } finally {
    rng.dispose();
  }
}

/** What `train` reports: after each batch, and after each epoch with that epoch's sampled names. */
export interface TrainCallbacks {
  onBatchEnd?: (progress: BatchProgress) => void;
  onEpochEnd?: (logs: EpochLogs, samples: string[]) => void;
  signal?: AbortSignal;
}

/**
 * Trains `model` on `data` for `epochs` epochs with `Model.fit` (which yields to the event loop
 * between batches), decaying the learning rate and sampling names after every epoch (the epoch
 * number seeds the draws).
 */
export async function train(model: Model, data: NameData, epochs: number, callbacks: TrainCallbacks = {}): Promise<EpochLogs[]> {
  return model.fit(data.x, data.y, {
    lengths: data.lengths, // padded steps are left out of the loss
    epochs,
    batchSize: SETTINGS.batchSize,
    seed: SETTINGS.seed,
    onBatchEnd: callbacks.onBatchEnd,
    onEpochEnd: (logs) => {
      model.optimizer.lr *= SETTINGS.learningRateDecay;
      callbacks.onEpochEnd?.(logs, sampleNames(model, data, logs.epoch));
    },
    signal: callbacks.signal,
  });
}
