// The interop fixtures of test/fixtures/gen_interop.py (PyTorch state dicts, ONNX exports, hostile
// files) and the assertions the format tests share.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Tensor } from "../../bindings/tensor.js";

/** A tensor as interop.json stores it. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

/** One layer of a fixture module: its torch.nn type, key prefix and constructor options. */
export interface FixtureLayer {
  type: "Embedding" | "LSTM" | "GRU" | "RNN" | "Linear";
  prefix: string;
  options: Record<string, number | boolean | string>;
}

/** A PyTorch module saved by the generator, with an input and PyTorch's float64 outputs. */
export interface ModuleFixture {
  layers: FixtureLayer[];
  files: { pt: string; safetensors: string; onnx: string };
  keyPrefix: string;
  savedKeys: string[];
  stateDict: Record<string, FixtureTensor>;
  input: FixtureTensor & { kind: "ids" | "floats" };
  outputs: Record<string, FixtureTensor>;
}

interface StateDictFixture {
  file: string;
  stateDict: Record<string, FixtureTensor>;
}

/** test/fixtures/interop/interop.json (its schema: the docstring of gen_interop.py). */
export interface InteropFixtures {
  modules: Record<string, ModuleFixture>;
  dtypes: { files: string[]; source: FixtureTensor; tensors: Record<string, FixtureTensor>; dtypes: Record<string, string> };
  strided: { file: string; tensors: Record<string, FixtureTensor & { stride: number[]; storageOffset: number }> };
  prefixes: StateDictFixture & { savedKeys: string[] };
  batchnorm: StateDictFixture & { skipped: string[] };
  zip64: StateDictFixture;
  byteorder: StateDictFixture;
  rejected: { file: string; reader: "torch" | "safetensors"; expect: string; torchRefuses: boolean }[];
}

/** The bytes of a file in test/fixtures/interop/. */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../../test/fixtures/interop/${name}`, import.meta.url)));
}

export const interop = JSON.parse(new TextDecoder().decode(fixtureBytes("interop.json"))) as InteropFixtures;

/** Asserts a tensor equals a fixture tensor: same shape, float32 values bit for bit. */
export function assertBitwiseEqual(what: string, got: Tensor, want: FixtureTensor): void {
  assert.ok(got.data instanceof Float32Array, `${what}: data is not a Float32Array`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const expected = Float32Array.from(want.data);
  assert.deepEqual(new Uint32Array(got.data.slice().buffer), new Uint32Array(expected.buffer), `${what}: values`);
}

/** Asserts a record of tensors equals fixture tensors by name (every name, nothing more). */
export function assertTensorsEqual(what: string, got: Record<string, Tensor>, want: Record<string, FixtureTensor>): void {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: names`);
  for (const [name, t] of Object.entries(want)) assertBitwiseEqual(`${what} ${name}`, got[name]!, t);
}

/** Asserts `e` is a RangeError/TypeError whose message starts with "<where>:" and contains `includes`. */
export function assertReaderError(e: unknown, where: string, includes = ""): void {
  assert.ok(e instanceof RangeError || e instanceof TypeError, `expected a RangeError/TypeError; got ${String(e)}`);
  assert.ok(e.message.startsWith(`${where}:`), `message does not start with "${where}:": ${e.message}`);
  assert.ok(e.message.includes(includes), `message does not mention "${includes}": ${e.message}`);
}

/** Runs `read` and asserts it fails as assertReaderError says. */
export function assertRefused(read: () => unknown, where: string, includes = ""): void {
  let failed = false;
  try {
    read();
  } catch (e) {
    failed = true;
    assertReaderError(e, where, includes);
  }
  assert.ok(failed, `${where} accepted the input; expected an error mentioning "${includes}"`);
}

const SPIED = ["ArrayBuffer", "Uint8Array", "Uint16Array", "Uint32Array", "Float32Array", "Float64Array"] as const;

/**
 * Runs `fn` with the global buffer and typed-array constructors spied on; returns the bytes of the
 * largest buffer constructed from a length and the number of float arrays constructed.
 */
export function allocationsDuring(fn: () => void): { largestBytes: number; floatArrays: number } {
  const originals = SPIED.map((name) => globalThis[name]);
  let largestBytes = 0;
  let floatArrays = 0;
  const globals = globalThis as unknown as Record<string, unknown>;
  SPIED.forEach((name, i) => {
    const original = originals[i]!;
    const elementBytes = name === "ArrayBuffer" ? 1 : (original as Float32ArrayConstructor).BYTES_PER_ELEMENT;
    globals[name] = new Proxy(original, {
      construct(target, args, newTarget) {
        if (typeof args[0] === "number") largestBytes = Math.max(largestBytes, args[0] * elementBytes);
        if (name.startsWith("Float")) floatArrays++;
        return Reflect.construct(target, args, newTarget === globals[name] ? target : newTarget);
      },
    });
  });
  try {
    fn();
  } finally {
    SPIED.forEach((name, i) => {
      globals[name] = originals[i];
    });
  }
  return { largestBytes, floatArrays };
}
