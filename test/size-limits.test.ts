// Issue 11, item 3: every option or argument that sets an allocation is checked against what the
// wasm core can hold, before anything is allocated: a RangeError from the function the user called,
// naming the option, the bytes it would need and the limit. Nothing here allocates gigabytes.
import assert from "node:assert/strict";
import {
  LSTM, GRU, SimpleRNN, Jordan, Dense, Embedding, Model, Seq2Seq, NgramHasher, Vocabulary,
  shuffledIndices, trainValidationSplit, bucketByLength, padSequences, slidingWindows, selectSequences,
} from "../bindings/index.js";
import { MAX_BLOCK_BYTES, MAX_BLOCK_VALUES, MAX_LAYERS, checkAllocation, checkParameterBlock, parameterBlockValues } from "../bindings/sizes.js";
import { checkModelBatch, checkModelParameters } from "../bindings/layer-chain.js";
import { stageF32 } from "../bindings/tensor.js";
import { WasmArray } from "../bindings/buffer.js";
import type { Layer } from "../bindings/layers/layer.js";

/** A RangeError from `where` that names `what`, says how many bytes it needs and gives the core's limit. */
function sizeError(where: string, what: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof RangeError, `expected a RangeError; got ${String(e)}`);
    assert.ok(e.message.startsWith(`${where}: `), e.message);
    assert.match(e.message, what);
    assert.match(e.message, /would need (more than )?\d[\d.e+]* bytes/);
    assert.ok(e.message.includes(`at most ${MAX_BLOCK_BYTES} bytes`), e.message);
    return true;
  };
}

/** How long `body` takes, in ms. */
function timed(body: () => void): number {
  const t0 = performance.now();
  body();
  return performance.now() - t0;
}

describe("size limits: the shared check", () => {
  it("the limit is the core allocator's largest block, 2^30 - 4 bytes (2^28 - 1 floats)", () => {
    assert.equal(MAX_BLOCK_BYTES, 1073741820);
    assert.equal(MAX_BLOCK_VALUES, 2 ** 28 - 1);
    assert.equal(checkAllocation("f", "x", MAX_BLOCK_VALUES), MAX_BLOCK_VALUES);
    assert.throws(() => checkAllocation("f", "x [2, 2^27]", 2 ** 28), sizeError("f", /^f: x \[2, 2\^27\] would need 1073741824 bytes \(1\.0 GiB\)/));
    assert.throws(() => checkAllocation("f", "y", 1e300), sizeError("f", /y would need 4\.000e\+300 bytes/));
  });

  it("parameters are one block, each padded to 4 floats: exactly at the limit passes, one float more throws", () => {
    assert.equal(parameterBlockValues([{ name: "a", shape: [3] }, { name: "b", shape: [2, 3] }]), 4 + 8);
    const at = [{ name: "w", shape: [4, (MAX_BLOCK_VALUES + 1) / 4 - 1] }, { name: "b", shape: [3] }];
    assert.equal(parameterBlockValues(at), MAX_BLOCK_VALUES + 1 - 4 + 4);
    checkParameterBlock("f", "units 1", [{ name: "w", shape: [MAX_BLOCK_VALUES - 3] }]);
    assert.throws(() => checkParameterBlock("f", "units 9", at), sizeError("f", /^f: units 9: the parameters \(the largest is w \[4, 67108863\]\)/));
  });

  it("staging x checks its size before copying into wasm", () => {
    const huge = { length: MAX_BLOCK_VALUES + 1 } as unknown as Float32Array;
    const buf = new WasmArray(4);
    try {
      assert.throws(() => stageF32("Model.fit", "x", huge, buf), sizeError("Model.fit", /^Model\.fit: x \(268435456 values\)/));
    } finally {
      buf.free();
    }
  });
});

describe("size limits: layer and model options", () => {
  const cases: { name: string; build: () => unknown; where: string; what: RegExp }[] = [
    { name: "LSTM units", build: () => new LSTM({ units: 100_000, inputSize: 4 }), where: "LSTM", what: /units 100000, inputSize 4.*weight_hh_l0 \[400000, 100000\]/ },
    { name: "SimpleRNN inputSize", build: () => new SimpleRNN({ units: 1, inputSize: 2 ** 28 }), where: "SimpleRNN", what: /inputSize 268435456/ },
    { name: "GRU contextSize", build: () => new GRU({ units: 8, inputSize: 2, contextSize: 2 ** 24 }), where: "GRU", what: /contextSize 16777216.*weight_ch_l0 \[24, 16777216\]/ },
    { name: "Jordan outputUnits", build: () => new Jordan({ units: 2, inputSize: 2, outputUnits: 2 ** 27 }), where: "Jordan", what: /outputUnits 134217728/ },
    { name: "LSTM tokenInput vocabulary", build: () => new LSTM({ units: 64, inputSize: 2 ** 20, tokenInput: true }), where: "LSTM", what: /inputSize 1048576.*weight_ih_l0 \[256, 1048576\]/ },
    { name: "stacked layers", build: () => new GRU({ units: 3000, inputSize: 3000, numLayers: 11 }), where: "GRU", what: /numLayers 11/ },
    { name: "Embedding vocabulary", build: () => new Embedding({ inputSize: 100_000_000, units: 8 }), where: "Embedding", what: /units 8, inputSize 100000000.*weight \[100000000, 8\]/ },
    { name: "Dense units", build: () => new Dense({ units: 1e9, inputSize: 2 }), where: "Dense", what: /units 1000000000, inputSize 2/ },
    { name: "absurd units (1e300)", build: () => new LSTM({ units: 1e300, inputSize: 1 }), where: "LSTM", what: /units 1e\+300/ },
    {
      name: "Seq2Seq sourceVocabSize", build: () => new Seq2Seq({ sourceVocabSize: 100_000_000, targetVocabSize: 10, units: 8 }),
      where: "Seq2Seq", what: /sourceVocabSize 100000000.*sourceEmbedding\.weight \[100000000, 8\]/,
    },
    {
      name: "Seq2Seq targetVocabSize", build: () => new Seq2Seq({ sourceVocabSize: 10, targetVocabSize: 50_000_000, units: 8 }),
      where: "Seq2Seq", what: /targetVocabSize 50000000/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: a RangeError before anything is allocated`, () => {
      const ms = timed(() => assert.throws(c.build, sizeError(c.where, c.what)));
      assert.ok(ms < 200, `${c.name} took ${ms} ms`);
    });
  }

  it(`numLayers is at most ${MAX_LAYERS}; 1e6 fails at once`, () => {
    const ms = timed(() => {
      assert.throws(() => new LSTM({ units: 2, inputSize: 2, numLayers: 1e6 }), /^RangeError: LSTM: numLayers must be <= 64; got 1000000$/);
      assert.throws(() => new Seq2Seq({ sourceVocabSize: 8, targetVocabSize: 8, units: 2, numLayers: 65 }), /^RangeError: Seq2Seq: numLayers must be <= 64; got 65$/);
    });
    assert.ok(ms < 100, `took ${ms} ms`);
    const deep = new SimpleRNN({ units: 2, inputSize: 2, numLayers: MAX_LAYERS, seed: 0 });
    assert.equal(deep.stateDict()[`weight_hh_l${MAX_LAYERS - 1}`]!.shape.join(), "2,2");
    deep.dispose();
  });

  it("a model whose layers fit alone but not together: the Model names every layer", () => {
    // Stand-ins with the Layer surface checkModelParameters reads: building real ones would allocate 2 GiB.
    class Big {
      constructor(readonly floats: number) {}
      paramSpecs(): { name: string; shape: number[] }[] {
        return [{ name: "weight", shape: [this.floats] }];
      }
      sizeOptions(): string {
        return `units ${this.floats}`;
      }
    }
    const half = 2 ** 27;
    const layers = [new Big(half), new Big(half)] as unknown as Layer[];
    assert.throws(() => checkModelParameters("Model", layers), sizeError("Model", /^Model: layers\[0\] \(Big\): units 134217728; layers\[1\] \(Big\): units 134217728: the parameters \(the largest is 0\.weight/));
    checkModelParameters("Model", [new Big(half - 4)] as unknown as Layer[]);
  });

  it("a batch too large for a layer's workspaces: forward, backward and the model's batches, and the model stays usable", async () => {
    const lstm = new LSTM({ units: 1024, inputSize: 1, seed: 1 });
    const x = { shape: [300, 256, 1], data: new Float32Array(300 * 256) };
    assert.throws(() => lstm.forward(x), sizeError("LSTM.forward", /^LSTM\.forward: x \[300, 256, 1\] \(LSTM gates \[300, 256, 4096\]\)/));
    const tokens = new LSTM({ units: 1, inputSize: 2 ** 20, tokenInput: true, seed: 2 });
    tokens.forward({ shape: [300, 1], data: new Int32Array(300) });
    assert.throws(() => tokens.backward(null), sizeError("LSTM.backward", /^LSTM\.backward: dInput \[300, 1, 1048576\]/));
    tokens.dispose();

    const model = new Model({ layers: [lstm, new Dense({ units: 1, inputSize: 1024, seed: 3 })], loss: "meanSquaredError" });
    assert.throws(() => checkModelBatch("Model.fit", model.layers, 300, 256), sizeError("Model.fit", /^Model\.fit: a batch of 300 steps and 256 sequences \(LSTM gates \[300, 256, 4096\]\)/));
    checkModelBatch("Model.fit", model.layers, 300, 16);
    const before = model.predict({ shape: [2, 1, 1], data: Float32Array.of(0.5, -0.5) });
    await assert.rejects(model.fit(x, { shape: [300, 256, 1], data: new Float32Array(300 * 256) }, { batchSize: 256 }),
      (e: unknown) => e instanceof RangeError && /a batch of 300 steps and 256 sequences \(LSTM gates \[300, 256, 4096\]\) would need 1258291200 bytes/.test(e.message));
    assert.deepEqual(model.predict({ shape: [2, 1, 1], data: Float32Array.of(0.5, -0.5) }), before);
    model.dispose();
  });
});

describe("size limits: sequence utilities", () => {
  it("NgramHasher buckets and encode", () => {
    assert.throws(() => new NgramHasher({ buckets: 2 ** 28 }), sizeError("NgramHasher", /^NgramHasher: buckets 268435456 \(one vector/));
    const hasher = new NgramHasher({ buckets: 2 ** 27 });
    assert.throws(() => hasher.encode(["a", "b", "c"]), sizeError("NgramHasher.encode", /words \(3\) × buckets \(134217728\)/));
  });

  it("shuffle sizes: shuffledIndices, trainValidationSplit", () => {
    assert.throws(() => shuffledIndices(2 ** 28, 0), sizeError("shuffledIndices", /^shuffledIndices: n 268435456 \(the permutation\)/));
    assert.throws(() => trainValidationSplit(1e12, { validationFraction: 0.5, seed: 1 }), sizeError("trainValidationSplit", /n 1000000000000/));
    assert.equal(bucketByLength([3, 1, 2], 2, { seed: 0 }).length, 2);
  });

  it("tensors built for a model: oneHot, padSequences, slidingWindows, selectSequences", () => {
    const vocab = Vocabulary.build([Array.from({ length: 10_000 }, (_, i) => `w${i}`)]);
    assert.throws(() => vocab.oneHot(new Int32Array(27_000)), sizeError("Vocabulary.oneHot", /ids \(27000\) × the vocabulary size \(10004\)/));
    assert.throws(() => padSequences([[1, 2]], { padding: "post", maxLength: 2 ** 28 }), sizeError("padSequences", /maxLength \(268435456\) × seqs\.length \(1\)/));
    assert.throws(() => slidingWindows(new Float32Array(40_000), { window: 10_000 }), sizeError("slidingWindows", /window \(10000\) × windows \(30000\) × features \(1\)/));
    const t = { shape: [1000, 2, 1000], data: new Float32Array(2_000_000) };
    assert.throws(() => selectSequences(t, new Int32Array(300)), sizeError("selectSequences", /the selection \[1000, 300, 1000\]/));
  });
});
