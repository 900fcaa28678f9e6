// Model files as an attacker or a buggy writer would make them: a saved file's metadata entries
// edited and signed again with a valid checksum, and version-1 files from a header and values.
import { readSafetensors } from "../../bindings/formats/safetensors.js";
import { modelFileChecksum, signedModelFile } from "../../bindings/model-file.js";
import type { Model } from "../../bindings/model.js";

/** The file of `model` (whose first layer reads ids < 3) after one training step, with `metadata`; the model is disposed. */
export function savedAfterOneStep(model: Model, metadata: Record<string, unknown>): Uint8Array {
  model.trainOnBatch({ shape: [2, 1], data: Int32Array.from([1, 2]) }, { shape: [2, 1], data: Int32Array.from([2, 0]) });
  model.metadata = metadata;
  const bytes = model.save();
  model.dispose();
  return bytes;
}

/** The JSON metadata entries of a version-2 file, parsed, and every metadata entry as its string. */
export interface Entries {
  model: Record<string, unknown> & { layers: { type: string; options: Record<string, unknown> }[] };
  optimizer: Record<string, unknown> & { config: Record<string, unknown> };
  metadata: Record<string, unknown>;
  /** The entries but the checksum as strings: a model, optimizer or metadata string left as it was is written from the parsed object above; undefined drops an entry. */
  raw: Record<string, string | undefined>;
}

const JSON_ENTRIES = ["model", "optimizer", "metadata"] as const;

/** `bytes` (a version-2 file) with its metadata edited by `edit` and signed again with a valid checksum. */
export function resigned(bytes: Uint8Array, edit: (entries: Entries) => void): Uint8Array {
  const { tensors, metadata } = readSafetensors(bytes);
  const { checksum: _checksum, ...original } = metadata;
  const entries: Entries = { model: JSON.parse(original.model!), optimizer: JSON.parse(original.optimizer!), metadata: JSON.parse(original.metadata!), raw: { ...original } };
  edit(entries);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(entries.raw)) {
    if (value === undefined) continue;
    const parsed = (JSON_ENTRIES as readonly string[]).includes(key) && value === original[key];
    out[key] = parsed ? JSON.stringify(entries[key as typeof JSON_ENTRIES[number]]) : value;
  }
  return signedModelFile(tensors, out);
}

/** `bytes` (a version-2 file) with float `index` of tensor `name` set to `value` and the checksum made valid again. */
export function withValue(bytes: Uint8Array, name: string, index: number, value: number): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(out.subarray(8, 8 + headerLength))) as Record<string, { data_offsets: [number, number] }>;
  view.setFloat32(8 + headerLength + header[name]!.data_offsets[0] + 4 * index, value, true);
  const { metadata } = readSafetensors(out);
  const text = new TextDecoder().decode(out);
  const at = text.indexOf(metadata.checksum!);
  out.set(new TextEncoder().encode(modelFileChecksum(metadata, out)), at);
  return out;
}

/** A version-1 "WRNN" file of a header (JSON text) and the parameter values that follow it. */
export function versionOne(headerText: string, values: Float32Array): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const padded = Math.ceil(json.length / 4) * 4;
  const out = new Uint8Array(12 + padded + 4 * values.length);
  const view = new DataView(out.buffer);
  out.set([0x57, 0x52, 0x4e, 0x4e]);
  view.setUint32(4, 1, true);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  values.forEach((v, i) => view.setFloat32(12 + padded + 4 * i, v, true));
  return out;
}
