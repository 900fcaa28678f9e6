// Rows of the property-based suite for files and the core: Model.load and Seq2Seq.load of saved
// files with one flipped bit, one overwritten byte, a cut or an extra byte (issue 11 item 6: refused,
// or loading exactly the model that was saved), the interop readers and writers on corrupted and
// random input, the model importers, and init() with sources that are not the wasm-rnn core
// (refused, and the running core kept). The init row must run last: a core it wrongly accepts
// replaces the one every other row uses.
import fc from "fast-check";
import { readFileSync } from "node:fs";
import {
  Model, Seq2Seq, init, readSafetensors, writeSafetensors, readTorchStateDict, toOnnx, toTfjs,
  type SafetensorsFile, type TfjsArtifacts,
} from "../../bindings/index.js";
import { options, junk, orJunk, stateDict, shapesOf } from "./arbitraries.js";
import { row, disposing, type Row } from "./entry.js";
import { ContractViolation, changedKeys, type Fingerprint } from "./contract.js";
import { MODEL_SPECS, modelOf, modelFingerprint, seq2seqFixture, seq2seqFingerprint, watchModel, watchSeq2seq } from "./property-fixtures.js";

/** How a file is damaged: one bit flipped, one byte overwritten, cut short, or a byte appended. */
interface Damage {
  kind: "flip" | "overwrite" | "truncate" | "append";
  /** Where, as a fraction of the file (or of the safetensors header when `inHeader`). */
  at: number;
  inHeader: boolean;
  bit: number;
  byte: number;
}

const damage: fc.Arbitrary<Damage> = fc.record({
  kind: fc.constantFrom("flip", "overwrite", "truncate", "append"),
  at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  inHeader: fc.boolean(),
  bit: fc.integer({ min: 0, max: 7 }),
  byte: fc.integer({ min: 0, max: 255 }),
});

/** The end of a safetensors header (8 + its little-endian length), or the file's length if that is no header. */
function headerEnd(bytes: Uint8Array): number {
  if (bytes.length < 8) return bytes.length;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(0, true);
  return Math.min(bytes.length, 8 + n);
}

/** A damaged copy of `bytes`. */
function damaged(bytes: Uint8Array, d: Damage): Uint8Array {
  const span = d.inHeader ? headerEnd(bytes) : bytes.length;
  const at = Math.floor(d.at * span);
  if (d.kind === "truncate") return bytes.slice(0, at);
  if (d.kind === "append") return Uint8Array.from([...bytes, d.byte]);
  const out = bytes.slice();
  out[at] = d.kind === "flip" ? out[at]! ^ (1 << d.bit) : d.byte === out[at] ? d.byte ^ 0xff : d.byte;
  return out;
}

/** Throws a ContractViolation when a damaged file loaded as something else than the file that was saved. */
function assertSameModel(where: string, saved: Fingerprint, loaded: Fingerprint): void {
  const changed = changedKeys(saved, loaded);
  if (changed.length > 0) throw new ContractViolation(`${where} accepted a damaged file and built a different model (${changed.join(", ")})`);
}

const modelLoad = row({
  where: "Model.load",
  variant: "a saved file with one bit flipped, a byte overwritten, cut or extended",
  args: fc.tuple(fc.constantFrom(...MODEL_SPECS), fc.boolean(), damage),
  call: ([spec, includeOptimizer, d]) => {
    const bytes = modelOf(spec).save({ includeOptimizer });
    const reference = Model.load(bytes);
    try {
      const copy = Model.load(damaged(bytes, d));
      try {
        assertSameModel("Model.load", modelFingerprint(reference, spec), modelFingerprint(copy, spec));
      } finally {
        copy.dispose();
      }
    } finally {
      reference.dispose();
    }
    return null;
  },
  watch: ([spec]) => [watchModel(spec)],
  runs: 120,
});

const modelLoadJunk = row({
  where: "Model.load",
  variant: "junk",
  args: fc.oneof(junk, fc.uint8Array({ maxLength: 64 }), fc.constant(null).map(() => seq2seqFixture().save())),
  call: (bytes) => {
    Model.load(bytes as never).dispose();
    return null;
  },
});

const seq2seqLoad = row({
  where: "Seq2Seq.load",
  variant: "a saved file with one bit flipped, a byte overwritten, cut or extended",
  args: damage,
  call: (d) => {
    const bytes = seq2seqFixture().save();
    const reference = Seq2Seq.load(bytes);
    try {
      const copy = Seq2Seq.load(damaged(bytes, d));
      try {
        assertSameModel("Seq2Seq.load", seq2seqFingerprint(reference), seq2seqFingerprint(copy));
      } finally {
        copy.dispose();
      }
    } finally {
      reference.dispose();
    }
    return null;
  },
  watch: () => [watchSeq2seq],
  runs: 80,
});

const interop = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../../test/fixtures/interop/${name}`, import.meta.url)));

/** What a reader returned, without the values (a file may hold any float): names, shapes, metadata. */
function layout(file: SafetensorsFile | Record<string, { shape: number[] }>): unknown {
  const tensors = "tensors" in file && "metadata" in file ? (file as SafetensorsFile).tensors : (file as Record<string, { shape: number[] }>);
  return { shapes: shapesOf(tensors as Record<string, { shape: number[] }>), metadata: "metadata" in file ? (file as SafetensorsFile).metadata : null };
}

/** Bytes from a fixture file, damaged; or junk. */
function damagedFile(name: string): fc.Arbitrary<unknown> {
  return orJunk(damage.map((d) => damaged(interop(name), d)));
}

/** A toOnnx / toTfjs export of a fixture model, computed when drawn. */
function exported<T>(make: (m: Model) => T): fc.Arbitrary<T | null> {
  return fc.constantFrom(...MODEL_SPECS).map((spec) => {
    try {
      return make(modelOf(spec));
    } catch {
      return null;
    }
  });
}

/** TF.js artifacts of a fixture model with one part damaged. */
const tfjsArtifacts = fc.tuple(exported((m) => toTfjs(m)), fc.constantFrom("topology", "shape", "dtype", "weightData", "none"), junk).map(([a, part, value]) => {
  if (a === null) return value;
  const t = a as TfjsArtifacts;
  if (part === "topology") return { ...t, modelTopology: value };
  if (part === "shape") return { ...t, weightSpecs: t.weightSpecs.map((s, i) => (i === 0 ? { ...s, shape: [...s.shape, 2] } : s)) };
  if (part === "dtype") return { ...t, weightSpecs: t.weightSpecs.map((s, i) => (i === 0 ? { ...s, dtype: "int32" } : s)) };
  if (part === "weightData") return { ...t, weightData: t.weightData.slice(0, t.weightData.byteLength - 4) };
  return t;
});

/** A model an importer built: its parameters (finite), then disposed. */
function readBack(model: Model): unknown {
  return disposing(model, (m) => m.stateDict());
}

const lossOption = options({ loss: fc.constantFrom("softmaxCrossEntropy", "meanSquaredError", "binaryCrossEntropyWithLogits", "mse") });

const EMPTY_MODULE = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
/** A module that exports a memory and nothing else. */
const MEMORY_MODULE = Uint8Array.from([...EMPTY_MODULE, 5, 3, 1, 0, 1, 7, 10, 1, 6, ...[..."memory"].map((c) => c.charCodeAt(0)), 2, 0]);

/** Rows of files and the core; the init row last. */
export const FILE_ROWS: readonly Row[] = [
  modelLoad,
  modelLoadJunk,
  seq2seqLoad,
  row({ where: "readSafetensors", args: fc.oneof(damagedFile("gru.safetensors"), damagedFile("lstm_2layer_bi.safetensors")), call: (b) => layout(readSafetensors(b as never)), runs: 80 }),
  row({ where: "readTorchStateDict", args: fc.oneof(damagedFile("gru.pt"), damagedFile("sequential.pt")), call: (b) => layout(readTorchStateDict(b as never)), runs: 80 }),
  row({
    where: "writeSafetensors",
    args: fc.tuple(fc.constant(null).chain(() => stateDict(shapesOf(modelOf(MODEL_SPECS[0]!).stateDict()), ["x.y"], "", false)), orJunk(fc.dictionary(fc.constantFrom("a", "format", "__metadata__"), orJunk(fc.string({ maxLength: 4 })), { maxKeys: 2 }))),
    call: ([t, m]) => writeSafetensors(t as never, m as never).length,
  }),
  row({
    where: "toOnnx",
    args: fc.tuple(fc.constantFrom(...MODEL_SPECS), options({ softmax: fc.boolean(), opset: fc.integer({ min: 12, max: 23 }), lengths: fc.boolean(), idsType: fc.constantFrom("int64", "int32", "float") })),
    call: ([spec, o]) => toOnnx(modelOf(spec), o as never).length,
    watch: ([spec]) => [watchModel(spec)],
  }),
  row({
    where: "toTfjs",
    args: fc.tuple(fc.constantFrom(...MODEL_SPECS), options({ sequenceLength: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(0, -1, 1.5)), name: fc.constantFrom("m", "", "a/b") })),
    call: ([spec, o]) => toTfjs(modelOf(spec), o as never).weightSpecs,
    watch: ([spec]) => [watchModel(spec)],
  }),
  row({
    where: "Model.fromOnnx",
    args: fc.tuple(fc.oneof(damagedFile("gru.onnx"), fc.tuple(exported((m) => toOnnx(m)), damage).map(([b, d]) => (b === null ? b : damaged(b, d)))), lossOption),
    call: ([b, o]) => readBack(Model.fromOnnx(b as never, o as never)),
    runs: 80,
  }),
  row({ where: "Model.fromTfjs", args: fc.tuple(tfjsArtifacts, lossOption), call: ([a, o]) => readBack(Model.fromTfjs(a as never, o as never)) }),
  row({
    where: "Model.fromStateDict",
    args: fc.tuple(
      fc.constantFrom(...MODEL_SPECS).chain((spec) => fc.constant(null).chain(() => stateDict(shapesOf(modelOf(spec).stateDict()), ["9.weight", "0.weight_ih_l5", "x"]))),
      options({ loss: fc.constantFrom("softmaxCrossEntropy", "meanSquaredError", "ce"), prefix: fc.constantFrom("", "module."), rnnActivation: fc.constantFrom("tanh", "relu", "gelu") }, ["loss"]),
    ),
    call: ([dict, o]) => readBack(Model.fromStateDict(dict as never, o as never)),
  }),
  row({
    where: "init",
    variant: "sources that are not the wasm-rnn core",
    args: fc.oneof(
      // a plain object is init's options object, not a source (test/threads.test.ts)
      junk.filter((j) => j !== undefined && !(typeof j === "object" && j !== null && Object.getPrototypeOf(j) === Object.prototype)),
      fc.uint8Array({ minLength: 1, maxLength: 32 }),
      fc.constantFrom<(() => unknown)[]>(() => EMPTY_MODULE.slice(), () => MEMORY_MODULE.slice(), () => new WebAssembly.Module(EMPTY_MODULE), () => new WebAssembly.Module(MEMORY_MODULE),
        () => new Response(EMPTY_MODULE)).map((make) => make()),
    ),
    call: async (source) => {
      await init(source as never);
      return null;
    },
    mustReject: () => ["not the wasm-rnn core"],
    runs: 30,
  }),
];
