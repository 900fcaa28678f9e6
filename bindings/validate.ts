// Argument checks shared by every public entry: errors name the argument and say expected vs got.

/** Plain option objects may only carry known keys: a typo is an error, not a silent default. */
export function checkOptionKeys(where: string, options: object | undefined, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${where}: options must be an object; got ${options === null ? "null" : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${where}: unknown option "${key}"; expected one of ${allowed.join(", ")}`);
    }
  }
}

/** An integer >= min (default 1). */
export function checkInt(where: string, name: string, value: unknown, min = 1): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${where}: ${name} must be an integer; got ${describe(value)}`);
  }
  if (value < min) throw new RangeError(`${where}: ${name} must be >= ${min}; got ${value}`);
  return value;
}

/** A boolean. */
export function checkBoolean(where: string, name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new TypeError(`${where}: ${name} must be a boolean; got ${describe(value)}`);
  return value;
}

/** The largest finite float32 (2^128 - 2^104): beyond it a number becomes Infinity in the core. */
export const MAX_F32 = 3.4028234663852886e38;

/** A finite number within [min, max] that float32 holds (|value| <= MAX_F32): the core computes in float32. */
export function checkNumber(where: string, name: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== "number") throw new TypeError(`${where}: ${name} must be a number; got ${describe(value)}`);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${where}: ${name} must be a finite number in [${min}, ${max}]; got ${value}`);
  }
  if (Math.abs(value) > MAX_F32) {
    throw new RangeError(`${where}: ${name} must fit float32 (|${name}| <= ${MAX_F32}; the core computes in float32); got ${value}`);
  }
  return value;
}

/** A number in (0, max] (checkNumber) that stays above 0 in float32; `why` says what 0 would do. */
export function checkPositive(where: string, name: string, value: unknown, why: string, max = Infinity): number {
  const v = checkNumber(where, name, value, 0, max);
  if (Math.fround(v) === 0) throw new RangeError(`${where}: ${name} must be > 0 (${why}); got ${v}${v === 0 ? "" : ", which is 0 in float32"}`);
  return v;
}

/**
 * Throws a RangeError when an option that was given (not undefined) would have no effect:
 * `inEffect` false, `needs` saying when it has one (e.g. "without bidirectional: true").
 */
export function checkInEffect(where: string, name: string, value: unknown, inEffect: boolean, needs: string): void {
  if (value === undefined || inEffect) return;
  throw new RangeError(`${where}: ${name} ${typeof value === "string" ? `"${value}"` : String(value)} has no effect ${needs}; leave it out`);
}

/** One of a fixed set of strings. */
export function checkChoice<T extends string>(where: string, name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    throw new TypeError(`${where}: ${name} must be one of ${choices.map((c) => `"${c}"`).join(", ")}; got ${describe(value)}`);
  }
  return value as T;
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === "object") return `an object (${Object.prototype.toString.call(value)})`;
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "function") return value.name === "" ? "function" : `function ${value.name}`; // never its source
  return `${typeof value} ${String(value)}`;
}

/** Formats a shape as [2, 3, 4]. */
export function shapeString(shape: readonly (number | string)[]): string {
  return `[${shape.join(", ")}]`;
}

/** The largest unsigned 32-bit integer: the bound of seeds and of Rng.nextInt. */
export const MAX_U32 = 0xffffffff;

/** A seed of the library's Rng: an integer in [0, 2^32 - 1]. */
export function checkSeed(where: string, seed: unknown): number {
  checkInt(where, "seed", seed, 0);
  if ((seed as number) > MAX_U32) throw new RangeError(`${where}: seed must be <= ${MAX_U32}; got ${seed}`);
  return seed as number;
}
