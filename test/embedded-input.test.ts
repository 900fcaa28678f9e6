// An Embedding followed by a recurrent layer: a Model looks the ids up inside the recurrent
// layer's input projection when the vocabulary is smaller than the batch's T·B
// (bindings/layers/recurrent/embedded-input.ts). The reference is the same model with a
// vocabulary of at least T·B (looked up the plain way) whose first V rows are the small table:
// the same ids, the same maths, so the same losses, outputs and updated parameters up to rounding.
import assert from "node:assert/strict";
import { Model } from "../bindings/model.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { Dense } from "../bindings/layers/dense.js";
import { SGD } from "../bindings/optimizers.js";
import type { Tensor } from "../bindings/tensor.js";
import { buildRecurrent, type RecurrentRow } from "./cases/layer-kinds.js";
import { mulberry32 } from "./helpers/random.js";

const V = 7;
const E = 5;
const T = 6;
const B = 4;
const CLASSES = 3;

const ROWS: [string, RecurrentRow][] = [
  ["LSTM", { kind: "LSTM", options: { inputSize: E, units: 5, seed: 3 } }],
  ["LSTM bidirectional, peepholes", { kind: "LSTM", options: { inputSize: E, units: 3, bidirectional: true, peephole: true, seed: 3 } }],
  ["LSTM 2 layers, last step", { kind: "LSTM", options: { inputSize: E, units: 4, numLayers: 2, returnSequences: false, seed: 3 } }],
  ["GRU", { kind: "GRU", options: { inputSize: E, units: 17, seed: 3 } }],
  ["GRU reset before, bidirectional", { kind: "GRU", options: { inputSize: E, units: 3, resetAfter: false, bidirectional: true, seed: 3 } }],
  ["SimpleRNN relu", { kind: "SimpleRNN", options: { inputSize: E, units: 5, activation: "relu", seed: 3 } }],
  ["Jordan", { kind: "Jordan", options: { inputSize: E, units: 4, outputUnits: 3, seed: 3 } }],
];

/** Embedding(vocab, E) whose first V rows are `table` ([V, E]), the rest random. */
function embeddingWith(vocab: number, table: Float32Array): Embedding {
  const layer = new Embedding({ inputSize: vocab, units: E, seed: 11 });
  const weight = layer.stateDict()["weight"]!.data;
  weight.set(table);
  layer.loadStateDict({ weight: { shape: [vocab, E], data: weight } });
  return layer;
}

function modelOf(vocab: number, table: Float32Array, row: RecurrentRow): Model {
  const recurrent = buildRecurrent(row);
  return new Model({
    layers: [embeddingWith(vocab, table), recurrent, new Dense({ inputSize: recurrent.outputSize, units: CLASSES, seed: 5 })],
    loss: "softmaxCrossEntropy",
    optimizer: new SGD({ lr: 0.5 }),
  });
}

function assertClose(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, what);
  const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
  want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) <= 2e-6 * scale, `${what}[${i}]: ${got[i]} vs ${w}`));
}

describe("an Embedding looked up inside the recurrent layer's projection", () => {
  const next = mulberry32(21);
  const table = Float32Array.from({ length: V * E }, () => next() * 2 - 1);
  const x = { shape: [T, B], data: Int32Array.from({ length: T * B }, () => Math.floor(next() * V)) };
  const lengths = [6, 3, 1, 5];

  for (const [name, row] of ROWS) {
    it(`${name}: two SGD steps with lengths equal the plain lookup's (V ${V} < T·B ${T * B} against ${T * B})`, () => {
      const sequence = row.options.returnSequences !== false;
      const y = sequence
        ? { shape: [T, B], data: Int32Array.from({ length: T * B }, () => Math.floor(next() * CLASSES)) }
        : { shape: [B], data: Int32Array.from({ length: B }, () => Math.floor(next() * CLASSES)) };
      const fused = modelOf(V, table, row);
      const plain = modelOf(T * B, table, row);
      try {
        for (let step = 0; step < 2; step++) {
          const a = fused.trainOnBatch(x, y, { lengths });
          const b = plain.trainOnBatch(x, y, { lengths });
          assert.ok(Math.abs(a - b) <= 1e-6 * Math.abs(b), `step ${step} loss ${a} vs ${b}`);
        }
        const got = fused.stateDict();
        const want = plain.stateDict();
        for (const [key, t] of Object.entries(got)) {
          const w = key === "0.weight" ? want[key]!.data.subarray(0, V * E) : want[key]!.data;
          assertClose(t.data, w, key);
        }
        assert.notDeepEqual(got["0.weight"]!.data, table, "the table was trained");
        const p = (m: Model): Tensor => m.predict(x, { lengths });
        assertClose(p(fused).data, p(plain).data, "predict");
      } finally {
        fused.dispose();
        plain.dispose();
      }
    });
  }

  it("a batch of fewer than V steps looks the ids up the plain way, with the same results", () => {
    const row = ROWS[0]![1];
    const small = { shape: [1, 2], data: Int32Array.from([3, 6]) };
    const yS = { shape: [1, 2], data: Int32Array.from([1, 2]) };
    const a = modelOf(V, table, row);
    const b = modelOf(64, table, row);
    try {
      assert.equal(a.trainOnBatch(small, yS), b.trainOnBatch(small, yS));
      assert.deepEqual(a.stateDict()["1.weight_ih_l0"]!.data, b.stateDict()["1.weight_ih_l0"]!.data);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
