// fast-check arbitraries for the property-based suite (test/properties.test.ts): the arguments a
// hostile but fair user passes to a public entry. Each tensor-like arbitrary gives a valid value
// most of the time, else one of its kinds of bad input: NaN/Infinity, ids out of range, fractional
// ids, shapes that do not fit the data or the model, ragged nested arrays, other dtypes, values of
// the wrong kind. Values that the issue says every entry must refuse are marked with the reason
// (markInvalid), so a property can tell a call that accepted one.
import fc from "fast-check";

const INVALID = new WeakMap<object, string>();

/** Marks `value` as an argument every public entry must refuse, for `reason`; returns it. */
export function markInvalid<T extends object>(value: T, reason: string): T {
  INVALID.set(value, reason);
  return value;
}

/**
 * Why some part of `value` must be refused: the reasons of the marked values in it, found through
 * arrays and plain objects (not inside typed arrays), each prefixed by its path.
 */
export function invalidParts(value: unknown, path = "args", depth = 0): string[] {
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value) || depth > 4) return [];
  const reason = INVALID.get(value);
  if (reason !== undefined) return [`${path}: ${reason}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => invalidParts(v, `${path}[${i}]`, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return [];
  return Object.entries(value).flatMap(([k, v]) => invalidParts(v, `${path}.${k}`, depth + 1));
}

/** Floats that are not finite as float32 (1e39 overflows to Infinity). */
const NON_FINITE = [NaN, Infinity, -Infinity, 1e39, -1e39];
/** Finite float32 values whose products and squares overflow. */
const LARGE = [3e38, -3e38, 1e30, -1e25];

/** Values of the wrong kind for almost any argument: fresh objects on every draw. */
export const junk: fc.Arbitrary<unknown> = fc.constantFrom<(() => unknown)[]>(
  () => undefined, () => null, () => true, () => 0, () => -1, () => 0.5, () => NaN, () => Infinity, () => 2 ** 53,
  () => "", () => "abc", () => "3", () => 10n, () => [], () => ({}), () => [1, "a"], () => [[1], [2, 3]],
  () => () => 1, () => new Date(0), () => new Map([[1, 2]]), () => new Float64Array(2), () => new Uint8Array(3),
  () => ({ shape: [2], data: [1, 2] }), () => ({ shape: "2", data: new Float32Array(2) }),
).map((make) => make());

/** A valid value most of the time, else junk. */
export function orJunk<T>(valid: fc.Arbitrary<T>, junkWeight = 1): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: junkWeight, arbitrary: junk });
}

/** Sizes no layer, vocabulary or batch of a wasm32 core can hold (2^28 floats is 1 GiB, the largest block). */
export const HUGE_SIZES = [2 ** 28, 2 ** 31 - 1, 2 ** 32, 2 ** 53 - 1];
/** Counts (numLayers) far beyond any sane bound; the largest would hang an unbounded loop. */
export const HUGE_COUNTS = [10_000, 2 ** 31 - 1, 2 ** 53 - 1];
/** Values that are no size at all. */
const BAD_SIZES: unknown[] = [0, -1, 1.5, NaN, Infinity, -Infinity, "2", null, true, 10n];

/** A size option: `valid` most of the time, else a bad size or a huge one (`huge`). */
export function size(valid: fc.Arbitrary<number>, huge: readonly number[] = HUGE_SIZES): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: fc.constantFrom(...BAD_SIZES) }, { weight: 1, arbitrary: fc.constantFrom(...huge) });
}

/** Whether `value` is an integer size in [min, limit): what a constructor must accept to be asked no more. */
export function isSaneSize(value: unknown, min = 1, limit = HUGE_SIZES[0]!): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value < limit;
}

/** A seed: an integer in [0, 2^32) mostly, else a negative, fractional, too large or junk one. */
export const seed: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 1000 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0.5, 2 ** 32, 2 ** 53, NaN) },
  { weight: 1, arbitrary: junk },
);

/** Number of values of a shape. */
function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The values as nested number arrays of `shape` (row-major). */
function nest(values: ArrayLike<number>, shape: readonly number[]): unknown {
  const build = (depth: number, offset: number): unknown => {
    const n = shape[depth]!;
    if (depth === shape.length - 1) return Array.from({ length: n }, (_, i) => values[offset + i]);
    const stride = count(shape.slice(depth + 1));
    return Array.from({ length: n }, (_, i) => build(depth + 1, offset + i * stride));
  };
  return build(0, 0);
}

/** Shapes that do not fit `shape`'s number of values, or are no shape. */
function misfitShapes(shape: readonly number[]): unknown[] {
  return [[...shape, 2], [shape[0]! + 1, ...shape.slice(1)], [-1, ...shape.slice(1)], [1.5, ...shape.slice(1)], [NaN, ...shape.slice(1)], shape.join(","), { length: shape.length }];
}

/** Nested arrays of `shape` made ragged (an inner array one short) or holding a non-number. */
function raggedNested(values: number[], shape: readonly number[]): fc.Arbitrary<unknown> {
  return fc.constantFrom("short", "string", "null").map((how) => {
    const nested = nest(values, shape) as unknown[];
    let inner: unknown[] = nested;
    while (Array.isArray(inner[0])) inner = inner[0] as unknown[];
    if (how === "short" && shape.length > 1) {
      inner.pop();
      return markInvalid(nested, "ragged nested arrays");
    }
    inner[0] = how === "null" ? null : "1";
    return markInvalid(nested, `nested arrays holding ${how === "null" ? "null" : "a string"}`);
  });
}

/**
 * Where a tensor's dims may vary: `fixed` lists the dims the model or another argument sets (a
 * change there must be refused); a changed dim grows by `growBy` (default 1).
 */
export interface ShapeRules {
  fixed?: readonly number[];
  growBy?: number;
}

/** A copy of `shape` with dim `k` larger by `by`. */
function grown(shape: readonly number[], k: number, by: number): number[] {
  return shape.map((d, i) => (i === k ? d + by : d));
}

/** Options of floatTensor. */
export interface FloatRules extends ShapeRules {
  min?: number;
  max?: number;
  /** Offer finite values large enough to overflow the model (default true). */
  large?: boolean;
  /** Finite values this argument must refuse (e.g. 1.5 in a mask of weights in [0, 1]). */
  outside?: readonly number[];
}

/** Variants shared by float and id tensors: a dim the model sets changed, a free dim changed, a shape that misfits, junk. */
function shapeVariants(shape: readonly number[], { fixed = [], growBy = 1 }: ShapeRules, make: (shape: number[]) => fc.Arbitrary<unknown>,
  data: fc.Arbitrary<ArrayLike<number>>): fc.WeightedArbitrary<unknown>[] {
  const free = shape.map((_, i) => i).filter((i) => !fixed.includes(i));
  const variants: fc.WeightedArbitrary<unknown>[] = [
    { weight: 1, arbitrary: fc.tuple(data, fc.constantFrom(...misfitShapes(shape))).map(([d, s]) => markInvalid({ shape: s, data: d }, `shape ${JSON.stringify(s)} does not fit its ${d.length} values`)) },
    { weight: 1, arbitrary: junk },
  ];
  if (fixed.length > 0) {
    variants.push({
      weight: 1,
      arbitrary: fc.constantFrom(...fixed).chain((k) => make(grown(shape, k, growBy)).map((t) => markInvalid(t as object, `dim ${k} must be ${shape[k]}; got ${shape[k]! + growBy}`))),
    });
  }
  if (free.length > 0) variants.push({ weight: 1, arbitrary: fc.constantFrom(...free).chain((k) => make(grown(shape, k, growBy))) });
  return variants;
}

/** A float tensor of `shape` (in every form the API takes) or one of its bad variants. */
export function floatTensor(shape: readonly number[], rules: FloatRules = {}): fc.Arbitrary<unknown> {
  const { min = -2, max = 2, large = true, outside = [] } = rules;
  const n = count(shape);
  const values = fc.array(fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true }), { minLength: n, maxLength: n });
  const valid = (s: number[]): fc.Arbitrary<unknown> => fc.array(fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true }), { minLength: count(s), maxLength: count(s) })
    .map((v) => ({ shape: s, data: Float32Array.from(v) }));
  const at = fc.nat(n - 1);
  const replaced = (v: number[], i: number, x: number, nested: boolean): object => {
    v[i] = x;
    return nested ? (nest(v, shape) as object) : { shape: [...shape], data: Float32Array.from(v) };
  };
  const variants: fc.WeightedArbitrary<unknown>[] = [
    { weight: 6, arbitrary: valid([...shape]) },
    { weight: 1, arbitrary: values.map((v) => nest(v, shape)) },
    {
      weight: 2,
      arbitrary: fc.tuple(values, at, fc.constantFrom(...NON_FINITE), fc.boolean())
        .map(([v, i, x, nested]) => markInvalid(replaced(v, i, x, nested), `holds ${x} at flat index ${i}`)),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(values, fc.constantFrom<((v: number[]) => unknown)[]>((v) => Float64Array.from(v), (v) => Int32Array.from(v), (v) => Uint8Array.from(v), (v) => v))
        .map(([v, convert]) => ({ shape: [...shape], data: convert(v) })),
    },
    { weight: 1, arbitrary: values.chain((v) => raggedNested(v, shape)) },
    ...shapeVariants(shape, rules, valid, values.map((v) => Float32Array.from(v))),
  ];
  if (large) variants.push({ weight: 1, arbitrary: fc.tuple(values, at, fc.constantFrom(...LARGE)).map(([v, i, x]) => replaced(v, i, x, false)) });
  if (outside.length > 0) {
    variants.push({
      weight: 2,
      arbitrary: fc.tuple(values, at, fc.constantFrom(...outside)).map(([v, i, x]) => markInvalid(replaced(v, i, x, false), `holds ${x} (outside [${min}, ${max}]) at flat index ${i}`)),
    });
  }
  return fc.oneof(...variants);
}

/** Options of idTensor. */
export interface IdRules extends ShapeRules {
  /** Ids out of [0, limit) must be refused (model and layer inputs; default false: targets may hold anything where the mask is 0). */
  strict?: boolean;
}

/** An int tensor of ids in [0, limit) of `shape` (Int32Array, integral Float32Array, nested arrays) or a bad variant. */
export function idTensor(shape: readonly number[], limit: number, rules: IdRules = {}): fc.Arbitrary<unknown> {
  const { strict = false } = rules;
  const n = count(shape);
  const values = fc.array(fc.integer({ min: 0, max: limit - 1 }), { minLength: n, maxLength: n });
  const valid = (s: number[]): fc.Arbitrary<unknown> => fc.array(fc.integer({ min: 0, max: limit - 1 }), { minLength: count(s), maxLength: count(s) })
    .map((v) => ({ shape: s, data: Int32Array.from(v) }));
  const at = fc.nat(n - 1);
  const put = (v: number[], i: number, x: number): number[] => {
    v[i] = x;
    return v;
  };
  const outOfRange = fc.tuple(values, at, fc.constantFrom(-1, limit, limit + 5, 2 ** 31 - 1, -(2 ** 31)))
    .map(([v, i, x]) => {
      const t = { shape: [...shape], data: Int32Array.from(put(v, i, x)) };
      return strict ? markInvalid(t, `holds id ${x} (outside [0, ${limit})) at flat index ${i}`) : t;
    });
  return fc.oneof(
    { weight: 6, arbitrary: valid([...shape]) },
    { weight: 1, arbitrary: values.map((v) => ({ shape: [...shape], data: Float32Array.from(v) })) },
    { weight: 1, arbitrary: values.map((v) => nest(v, shape)) },
    { weight: 2, arbitrary: outOfRange },
    {
      weight: 1,
      arbitrary: fc.tuple(values, at, fc.constantFrom(0.5, 1e-3, NaN, Infinity))
        .map(([v, i, x]) => markInvalid({ shape: [...shape], data: Float32Array.from(put(v, i, x)) }, `holds ${x} (not an integer id) at flat index ${i}`)),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(values, fc.constantFrom<((v: number[]) => unknown)[]>((v) => Float64Array.from(v), (v) => Uint8Array.from(v), (v) => Int16Array.from(v), (v) => v))
        .map(([v, convert]) => ({ shape: [...shape], data: convert(v) })),
    },
    { weight: 1, arbitrary: values.map((v) => Int32Array.from(v)) },
    { weight: 1, arbitrary: values.chain((v) => raggedNested(v, shape)) },
    ...shapeVariants(shape, rules, valid, values.map((v) => Int32Array.from(v))),
  );
}

/** Sequence lengths [N] in [1, T] (Int32Array, number[] or an [N] tensor) or a bad variant. */
export function lengths(N: number, T: number): fc.Arbitrary<unknown> {
  const values = fc.array(fc.integer({ min: 1, max: T }), { minLength: N, maxLength: N });
  return fc.oneof(
    { weight: 4, arbitrary: values.map((v) => Int32Array.from(v)) },
    { weight: 1, arbitrary: values },
    { weight: 1, arbitrary: values.map((v) => ({ shape: [N], data: Int32Array.from(v) })) },
    {
      weight: 2,
      arbitrary: fc.tuple(values, fc.nat(N - 1), fc.constantFrom(0, T + 1, -1, 1.5))
        .map(([v, i, x]) => {
          v[i] = x;
          return markInvalid(v, `length ${x} (outside the integers in [1, ${T}]) at index ${i}`);
        }),
    },
    { weight: 1, arbitrary: fc.array(fc.integer({ min: 1, max: T }), { minLength: N + 1, maxLength: N + 1 }).map((v) => markInvalid(Int32Array.from(v) as object, `${N + 1} lengths for ${N} sequences`)) },
    { weight: 1, arbitrary: junk },
  );
}

/** Per-target weights in [0, 1] of `shape`, or a bad variant (values outside [0, 1] must be refused). */
export function unitTensor(shape: readonly number[], rules: ShapeRules = {}): fc.Arbitrary<unknown> {
  return floatTensor(shape, { ...rules, min: 0, max: 1, large: false, outside: [1.5, -0.5, 2] });
}

/** Keys offered besides the known ones: typos and look-alikes that must be refused. */
const UNKNOWN_KEYS = ["unknownOption", "Units", "lr ", "epoch", "batch_size", "input_size"];

/**
 * An options object: each known key present or not (those in `required` always), each value from
 * its arbitrary or now and then junk; sometimes an unknown key (marked: it must be refused), and
 * sometimes no object at all.
 */
export function options(known: Record<string, fc.Arbitrary<unknown>>, required: readonly string[] = []): fc.Arbitrary<unknown> {
  const record = fc.record(Object.fromEntries(Object.entries(known).map(([k, arb]) => [k, orJunk(arb, 1)])), { requiredKeys: required as string[] });
  return fc.oneof(
    { weight: 10, arbitrary: record },
    {
      weight: 1,
      arbitrary: fc.tuple(record, fc.constantFrom(...UNKNOWN_KEYS), junk)
        .map(([r, key, value]) => markInvalid({ ...(r as object), [key]: value }, `unknown option "${key}"`)),
    },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 3, "options", true) },
  );
}

/** The shape of every tensor of a state dict. */
export function shapesOf(dict: Record<string, { shape: number[] }>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(dict).map(([k, t]) => [k, t.shape]));
}

/**
 * A state dict for parameters of `shapes`, its keys under `prefix`: each tensor valid or bad (with
 * `fixedShapes`, a changed dim is marked), keys left out now and then, sometimes one of
 * `extraKeys` added (a valid tensor: a loader that ignores unexpected keys may accept it), or junk.
 */
export function stateDict(shapes: Record<string, number[]>, extraKeys: readonly string[], prefix = "", fixedShapes = true): fc.Arbitrary<unknown> {
  const tensors = fc.record(
    Object.fromEntries(Object.entries(shapes).map(([k, shape]) => [prefix + k, floatTensor(shape, { fixed: fixedShapes ? shape.map((_, i) => i) : [], large: false })])),
    { requiredKeys: [] },
  );
  const extra = fc.option(fc.constantFrom(...extraKeys));
  return orJunk(fc.tuple(tensors, extra).map(([t, key]) => (key === null ? t : { ...t, [prefix + key]: { shape: [2], data: new Float32Array(2) } })));
}

/**
 * Options of loadStateDict with the prefix its dict's keys carry: { strict, prefix } (no junk in
 * them, so that every key of the dict is one the loader reads), or options that are junk as a whole.
 */
export function loadOptions(prefixes: readonly string[], extra: Record<string, fc.Arbitrary<unknown>> = {}): fc.Arbitrary<[string, unknown]> {
  const chosen = fc.tuple(fc.constantFrom(...prefixes), fc.boolean(), fc.record(extra, { requiredKeys: [] }))
    .map(([prefix, strict, rest]): [string, unknown] => [prefix, prefix === "" ? { strict, ...rest } : { strict, prefix, ...rest }]);
  return fc.oneof({ weight: 8, arbitrary: chosen }, { weight: 1, arbitrary: junk.filter((j) => j !== undefined).map((j): [string, unknown] => ["", j]) });
}
