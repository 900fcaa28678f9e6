// readTorchStateDict (zip + restricted unpickler) against the .pt fixtures of
// test/fixtures/gen_interop.py, the hostile and corrupt files, and fast-check corruptions;
// crc32 against zlib's values; the unpickler's opcode rules on hand-assembled pickles.
import assert from "node:assert/strict";
import fc from "fast-check";
import { crc32 } from "../bindings/formats/crc32.js";
import { PickleDict, PickleTuple, unpickle, type PickleGlobal, type UnpicklerHooks } from "../bindings/formats/pickle.js";
import { readTorchStateDict } from "../bindings/formats/torch.js";
import { sizeOf } from "../bindings/tensor.js";
import { allocationsDuring, assertReaderError, assertRefused, assertTensorsEqual, fixtureBytes, interop, type FixtureTensor } from "./helpers/interop.js";

const READ = "readTorchStateDict";

function withoutPrefix(dict: Record<string, FixtureTensor>, prefix: string): Record<string, FixtureTensor> {
  return Object.fromEntries(Object.entries(dict).map(([k, v]) => [k.startsWith(prefix) ? k.slice(prefix.length) : k, v]));
}

/** Where the data of the stored entry `name` starts (after its local header, name and extra field). */
function entryDataOffset(zip: Uint8Array, name: string): number {
  const nameAt = Buffer.from(zip).indexOf(name);
  const extraLength = new DataView(zip.buffer, zip.byteOffset).getUint16(nameAt - 2, true);
  return nameAt + name.length + extraLength;
}

describe("readTorchStateDict", () => {
  for (const [name, m] of Object.entries(interop.modules)) {
    it(`reads ${m.files.pt} bit for bit, in the saved order${m.keyPrefix ? `, without DDP's "${m.keyPrefix}" prefix` : ""}`, () => {
      const tensors = readTorchStateDict(fixtureBytes(m.files.pt));
      assertTensorsEqual(name, tensors, withoutPrefix(m.stateDict, m.keyPrefix));
      assert.deepEqual(Object.keys(tensors), m.savedKeys.map((k) => k.slice(m.keyPrefix.length)));
    });
  }

  it("converts float16, bfloat16 and float64 tensors to float32 as PyTorch does", () => {
    assertTensorsEqual("dtypes.pt", readTorchStateDict(fixtureBytes("dtypes.pt")), interop.dtypes.tensors);
  });

  it("honours storage offsets and strides (transposed, sliced, expanded views of shared storages)", () => {
    const { strided } = interop;
    assert.ok(Object.values(strided.tensors).some((t) => t.stride.includes(0)) && Object.values(strided.tensors).some((t) => t.storageOffset > 0));
    assertTensorsEqual(strided.file, readTorchStateDict(fixtureBytes(strided.file)), strided.tensors);
  });

  it('strips "module." and "_orig_mod." prefixes repeatedly, in any order, only at the start', () => {
    const { prefixes } = interop;
    const tensors = readTorchStateDict(fixtureBytes(prefixes.file));
    assertTensorsEqual(prefixes.file, tensors, prefixes.stateDict);
    assert.deepEqual(Object.keys(tensors), ["fc.weight", "fc.bias", "lstm.weight_ih_l0", "plain.module.keep"]);
  });

  it("skips a 0-dim int64 tensor (BatchNorm's num_batches_tracked) and keeps the float entries", () => {
    const { batchnorm } = interop;
    const tensors = readTorchStateDict(fixtureBytes(batchnorm.file));
    assertTensorsEqual(batchnorm.file, tensors, batchnorm.stateDict);
    for (const skipped of batchnorm.skipped) assert.ok(!(skipped in tensors));
  });

  it("reads an archive with ZIP64 central-directory records and one with big-endian storages", () => {
    for (const { file, stateDict } of [interop.zip64, interop.byteorder]) assertTensorsEqual(file, readTorchStateDict(fixtureBytes(file)), stateDict);
  });

  it("returns copies that do not share the file's buffer", () => {
    const bytes = fixtureBytes("rnn_relu.pt");
    const tensors = readTorchStateDict(bytes);
    const before = tensors.weight_ih_l0!.data.slice();
    assert.ok(Object.values(tensors).every((t) => t.data.buffer !== bytes.buffer));
    bytes.fill(0);
    assert.deepEqual(tensors.weight_ih_l0!.data, before);
  });

  for (const r of interop.rejected.filter((x) => x.reader === "torch")) {
    it(`refuses ${r.file}, naming ${r.expect}`, () => assertRefused(() => readTorchStateDict(fixtureBytes(r.file)), READ, r.expect));
  }

  it("refuses hostile globals before decoding a single tensor, even after real tensors in the pickle", () => {
    assert.ok(allocationsDuring(() => readTorchStateDict(fixtureBytes("rnn_relu.pt"))).floatArrays > 0, "the spy sees a successful read's arrays");
    for (const file of ["hostile_os_system.pt", "hostile_eval.pt", "hostile_getattr.pt", "hostile_late_global.pt"]) {
      const { floatArrays } = allocationsDuring(() => assertRefused(() => readTorchStateDict(fixtureBytes(file)), READ, "which is not allowed"));
      assert.equal(floatArrays, 0, file);
    }
  });

  it("fails on the storage size check before allocating for a pickle that claims 2^40 elements", () => {
    const bytes = fixtureBytes("huge_claim.pt");
    const { largestBytes } = allocationsDuring(() => assertRefused(() => readTorchStateDict(bytes), READ, "claims 1099511627776 float32 elements"));
    assert.ok(largestBytes <= bytes.length, `allocated ${largestBytes} bytes for a ${bytes.length}-byte file`);
  });

  it("refuses int64 tensors with dimensions by name, and input that is no torch.save zip", () => {
    assertRefused(() => readTorchStateDict(fixtureBytes("int64_vector.pt")), READ, 'tensor "ids" has dtype int64; only float32, float64, float16 and bfloat16');
    assertRefused(() => readTorchStateDict(new Uint8Array(0)), READ, "an empty file");
    assertRefused(() => readTorchStateDict(fixtureBytes("gru.safetensors")), READ, "not a torch.save archive");
    assertRefused(() => readTorchStateDict([1, 2] as unknown as Uint8Array), READ, "bytes must be a Uint8Array");
  });

  it("detects a changed byte in a stored entry by its CRC-32", () => {
    const bytes = fixtureBytes("rnn_relu.pt");
    bytes[entryDataOffset(bytes, "rnn_relu/data/0") + 5] ^= 0x01;
    assertRefused(() => readTorchStateDict(bytes), READ, "CRC-32");
  });
});

describe("readTorchStateDict properties", () => {
  const sample = fixtureBytes("rnn_relu.pt");

  /** Reads `bytes`: a well-formed state dict, or a RangeError/TypeError from readTorchStateDict, nothing else. */
  function readsOrRefuses(bytes: Uint8Array): void {
    try {
      const tensors = readTorchStateDict(bytes);
      for (const t of Object.values(tensors)) assert.ok(t.data instanceof Float32Array && t.data.length === sizeOf(t.shape));
    } catch (e) {
      assertReaderError(e, READ);
    }
  }

  it("every truncation of a .pt file is refused cleanly", () => {
    for (let n = 0; n < sample.length; n++) assertRefused(() => readTorchStateDict(sample.slice(0, n)), READ);
  });

  it("byte changes anywhere and appended bytes are refused cleanly or read consistently", () => {
    const change = fc.record({ at: fc.integer({ min: 0, max: sample.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }).map(({ at, value }) => {
      const b = sample.slice();
      b[at] = value;
      return b;
    });
    const append = fc.uint8Array({ minLength: 1, maxLength: 32 }).map((tail) => Uint8Array.from([...sample, ...tail]));
    fc.assert(fc.property(fc.oneof(change, append), readsOrRefuses), { seed: 12, numRuns: 1500 });
  });
});

describe("crc32", () => {
  const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

  it("matches the standard check value and zlib.crc32", () => {
    assert.equal(crc32(ascii("123456789")), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
    // /usr/bin/python3 -c "import zlib; print(hex(zlib.crc32(...)))"
    assert.equal(crc32(ascii("The quick brown fox jumps over the lazy dog")), 0x414fa339);
    assert.equal(crc32(Uint8Array.from({ length: 256 }, (_, i) => i)), 0x29058c73);
    assert.equal(crc32(new Uint8Array(1000).fill(0xff)), 0xe0533230);
    assert.equal(crc32(ascii("world"), crc32(ascii("hello "))), 0x0d4a1185);
  });

  it("continues from an initial value as one pass over the concatenation", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
      assert.equal(crc32(b, crc32(a)), crc32(Uint8Array.from([...a, ...b])));
    }), { seed: 13 });
  });

  it("refuses bad arguments", () => {
    assertRefused(() => crc32("abc" as unknown as Uint8Array), "crc32", "bytes must be a Uint8Array");
    assertRefused(() => crc32(new Uint8Array(1), -1), "crc32", "initial must be an integer in [0, 4294967295]");
    assertRefused(() => crc32(new Uint8Array(1), 2 ** 32), "crc32", "initial must be an integer");
  });
});

describe("restricted unpickler", () => {
  const where = "test: data.pkl";
  const allowAll: UnpicklerHooks = {
    checkGlobal: () => undefined,
    reduce: (g: PickleGlobal, args: PickleTuple) => new PickleTuple([g.path, ...args.items]),
    persistentLoad: (pid) => new PickleTuple(["loaded", pid]),
    build: () => undefined,
  };
  const op = (...parts: (number | string)[]): Uint8Array =>
    Uint8Array.from(parts.flatMap((p) => (typeof p === "number" ? [p] : [...new TextEncoder().encode(p)])));
  const unicode = (s: string): (number | string)[] => [0x58, s.length, 0, 0, 0, s];

  it("builds containers, ints of every width, floats, memo references and STACK_GLOBAL calls", () => {
    const bytes = op(0x80, 2, 0x7d, 0x71, 0, 0x28,
      ...unicode("list"), 0x5d, 0x28, 0x4b, 7, 0x4d, 0x34, 0x12, 0x4a, 0xfe, 0xff, 0xff, 0xff, 0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0x65,
      ...unicode("float"), 0x47, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0,
      ...unicode("call"), ...unicode("m"), ...unicode("f"), 0x93, 0x88, 0x89, 0x4e, 0x87, 0x52,
      ...unicode("self"), 0x68, 0,
      0x75, 0x2e);
    const root = unpickle(where, bytes, allowAll);
    assert.ok(root instanceof PickleDict);
    const d = root.entries;
    assert.deepEqual(d.get("list"), [7, 0x1234, -2, 2n ** 61n]);
    assert.equal(d.get("float"), 1.5);
    assert.deepEqual(d.get("call"), new PickleTuple(["m.f", true, false, null]));
    assert.equal(d.get("self"), root);
  });

  const refused: [string, Uint8Array, string][] = [
    ["NEWOBJ", op(0x80, 2, 0x4e, 0x29, 0x81, 0x2e), "opcode 0x81 at byte 4, which a weights-only unpickler does not accept"],
    ["INST", op(0x69, "os\nsystem\n", 0x2e), "opcode 'i' (0x69)"],
    ["a missing STOP", op(0x80, 2, 0x4e), "ends without STOP"],
    ["a truncated BININT", op(0x4a, 1, 2), "needs 4 more bytes"],
    ["a string longer than the data", op(0x58, 0xff, 0xff, 0xff, 0xff, "ab"), "needs 4294967295 more bytes"],
    ["an unknown memo index", op(0x68, 3, 0x2e), "memo entry 3 was never stored"],
    ["TUPLE without MARK", op(0x74, 0x2e), "no MARK precedes it"],
    ["TUPLE2 of one item", op(0x4e, 0x86, 0x2e), "the stack is empty"],
    ["APPEND to a dict", op(0x7d, 0x4e, 0x61, 0x2e), "only a list accepts items"],
    ["SETITEM on a list", op(0x5d, 0x4e, 0x4e, 0x73, 0x2e), "only a dict accepts items"],
    ["REDUCE of a string", op(...unicode("f"), 0x29, 0x52, 0x2e), 'REDUCE calls the string "f", which is not a callable global'],
    ["a GLOBAL without newline", op(0x63, "os"), "no terminating newline"],
    ["an unknown protocol", op(0x80, 9, 0x4e, 0x2e), "pickle protocol 9"],
  ];
  for (const [what, bytes, message] of refused) {
    it(`refuses ${what}`, () => assertRefused(() => unpickle(where, bytes, allowAll), "test", message));
  }

  it("asks the hooks about every global before pushing it", () => {
    const seen: string[] = [];
    const hooks = { ...allowAll, checkGlobal: (g: PickleGlobal) => {
      seen.push(g.path);
      throw new TypeError(`test: ${g.path} refused`);
    } };
    assertRefused(() => unpickle(where, op(0x63, "os\nsystem\n", 0x2e), hooks), "test", "os.system refused");
    assertRefused(() => unpickle(where, op(...unicode("builtins"), ...unicode("eval"), 0x93, 0x2e), hooks), "test", "builtins.eval refused");
    assert.deepEqual(seen, ["os.system", "builtins.eval"]);
  });
});
