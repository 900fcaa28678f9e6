// A layer's workspaceSize({ T, B, training, inputGradient, lengths }) is what its pointer-level
// forward and backward of that shape allocate, to the byte: counted by wrapping the core's alloc and
// free around the calls, for every recurrent layer kind (stacked, bidirectional, pooled, with a
// context, dropout, peepholes, token input), Dense, Embedding and Attention, over awkward shapes.
import assert from "node:assert/strict";
import { LSTM } from "../bindings/layers/lstm.js";
import { GRU } from "../bindings/layers/gru.js";
import { SimpleRNN } from "../bindings/layers/simple-rnn.js";
import { Jordan } from "../bindings/layers/jordan.js";
import { Dense } from "../bindings/layers/dense.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { Attention } from "../bindings/seq2seq/attention.js";
import { RecurrentLayer } from "../bindings/layers/recurrent.js";
import type { Layer } from "../bindings/layers/layer.js";
import { WasmArray } from "../bindings/buffer.js";
import { trackAllocations } from "./helpers/allocation-tracker.js";

/** Shapes [T, B]: one step of one sequence, primes, more rows than a gemm slice (128). */
const SHAPES: [number, number][] = [[1, 1], [7, 3], [33, 5], [130, 2]];

const LAYERS: [string, () => Layer][] = [
  ["SimpleRNN", () => new SimpleRNN({ inputSize: 3, units: 5, seed: 1 })],
  ["SimpleRNN, 2 layers, bidirectional (sum), dropout", () => new SimpleRNN({ inputSize: 3, units: 9, numLayers: 2, bidirectional: true, mergeMode: "sum", dropout: 0.5, seed: 2 })],
  ["Jordan with a context", () => new Jordan({ inputSize: 4, units: 6, outputUnits: 3, contextSize: 2, seed: 3 })],
  ["Jordan, bidirectional, last pooling", () => new Jordan({ inputSize: 4, units: 6, outputUnits: 3, bidirectional: true, returnSequences: false, seed: 4 })],
  ["LSTM on token ids", () => new LSTM({ inputSize: 11, units: 13, tokenInput: true, seed: 5 })],
  ["LSTM, 3 layers, peepholes, dropout", () => new LSTM({ inputSize: 6, units: 10, numLayers: 3, peephole: true, dropout: 0.2, seed: 6 })],
  ["LSTM, last pooling", () => new LSTM({ inputSize: 4, units: 5, returnSequences: false, seed: 7 })],
  ["LSTM, bidirectional, context", () => new LSTM({ inputSize: 4, units: 5, contextSize: 3, bidirectional: true, seed: 8 })],
  ["GRU, bidirectional (concat)", () => new GRU({ inputSize: 5, units: 7, bidirectional: true, seed: 9 })],
  ["GRU reset before, bidirectional, mean pooling", () => new GRU({ inputSize: 5, units: 7, bidirectional: true, resetAfter: false, returnSequences: false, pooling: "mean", seed: 10 })],
  ["GRU on token ids, 2 layers", () => new GRU({ inputSize: 9, units: 6, tokenInput: true, numLayers: 2, seed: 11 })],
  ["Dense (linear)", () => new Dense({ inputSize: 7, units: 3, seed: 12 })],
  ["Dense (tanh)", () => new Dense({ inputSize: 7, units: 3, activation: "tanh", seed: 13 })],
  ["Embedding", () => new Embedding({ inputSize: 9, units: 4, seed: 14 })],
];

/** The variants of a call: training with and without the input gradient, inference, and with lengths. */
const CALLS = [
  { training: true, inputGradient: true, lengths: false },
  { training: true, inputGradient: false, lengths: false },
  { training: false, inputGradient: true, lengths: false },
  { training: true, inputGradient: true, lengths: true },
];

/** Whether the layer's input is ids i32 [T, B]. */
function readsIds(layer: Layer): boolean {
  return layer instanceof Embedding || (layer instanceof RecurrentLayer && layer.tokenInput);
}

/** Bytes a pointer-level forward (and backward) of layer allocate: the blocks live after them, inputs staged before. */
function allocated(layer: Layer, T: number, B: number, call: (typeof CALLS)[number]): number {
  const x = new WasmArray(T * B * (readsIds(layer) ? 1 : layer.inputSize));
  if (readsIds(layer)) x.i32().fill(1);
  else x.fill(0.5);
  const lengths = new WasmArray(B);
  lengths.i32().set(Array.from({ length: B }, (_, b) => Math.max(1, T - b)));
  const contextSize = layer instanceof RecurrentLayer ? layer.contextSize : 0;
  const context = new WasmArray(Math.max(B * contextSize, 1)).fill(0.1);
  const dOut = new WasmArray(T * B * layer.outputSize).fill(0.01);
  const tracker = trackAllocations();
  try {
    layer.forwardPointers({ x: x.ptr, T, B, lengths: call.lengths ? lengths.ptr : 0, context: contextSize > 0 ? context.ptr : 0, training: call.training });
    if (call.training) layer.backwardPointers(dOut.ptr, call.inputGradient);
    return tracker.liveBytes;
  } finally {
    tracker.stop();
    for (const block of [x, lengths, context, dOut]) block.free();
  }
}

describe("workspaceSize: what a layer's forward and backward allocate", () => {
  for (const [name, make] of LAYERS) {
    it(name, () => {
      for (const [T, B] of SHAPES) {
        for (const call of CALLS) {
          const layer = make();
          try {
            assert.equal(allocated(layer, T, B, call), layer.workspaceSize({ T, B, ...call }), `T ${T}, B ${B}, ${JSON.stringify(call)}`);
          } finally {
            layer.dispose();
          }
        }
      }
    });
  }

  it("a second forward and backward of the same shape allocate nothing", () => {
    const layer = new LSTM({ inputSize: 4, units: 6, bidirectional: true, seed: 15 });
    try {
      allocated(layer, 9, 4, CALLS[0]!);
      assert.equal(allocated(layer, 9, 4, CALLS[0]!), 0);
    } finally {
      layer.dispose();
    }
  });

  for (const kind of ["luong", "luongGeneral", "bahdanau"] as const) {
    it(`Attention (${kind}) over a memory of S steps`, () => {
      for (const [T, B, S] of [[1, 1, 1], [5, 3, 7], [4, 2, 131]] as const) {
        const layer = new Attention({ kind, querySize: 6, memorySize: kind === "luong" ? 6 : 5, seed: 16 });
        const memory = new WasmArray(S * B * layer.memorySize).fill(0.3);
        const queries = new WasmArray(T * B * 6).fill(0.2);
        const dOut = new WasmArray(T * B * layer.memorySize).fill(0.01);
        const tracker = trackAllocations();
        try {
          layer.setMemory(memory.ptr, S, B, 0, T);
          layer.forwardPointers({ x: queries.ptr, T, B });
          layer.backwardPointers(dOut.ptr);
          layer.memoryGradient();
          assert.equal(tracker.liveBytes, layer.workspaceSize({ T, B, memorySteps: S }), `T ${T}, B ${B}, S ${S}`);
        } finally {
          tracker.stop();
          for (const block of [memory, queries, dOut]) block.free();
          layer.dispose();
        }
      }
    });
  }

  it("checks its shape", () => {
    const layer = new GRU({ inputSize: 2, units: 3, seed: 17 });
    try {
      assert.throws(() => layer.workspaceSize({ T: 0, B: 2 }), /^RangeError: GRU\.workspaceSize: T must be/);
      assert.throws(() => layer.workspaceSize({ T: 2, B: 1.5 }), /^TypeError: GRU\.workspaceSize: B must be an integer/);
      assert.throws(() => layer.workspaceSize({ T: 2, B: 2, training: 1 } as never), /^TypeError: GRU\.workspaceSize: training must be a boolean/);
      assert.throws(() => layer.workspaceSize({ T: 2, B: 2, steps: 3 } as never), /^TypeError: GRU\.workspaceSize: unknown option/);
    } finally {
      layer.dispose();
    }
  });
});
