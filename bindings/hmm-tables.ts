// The parameter tables of a discrete HMM as the public API takes and gives them (nested arrays,
// emission [S][V] as textbooks write it) and as the core stores them (flat float64, emissions
// transposed to [V, S]): checks, conversions and the float64 blocks in wasm memory.
import { WasmArray } from "./buffer.js";
import { core } from "./core.js";
import { describe } from "./validate.js";

/** One row of a table: numbers as an array or a typed array. */
export type TableRow = readonly number[] | Float64Array | Float32Array;

/**
 * The parameters of an HMM with S states and V symbols, or counts of the same shapes:
 * initial[i] = P(s_0 = i), transition[i][j] = P(s_t = j | s_{t-1} = i), emission[i][o] = P(o_t = o | s_t = i).
 */
export interface HMMTables {
  /** [S] */
  initial: TableRow;
  /** [S][S] */
  transition: readonly TableRow[];
  /** [S][V] */
  emission: readonly TableRow[];
}

/** The tables as plain number arrays (what `HMM.probabilities()` returns). */
export interface HMMProbabilities {
  initial: number[];
  transition: number[][];
  emission: number[][];
}

/** Tables checked and laid out as the core stores them. */
export interface FlatTables {
  states: number;
  symbols: number;
  /** [S] */
  initial: Float64Array;
  /** [S, S] row-major */
  transition: Float64Array;
  /** [V, S]: the emission table transposed */
  emissionT: Float64Array;
}

/** How far a distribution's sum may be from 1 in `HMM.fromProbabilities` (it is then renormalized). */
export const SUM_TOLERANCE = 1e-6;

function row(where: string, name: string, value: unknown, length: number | undefined): TableRow {
  if (!Array.isArray(value) && !(value instanceof Float64Array) && !(value instanceof Float32Array)) {
    throw new TypeError(`${where}: ${name} must be an array of numbers; got ${describe(value)}`);
  }
  if (length !== undefined && value.length !== length) throw new RangeError(`${where}: ${name} must have length ${length}; got ${value.length}`);
  if (value.length === 0) throw new RangeError(`${where}: ${name} must not be empty`);
  value.forEach((v: unknown, k: number) => {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new RangeError(`${where}: ${name}[${k}] must be a finite number >= 0; got ${describe(v)}`);
  });
  return value as TableRow;
}

function rows(where: string, name: string, value: unknown, count: number, length: number | undefined): TableRow[] {
  if (!Array.isArray(value)) throw new TypeError(`${where}: ${name} must be an array of rows; got ${describe(value)}`);
  if (value.length !== count) throw new RangeError(`${where}: ${name} must have ${count} rows (one per state); got ${value.length}`);
  const out: TableRow[] = [];
  value.forEach((r, i) => out.push(row(where, `${name}[${i}]`, r, length ?? out[0]?.length)));
  return out;
}

function checkSum(where: string, name: string, values: TableRow, what: string, tolerance: number): void {
  let sum = 0;
  for (let k = 0; k < values.length; k++) sum += values[k]!;
  if (Math.abs(sum - 1) > tolerance) throw new RangeError(`${where}: ${name} must sum to 1 (${what}); got ${sum}`);
}

/**
 * The tables `value` (an HMMTables object named `name`), checked: S = initial.length rows of S in
 * transition, S rows of V in emission, every entry finite and >= 0; with `sumTolerance`, every
 * distribution summing to 1 within it (probabilities), without, anything (counts).
 */
export function checkTables(where: string, name: string, value: unknown, sumTolerance?: number): FlatTables {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${where}: ${name} must be an object { initial, transition, emission }; got ${describe(value)}`);
  }
  const keys = Object.keys(value);
  const unknown = keys.find((k) => !["initial", "transition", "emission"].includes(k));
  if (unknown !== undefined) throw new TypeError(`${where}: ${name} has an unknown key "${unknown}"; expected initial, transition, emission`);
  const tables = value as Record<string, unknown>;
  const initial = row(where, `${name}.initial`, tables.initial, undefined);
  const S = initial.length;
  const transition = rows(where, `${name}.transition`, tables.transition, S, S);
  const emission = rows(where, `${name}.emission`, tables.emission, S, undefined);
  const V = emission[0]!.length;
  if (sumTolerance !== undefined) {
    checkSum(where, `${name}.initial`, initial, "a distribution over the first state", sumTolerance);
    transition.forEach((r, i) => checkSum(where, `${name}.transition[${i}]`, r, `the distribution of the state after state ${i}`, sumTolerance));
    emission.forEach((r, i) => checkSum(where, `${name}.emission[${i}]`, r, `the distribution of the symbols state ${i} emits`, sumTolerance));
  }
  const emissionT = new Float64Array(V * S);
  emission.forEach((r, i) => {
    for (let o = 0; o < V; o++) emissionT[o * S + i] = r[o]!;
  });
  return { states: S, symbols: V, initial: Float64Array.from(initial), transition: Float64Array.from(transition.flatMap((r) => Array.from(r))), emissionT };
}

/** A block of `n` float64 in wasm memory (a WasmArray of 2n 4-byte elements). */
export function f64Block(n: number): WasmArray {
  return new WasmArray(2 * n);
}

/** A fresh Float64Array view of `n` float64 at `ptr` (same lifetime rule as f32View). */
export function f64View(ptr: number, n: number): Float64Array {
  return new Float64Array(core().memory.buffer, ptr, n);
}

/** The public tables of the flat [S], [S, S] and [V, S] arrays. */
export function tablesOf(S: number, V: number, initial: Float64Array, transition: Float64Array, emissionT: Float64Array): HMMProbabilities {
  return {
    initial: Array.from(initial),
    transition: Array.from({ length: S }, (_, i) => Array.from(transition.subarray(i * S, (i + 1) * S))),
    emission: Array.from({ length: S }, (_, i) => Array.from({ length: V }, (_, o) => emissionT[o * S + i]!)),
  };
}
