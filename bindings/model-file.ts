// The saved-model file (format version 2): a safetensors file, so PyTorch reads the weights with
// safetensors.torch.load_file. Tensors: every parameter under its state_dict name ("0.weight_ih_l0"),
// then each optimizer state buffer per parameter ("optimizer.exp_avg.0.weight_ih_l0"). String
// metadata (`__metadata__`), exactly these entries:
//   format          "wasm-rnn"
//   format_version  "2"
//   model           JSON: layer configs, loss (a name, or { name, ...params }), clipNorm, clipValue
//   optimizer       JSON: { config, iterations, state: [state buffer names] } (state null: saved without it)
//   metadata        JSON: the model's metadata object
//   checksum        "crc32:<8 hex digits>" of the other metadata (as canonical JSON) and the data section
// Reading checks, before anything is built: the safetensors structure (readSafetensors), the format
// tag and version, the checksum, every metadata entry against its schema (model-file-schema.ts),
// the tensor names against the optimizer's state names, and every value finite. The checksum covers
// every byte that decides the model but the safetensors header's tensor entries, which must tile
// the data section exactly and match the layers' names and shapes: a flipped bit or an overwritten
// byte anywhere is refused, or leaves the file as it was read (a space of the header's padding
// becoming another JSON whitespace). Version-1 files (bindings/io.ts) still load, without optimizer
// state and without a checksum.
import { readSafetensors, writeSafetensors } from "./formats/safetensors.js";
import { crc32 } from "./formats/crc32.js";
import { decodeModel } from "./io.js";
import type { ParameterArena } from "./arena.js";
import type { LayerConfig, Layer } from "./layers/layer.js";
import { layersFromConfigs, type LayerType } from "./layers/registry.js";
import { optimizerFromConfigAt, type Optimizer, type OptimizerConfig } from "./optimizers.js";
import type { LossSpec } from "./losses.js";
import type { MetricSpec } from "./metrics.js";
import type { Tensor } from "./tensor.js";
import { labelErrors } from "./errors.js";
import { FORMAT, metadataEntry, modelEntry, optimizerEntry } from "./model-file-schema.js";
import { describe, shapeString } from "./validate.js";

const FORMAT_VERSION = "2";
const OPTIMIZER_PREFIX = "optimizer.";
const V1_MAGIC = [0x57, 0x52, 0x4e, 0x4e];
const METADATA_KEYS = ["format", "format_version", "model", "optimizer", "metadata", "checksum"];

/** What a model file says about the model besides its tensors, as `save()` writes it. */
export interface ModelHeader {
  layers: LayerConfig[];
  /** The loss's name, or { name, ...params } for a loss with parameters. */
  loss: LossSpec;
  optimizer: OptimizerConfig;
  clipNorm: number | null;
  clipValue: number | null;
  /** The model takes batch-first data (absent: time-major). */
  batchFirst?: boolean;
  /** The model's `metrics` option (absent: none). */
  metrics?: MetricSpec[];
  /** JSON data saved with the model (a vocabulary, a normalizer, ...). */
  metadata: Record<string, unknown>;
}

/** A decoded model file: the checked header, every tensor by name, the optimizer's step count and state names. */
export interface ModelFile {
  header: ModelHeader & { layers: { type: LayerType; options: Record<string, unknown> }[] };
  /** Parameters by state_dict name, and optimizer buffers as "optimizer.<state>.<parameter>", all finite. */
  tensors: Record<string, Tensor>;
  /** null for files saved without optimizer state (and version-1 files, which hold none). */
  optimizer: { iterations: number; state: string[] } | null;
  /** Where errors say the model settings, the optimizer config and the metadata are ("model", "optimizer.config", ...). */
  paths: { model: string; optimizer: string; metadata: string };
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

/** The checksum the contents of a version-2 file `bytes` give, `metadata` being its (parsed) metadata. */
export function modelFileChecksum(metadata: Record<string, string>, bytes: Uint8Array): string {
  return checksum(metadata, dataSection(bytes));
}

/** Writes a model: its header, the arena's parameters under their names and, unless `withState` is false, the bound optimizer's state. */
export function encodeModelFile(header: ModelHeader, arena: ParameterArena, optimizer: Optimizer, withState = true): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  const add = (prefix: string, block: Float32Array): void => {
    for (const e of arena.entries.values()) tensors[prefix + e.name] = { shape: [...e.shape], data: block.subarray(e.offset, e.offset + e.size) };
  };
  const state = withState ? optimizer.exportState() : null;
  add("", arena.params.f32());
  if (state !== null) for (const name of optimizer.stateNames) add(`${OPTIMIZER_PREFIX}${name}.`, state.buffers[name]!);
  const { layers, loss, clipNorm, clipValue, batchFirst, metrics, optimizer: config, metadata } = header;
  const meta: Record<string, string> = {
    format: FORMAT,
    format_version: FORMAT_VERSION,
    model: JSON.stringify({ layers, loss, clipNorm, clipValue, ...(batchFirst === true ? { batchFirst } : {}), ...(metrics !== undefined && metrics.length > 0 ? { metrics } : {}) }),
    optimizer: JSON.stringify(state === null ? { config, iterations: 0, state: null } : { config, iterations: state.iterations, state: optimizer.stateNames }),
    metadata: JSON.stringify(metadata),
  };
  return signedModelFile(tensors, meta);
}

/** A safetensors model file of `tensors` and the metadata entries (all but the checksum), with their checksum added. */
export function signedModelFile(tensors: Record<string, Tensor>, metadata: Record<string, string>): Uint8Array {
  return writeSafetensors(tensors, { ...metadata, checksum: modelFileChecksum(metadata, writeSafetensors(tensors, metadata)) });
}

/** Throws unless every value of every tensor is finite, naming the first that is not. */
function checkFinite(where: string, tensors: Record<string, Tensor>): void {
  for (const [name, t] of Object.entries(tensors)) {
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new RangeError(`${where}: tensor "${name}" must be finite; got ${t.data[bad]} at flat index ${bad}`);
  }
}

/**
 * Checks that the tensors are the parameters and, for every saved optimizer state name (distinct),
 * one buffer "optimizer.<state>.<parameter>" of each parameter's shape, and nothing else.
 */
function checkTensorNames(where: string, tensors: Record<string, Tensor>, state: readonly string[]): void {
  const params = Object.keys(tensors).filter((n) => !n.startsWith(OPTIMIZER_PREFIX));
  const repeated = state.find((s, i) => state.indexOf(s) !== i);
  if (repeated !== undefined) throw new RangeError(`${where}: optimizer.state names "${repeated}" twice`);
  for (const s of state) {
    for (const p of params) {
      const name = `${OPTIMIZER_PREFIX}${s}.${p}`;
      const t = tensors[name];
      if (t === undefined) throw new RangeError(`${where}: the file has no tensor "${name}", the "${s}" state of parameter "${p}"`);
      if (shapeString(t.shape) !== shapeString(tensors[p]!.shape)) {
        throw new RangeError(`${where}: tensor "${name}" has shape ${shapeString(t.shape)}; its parameter "${p}" has ${shapeString(tensors[p]!.shape)}`);
      }
    }
  }
  const expected = params.length * (1 + state.length);
  const count = Object.keys(tensors).length;
  if (count !== expected) {
    const extra = Object.keys(tensors).find((n) => n.startsWith(OPTIMIZER_PREFIX) && !state.some((s) => params.some((p) => n === `${OPTIMIZER_PREFIX}${s}.${p}`)));
    throw new RangeError(`${where}: the file holds tensor "${extra}", which is no saved optimizer state (optimizer.state is ${JSON.stringify(state)})`);
  }
}

/** Reads a version-2 (safetensors) model file; verifies the format tag, the version, the checksum and every metadata entry. */
function decodeSafetensorsModel(bytes: Uint8Array, where: string): ModelFile {
  const { tensors, metadata } = labelErrors(where, () => readSafetensors(bytes), { path: "not a wasm-rnn model file" });
  if (metadata.format !== FORMAT) {
    throw new RangeError(`${where}: this safetensors file holds no wasm-rnn model (metadata format ${describe(metadata.format)}); for a PyTorch state dict build the model and call loadStateDict(readSafetensors(bytes))`);
  }
  if (metadata.format_version !== FORMAT_VERSION) throw new RangeError(`${where}: format version ${describe(metadata.format_version)} is not supported; expected "${FORMAT_VERSION}"`);
  const expected = modelFileChecksum(metadata, bytes);
  if (metadata.checksum !== expected) {
    throw new RangeError(`${where}: checksum mismatch (file says ${describe(metadata.checksum)}, contents give "${expected}"): the file is corrupt`);
  }
  const unknown = Object.keys(metadata).find((k) => !METADATA_KEYS.includes(k));
  if (unknown !== undefined) throw new RangeError(`${where}: the file's metadata has an unknown entry "${unknown}"; expected ${METADATA_KEYS.join(", ")}`);
  const missing = METADATA_KEYS.find((k) => !Object.hasOwn(metadata, k));
  if (missing !== undefined) throw new RangeError(`${where}: the file's metadata has no "${missing}" entry`);
  const model = modelEntry(where, "model", metadata.model);
  const optimizer = optimizerEntry(where, "optimizer", metadata.optimizer);
  const header = { ...model, optimizer: optimizer.config, metadata: metadataEntry(where, "metadata", metadata.metadata) };
  if (optimizer.state === null && optimizer.iterations !== 0) {
    throw new RangeError(`${where}: optimizer.iterations must be 0 for a file saved without optimizer state; got ${optimizer.iterations}`);
  }
  checkTensorNames(where, tensors, optimizer.state ?? []);
  checkFinite(where, tensors);
  const paths = { model: "model", optimizer: "optimizer.config", metadata: "metadata" };
  return { header, tensors, optimizer: optimizer.state === null ? null : { iterations: optimizer.iterations, state: optimizer.state }, paths };
}

/** Reads a version-1 "WRNN" file: its header checked against the schema, its parameters (finite) by name. */
function decodeVersion1(bytes: Uint8Array, where: string): ModelFile {
  const { header: { params, metadata = {}, format: _format, ...model }, values } = decodeModel(bytes, where);
  const tensors: Record<string, Tensor> = {};
  let offset = 0;
  params.forEach(({ name, shape }, i) => {
    if (Object.hasOwn(tensors, name)) throw new RangeError(`${where}: header.params[${i}].name repeats "${name}"`);
    const size = shape.reduce((a, b) => a * b, 1);
    tensors[name] = { shape, data: values.subarray(offset, offset + size) };
    offset += size;
  });
  checkFinite(where, tensors);
  return { header: { ...model, metadata }, tensors, optimizer: null, paths: { model: "header", optimizer: "header.optimizer", metadata: "header.metadata" } };
}

/** Reads a model file of either version (a wasm-rnn safetensors file, or a version-1 "WRNN" file). */
export function decodeModelFile(bytes: Uint8Array, where: string): ModelFile {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${where}: bytes must be a Uint8Array; got ${describe(bytes)}`);
  if (bytes.length >= 4 && V1_MAGIC.every((m, i) => bytes[i] === m)) return decodeVersion1(bytes, where);
  return decodeSafetensorsModel(bytes, where);
}

/**
 * The optimizer a decoded file describes (fresh, unbound), built on behalf of `where`; its state
 * names must be the ones the file saved buffers for.
 */
export function optimizerOfFile(where: string, file: ModelFile): Optimizer {
  const optimizer = optimizerFromConfigAt(where, file.paths.optimizer, file.header.optimizer);
  const saved = file.optimizer?.state;
  if (saved !== undefined && (saved.length !== optimizer.stateNames.length || saved.some((s) => !optimizer.stateNames.includes(s)))) {
    optimizer.dispose();
    throw new RangeError(`${where}: optimizer.state must name the state buffers of the saved ${file.header.optimizer.type} optimizer, ${JSON.stringify(optimizer.stateNames)}; got ${JSON.stringify(saved)}`);
  }
  return optimizer;
}

/** The layers a decoded file describes, built on behalf of `where` (none is left allocated when one fails). */
export function layersOfFile(where: string, file: ModelFile): Layer[] {
  return layersFromConfigs(where, `${file.paths.model}.layers`, file.header.layers);
}

/** Concatenates `tensors[prefix + name]` for every arena entry, in entry order (the packed layout). */
function packedTensors(where: string, tensors: Record<string, Tensor>, arena: ParameterArena, prefix: string): Float32Array {
  const out = new Float32Array(arena.packedSize);
  let offset = 0;
  for (const { name, shape } of arena.entries.values()) {
    const t = tensors[prefix + name];
    if (t === undefined) throw new RangeError(`${where}: the file has no tensor "${prefix}${name}" ${shapeString(shape)}, which the saved layers need`);
    if (shapeString(t.shape) !== shapeString(shape)) throw new RangeError(`${where}: tensor "${prefix}${name}" has shape ${shapeString(t.shape)}; the saved layers need ${shapeString(shape)}`);
    out.set(t.data, offset);
    offset += t.data.length;
  }
  return out;
}

/**
 * Puts a decoded file's parameters and optimizer state into a freshly built model's arena and
 * optimizer: every tensor the saved layers need, by name, with its shape, and nothing else.
 */
export function restoreModelFile(where: string, file: ModelFile, arena: ParameterArena, optimizer: Optimizer): void {
  const state = file.optimizer?.state ?? [];
  const expected = arena.entries.size * (1 + state.length);
  const count = Object.keys(file.tensors).length;
  if (count !== expected) {
    throw new RangeError(`${where}: the file holds ${count} tensors; the saved layers need ${arena.entries.size} parameters and ${state.length} optimizer buffers of each (${expected})`);
  }
  const params = packedTensors(where, file.tensors, arena, "");
  const buffers: Record<string, Float32Array> = {};
  if (file.optimizer !== null) {
    const current = optimizer.exportState().buffers;
    for (const name of state) buffers[name] = arena.unpack(packedTensors(where, file.tensors, arena, `${OPTIMIZER_PREFIX}${name}.`), current[name]);
  }
  arena.setPackedParams(params);
  if (file.optimizer !== null) {
    const { iterations } = file.optimizer;
    labelErrors(where, () => optimizer.importState({ iterations, buffers }), { path: "optimizer.state" });
  }
}
