// The training workload of test/threads.test.ts, also run in a child process (the relaxed builds):
// models whose batches split unevenly into slices, on the token path (with a token table larger
// than a worker's scratch), the float path with lengths, dropout and truncated BPTT.
import { Model, LSTM, GRU, Dense, Adam, type Tensor } from "../../bindings/index.js";
import { mulberry32, randomArray } from "./random.js";

export const T = 6;
export const N = 13;

/** Ids [n] in [0, V) from a seed. */
function ids(seed: number, n: number, V: number): Int32Array {
  const next = mulberry32(seed);
  return Int32Array.from({ length: n }, () => Math.floor(next() * V));
}

/** Runs `body` with SharedArrayBuffer removed from the global scope, as in a runtime without it. */
export async function withoutSharedArrayBuffer<R>(body: () => Promise<R>): Promise<R> {
  const saved = globalThis.SharedArrayBuffer;
  delete (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer;
  try {
    return await body();
  } finally {
    globalThis.SharedArrayBuffer = saved;
  }
}

/** The losses of every step or epoch and the parameters each model ends with. */
export interface Run {
  losses: number[];
  params: Record<string, Tensor>[];
}

/**
 * Trains, on the core init set up: a token LSTM whose table exceeds a worker's scratch (V·4H·4
 * bytes > 1 MiB), a two-layer bidirectional GRU with dropout over floats with lengths, and a GRU
 * trained with truncated BPTT (the slices carry their own states).
 */
export async function trainRun(): Promise<Run> {
  const V = 600;
  const lm = new Model({
    layers: [new LSTM({ inputSize: V, units: 128, tokenInput: true, seed: 1 }), new Dense({ inputSize: 128, units: 9, seed: 2 })],
    loss: "softmaxCrossEntropy", optimizer: new Adam({ lr: 0.01 }),
  });
  const D = 5;
  const tagger = new Model({
    layers: [new GRU({ inputSize: D, units: 16, bidirectional: true, numLayers: 2, dropout: 0.3, seed: 3 }), new Dense({ inputSize: 32, units: 3, seed: 4 })],
    loss: "meanSquaredError", optimizer: new Adam({ lr: 0.02 }),
  });
  const streamer = new Model({
    layers: [new GRU({ inputSize: D, units: 8, seed: 5 }), new Dense({ inputSize: 8, units: 2, seed: 6 })],
    loss: "softmaxCrossEntropy", optimizer: new Adam({ lr: 0.02 }),
  });
  try {
    const losses: number[] = [];
    const x = { shape: [T, N], data: ids(5, T * N, V) };
    const y = { shape: [T, N], data: ids(6, T * N, 9) };
    for (let step = 0; step < 3; step++) losses.push(lm.trainOnBatch(x, y));
    const xf = { shape: [T, N, D], data: randomArray(T * N * D, 7) };
    const yf = { shape: [T, N, 3], data: randomArray(T * N * 3, 8) };
    const lengths = Int32Array.from({ length: N }, (_, i) => 1 + (i * 5) % T);
    const logs = await tagger.fit(xf, yf, { epochs: 2, batchSize: 5, seed: 9, lengths });
    const chunked = await streamer.fit(xf, { shape: [T, N], data: ids(10, T * N, 2) }, { epochs: 2, batchSize: 7, seed: 11, truncatedBptt: 2 });
    losses.push(...logs.map((l) => l.loss), ...chunked.map((l) => l.loss));
    return { losses, params: [lm.stateDict(), tagger.stateDict(), streamer.stateDict()] };
  } finally {
    lm.dispose();
    tagger.dispose();
    streamer.dispose();
  }
}

/** Differences between two runs (empty when bit-identical), by what differs. */
export function runDifferences(a: Run, b: Run): string[] {
  const out: string[] = [];
  if (a.losses.some((l, i) => !Object.is(l, b.losses[i]))) out.push(`losses ${a.losses} vs ${b.losses}`);
  a.params.forEach((dict, m) => {
    for (const name of Object.keys(dict)) {
      if (dict[name]!.data.some((v, i) => !Object.is(v, b.params[m]![name]!.data[i]))) out.push(`model ${m} ${name}`);
    }
  });
  return out;
}
