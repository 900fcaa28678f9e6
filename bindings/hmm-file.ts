// The saved-HMM file: a safetensors file (bindings/formats/safetensors.ts) with the float32 tensors
// "initial" [S], "transition" [S, S] and "emission" [S, V] (rows: states), and the metadata
// format "wasm-rnn-hmm", format_version "1". The HMM computes in float64: a loaded model holds the
// saved probabilities rounded to float32 and renormalized (each within about 1e-7 of it, relative).
import { readSafetensors, writeSafetensors } from "./formats/safetensors.js";
import { labelErrors } from "./errors.js";
import { checkTables, type FlatTables } from "./hmm-tables.js";
import { describe, shapeString } from "./validate.js";

const FORMAT = "wasm-rnn-hmm";
const FORMAT_VERSION = "1";
const TENSORS = ["initial", "transition", "emission"] as const;
/** How far a saved distribution's sum may be from 1: float32 rounding of each entry. */
const FILE_SUM_TOLERANCE = 1e-4;

/** The file of an HMM with S states and V symbols (flat tables as the core stores them). */
export function encodeHmmFile(S: number, V: number, initial: Float64Array, transition: Float64Array, emissionT: Float64Array): Uint8Array {
  const emission = new Float32Array(S * V);
  for (let o = 0; o < V; o++) for (let i = 0; i < S; i++) emission[i * V + o] = emissionT[o * S + i]!;
  return writeSafetensors(
    {
      initial: { shape: [S], data: Float32Array.from(initial) },
      transition: { shape: [S, S], data: Float32Array.from(transition) },
      emission: { shape: [S, V], data: emission },
    },
    { format: FORMAT, format_version: FORMAT_VERSION },
  );
}

/** The tables of an HMM file, checked as `HMM.fromProbabilities` checks its argument (within float32 rounding); `where` labels errors. */
export function decodeHmmFile(where: string, bytes: unknown): FlatTables {
  const file = labelErrors(where, () => readSafetensors(bytes as Uint8Array));
  const { format, format_version: version } = file.metadata;
  if (format !== FORMAT) throw new TypeError(`${where}: the file is not a saved HMM: its metadata format must be "${FORMAT}"; got ${describe(format)}`);
  if (version !== FORMAT_VERSION) throw new RangeError(`${where}: format_version must be "${FORMAT_VERSION}" (the only version this library reads); got ${describe(version)}`);
  const names = Object.keys(file.tensors).sort();
  if (names.join() !== [...TENSORS].sort().join()) throw new TypeError(`${where}: the file must hold exactly the tensors ${TENSORS.join(", ")}; got ${names.join(", ") || "none"}`);
  const { initial, transition, emission } = file.tensors as Record<(typeof TENSORS)[number], { shape: number[]; data: Float32Array }>;
  const S = initial!.shape[0]!;
  const V = emission!.shape[1]!;
  const expected = { initial: [S], transition: [S, S], emission: [S, V] };
  for (const name of TENSORS) {
    const shape = file.tensors[name]!.shape;
    if (shapeString(shape) !== shapeString(expected[name]) || S === undefined || V === undefined) {
      throw new RangeError(`${where}: tensor "${name}" must have shape ${shapeString(expected[name])} (initial [S], transition [S, S], emission [S, V]); got ${shapeString(shape)}`);
    }
  }
  const rowsOf = (data: Float32Array, width: number) => Array.from({ length: S }, (_, i) => data.subarray(i * width, (i + 1) * width));
  return checkTables(where, "the file's tables", { initial: initial!.data, transition: rowsOf(transition!.data, S), emission: rowsOf(emission!.data, V) }, FILE_SUM_TOLERANCE);
}
