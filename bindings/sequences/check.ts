// Argument checks shared by the sequence utilities: id arrays and saved JSON headers.
import { describe } from "../validate.js";

/** Ids, indices and lengths as the sequence utilities take them. */
export type IdArray = readonly number[] | Int32Array;

/** The largest int32: ids and indices lie below it. */
export const MAX_I32 = 0x7fffffff;

/**
 * An Int32Array copy of `value` (a number array or Int32Array), checking that every entry is an
 * integer in [0, limit) (limit defaults to 2^31 - 1, the largest int32).
 */
export function toIndexArray(where: string, name: string, value: unknown, limit = MAX_I32): Int32Array {
  if (!Array.isArray(value) && !(value instanceof Int32Array)) {
    throw new TypeError(`${where}: ${name} must be an array of integers or an Int32Array; got ${describe(value)}`);
  }
  const out = new Int32Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= limit) {
      throw new RangeError(`${where}: ${name} must hold integers in [0, ${limit}); got ${describe(v)} at index ${i}`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * The object behind saved JSON (the object `toJSON()` returned, or its string), after checking
 * its `format` tag and `version`.
 */
export function readJson(where: string, json: unknown, format: string, version: number): Record<string, unknown> {
  let value = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new TypeError(`${where}: json is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${where}: json must be an object as toJSON() returns, or its string; got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  if (record.format !== format) throw new TypeError(`${where}: json.format must be "${format}"; got ${describe(record.format)}`);
  if (record.version !== version) throw new RangeError(`${where}: json.version must be ${version} (the only version this library reads); got ${describe(record.version)}`);
  return record;
}

/** A list of id sequences (each number[] or Int32Array). */
export function checkSequenceList(where: string, name: string, seqs: unknown): readonly IdArray[] {
  if (!Array.isArray(seqs)) throw new TypeError(`${where}: ${name} must be an array of id sequences; got ${describe(seqs)}`);
  if (seqs.length === 0) throw new RangeError(`${where}: ${name} must hold at least one sequence; got an empty array`);
  return seqs as readonly IdArray[];
}
