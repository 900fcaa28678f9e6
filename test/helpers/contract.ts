// The contract every public entry keeps with a random argument (issue 11): it either throws a
// TypeError or RangeError whose message starts with the function the user called ("Model.fit: ...")
// and leaks nothing from inside the library, or returns a finite result; a call the issue says must
// be refused is refused; and a refused call (or any call of an entry that does not train or load)
// leaves every watched object bit for bit as it was.
import { invalidParts } from "./arbitraries.js";

/** Error texts that come from inside the library or the runtime, never from an argument check. */
const LEAKED = [
  /Cannot read propert/, /is not a function/, /is not iterable/, /is not defined/, /Cannot convert/, /Cannot mix BigInt/,
  /memory access out of bounds/, /unreachable/,
  /Invalid typed array length/, /Invalid array length/, /Maximum call stack/, /out of memory/i, /offset is out of bounds/,
  /\bRng\.fill/,
];

/** Largest typed array a result may hold: anything larger went past a size check. */
const MAX_RESULT_VALUES = 2 ** 24;

/** A readable state of an object: named numbers, strings and typed arrays, compared bit for bit. */
export type Fingerprint = Record<string, ArrayBufferView | number | string | boolean | null>;
/** Reads an object's state: called before and after a call. */
export type Watch = () => Fingerprint;

/** A failed property: the message fast-check prints with the counterexample. */
export class ContractViolation extends Error {
  override name = "ContractViolation";
}

function fail(message: string): never {
  throw new ContractViolation(message);
}

/** The bytes of a fingerprint entry as a string: equal strings are equal bits. */
function bits(value: ArrayBufferView | number | string | boolean | null): string {
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  if (typeof value === "number") return Buffer.from(new Float64Array([value]).buffer).toString("hex");
  return JSON.stringify(value);
}

/** The keys whose bits differ between two fingerprints (first few). */
export function changedKeys(before: Fingerprint, after: Fingerprint): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !(k in before) || !(k in after) || bits(before[k]!) !== bits(after[k]!)).slice(0, 5);
}

/** Throws unless every number reachable from `value` (typed arrays, arrays, Maps, own properties) is finite. */
export function assertFinite(value: unknown, path = "result", seen = new Set<object>(), depth = 0): void {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) fail(`${path} is ${value}`);
    return;
  }
  if (value === null || typeof value !== "object" || seen.has(value) || depth > 8) return;
  seen.add(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    const length = value instanceof ArrayBuffer || value instanceof DataView ? value.byteLength : (value as unknown as ArrayLike<number>).length;
    if (length > MAX_RESULT_VALUES) fail(`${path} holds ${length} values: a size check should have refused the call`);
    if (value instanceof Float32Array || value instanceof Float64Array) {
      const bad = value.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) fail(`${path}[${bad}] is ${value[bad]}`);
    }
    return;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) assertFinite(v, `${path}.get(${String(k)})`, seen, depth + 1);
    return;
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [k, v] of entries) assertFinite(v, `${path}.${k}`, seen, depth + 1);
}

/** Throws unless `error` is a TypeError or RangeError from the argument checks of `where`. */
export function assertClearError(where: string, error: unknown): void {
  if (!(error instanceof TypeError || error instanceof RangeError)) {
    fail(`${where} threw ${error instanceof Error ? `${error.constructor.name}: ${error.message}` : `a non-error ${String(error)}`}; expected a TypeError or RangeError`);
  }
  if (!error.message.startsWith(`${where}:`)) fail(`${where} threw ${error.constructor.name} "${error.message}": it does not start with "${where}:"`);
  const leaked = LEAKED.find((pattern) => pattern.test(error.message));
  if (leaked !== undefined) fail(`${where} threw ${error.constructor.name} "${error.message}": it leaks an internal error (${leaked})`);
}

/** One call of a public entry with random arguments, and what the contract watches. */
export interface ContractCase {
  /** The public function called, as its errors must start: "Model.fit", "LSTM", "readSafetensors". */
  where: string;
  /** The arguments (searched for values marked invalid). */
  args: unknown;
  /** Calls the entry; the value it resolves to must be finite. */
  call: () => unknown;
  /** The objects that a refused call must leave unchanged. */
  watch: readonly Watch[];
  /** The call trains or loads: an accepted call may change the watched objects. */
  mutates: boolean;
  /** Further reasons (beyond the marked arguments) why the call must be refused. */
  mustReject: readonly string[];
}

/** Runs one case and throws a ContractViolation naming what broke the contract. */
export async function checkContract(c: ContractCase): Promise<void> {
  const before = c.watch.map((w) => w());
  const reasons = [...invalidParts(c.args), ...c.mustReject];
  let result: unknown;
  let error: unknown = null;
  let threw = false;
  try {
    result = await c.call();
  } catch (e) {
    threw = true;
    error = e;
  }
  if (threw) {
    assertClearError(c.where, error);
  } else {
    if (reasons.length > 0) fail(`${c.where} accepted what it must refuse: ${reasons.join("; ")}`);
    assertFinite(result);
  }
  if (!threw && c.mutates) return;
  c.watch.forEach((w, i) => {
    const changed = changedKeys(before[i]!, w());
    if (changed.length > 0) {
      fail(`${c.where} ${threw ? `refused the call (${(error as Error).message})` : "returned"} but changed ${changed.join(", ")}`);
    }
  });
}
