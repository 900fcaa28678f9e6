// safetensors reader/writer against the fixtures of test/fixtures/gen_interop.py, every header
// rule, and fast-check round trips and corruptions.
import assert from "node:assert/strict";
import fc from "fast-check";
import { readSafetensors, writeSafetensors } from "../bindings/formats/safetensors.js";
import { sizeOf, type Tensor } from "../bindings/tensor.js";
import { allocationsDuring, assertReaderError, assertRefused, assertTensorsEqual, fixtureBytes, interop } from "./helpers/interop.js";

/** A safetensors file from a header (an object, or raw JSON text) and data bytes. */
function safetensorsFile(header: object | string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

const READ = "readSafetensors";

describe("readSafetensors", () => {
  for (const [name, m] of Object.entries(interop.modules)) {
    it(`reads ${m.files.safetensors} bit for bit, in the saved order, with its metadata`, () => {
      const file = readSafetensors(fixtureBytes(m.files.safetensors));
      assertTensorsEqual(name, file.tensors, m.stateDict);
      assert.deepEqual(Object.keys(file.tensors), m.savedKeys);
      assert.deepEqual(file.metadata, { format: "pt", source: "test/fixtures/gen_interop.py" });
    });
  }

  it("converts F16, BF16 and F64 to float32 exactly as PyTorch does", () => {
    const { tensors } = readSafetensors(fixtureBytes("dtypes.safetensors"));
    assertTensorsEqual("dtypes.safetensors", tensors, interop.dtypes.tensors);
    assert.equal(tensors.f16!.data[2], 0.0999755859375); // 0.1 in binary16
    assert.equal(tensors.f16!.data[5], 2 ** -24); // 6e-8: the smallest binary16 subnormal
    assert.equal(tensors.bf16!.data[6], 65536); // 65504 rounds up to 2^16 in bfloat16
    assert.ok(Object.is(tensors.f16!.data[7], -0) && Object.is(tensors.bf16!.data[7], -0));
    assert.deepEqual(Array.from(tensors.f64!.data), interop.dtypes.source.data.map(Math.fround));
  });

  it("reads F16 infinities and NaN, and refuses F64 values beyond the float32 range by name", () => {
    const half = new Uint8Array(new Uint16Array([0x7c00, 0xfc00, 0x7e00, 0x0001]).buffer);
    const { tensors } = readSafetensors(safetensorsFile({ h: { dtype: "F16", shape: [4], data_offsets: [0, 8] } }, half));
    assert.deepEqual(Array.from(tensors.h!.data), [Infinity, -Infinity, NaN, 2 ** -24]);
    const big = new Uint8Array(new Float64Array([1, -1e39]).buffer);
    assertRefused(() => readSafetensors(safetensorsFile({ d: { dtype: "F64", shape: [2], data_offsets: [0, 16] } }, big)), READ,
      'tensor "d" holds -1e+39 at flat index 1, outside the float32 range');
    const edge = new Uint8Array(new Float64Array([3.4028235e38, -Infinity]).buffer);
    const read = readSafetensors(safetensorsFile({ d: { dtype: "F64", shape: [2], data_offsets: [0, 16] } }, edge));
    assert.deepEqual(Array.from(read.tensors.d!.data), [3.4028234663852886e38, -Infinity]);
  });

  it("refuses every other dtype by name", () => {
    for (const dtype of ["I64", "I32", "U8", "BOOL", "F8_E4M3", "C64", "f32"]) {
      assertRefused(() => readSafetensors(safetensorsFile({ x: { dtype, shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8))), READ,
        `dtype ${dtype} of tensor "x" is not supported; expected F32, F16, BF16 or F64`);
    }
  });

  for (const r of interop.rejected.filter((x) => x.reader === "safetensors")) {
    it(`refuses ${r.file} (header offsets that lie: ${r.expect})`, () => {
      assertRefused(() => readSafetensors(fixtureBytes(r.file)), READ, r.expect);
    });
  }

  const a = { dtype: "F32", shape: [2], data_offsets: [0, 8] };
  const cases: [string, Uint8Array, string][] = [
    ["a file shorter than the length field", new Uint8Array(5), "at least 8"],
    ["a header length past the end", Uint8Array.of(100, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d), "goes past the end of the file"],
    ["a header length over 100 MB", Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0), "exceeds the limit of 100000000"],
    ["an empty header", safetensorsFile(""), "starting with '{'"],
    ["a header not starting with '{'", safetensorsFile(' {"a":1}'), "starting with '{'"],
    ["a JSON array header", safetensorsFile("[]"), "starting with '{'"],
    ["a header that is not JSON", safetensorsFile('{"a":'), "not valid JSON"],
    ["a header that is not UTF-8", safetensorsFile('{"\xff":1}').map((b, i) => (i === 10 ? 0xff : b)), "not valid UTF-8"],
    ["a repeated top-level key", safetensorsFile(`{"a":${JSON.stringify(a)},"a":${JSON.stringify(a)}}`, new Uint8Array(8)), 'repeats the key "a"'],
    ["a repeated key inside an entry", safetensorsFile('{"a":{"dtype":"F32","shape":[2],"shape":[1],"data_offsets":[0,8]}}', new Uint8Array(8)), 'repeats the key "shape"'],
    ["an escaped duplicate", safetensorsFile(`{"a":${JSON.stringify(a)},"\\u0061":${JSON.stringify(a)}}`, new Uint8Array(8)), 'repeats the key "a"'],
    ["an entry that is not an object", safetensorsFile({ a: [1] }), 'tensor "a" must be an object'],
    ["a missing dtype", safetensorsFile({ a: { shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8)), "needs a string dtype"],
    ["a negative shape entry", safetensorsFile({ a: { ...a, shape: [-2] } }, new Uint8Array(8)), "non-negative integers"],
    ["a fractional shape entry", safetensorsFile({ a: { ...a, shape: [1.5] } }, new Uint8Array(8)), "non-negative integers"],
    ["a string shape", safetensorsFile({ a: { ...a, shape: "2" } }, new Uint8Array(8)), "non-negative integers"],
    ["three offsets", safetensorsFile({ a: { ...a, data_offsets: [0, 8, 8] } }, new Uint8Array(8)), "must be [begin, end]"],
    ["reversed offsets", safetensorsFile({ a: { ...a, data_offsets: [8, 0] } }, new Uint8Array(8)), "0 <= begin <= end"],
    ["offsets that disagree with the shape", safetensorsFile({ a: { ...a, shape: [3] } }, new Uint8Array(8)), "needs 12 bytes; its data_offsets [0, 8] span 8"],
    ["a tensor past the data", safetensorsFile({ a }, new Uint8Array(4)), "out of range: the data section has 4 bytes"],
    ["trailing bytes", safetensorsFile({ a }, new Uint8Array(12)), "4 trailing bytes"],
    ["a gap before the first tensor", safetensorsFile({ a: { ...a, data_offsets: [4, 12] } }, new Uint8Array(12)), "bytes [0, 4) belong to no tensor"],
    ["an empty tensor inside another", safetensorsFile({ a, e: { dtype: "F32", shape: [0], data_offsets: [4, 4] } }, new Uint8Array(8)), "overlap"],
    ["metadata that is not an object", safetensorsFile({ __metadata__: "x" }), "__metadata__ must be an object of strings"],
    ["a metadata value that is not a string", safetensorsFile({ __metadata__: { n: 1 } }), '__metadata__["n"] must be a string; got number 1'],
  ];
  for (const [what, bytes, message] of cases) {
    it(`refuses ${what}`, () => assertRefused(() => readSafetensors(bytes), READ, message));
  }

  it("refuses input that is not a Uint8Array", () => {
    assertRefused(() => readSafetensors(new ArrayBuffer(8) as unknown as Uint8Array), READ, "bytes must be a Uint8Array");
  });

  it("reads unaligned tensors into copies that do not share the caller's buffer", () => {
    const data = new Uint8Array(2 + 8);
    data.set(new Uint8Array(new Uint16Array([0x3c00]).buffer), 0); // F16 1.0, so the F32 tensor starts at byte 2
    data.set(f32Bytes([1.5, -2]), 2);
    const file = safetensorsFile({ h: { dtype: "F16", shape: [], data_offsets: [0, 2] }, f: { dtype: "F32", shape: [1, 2], data_offsets: [2, 10] } }, data);
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    const bytes = shifted.subarray(1);
    const { tensors } = readSafetensors(bytes);
    assert.deepEqual(tensors, { h: { shape: [], data: Float32Array.of(1) }, f: { shape: [1, 2], data: Float32Array.of(1.5, -2) } });
    assert.notEqual(tensors.f!.data.buffer, bytes.buffer);
    bytes.fill(0);
    assert.deepEqual(Array.from(tensors.f!.data), [1.5, -2]);
  });

  it("reads an empty file (no tensors) and keeps a tensor named __proto__ as an own entry", () => {
    assert.deepEqual(readSafetensors(safetensorsFile("{}")), { tensors: {}, metadata: {} });
    const { tensors } = readSafetensors(safetensorsFile('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32Bytes([7])));
    assert.deepEqual(Object.keys(tensors), ["__proto__"]);
    assert.equal(Object.getPrototypeOf(tensors), Object.prototype);
  });

  it("fails on the size checks before allocating for a header that claims a huge tensor", () => {
    const huge = safetensorsFile({ w: { dtype: "F64", shape: [2 ** 26, 2 ** 26], data_offsets: [0, 2 ** 55] } }, new Uint8Array(16));
    const shapeOnly = safetensorsFile({ w: { dtype: "F32", shape: [2 ** 30], data_offsets: [0, 2 ** 32] } }, new Uint8Array(16));
    const control = allocationsDuring(() => readSafetensors(fixtureBytes("gru.safetensors")));
    assert.ok(control.floatArrays > 0 && control.largestBytes > 0, "the spy sees a successful read's allocations");
    for (const bytes of [huge, shapeOnly]) {
      const { largestBytes, floatArrays } = allocationsDuring(() => assertRefused(() => readSafetensors(bytes), READ));
      assert.ok(largestBytes <= bytes.length, `allocated ${largestBytes} bytes for a ${bytes.length}-byte file`);
      assert.equal(floatArrays, 0);
    }
  });
});

describe("writeSafetensors", () => {
  const WRITE = "writeSafetensors";
  const tensors = { "0.weight": { shape: [2, 2], data: Float32Array.of(1, -0, 3.5, 1e-40) }, bias: [[0.25], [-8]], empty: { shape: [0, 3], data: new Float32Array(0) } };

  it("round trips tensors (nested arrays too) and metadata through readSafetensors", () => {
    const file = readSafetensors(writeSafetensors(tensors, { format: "pt", note: "ü ☃" }));
    assert.deepEqual(file, {
      tensors: { "0.weight": tensors["0.weight"], bias: { shape: [2, 1], data: Float32Array.of(0.25, -8) }, empty: tensors.empty },
      metadata: { format: "pt", note: "ü ☃" },
    });
    assert.ok(Object.is(file.tensors["0.weight"]!.data[1], -0));
  });

  it("writes no __metadata__ without metadata, an empty one for {}, and reads both back as {}", () => {
    const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes.subarray(8, 8 + new DataView(bytes.buffer).getUint32(0, true)));
    const without = writeSafetensors({ b: [1] });
    const empty = writeSafetensors({ b: [1] }, {});
    assert.ok(!text(without).includes("__metadata__"));
    assert.ok(text(empty).startsWith('{"__metadata__":{}'));
    assert.deepEqual(readSafetensors(without).metadata, {});
    assert.deepEqual(readSafetensors(empty).metadata, {});
  });

  it("pads the header with spaces to a multiple of 8 bytes and lays the data out in insertion order", () => {
    for (let n = 1; n <= 9; n++) {
      const bytes = writeSafetensors({ ["x".repeat(n)]: [1, 2], y: [[3]] });
      const view = new DataView(bytes.buffer);
      const length = view.getUint32(0, true);
      assert.equal(view.getUint32(4, true), 0);
      assert.equal(length % 8, 0);
      const text = new TextDecoder().decode(bytes.subarray(8, 8 + length));
      const json = text.trimEnd();
      assert.ok(/^ *$/.test(text.slice(json.length)) && text.length - json.length < 8, `padding of ${JSON.stringify(text)}`);
      const header = JSON.parse(json) as Record<string, { data_offsets: number[] }>;
      assert.deepEqual(Object.keys(header), ["x".repeat(n), "y"]);
      assert.deepEqual(header.y!.data_offsets, [8, 12]);
      assert.deepEqual(Array.from(new Float32Array(bytes.slice(8 + length).buffer)), [1, 2, 3]);
    }
  });

  const bad: [string, () => unknown, string][] = [
    ["tensors that are not an object", () => writeSafetensors(null as unknown as Record<string, number[]>), "tensors must be an object"],
    ["an empty name", () => writeSafetensors({ "": [1] }), 'got ""'],
    ["the name __metadata__", () => writeSafetensors({ __metadata__: [1] }), 'not "__metadata__"'],
    ["a value that is not a tensor", () => writeSafetensors({ a: "x" as unknown as number[] }), 'tensors["a"] must be a { shape, data: Float32Array } tensor'],
    ["a shape that disagrees with the data", () => writeSafetensors({ a: { shape: [3], data: new Float32Array(2) } }), 'tensors["a"].shape [3] holds 3 values'],
    ["a non-finite value", () => writeSafetensors({ a: [1, NaN] }), 'tensors["a"] must be finite; got NaN at flat index 1'],
    ["metadata that is not an object", () => writeSafetensors({ a: [1] }, [] as unknown as Record<string, string>), "metadata must be an object of strings"],
    ["a metadata value that is not a string", () => writeSafetensors({ a: [1] }, { n: 2 } as unknown as Record<string, string>), 'metadata["n"] must be a string; got number 2'],
  ];
  for (const [what, write, message] of bad) {
    it(`refuses ${what}`, () => assertRefused(write, WRITE, message));
  }
});

describe("safetensors properties", () => {
  const name = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== "__metadata__");
  const tensor = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }).chain((shape) =>
    fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: sizeOf(shape), maxLength: sizeOf(shape) })
      .map((values): Tensor => ({ shape, data: Float32Array.from(values) })));
  const file = fc.record({ tensors: fc.dictionary(name, tensor, { maxKeys: 5 }), metadata: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }) });

  it("round trips random tensor dicts and metadata exactly (float32 bits, -0 and subnormals included)", () => {
    fc.assert(fc.property(file, ({ tensors, metadata }) => {
      const back = readSafetensors(writeSafetensors(tensors, metadata));
      assert.deepEqual(back.metadata, Object.fromEntries(Object.entries(metadata)));
      assert.deepEqual(Object.keys(back.tensors).sort(), Object.keys(tensors).sort());
      for (const [key, t] of Object.entries(tensors)) {
        assert.deepEqual(back.tensors[key]!.shape, t.shape);
        assert.deepEqual(new Uint32Array(back.tensors[key]!.data.slice().buffer), new Uint32Array(t.data.slice().buffer));
      }
    }), { seed: 10, numRuns: 200 });
  });

  /** Reads `bytes`: a well-formed result, or a RangeError/TypeError from readSafetensors, nothing else. */
  function readsOrRefuses(bytes: Uint8Array): void {
    try {
      const { tensors, metadata } = readSafetensors(bytes);
      for (const t of Object.values(tensors)) assert.ok(t.data instanceof Float32Array && t.data.length === sizeOf(t.shape));
      assert.ok(Object.values(metadata).every((v) => typeof v === "string"));
    } catch (e) {
      assertReaderError(e, READ);
    }
  }

  const sample = writeSafetensors({ "lstm.weight_ih_l0": { shape: [4, 3], data: new Float32Array(12).fill(0.5) }, bias: [1, 2, 3] }, { format: "pt" });
  const headerEnd = 8 + new DataView(sample.buffer).getUint32(0, true);
  const corruption = fc.oneof(
    fc.record({ at: fc.integer({ min: 0, max: headerEnd - 1 }), value: fc.integer({ min: 0, max: 255 }) }).map(({ at, value }) => {
      const b = sample.slice();
      b[at] = value;
      return b;
    }),
    fc.integer({ min: 0, max: sample.length - 1 }).map((n) => sample.slice(0, n)),
    fc.uint8Array({ minLength: 1, maxLength: 16 }).map((tail) => Uint8Array.from([...sample, ...tail])),
    fc.tuple(fc.integer({ min: -4, max: 80 }), fc.integer({ min: -4, max: 80 }), fc.integer({ min: 0, max: 20 })).map(([begin, end, shift]) =>
      safetensorsFile({ a: { dtype: "F32", shape: [3], data_offsets: [begin, end] }, b: { dtype: "F16", shape: [2], data_offsets: [12 + shift, 16 + shift] } }, new Uint8Array(16 + shift))),
  );

  it("corrupt files (byte changes in the header, truncation, appended bytes, other offsets) are refused cleanly or read consistently", () => {
    fc.assert(fc.property(corruption, readsOrRefuses), { seed: 11, numRuns: 1000 });
    for (let n = 0; n < sample.length; n++) readsOrRefuses(sample.slice(0, n));
  });
});
