// Issue 13: layers read their weight matrices packed once per parameter version (bindings/weight-packs.ts)
// instead of packing them on every forward. Every path that writes the parameters must make the next
// forward pack again: after each one, a model predicts the same bits as a fresh copy loaded from its
// saved bytes (whose packs are new). And the lone-row kernel (assembly/gemv.ts) behind batch 1.
import assert from "node:assert/strict";
import { Model } from "../bindings/model.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { GRU } from "../bindings/layers/gru.js";
import { MGU } from "../bindings/layers/mgu.js";
import { SimpleRNN } from "../bindings/layers/simple-rnn.js";
import { Jordan } from "../bindings/layers/jordan.js";
import { Dense } from "../bindings/layers/dense.js";
import type { Layer } from "../bindings/layers/layer.js";
import { SGD } from "../bindings/optimizers.js";
import type { Tensor } from "../bindings/tensor.js";
import { core } from "../bindings/core.js";
import { WasmArray } from "../bindings/buffer.js";
import { randomArray } from "./helpers/random.js";

const T = 5;
const B = 3;
const D = 4;
const H = 6;
const O = 2;

const floats = (shape: number[], seed: number, scale = 1): Tensor => ({ shape, data: randomArray(shape.reduce((a, b) => a * b, 1), seed, scale) });
const x = floats([T, B, D], 1);
const y = floats([T, B, O], 2);

/** The recurrent layers of every cell kind, each the first layer of a model with a Dense head. */
const CELLS: [string, (seed: number) => Layer][] = [
  ["LSTM (2 layers)", (seed) => new LSTM({ inputSize: D, units: H, numLayers: 2, seed })],
  ["GRU", (seed) => new GRU({ inputSize: D, units: H, seed })],
  ["GRU resetAfter: false", (seed) => new GRU({ inputSize: D, units: H, resetAfter: false, seed })],
  ["MGU", (seed) => new MGU({ inputSize: D, units: H, seed })],
  ["SimpleRNN", (seed) => new SimpleRNN({ inputSize: D, units: H, seed })],
  ["Jordan", (seed) => new Jordan({ inputSize: D, units: H, outputUnits: 3, seed })],
];

function model(cell: (seed: number) => Layer, seed: number, lr = 0.1): Model {
  const first = cell(seed);
  return new Model({ layers: [first, new Dense({ inputSize: first.outputSize, units: O, seed: seed + 1 })], loss: "meanSquaredError", optimizer: new SGD({ lr }) });
}

/** model's predictions equal, bit for bit, those of a copy loaded from its saved bytes. */
function assertSameAsFreshCopy(m: Model, what: string): void {
  const copy = Model.load(m.save());
  try {
    assert.deepEqual(m.predict(x).data, copy.predict(x).data, what);
  } finally {
    copy.dispose();
  }
}

describe("packed weights follow every write of the parameters", () => {
  for (const [name, cell] of CELLS) {
    describe(name, () => {
      it("after initialisation, training steps (trainOnBatch and fit) and loadStateDict", async () => {
        const m = model(cell, 3);
        assertSameAsFreshCopy(m, "after initialisation");
        m.trainOnBatch(x, y);
        assertSameAsFreshCopy(m, "after trainOnBatch");
        await m.fit(x, y, { epochs: 2, batchSize: 2 });
        assertSameAsFreshCopy(m, "after fit");
        const other = model(cell, 11);
        m.layers.forEach((layer, i) => layer.loadStateDict(other.layers[i]!.stateDict()));
        assert.deepEqual(m.predict(x).data, other.predict(x).data, "after loadStateDict");
        assertSameAsFreshCopy(m, "after loadStateDict");
        other.dispose();
        m.dispose();
      });
    });
  }

  it("after setPackedParams and a model load", () => {
    const m = model(CELLS[0]![1], 3);
    const other = model(CELLS[0]![1], 5);
    m.predict(x);
    m.parameters.setPackedParams(other.parameters.packedParams());
    assert.deepEqual(m.predict(x).data, other.predict(x).data, "after setPackedParams");
    const loaded = Model.load(other.save());
    assert.deepEqual(loaded.predict(x).data, other.predict(x).data, "a loaded model");
    for (const d of [m, other, loaded]) d.dispose();
  });

  it("after setWeights (Keras' weight lists) and a layer built by the Model (inputSize inferred)", () => {
    const m = model(CELLS[0]![1], 3);
    const other = model(CELLS[0]![1], 5);
    m.predict(x);
    m.setWeights(other.getWeights());
    assert.deepEqual(m.predict(x).data, other.predict(x).data, "after setWeights");
    const inferred = new Model({ layers: [new LSTM({ inputSize: D, units: H, seed: 3 }), new Dense({ units: O, seed: 4 })], loss: "meanSquaredError" });
    assertSameAsFreshCopy(inferred, "a Dense built by the Model");
    for (const d of [m, other, inferred]) d.dispose();
  });

  it("reading the parameters (stateDict, save) is no write", () => {
    const m = model(CELLS[0]![1], 3);
    const version = m.parameters.version;
    m.layers[0]!.stateDict();
    m.save();
    assert.equal(m.parameters.version, version);
    m.dispose();
  });

  it("after writes through paramView: a fresh view, and an older one followed by markChanged()", () => {
    const m = model(CELLS[0]![1], 3);
    m.predict(x);
    m.parameters.paramView("0.weight_hh_l0").fill(0.01);
    assertSameAsFreshCopy(m, "a view taken after the last forward");
    const view = m.parameters.paramView("0.weight_ih_l1");
    const before = m.parameters.version;
    m.predict(x);
    if (view.buffer.byteLength > 0) {
      view.fill(-0.02);
      m.parameters.markChanged();
      assert.ok(m.parameters.version > before);
      assertSameAsFreshCopy(m, "a view written after a forward, then markChanged()");
    }
    m.dispose();
  });

  it("after a refused training step rolls the parameters back", () => {
    const m = new Model({
      layers: [new SimpleRNN({ inputSize: D, units: 8, activation: "relu", seed: 1 }), new Dense({ inputSize: 8, units: O, seed: 2 })],
      loss: "meanSquaredError", optimizer: new SGD({ lr: 3e38 }),
    });
    const expected = m.predict(x).data;
    const version = m.parameters.version;
    assert.throws(() => m.trainOnBatch(x, floats([T, B, O], 3, 1e30)), RangeError);
    assert.ok(m.parameters.version > version, "the rollback is a write");
    assert.deepEqual(m.predict(x).data, expected);
    assertSameAsFreshCopy(m, "after the rollback");
    m.dispose();
  });
});

/** C [M, N] = A [M, K] · B, B [K, N] packed first (rows of A K floats apart), as a fresh array. */
function packedProduct(M: number, N: number, K: number, a: Float32Array, b: Float32Array): Float32Array {
  const c = core();
  const [A, Bm, P, C] = [new WasmArray(M * K), new WasmArray(K * N), new WasmArray(c.gemmPackedSize(K, N)), new WasmArray(M * N)];
  A.f32().set(a);
  Bm.f32().set(b);
  c.gemmPackB(K, N, Bm.ptr, N, 1, P.ptr);
  c.gemmPacked(M, N, K, A.ptr, K, 1, P.ptr, C.ptr, N, 0);
  const out = C.f32().slice();
  for (const w of [A, Bm, P, C]) w.free();
  return out;
}

describe("gemv: the lone-row product over packed panels (assembly/gemv.ts)", () => {
  it("a row alone (batch 1) gives the same bits as in a quad of rows (the 4 x 8 tile), over pairs of panels, a last one alone and several K slices", () => {
    for (const N of [1, 17, 33, 64, 65, 97, 1024]) {
      for (const K of [1, 5, 128, 300]) {
        const a = randomArray(4 * K, N + K);
        const b = randomArray(K * N, 3 * N + K);
        const quad = packedProduct(4, N, K, a, b);
        for (let i = 0; i < 4; i++) {
          assert.deepEqual(packedProduct(1, N, K, a.subarray(i * K, (i + 1) * K), b), quad.subarray(i * N, (i + 1) * N), `N ${N} K ${K} row ${i}`);
        }
      }
    }
  });

  const SIZES = [1, 3, 5, 17, 33];
  /** C [M, N] = A [M, K] · B [K, N] in float64, B given as [K, N]. */
  function reference(M: number, N: number, K: number, a: Float32Array, b: Float32Array): Float64Array {
    const c = new Float64Array(M * N);
    for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) c[i * N + n]! += a[i * K + k]! * b[k * N + n]!;
    return c;
  }

  it("rows of M in {1, 3, 5} (batch 1 and the rows after the quads) for every N in {1, 3, 5, 17, 33, 65, 97}, K in {1, 3, 5, 17, 33, 300}, accumulate 0 and 1", () => {
    const c = core();
    for (const M of [1, 3, 5]) {
      for (const N of [...SIZES, 65, 97]) {
        for (const K of [...SIZES, 300]) {
          for (const accumulate of [0, 1]) {
            const A = new WasmArray(M * K);
            const Bm = new WasmArray(K * N);
            const P = new WasmArray(c.gemmPackedSize(K, N) + 8);
            const C = new WasmArray(M * N + 8);
            A.f32().set(randomArray(M * K, M * 7 + K));
            Bm.f32().set(randomArray(K * N, N * 11 + K));
            C.f32().fill(0.5);
            C.f32().fill(12345.5, M * N);
            c.gemmPackB(K, N, Bm.ptr, N, 1, P.ptr);
            c.gemmPacked(M, N, K, A.ptr, K, 1, P.ptr, C.ptr, N, accumulate);
            const want = reference(M, N, K, A.f32(), Bm.f32());
            const got = C.f32();
            for (let i = 0; i < M * N; i++) {
              const w = want[i]! + (accumulate ? 0.5 : 0);
              assert.ok(Math.abs(got[i]! - w) <= 1e-5 * (1 + Math.abs(w)), `M ${M} N ${N} K ${K} acc ${accumulate} [${i}]: ${got[i]} vs ${w}`);
            }
            assert.deepEqual(Array.from(got.subarray(M * N)), new Array(8).fill(12345.5), `M ${M} N ${N} K ${K}: wrote past C`);
            for (const w of [A, Bm, P, C]) w.free();
          }
        }
      }
    }
  });
});
