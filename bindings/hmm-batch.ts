// Sequences of symbols (or states) as the HMM kernels read them: checked, then concatenated into
// one i32 block with offsets [N + 1] in wasm memory.
import { i32View } from "./core.js";
import type { Workspace } from "./buffer.js";
import { toIndexArray, type IdArray } from "./sequences/check.js";
import { describe } from "./validate.js";

/** A batch in wasm memory: ids i32 [total] at `ids`, sequence n at offsets[n] .. offsets[n + 1]. */
export interface PackedBatch {
  ids: number;
  offsets: number;
  count: number;
  total: number;
  longest: number;
}

/** One non-empty sequence of ids in [0, limit) (`noun` names the ids in messages: "symbols", "states"). */
export function checkSequence(where: string, name: string, value: unknown, limit: number, noun: string): Int32Array {
  const ids = toIndexArray(where, `${name} (${noun})`, value, limit);
  if (ids.length === 0) throw new RangeError(`${where}: ${name} must hold at least one ${noun.replace(/s$/, "")}; got an empty sequence`);
  return ids;
}

/** A non-empty list of non-empty sequences of ids in [0, limit). */
export function checkSequences(where: string, name: string, value: unknown, limit: number, noun: string): Int32Array[] {
  if (!Array.isArray(value)) throw new TypeError(`${where}: ${name} must be an array of sequences (arrays of ids or Int32Arrays); got ${describe(value)}`);
  if (value.length === 0) throw new RangeError(`${where}: ${name} must hold at least one sequence; got an empty array`);
  return value.map((s: unknown, n) => checkSequence(where, `${name}[${n}]`, s, limit, noun));
}

/** The offsets [N + 1] of sequences laid end to end. */
function offsetsOf(seqs: readonly ArrayLike<number>[]): Int32Array {
  const offsets = new Int32Array(seqs.length + 1);
  seqs.forEach((s, n) => { offsets[n + 1] = offsets[n]! + s.length; });
  return offsets;
}

/** Copies checked sequences into the workspace blocks `${key}.ids` and `${key}.offsets`. */
export function packSequences(workspace: Workspace, key: string, seqs: readonly IdArray[]): PackedBatch {
  const offsets = offsetsOf(seqs);
  const total = offsets[seqs.length]!;
  const ids = workspace.ptr(`${key}.ids`, total);
  const offsetsPtr = workspace.ptr(`${key}.offsets`, offsets.length);
  const idView = i32View(ids, total);
  seqs.forEach((s, n) => idView.set(s, offsets[n]!));
  i32View(offsetsPtr, offsets.length).set(offsets);
  const longest = seqs.reduce((m, s) => Math.max(m, s.length), 0);
  return { ids, offsets: offsetsPtr, count: seqs.length, total, longest };
}
