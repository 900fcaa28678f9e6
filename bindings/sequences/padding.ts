// Padding variable-length id sequences into one time-major batch with a mask and the lengths.
import type { Tensor, IntTensor } from "../tensor.js";
import { checkOptionKeys, checkInt, checkChoice } from "../validate.js";
import { toIndexArray, checkSequenceList, MAX_I32, type IdArray } from "./check.js";
import { checkAllocation } from "../sizes.js";

/** Options of `padSequences`. */
export interface PadOptions {
  /** Where the padding goes: "post" after the ids (PyTorch's pad_sequence), "pre" before them (Keras' default; the last step is then real, as a many-to-one model needs). */
  padding: "post" | "pre";
  /** Steps T of the batch (default: the longest sequence). */
  maxLength?: number;
  /** The padding id (default 0, Vocabulary.PAD_ID). */
  value?: number;
  /** How to cut a sequence longer than maxLength: "pre" drops its first ids, "post" its last ids. Without it, such a sequence is an error. */
  truncating?: "pre" | "post";
}

/** A padded batch. */
export interface PaddedBatch {
  /** Ids [T, N], time-major: step t of sequence n is `ids.data[t * N + n]`. */
  ids: IntTensor;
  /** [T, N]: 1 at real steps, 0 at padding (fit's `mask`). */
  mask: Tensor;
  /** [N]: real steps per sequence after truncation (a recurrent layer's `lengths`). */
  lengths: Int32Array;
}

const SIDES = ["post", "pre"] as const;

/**
 * Pads id sequences (each non-empty, ids non-negative integers) to a batch of T steps. Nothing is
 * cut silently: a sequence longer than `maxLength` needs `truncating`.
 */
export function padSequences(seqs: readonly IdArray[], options: PadOptions): PaddedBatch {
  const where = "padSequences";
  checkOptionKeys(where, options, ["padding", "maxLength", "value", "truncating"]);
  const padding = checkChoice(where, "padding", options?.padding, SIDES);
  const value = checkInt(where, "value", options.value ?? 0, 0);
  if (value > MAX_I32) throw new RangeError(`${where}: value must be <= ${MAX_I32} (an int32 id); got ${value}`);
  const truncating = options.truncating === undefined ? undefined : checkChoice(where, "truncating", options.truncating, SIDES);
  checkSequenceList(where, "seqs", seqs);
  const ids = seqs.map((s, i) => toIndexArray(where, `seqs[${i}]`, s));
  ids.forEach((s, i) => {
    if (s.length === 0) throw new RangeError(`${where}: seqs[${i}] must hold at least one id; got an empty sequence`);
  });
  const T = options.maxLength === undefined ? ids.reduce((m, s) => Math.max(m, s.length), 0) : checkInt(where, "maxLength", options.maxLength);
  const N = ids.length;
  checkAllocation(where, `${options.maxLength === undefined ? "the longest sequence" : "maxLength"} (${T}) × seqs.length (${N})`, T * N);
  const out = new Int32Array(T * N).fill(value);
  const mask = new Float32Array(T * N);
  const lengths = new Int32Array(N);
  ids.forEach((s, n) => {
    if (s.length > T && truncating === undefined) {
      throw new RangeError(`${where}: seqs[${n}] has ${s.length} ids, more than maxLength ${T}; pass truncating: "pre" or "post" to cut it`);
    }
    const L = Math.min(s.length, T);
    const from = truncating === "pre" ? s.length - L : 0;
    const t0 = padding === "pre" ? T - L : 0;
    for (let k = 0; k < L; k++) {
      out[(t0 + k) * N + n] = s[from + k]!;
      mask[(t0 + k) * N + n] = 1;
    }
    lengths[n] = L;
  });
  return { ids: { shape: [T, N], data: out }, mask: { shape: [T, N], data: mask }, lengths };
}
