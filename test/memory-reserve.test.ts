// Reserving wasm memory once before the first batch: after model.reserve(shape) (or the reservation
// trainOnBatch, fit, evaluate and predict make themselves) the steps do not grow wasm memory; the
// core's reserve grows it at most once; memoryInfo() reports the memory, the bytes in use and their
// peak; and W1 (issue 5) peaks within 1.5x of parameters + optimizer state + what BPTT keeps.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { Model } from "../bindings/model.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { GRU } from "../bindings/layers/gru.js";
import { Jordan } from "../bindings/layers/jordan.js";
import { Dense } from "../bindings/layers/dense.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { SGD } from "../bindings/optimizers.js";
import { core, memoryInfo } from "../bindings/core.js";
import { WasmArray } from "../bindings/buffer.js";
import type { W1Memory } from "../bench/w1-memory.js";
import { wasmPath } from "./helpers/wasm-path.js";

const memoryBytes = (): number => core().memory.buffer.byteLength;

/** Ids [T, N] in [0, V) and class targets [T, N] in [0, C). */
function batch(T: number, N: number, V: number, C: number): { x: { shape: number[]; data: Int32Array }; y: { shape: number[]; data: Int32Array } } {
  return {
    x: { shape: [T, N], data: Int32Array.from({ length: T * N }, (_, i) => (i * 7) % V) },
    y: { shape: [T, N], data: Int32Array.from({ length: T * N }, (_, i) => (i * 5) % C) },
  };
}

/** Models of several kinds reading ids of 17 into 5 classes, with large enough workspaces to need memory. */
const MODELS: [string, () => Model][] = [
  ["LSTM on token ids + Dense, Adam", () => new Model({ layers: [new LSTM({ inputSize: 17, units: 96, tokenInput: true, seed: 1 }), new Dense({ inputSize: 96, units: 5, seed: 2 })], loss: "softmaxCrossEntropy" })],
  ["Embedding + bidirectional GRU (2 layers) + Dense, SGD", () => new Model({
    layers: [new Embedding({ inputSize: 17, units: 24, seed: 3 }), new GRU({ inputSize: 24, units: 40, numLayers: 2, bidirectional: true, seed: 4 }), new Dense({ inputSize: 80, units: 5, activation: "tanh", seed: 5 })],
    loss: "softmaxCrossEntropy", optimizer: new SGD({ lr: 0.1, momentum: 0.9 }),
  })],
  ["Jordan on token ids + Dense", () => new Model({ layers: [new Jordan({ inputSize: 17, units: 64, outputUnits: 30, tokenInput: true, seed: 6 }), new Dense({ inputSize: 30, units: 5, seed: 7 })], loss: "softmaxCrossEntropy" })],
];

describe("memory: one reservation before the first batch", () => {
  for (const [name, make] of MODELS) {
    it(`${name}: after model.reserve, training steps and predictions of that shape do not grow wasm memory`, () => {
      const model = make();
      try {
        const { x, y } = batch(150, 24, 17, 5);
        assert.ok(model.reserve({ T: 150, B: 24 }) > 0);
        const reserved = memoryBytes();
        for (let i = 0; i < 3; i++) model.trainOnBatch(x, y);
        model.predict(x, { batchSize: 24 });
        assert.equal(memoryBytes(), reserved);
        assert.equal(model.reserve({ T: 150, B: 24 }), 0, "nothing is missing the second time");
        assert.equal(model.reserve({ T: 100, B: 24, training: false }), 0, "a smaller inference batch fits");
      } finally {
        model.dispose();
      }
    });
  }

  it("fit reserves before its first batch (lengths and validation batches included): no batch grows wasm memory", async () => {
    const model = MODELS[1]![1]();
    const exports = core();
    const reserve = exports.reserve;
    const reservedAt: number[] = [];
    exports.reserve = (bytes: number): void => {
      reserve(bytes);
      reservedAt.push(memoryBytes());
    };
    try {
      const { x, y } = batch(120, 40, 17, 5);
      const lengths = Int32Array.from({ length: 40 }, (_, i) => 120 - i);
      const validation = { ...batch(90, 16, 17, 5), lengths: Int32Array.from({ length: 16 }, (_, i) => 90 - 3 * i) };
      const sizes: number[] = [];
      await model.fit(x, y, { epochs: 2, batchSize: 16, lengths, validationData: validation, onBatchEnd: () => { sizes.push(memoryBytes()); } });
      assert.equal(reservedAt.length, 1, "one reservation");
      assert.deepEqual(new Set(sizes), new Set(reservedAt), `wasm memory after the reservation ${reservedAt[0]}, after each batch: ${sizes.join(", ")}`);
    } finally {
      exports.reserve = reserve;
      model.dispose();
    }
  });

  it("workspaceSize counts every layer's workspace and the step's own blocks; reserve checks its shape", () => {
    const model = MODELS[0]![1]();
    try {
      const [lstm, dense] = model.layers;
      const layers = lstm!.workspaceSize({ T: 30, B: 8, inputGradient: false }) + dense!.workspaceSize({ T: 30, B: 8 });
      const step = model.workspaceSize({ T: 30, B: 8 });
      assert.ok(step > layers, `${step} > ${layers}`);
      assert.ok(model.workspaceSize({ T: 30, B: 8, training: false }) < step);
      assert.throws(() => model.reserve({ T: 30, B: 0 }), /^RangeError: Model\.reserve: B must be >= 1/);
      assert.throws(() => model.workspaceSize({ T: 30 } as never), /^TypeError: Model\.workspaceSize: B must be an integer/);
    } finally {
      model.dispose();
    }
  });

  it("the core's reserve grows memory at most once, and blocks of the reserved bytes then fit", () => {
    const bytes = memoryBytes() + (3 << 20);
    const before = memoryBytes();
    core().reserve(bytes);
    const after = memoryBytes();
    assert.ok(after > before && after <= before + bytes + (1 << 16), `${before} -> ${after}`);
    const blocks = [0.5, 0.25, 0.25].map((share) => new WasmArray(Math.floor((share * bytes) / 4) - 64));
    assert.equal(memoryBytes(), after);
    for (const block of blocks) block.free();
    core().reserve(bytes);
    assert.equal(memoryBytes(), after, "a second reserve of the same size finds the room");
  });

  it("memoryInfo() reports the memory, the bytes in use and their peak", () => {
    const before = memoryInfo();
    const block = new WasmArray(1000);
    const during = memoryInfo();
    block.free();
    const after = memoryInfo();
    assert.equal(during.memoryBytes, memoryBytes());
    assert.ok(during.inUseBytes - before.inUseBytes >= 4000 && during.inUseBytes - before.inUseBytes <= 4032, `${during.inUseBytes - before.inUseBytes}`);
    assert.equal(after.inUseBytes, before.inUseBytes);
    assert.ok(during.peakInUseBytes >= during.inUseBytes && after.peakInUseBytes === during.peakInUseBytes);
  });

  it("W1 peaks within 1.5x of parameters + gradients + Adam moments + what BPTT keeps (a fresh process)", async () => {
    const script = `import { readFile } from "node:fs/promises";
      const { init } = await import(${JSON.stringify(new URL("../bindings/index.js", import.meta.url).href)});
      const { measureW1 } = await import(${JSON.stringify(new URL("../bench/w1-memory.js", import.meta.url).href)});
      await init(await readFile(${JSON.stringify(wasmPath())}));
      console.log(JSON.stringify(measureW1()));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { cwd: fileURLToPath(new URL(".", import.meta.url)) });
    const m = JSON.parse(stdout) as W1Memory;
    const ratio = m.peak / (m.parameters + m.activations);
    assert.ok(ratio <= 1.5, `peak ${m.peak} bytes is ${ratio.toFixed(3)}x of ${m.parameters} + ${m.activations}`);
    assert.ok(m.peakInUse <= m.peak);
  });
});
