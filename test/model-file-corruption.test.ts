// Corrupted model files: every single flipped bit of a small Model file, every byte of it
// overwritten with JSON-significant values, and a flipped bit and an overwritten value at every
// byte of a Seq2Seq file are refused with a "<Class>.load:" TypeError / RangeError, or load as
// exactly the saved model (a space of the header's padding turned into another JSON whitespace).
// Version-1 files have no checksum: corruption of their weights goes unnoticed (documented).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { Model } from "../bindings/model.js";
import { Seq2Seq } from "../bindings/seq2seq/seq2seq.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { Dense } from "../bindings/layers/dense.js";
import { Adam, SGD } from "../bindings/optimizers.js";
import { savedAfterOneStep } from "./helpers/model-files.js";

interface Saved {
  save(): Uint8Array;
  dispose(): void;
}

/** Bytes an overwritten byte takes: NUL, JSON whitespace, a quote, a brace, a digit, 0xff. */
const OVERWRITES = [0x00, 0x09, 0x0a, 0x20, 0x22, 0x7d, 0x31, 0xff];

/** What loading `corrupt` gave: "refused" (a labelled error) or "same" (the model saved as `original`); anything else fails. */
function outcome(load: (bytes: Uint8Array) => Saved, where: string, original: Uint8Array, corrupt: Uint8Array): "refused" | "same" {
  let model: Saved;
  try {
    model = load(corrupt);
  } catch (e) {
    assert.ok((e instanceof TypeError || e instanceof RangeError) && e.message.startsWith(`${where}: `), `not a labelled refusal: ${String(e)}`);
    return "refused";
  }
  try {
    assert.deepEqual(model.save(), original, "a corrupt file loaded as a different model");
  } finally {
    model.dispose();
  }
  return "same";
}

/** Counts of the outcomes of loading every corruption `corrupt(bytes, i, k)` for i over the bytes and k < variants. */
function sweep(load: (bytes: Uint8Array) => Saved, where: string, original: Uint8Array, variants: number,
  corrupt: (bytes: Uint8Array, i: number, k: number) => Uint8Array | null): { refused: number; same: number } {
  const counts = { refused: 0, same: 0 };
  for (let i = 0; i < original.length; i++) {
    for (let k = 0; k < variants; k++) {
      const bytes = corrupt(original.slice(), i, k);
      if (bytes !== null) counts[outcome(load, where, original, bytes)]++;
    }
  }
  return counts;
}

function smallModel(): Uint8Array {
  return savedAfterOneStep(new Model({
    layers: [new Embedding({ inputSize: 3, units: 2, seed: 1 }), new Dense({ inputSize: 2, units: 3, seed: 2 })],
    loss: "softmaxCrossEntropy", optimizer: new Adam({ lr: 0.1 }), clipNorm: 1,
  }), { note: "a" });
}

function smallSeq2Seq(): Uint8Array {
  const model = new Seq2Seq({ sourceVocabSize: 4, targetVocabSize: 4, units: 2, embeddingSize: 2, seed: 1, optimizer: new SGD({ lr: 0.1 }) });
  const bytes = model.save();
  model.dispose();
  return bytes;
}

describe("corrupted model files", function () {
  this.timeout(60_000);

  it("every single flipped bit of a Model file (with Adam state) is refused", () => {
    const bytes = smallModel();
    const counts = sweep(Model.load, "Model.load", bytes, 8, (b, i, bit) => {
      b[i] ^= 1 << bit;
      return b;
    });
    assert.deepEqual(counts, { refused: 8 * bytes.length, same: 0 });
  });

  it("every byte of a Model file overwritten is refused or loads the same model (header padding as other whitespace)", () => {
    const bytes = smallModel();
    const headerEnd = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const padding = headerEnd - 1 - bytes.lastIndexOf(0x7d, headerEnd - 1); // the spaces after the header's closing brace
    assert.ok(padding > 0);
    const counts = sweep(Model.load, "Model.load", bytes, OVERWRITES.length, (b, i, k) => {
      if (b[i] === OVERWRITES[k]) return null;
      b[i] = OVERWRITES[k]!;
      return b;
    });
    // The same model only where a padding space became a tab or a newline; everything else refused.
    assert.equal(counts.same, 2 * padding);
  });

  it("a flipped bit and an overwritten byte at every byte of a Seq2Seq file are refused", () => {
    const bytes = smallSeq2Seq();
    const flips = sweep(Seq2Seq.load, "Seq2Seq.load", bytes, 1, (b, i) => {
      b[i] ^= 1 << (i % 8);
      return b;
    });
    assert.deepEqual(flips, { refused: bytes.length, same: 0 });
    const overwrites = sweep(Seq2Seq.load, "Seq2Seq.load", bytes, 1, (b, i) => {
      const value = OVERWRITES[i % OVERWRITES.length]!;
      if (b[i] === value || value === 0x09 || value === 0x0a) return null;
      b[i] = value;
      return b;
    });
    assert.equal(overwrites.same, 0);
  });

  it("version-1 files have no checksum: a flipped weight bit goes unnoticed, a corrupt header is a clear error or loads", () => {
    const fixture = new Uint8Array(readFileSync("test/fixtures/model-v1.wrnn"));
    const original = Model.load(fixture);
    const weight = fixture.slice();
    weight[weight.length - 2] ^= 0x01; // a low mantissa bit of the last bias: a slightly different, finite model
    const changed = Model.load(weight);
    assert.notDeepEqual(changed.stateDict()["2.bias"], original.stateDict()["2.bias"]);
    changed.dispose();
    const nan = fixture.slice();
    nan.set([0x00, 0x00, 0xc0, 0x7f], nan.length - 4);
    assert.throws(() => Model.load(nan), /^RangeError: Model\.load: tensor "2\.bias" must be finite; got NaN at flat index 5/);
    const headerEnd = 12 + new DataView(fixture.buffer, fixture.byteOffset).getUint32(8, true);
    fc.assert(fc.property(fc.integer({ min: 0, max: headerEnd - 1 }), fc.integer({ min: 0, max: 7 }), (at, bit) => {
      const corrupt = fixture.slice();
      corrupt[at] ^= 1 << bit;
      try {
        Model.load(corrupt).dispose();
      } catch (e) {
        return (e instanceof TypeError || e instanceof RangeError) && e.message.startsWith("Model.load: ");
      }
      return true;
    }), { seed: 11, numRuns: 600 });
    original.dispose();
  });
});
