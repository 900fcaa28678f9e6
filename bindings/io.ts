// The version-1 saved-model format, still read by Model.load and Seq2Seq.load (files are written in
// version 2, bindings/model-file.ts): little-endian, parameters as raw float32.
//   bytes 0..3   magic "WRNN"
//   bytes 4..7   u32 format version (1)
//   bytes 8..11  u32 header length L
//   bytes 12..   L bytes of UTF-8 JSON header, zero-padded to a multiple of 4
//   then         the parameters as float32, in the header's order
// Version-1 files carry no checksum: a flipped bit in a weight cannot be detected (a non-finite
// one is refused); the header is checked in full against its schema (bindings/model-file-schema.ts).
import { headerV1, type HeaderV1 } from "./model-file-schema.js";

const FORMAT_VERSION = 1;
const MAGIC = [0x57, 0x52, 0x4e, 0x4e];

/** The JSON header of a version-1 file, checked against its schema; labelled `where` when it is not valid UTF-8 JSON. */
function parseHeader(where: string, bytes: Uint8Array): HeaderV1 {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new RangeError(`${where}: the version-1 header is not valid UTF-8 JSON`);
  }
  return headerV1(where, "header", value);
}

/** Parses a version-1 file; throws a clear error (prefixed with `where`) for anything else. */
export function decodeModel(bytes: Uint8Array, where = "Model.load"): { header: HeaderV1; values: Float32Array } {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${where}: bytes must be a Uint8Array`);
  if (bytes.length < 12 || MAGIC.some((m, i) => bytes[i] !== m)) throw new RangeError(`${where}: not a wasm-rnn model (bad magic)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw new RangeError(`${where}: format version ${version} is not supported; expected ${FORMAT_VERSION}`);
  const length = view.getUint32(8, true);
  const padded = Math.ceil(length / 4) * 4;
  if (12 + padded > bytes.length) throw new RangeError(`${where}: truncated header`);
  const header = parseHeader(where, bytes.subarray(12, 12 + length));
  const count = header.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  const base = 12 + padded;
  if (bytes.length !== base + count * 4) throw new RangeError(`${where}: expected ${count} parameter values (${base + count * 4} bytes); got ${bytes.length} bytes`);
  // Copy into a fresh buffer: a Node Buffer's slice() is a view over its whole pool.
  const values = new Float32Array(count);
  new Uint8Array(values.buffer).set(bytes.subarray(base, base + 4 * count));
  return { header, values };
}
