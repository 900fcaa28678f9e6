// Thread scaling, measured honestly. First: do this machine's cores run in parallel at all? Two
// copies of a pure compute loop on two worker threads at once, against one copy alone (ratio ~1:
// parallel; ~2: the "cores" share one). Then training and prediction of a W1-like char-LM (one-hot
// V = 65 as token ids into an LSTM of H = 128, T = 64, B = 32, Dense + softmax CE + Adam) on 1
// thread, on the same 2 slices run by the main thread alone (the fallback: the cost of slicing),
// and on 2 threads. The load average is printed: other jobs on the machine skew every number.
//   node dist/bench/threads.bench.js
import { loadavg, availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { init, coreInfo, terminateThreads, Model, LSTM, Dense, Adam } from "../bindings/index.js";
import { charBatch } from "./data.js";
import { formatTable } from "./timing.js";

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A pure integer loop (no memory traffic) of `n` iterations, in a worker; resolves with its ms. */
const LOOP = `
const { parentPort, workerData } = require("node:worker_threads");
let x = 1;
const t0 = performance.now();
for (let i = 0; i < workerData; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
parentPort.postMessage({ ms: performance.now() - t0, x });
`;

function loop(n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(LOOP, { eval: true, workerData: n });
    w.once("message", (m: { ms: number }) => { resolve(m.ms); void w.terminate(); });
    w.once("error", reject);
  });
}

/** Median ms of one loop alone and of two at once (the slower of the pair), over `rounds` rounds. */
async function parallelCores(n: number, rounds: number): Promise<{ alone: number; pair: number }> {
  const alone: number[] = [];
  const pair: number[] = [];
  for (let r = 0; r < rounds; r++) {
    alone.push(await loop(n));
    pair.push(Math.max(...await Promise.all([loop(n), loop(n)])));
  }
  return { alone: median(alone), pair: median(pair) };
}

const W1 = { V: 65, H: 128, T: 64, B: 32 };

/** Median ms per trainOnBatch step and per predict of the W1 model on the core init just set up. */
function timeModel(steps: number): { train: number; predict: number } {
  const { V, H, T, B } = W1;
  const model = new Model({
    layers: [new LSTM({ inputSize: V, units: H, tokenInput: true, seed: 1 }), new Dense({ inputSize: H, units: V, seed: 2 })],
    loss: "softmaxCrossEntropy", optimizer: new Adam({ lr: 0.002 }),
  });
  try {
    const { ids, y } = charBatch(T, B, V);
    for (let i = 0; i < 3; i++) model.trainOnBatch(ids, y); // warm-up: V8's optimizing tier, workspaces
    const train: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      model.trainOnBatch(ids, y);
      train.push(performance.now() - t0);
    }
    const predict: number[] = [];
    for (let i = 0; i < steps + 3; i++) {
      const t0 = performance.now();
      model.predict(ids);
      if (i >= 3) predict.push(performance.now() - t0);
    }
    return { train: median(train), predict: median(predict) };
  } finally {
    model.dispose();
  }
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(", ");
console.log(`${availableParallelism()} logical CPUs; load average (1, 5, 15 min) before: ${load()}`);

const cores = await parallelCores(3e8, 5);
console.log(`\nParallel cores: one pure loop alone ${cores.alone.toFixed(0)} ms, two at once ${cores.pair.toFixed(0)} ms `
  + `(ratio ${(cores.pair / cores.alone).toFixed(2)}: 1.00 = fully parallel, 2.00 = no parallelism)`);

const runs: { name: string; threads: number; fallback: boolean }[] = [
  { name: "1 thread (batch whole)", threads: 1, fallback: false },
  { name: "2 slices, main thread alone", threads: 2, fallback: true },
  { name: "2 threads (2 slices)", threads: 2, fallback: false },
];
const STEPS = 15;
const times: { train: number; predict: number }[] = [];
for (const run of runs) {
  await init({ threads: run.threads });
  if (run.fallback) terminateThreads();
  const info = coreInfo();
  if (info.threads !== (run.fallback ? 1 : run.threads)) throw new Error(`${run.name}: ${JSON.stringify(info)}`);
  times.push(timeModel(STEPS));
}
const base = times[0]!;
console.log(`\nW1-like char-LM: token LSTM V=${W1.V} H=${W1.H}, T=${W1.T}, B=${W1.B}, Dense + softmax CE + Adam; median of ${STEPS} (ms)`);
console.log(formatTable(["run", "train step ms", "speed-up", "predict ms", "speed-up"], runs.map((run, i) => [
  run.name, times[i]!.train.toFixed(1), (base.train / times[i]!.train).toFixed(2), times[i]!.predict.toFixed(1), (base.predict / times[i]!.predict).toFixed(2),
])));
console.log(`\nload average after: ${load()}`);
terminateThreads();
