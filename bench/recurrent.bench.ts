// Recurrent layers: training throughput of SimpleRNN (Elman), LSTM and GRU (tokens/s, B*T per step,
// and the GFLOP/s of the layer's matrix products) and batch-1 inference of two-layer stacks (ms per sequence).
//   node dist/bench/recurrent.bench.js   (loads build/release.wasm, or the file named by WASM_RNN_WASM)
import { readFile } from "node:fs/promises";
import { init, Model, SimpleRNN, LSTM, GRU, Dense, Adam, type RecurrentLayer } from "../bindings/index.js";
import { formatTable, measure, type Measurement } from "./timing.js";
import { charBatch } from "./data.js";
import { randomArray } from "../test/helpers/random.js";
import { wasmPath } from "../test/helpers/wasm-path.js";

/** A cell type: its name, its gate count G (1 for Elman) and a constructor. */
interface Cell {
  name: string;
  G: number;
  make(inputSize: number, units: number, seed: number): RecurrentLayer;
}

const cells: Cell[] = [
  { name: "SimpleRNN", G: 1, make: (inputSize, units, seed) => new SimpleRNN({ inputSize, units, seed }) },
  { name: "LSTM", G: 4, make: (inputSize, units, seed) => new LSTM({ inputSize, units, seed }) },
  { name: "GRU", G: 3, make: (inputSize, units, seed) => new GRU({ inputSize, units, seed }) },
];

/** Training shape: a character model over a 65-letter alphabet. */
const train = { B: 32, T: 64, V: 65, H: 128 };
/** Batch-1 inference shape: D -> H -> H over T steps. */
const infer = { T: 100, D: 64, H: 256 };

/** gemm flops of one layer's forward pass over T steps of B rows: 2·T·B·(D+H)·G·H. */
function forwardFlops(cell: Cell, T: number, B: number, D: number, H: number): number {
  return 2 * T * B * (D + H) * cell.G * H;
}

/**
 * Layer-only forward + BPTT (with dInput), then a full Model.trainOnBatch step (+ Dense, softmax
 * CE, Adam; no dInput for the first layer): a table row of tokens/s, and the layer's GFLOP/s.
 */
function training(cell: Cell): string[] {
  const { B, T, V, H } = train;
  const { x, y } = charBatch(T, B, V);
  // The backward's gemms (dh per step, dW_ih, dW_hh, dX) are twice the forward's.
  const flops = 3 * forwardFlops(cell, T, B, V, H);
  const layer = cell.make(V, H, 1);
  const { output } = layer.forward(x);
  const layerStep = measure(`${cell.name} forward + BPTT`, () => {
    layer.forward(x);
    layer.backward(output);
  }, flops);
  layer.dispose();
  const model = new Model({
    layers: [cell.make(V, H, 1), new Dense({ inputSize: H, units: V, seed: 2 })],
    loss: "softmaxCrossEntropy",
    optimizer: new Adam({ lr: 1e-3 }),
  });
  const modelStep = measure(`${cell.name} Model.trainOnBatch`, () => {
    model.trainOnBatch(x, y);
  });
  model.dispose();
  const tokens = (m: Measurement): string => (m.hz * B * T).toFixed(0);
  const rme = (m: Measurement): string => `±${m.rme.toFixed(1)}%`;
  return [cell.name, tokens(layerStep), layerStep.gflops!.toFixed(1), rme(layerStep), tokens(modelStep), rme(modelStep)];
}

/** Forward of a hand-stacked pair of layers on one sequence [T, 1, D]: a table row of ms per sequence and GFLOP/s. */
function inference(cell: Cell): string[] {
  const { T, D, H } = infer;
  const first = cell.make(D, H, 3);
  const second = cell.make(H, H, 4);
  const x = { shape: [T, 1, D], data: randomArray(T * D, 5) };
  const flops = forwardFlops(cell, T, 1, D, H) + forwardFlops(cell, T, 1, H, H);
  const m = measure(`${cell.name} ${D} -> ${H} -> ${H}`, () => {
    second.forward(first.forward(x).output);
  }, flops);
  first.dispose();
  second.dispose();
  return [m.name, (1000 / m.hz).toFixed(2), m.gflops!.toFixed(1), `±${m.rme.toFixed(1)}%`];
}

const wasm = wasmPath();
await init(await readFile(wasm));

console.log(`Training step: B=${train.B}, T=${train.T}, D=V=${train.V} (one-hot), H=${train.H}; tokens/s = B*T per step`);
console.log(formatTable(
  ["cell", "layer fwd+BPTT tokens/s", "layer GFLOP/s", "rme", "trainOnBatch tokens/s", "rme"],
  cells.map(training),
));
console.log("(layer: forward + BPTT incl. dInput; GFLOP/s counts its gemms, forward 2·T·B·(D+H)·G·H and a backward twice that.");
console.log(" trainOnBatch: + Dense(65), softmax cross-entropy every step, Adam; the first layer's dInput is skipped.)");

console.log(`\nBatch-1 inference: two hand-stacked layers, T=${infer.T}, layer.forward only`);
console.log(formatTable(["stack", "ms/sequence", "GFLOP/s", "rme"], cells.map(inference)));
