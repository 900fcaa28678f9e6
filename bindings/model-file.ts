// The saved-model file (format version 2): a safetensors file, so PyTorch reads the weights with
// safetensors.torch.load_file. Tensors: every parameter under its state_dict name ("0.weight_ih_l0"),
// then each optimizer state buffer per parameter ("optimizer.exp_avg.0.weight_ih_l0"). String
// metadata (`__metadata__`):
//   format          "wasm-rnn"
//   format_version  "2"
//   model           JSON: layer configs, loss, clipNorm, clipValue
//   optimizer       JSON: { config, iterations, state: [state buffer names] } (state null: saved without it)
//   metadata        JSON: the model's metadata object
//   checksum        "crc32:<8 hex digits>" of the other metadata (as canonical JSON) and the data section
// Version-1 files (bindings/io.ts) still load, without optimizer state.
import { readSafetensors, writeSafetensors } from "./formats/safetensors.js";
import { crc32 } from "./formats/crc32.js";
import { decodeModel, type ModelHeader } from "./io.js";
import type { ParameterArena } from "./arena.js";
import type { Optimizer } from "./optimizers.js";
import { core } from "./core.js";
import type { Tensor } from "./tensor.js";
import { describe, shapeString } from "./validate.js";

const FORMAT = "wasm-rnn";
const FORMAT_VERSION = "2";
const OPTIMIZER_PREFIX = "optimizer.";
const V1_MAGIC = [0x57, 0x52, 0x4e, 0x4e];

/** A decoded model file: the header (without its params list), every tensor by name, the optimizer's step count and state names. */
export interface ModelFile {
  header: Omit<ModelHeader, "params">;
  /** Parameters by state_dict name, and optimizer buffers as "optimizer.<state>.<parameter>". */
  tensors: Record<string, Tensor>;
  /** null for files saved without optimizer state (and version-1 files, which hold none). */
  optimizer: { iterations: number; state: string[] } | null;
}

/** The checksum over the metadata (all but the checksum, keys sorted) and the data section. */
function checksum(metadata: Record<string, string>, data: Uint8Array): string {
  const canonical = JSON.stringify(Object.keys(metadata).filter((k) => k !== "checksum").sort().map((k) => [k, metadata[k]]));
  const crc = crc32(data, crc32(new TextEncoder().encode(canonical)));
  return `crc32:${crc.toString(16).padStart(8, "0")}`;
}

/** The data section of a safetensors file: everything after the 8-byte length and the header. */
function dataSection(bytes: Uint8Array): Uint8Array {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return bytes.subarray(8 + headerLength);
}

/** Writes a model: its header, the arena's parameters under their names and, unless `withState` is false, the bound optimizer's state. */
export function encodeModelFile(header: ModelFile["header"], arena: ParameterArena, optimizer: Optimizer, withState = true): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  const add = (prefix: string, block: Float32Array): void => {
    for (const e of arena.entries.values()) tensors[prefix + e.name] = { shape: [...e.shape], data: block.subarray(e.offset, e.offset + e.size) };
  };
  const state = withState ? optimizer.exportState() : null;
  add("", arena.params.f32());
  if (state !== null) for (const name of optimizer.stateNames) add(`${OPTIMIZER_PREFIX}${name}.`, state.buffers[name]!);
  const { layers, loss, clipNorm, clipValue, optimizer: config, metadata } = header;
  const meta: Record<string, string> = {
    format: FORMAT,
    format_version: FORMAT_VERSION,
    model: JSON.stringify({ layers, loss, clipNorm, clipValue }),
    optimizer: JSON.stringify(state === null ? { config, iterations: 0, state: null } : { config, iterations: state.iterations, state: optimizer.stateNames }),
    metadata: JSON.stringify(metadata ?? {}),
  };
  const unsigned = writeSafetensors(tensors, meta);
  return writeSafetensors(tensors, { ...meta, checksum: checksum(meta, dataSection(unsigned)) });
}

/** Parses a JSON metadata value that must be an object. */
function parseObject(where: string, metadata: Record<string, string>, key: string): Record<string, unknown> {
  const text = metadata[key];
  if (text === undefined) throw new RangeError(`${where}: the file's metadata has no "${key}" entry`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RangeError(`${where}: metadata "${key}" is not valid JSON`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new RangeError(`${where}: metadata "${key}" must be a JSON object; got ${describe(value)}`);
  return value as Record<string, unknown>;
}

/** Concatenates `tensors[prefix + name]` for every arena entry, in entry order (the packed layout). */
function packedTensors(where: string, tensors: Record<string, Tensor>, arena: ParameterArena, prefix: string): Float32Array {
  const entries = [...arena.entries.values()];
  const out = new Float32Array(entries.reduce((n, e) => n + e.size, 0));
  let offset = 0;
  for (const { name, shape } of entries) {
    const t = tensors[prefix + name];
    if (t === undefined) throw new RangeError(`${where}: the file has no tensor "${prefix}${name}" ${shapeString(shape)}, which the saved layers need`);
    if (shapeString(t.shape) !== shapeString(shape)) throw new RangeError(`${where}: tensor "${prefix}${name}" has shape ${shapeString(t.shape)}; the saved layers need ${shapeString(shape)}`);
    out.set(t.data, offset);
    offset += t.data.length;
  }
  return out;
}

/** Reads a version-2 (safetensors) model file; verifies the format tag and the checksum. */
function decodeSafetensorsModel(bytes: Uint8Array, where: string): ModelFile {
  let file;
  try {
    file = readSafetensors(bytes);
  } catch (e) {
    throw new RangeError(`${where}: not a wasm-rnn model file: ${(e as Error).message}`);
  }
  const { tensors, metadata } = file;
  if (metadata.format !== FORMAT) {
    throw new RangeError(`${where}: this safetensors file holds no wasm-rnn model (metadata format ${describe(metadata.format)}); for a PyTorch state dict build the model and call loadStateDict(readSafetensors(bytes))`);
  }
  if (metadata.format_version !== FORMAT_VERSION) throw new RangeError(`${where}: format version ${describe(metadata.format_version)} is not supported; expected "${FORMAT_VERSION}"`);
  const expected = checksum(metadata, dataSection(bytes));
  if (metadata.checksum !== expected) {
    throw new RangeError(`${where}: checksum mismatch (file says ${describe(metadata.checksum)}, contents give "${expected}"): the file is corrupt`);
  }
  const model = parseObject(where, metadata, "model");
  const optimizer = parseObject(where, metadata, "optimizer");
  const header = { ...model, optimizer: optimizer.config, metadata: parseObject(where, metadata, "metadata") } as unknown as ModelFile["header"];
  const { state, iterations } = optimizer;
  if (state === null) return { header, tensors, optimizer: null };
  if (!Array.isArray(state) || !state.every((s) => typeof s === "string")) throw new RangeError(`${where}: metadata "optimizer".state must be an array of names; got ${describe(state)}`);
  if (!Number.isInteger(iterations) || (iterations as number) < 0) throw new RangeError(`${where}: metadata "optimizer".iterations must be an integer >= 0; got ${describe(iterations)}`);
  return { header, tensors, optimizer: { iterations: iterations as number, state: state as string[] } };
}

/** Reads a model file of either version (a wasm-rnn safetensors file, or a version-1 "WRNN" file). */
export function decodeModelFile(bytes: Uint8Array, where: string): ModelFile {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${where}: bytes must be a Uint8Array; got ${describe(bytes)}`);
  if (bytes.length >= 4 && V1_MAGIC.every((m, i) => bytes[i] === m)) {
    const { header: { params, ...header }, values } = decodeModel(bytes, where);
    const tensors: Record<string, Tensor> = {};
    let offset = 0;
    for (const { name, shape } of params) {
      const size = shape.reduce((a, b) => a * b, 1);
      tensors[name] = { shape, data: values.subarray(offset, offset + size) };
      offset += size;
    }
    return { header, tensors, optimizer: null };
  }
  return decodeSafetensorsModel(bytes, where);
}

/**
 * Puts a decoded file's parameters and optimizer state into a freshly built model's arena and
 * optimizer: every tensor the saved layers need, by name, with its shape, finite, and nothing else.
 */
export function restoreModelFile(where: string, file: ModelFile, arena: ParameterArena, optimizer: Optimizer): void {
  const state = file.optimizer?.state ?? [];
  const expected = arena.entries.size * (1 + state.length);
  const count = Object.keys(file.tensors).length;
  if (count !== expected) {
    throw new RangeError(`${where}: the file holds ${count} tensors; the saved layers need ${arena.entries.size} parameters and ${state.length} optimizer buffers of each (${expected})`);
  }
  arena.setPackedParams(packedTensors(where, file.tensors, arena, ""));
  const bad = core().findNonFinite(arena.params.ptr, arena.size);
  if (bad >= 0) throw new RangeError(`${where}: the saved parameters hold a non-finite value (flat index ${bad} of the parameter block)`);
  if (file.optimizer === null) return;
  const current = optimizer.exportState().buffers;
  const buffers: Record<string, Float32Array> = {};
  for (const name of state) buffers[name] = arena.unpack(packedTensors(where, file.tensors, arena, `${OPTIMIZER_PREFIX}${name}.`), current[name]);
  try {
    optimizer.importState({ iterations: file.optimizer.iterations, buffers });
  } catch (e) {
    throw new RangeError(`${where}: the saved optimizer state does not fit the saved optimizer: ${(e as Error).message.replace(/^[^:]*: /, "")}`);
  }
}
