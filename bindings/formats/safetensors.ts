// safetensors (Hugging Face): an 8-byte little-endian header length N, N bytes of UTF-8 JSON
// { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { key: string } } with
// offsets relative to the data section at byte 8 + N, which the tensors cover without holes.
import { sizeOf, toTensor, type Tensor, type TensorLike } from "../tensor.js";
import { describe, shapeString } from "../validate.js";
import { decodeFloats, toFloat32, FLOAT_DTYPE_BYTES, type FloatDtype } from "./float-formats.js";

/** What a safetensors file holds: float32 tensors by name and the string metadata. */
export interface SafetensorsFile {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

const READ = "readSafetensors";
const WRITE = "writeSafetensors";
const METADATA_KEY = "__metadata__";
/** The reference implementation's limit on the header length. */
const MAX_HEADER_BYTES = 100_000_000;
const READ_DTYPES: readonly FloatDtype[] = ["F32", "F16", "BF16", "F64"];

interface TensorEntry {
  name: string;
  dtype: FloatDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** The index after the closing quote of the JSON string starting at `start` (valid JSON). */
function stringEnd(json: string, start: number): number {
  let i = start + 1;
  while (json[i] !== '"') i += json[i] === "\\" ? 2 : 1;
  return i + 1;
}

/** The first key that repeats within one object of valid JSON `json`, at any depth. */
function findDuplicateKey(json: string): string | undefined {
  const objects: (Set<string> | null)[] = []; // null marks an array
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      const end = stringEnd(json, i);
      const keys = objects[objects.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(json.slice(i, end)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      i = end - 1;
    } else if (c === "{") {
      objects.push(new Set());
      expectKey = true;
    } else if (c === "[") {
      objects.push(null);
    } else if (c === "}" || c === "]") {
      objects.pop();
    } else if (c === ",") {
      expectKey = objects[objects.length - 1] !== null;
    }
  }
  return undefined;
}

function parseHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) throw new RangeError(`${READ}: the file has ${bytes.length} bytes; expected at least 8 (the header length)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true);
  if (length > MAX_HEADER_BYTES) throw new RangeError(`${READ}: the header length ${length} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  if (8 + length > bytes.length) {
    throw new RangeError(`${READ}: the header length ${length} goes past the end of the file (${bytes.length} bytes, so at most ${bytes.length - 8})`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + length));
  } catch {
    throw new RangeError(`${READ}: the header is not valid UTF-8`);
  }
  if (!text.startsWith("{")) throw new RangeError(`${READ}: the header must be a JSON object starting with '{'; got ${JSON.stringify(text.slice(0, 16))}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`${READ}: the header is not valid JSON (${(e as Error).message})`);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) throw new RangeError(`${READ}: the header repeats the key ${JSON.stringify(duplicate)}`);
  return { header, dataStart: 8 + length };
}

/** A copy of `value`, which must be an object of strings (`name` in messages). */
function checkStrings(where: string, name: string, value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${where}: ${name} must be an object of strings; got ${describe(value)}`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new TypeError(`${where}: ${name}[${JSON.stringify(key)}] must be a string; got ${describe(v)}`);
  }
  return Object.fromEntries(Object.entries(value)) as Record<string, string>;
}

function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function parseEntry(name: string, value: unknown, dataLength: number): TensorEntry {
  const what = `tensor ${JSON.stringify(name)}`;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${READ}: ${what} must be an object { dtype, shape, data_offsets }; got ${describe(value)}`);
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== "string") throw new TypeError(`${READ}: ${what} needs a string dtype; got ${describe(dtype)}`);
  if (!(READ_DTYPES as readonly string[]).includes(dtype)) {
    throw new TypeError(`${READ}: dtype ${dtype} of ${what} is not supported; expected F32, F16, BF16 or F64`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new TypeError(`${READ}: the shape of ${what} must be an array of non-negative integers; got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    throw new TypeError(`${READ}: data_offsets of ${what} must be [begin, end] with integers 0 <= begin <= end; got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const bytes = sizeOf(shape) * FLOAT_DTYPE_BYTES[dtype as FloatDtype];
  if (end - begin !== bytes) {
    throw new RangeError(`${READ}: ${what} of shape ${shapeString(shape)} and dtype ${dtype} needs ${bytes} bytes; its data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  if (end > dataLength) {
    throw new RangeError(`${READ}: data_offsets [${begin}, ${end}] of ${what} are out of range: the data section has ${dataLength} bytes`);
  }
  return { name, dtype: dtype as FloatDtype, shape, begin, end };
}

/** Checks that the entries tile [0, dataLength) exactly: no overlap, no gap, no trailing bytes. */
function checkCoverage(entries: readonly TensorEntry[], dataLength: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: TensorEntry | undefined;
  for (const e of sorted) {
    if (e.begin < covered) {
      throw new RangeError(`${READ}: tensors ${JSON.stringify(previous!.name)} [${previous!.begin}, ${previous!.end}] and ${JSON.stringify(e.name)} [${e.begin}, ${e.end}] overlap`);
    }
    if (e.begin > covered) throw new RangeError(`${READ}: the data section has a gap: bytes [${covered}, ${e.begin}) belong to no tensor`);
    covered = e.end;
    previous = e;
  }
  if (covered !== dataLength) {
    throw new RangeError(`${READ}: the data section has ${dataLength} bytes but the tensors cover ${covered}: ${dataLength - covered} trailing bytes`);
  }
}

/**
 * Reads a safetensors file. F32, F16, BF16 and F64 tensors come back as float32 copies (never views
 * of `bytes`); any other dtype, a malformed header (not JSON, repeated keys, fields of the wrong
 * type, sizes that do not match the shape) or a data section the tensors do not cover exactly
 * (offsets out of range, overlaps, gaps, trailing bytes) is a RangeError/TypeError.
 */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${READ}: bytes must be a Uint8Array; got ${describe(bytes)}`);
  const { header, dataStart } = parseHeader(bytes);
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = checkStrings(READ, METADATA_KEY, value);
    else entries.push(parseEntry(name, value, dataLength));
  }
  checkCoverage(entries, dataLength);
  const tensors = entries.map((e): [string, Tensor] => {
    const raw = decodeFloats(bytes.subarray(dataStart + e.begin, dataStart + e.end), e.dtype, true);
    return [e.name, { shape: e.shape, data: toFloat32(READ, `tensor ${JSON.stringify(e.name)}`, raw) }];
  });
  return { tensors: Object.fromEntries(tensors), metadata };
}

function checkTensors(tensors: unknown): [string, Tensor][] {
  if (tensors === null || typeof tensors !== "object" || Array.isArray(tensors)) {
    throw new TypeError(`${WRITE}: tensors must be an object of tensors by name; got ${describe(tensors)}`);
  }
  return Object.entries(tensors).map(([name, value]): [string, Tensor] => {
    if (name === "" || name === METADATA_KEY) {
      throw new RangeError(`${WRITE}: a tensor name must be non-empty and not "${METADATA_KEY}"; got ${JSON.stringify(name)}`);
    }
    const label = `tensors[${JSON.stringify(name)}]`;
    const t = toTensor(WRITE, label, value);
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new RangeError(`${WRITE}: ${label} must be finite; got ${t.data[bad]} at flat index ${bad}`);
    return [name, t];
  });
}

/**
 * Writes float32 tensors (in the order of `tensors`' keys, data back to back) and optional string
 * metadata as a safetensors file; the JSON header is padded with spaces to a multiple of 8 bytes.
 * Names must be non-empty and not "__metadata__"; values finite.
 */
export function writeSafetensors(tensors: Record<string, TensorLike>, metadata?: Record<string, string>): Uint8Array {
  const list = checkTensors(tensors);
  const fields: string[] = metadata === undefined ? [] : [`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(checkStrings(WRITE, "metadata", metadata))}`];
  let offset = 0;
  for (const [name, t] of list) {
    const info = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + 4 * t.data.length] };
    fields.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
    offset += 4 * t.data.length;
  }
  const json = new TextEncoder().encode(`{${fields.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength % 2 ** 32, true);
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const [, t] of list) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i]!, true);
  }
  return out;
}
