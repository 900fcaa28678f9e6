// A small schema mechanism for JSON read from files: each schema checks a parsed value at a path
// ("model.layers[1].type") and returns it typed, or throws "<where>: <path> must be ...; got ...":
// a TypeError for a value of the wrong JSON type, a RangeError for a wrong value of the right type.
import { checkBoolean, describe } from "./validate.js";

/** Checks `value`, found at `path` in the input of the public function `where`, and returns it typed. */
export type Schema<T> = (where: string, path: string, value: unknown) => T;

/** What a schema returns. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

function typeError(where: string, path: string, expected: string, value: unknown): TypeError {
  return new TypeError(`${where}: ${path} must be ${expected}; got ${describe(value)}`);
}

/** Whether `value` is a JSON object (not null, not an array). */
function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A string. */
export const string: Schema<string> = (where, path, value) => {
  if (typeof value !== "string") throw typeError(where, path, "a string", value);
  return value;
};

/** A boolean (checkBoolean: the same check layer options use). */
export const boolean: Schema<boolean> = checkBoolean;

/** A finite number (JSON has no NaN or Infinity). */
export const number: Schema<number> = (where, path, value) => {
  if (typeof value !== "number") throw typeError(where, path, "a number", value);
  return value;
};

/** An integer in [min, max]. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): Schema<number> {
  return (where, path, value) => {
    if (typeof value !== "number" || !Number.isInteger(value)) throw typeError(where, path, "an integer", value);
    if (value < min || value > max) throw new RangeError(`${where}: ${path} must be an integer in [${min}, ${max}]; got ${value}`);
    return value;
  };
}

/** Exactly `expected` (a format tag, a version). */
export function literal<T extends string | number>(expected: T): Schema<T> {
  return (where, path, value) => {
    if (value !== expected) throw new RangeError(`${where}: ${path} must be ${JSON.stringify(expected)}; got ${describe(value)}`);
    return expected;
  };
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(choices: readonly T[]): Schema<T> {
  return (where, path, value) => {
    const s = string(where, path, value);
    if (!(choices as readonly string[]).includes(s)) throw new RangeError(`${where}: ${path} must be one of ${choices.map((c) => `"${c}"`).join(", ")}; got "${s}"`);
    return s as T;
  };
}

/** null, or what `schema` accepts. */
export function nullable<T>(schema: Schema<T>): Schema<T | null> {
  return (where, path, value) => (value === null ? null : schema(where, path, value));
}

/** An array of at least `minLength` items, each checked by `item` at "<path>[i]". */
export function arrayOf<T>(item: Schema<T>, minLength = 0): Schema<T[]> {
  return (where, path, value) => {
    if (!Array.isArray(value)) throw typeError(where, path, "an array", value);
    if (value.length < minLength) throw new RangeError(`${where}: ${path} must hold at least ${minLength} item${minLength === 1 ? "" : "s"}; got ${value.length}`);
    return value.map((v, i) => item(where, `${path}[${i}]`, v));
  };
}

/** Any JSON object; its values are left to the code that uses them (layer options, user metadata). */
export const jsonObject: Schema<Record<string, unknown>> = (where, path, value) => {
  if (!isJsonObject(value)) throw typeError(where, path, "an object", value);
  return value;
};

/**
 * An object with exactly the keys of `fields` (those in `optional` may be absent), each checked by
 * its schema at "<path>.<key>": a missing or an unknown key is a RangeError.
 */
export function object<F extends Record<string, Schema<unknown>>, O extends keyof F = never>(fields: F, optional: readonly O[] = []):
  Schema<{ [K in Exclude<keyof F, O>]: Infer<F[K]> } & { [K in O]?: Infer<F[K]> }> {
  return (where, path, value) => {
    const o = jsonObject(where, path, value);
    const unknown = Object.keys(o).find((k) => !Object.hasOwn(fields, k));
    if (unknown !== undefined) throw new RangeError(`${where}: ${path} has an unknown key "${unknown}"; expected ${Object.keys(fields).join(", ")}`);
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(fields)) {
      if (!Object.hasOwn(o, key)) {
        if ((optional as readonly string[]).includes(key)) continue;
        throw new RangeError(`${where}: ${path} has no "${key}" key`);
      }
      out[key] = schema(where, `${path}.${key}`, o[key]);
    }
    return out as { [K in Exclude<keyof F, O>]: Infer<F[K]> } & { [K in O]?: Infer<F[K]> };
  };
}

/** A string holding JSON that `schema` accepts (the JSON values of a safetensors file's metadata). */
export function jsonText<T>(schema: Schema<T>): Schema<T> {
  return (where, path, value) => {
    const text = string(where, path, value);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new RangeError(`${where}: ${path} is not valid JSON`);
    }
    return schema(where, path, parsed);
  };
}
