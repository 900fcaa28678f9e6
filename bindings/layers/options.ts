// One declaration per layer option: its check (a Schema of ../schema.ts over the checks of
// ../validate.ts, so messages are the library's usual "<Layer>: <option> must be ...; got ..."),
// whether it is required or its default, and when it has an effect. A layer's schema yields its
// options type (OptionsOf), the unknown-key check, the validation (parse), the saved config and
// the removal of options without effect. The doc comment of an option sits on its schema entry and
// the derived types carry it (homomorphic mapped types keep each property's declaration).
import type { Infer, Schema } from "../schema.js";
import { checkOptionKeys, checkInt, checkChoice, checkNumber, checkSeed, checkInEffect } from "../validate.js";
import { checkLayerCount } from "../sizes.js";

/** When an option has an effect: refused where `when` is false, unless at its `off` value. */
export interface Effect {
  /** Whether the option acts, given the other options (validated ones, or a raw config's). */
  when: (options: Readonly<Record<string, unknown>>) => boolean;
  /** When it acts, for the message: "without bidirectional: true (it combines the two directions)". */
  needs: string;
  /** The value that means "off" (dropout 0): accepted whatever the other options, and saved. */
  off?: unknown;
}

/** An option that must be given. */
export interface RequiredOption<T> {
  readonly kind: "required";
  readonly check: Schema<T>;
}

/** An option with a default (a value, or a function called once per construction, e.g. seeds). */
export interface DefaultedOption<T> {
  readonly kind: "defaulted";
  readonly check: Schema<T>;
  readonly default: T | (() => T);
  readonly effect?: Effect;
}

/** An option that may stay absent (undefined after parsing, and left out of configs). */
export interface AbsentOption<T> {
  readonly kind: "absent";
  readonly check: Schema<T>;
}

export type OptionSpec<T> = RequiredOption<T> | DefaultedOption<T> | AbsentOption<T>;
type Fields = Record<string, OptionSpec<unknown>>;

export function required<T>(check: Schema<T>): RequiredOption<T> {
  return { kind: "required", check };
}

export function defaulted<T>(check: Schema<T>, value: T | (() => T), effect?: Effect): DefaultedOption<T> {
  return { kind: "defaulted", check, default: value, ...(effect === undefined ? {} : { effect }) };
}

export function absent<T>(check: Schema<T>): AbsentOption<T> {
  return { kind: "absent", check };
}

/** An integer >= min (checkInt). */
export function int(min = 1): Schema<number> {
  return (where, name, value) => checkInt(where, name, value, min);
}

/** A finite float32 number in [min, max] (checkNumber). */
export function finite(min = -Infinity, max = Infinity): Schema<number> {
  return (where, name, value) => checkNumber(where, name, value, min, max);
}

/** One of `choices` (checkChoice). */
export function choice<T extends string>(choices: readonly T[]): Schema<T> {
  return (where, name, value) => checkChoice(where, name, value, choices);
}

export { boolean } from "../schema.js";
export const layerCount: Schema<number> = checkLayerCount;
export const seed: Schema<number> = (where, _name, value) => checkSeed(where, value);

type Value<O> = O extends { check: Schema<unknown> } ? Infer<O["check"]> : never;
type RequiredKeys<F> = { [K in keyof F]: F[K] extends RequiredOption<unknown> ? K : never }[keyof F];

/** What a constructor accepts: the required options, and the others optional. */
export type OptionsOf<S> = S extends OptionSchema<infer F> ? Flat<
  { -readonly [K in keyof F as K extends RequiredKeys<F> ? K : never]: Value<F[K]> }
  & { -readonly [K in keyof F as K extends RequiredKeys<F> ? never : K]?: Value<F[K]> }> : never;

/** What parse returns: every option, defaults filled in; absent options may be undefined. */
export type Parsed<S> = S extends OptionSchema<infer F> ? { readonly [K in keyof F]: F[K] extends AbsentOption<unknown> ? Value<F[K]> | undefined : Value<F[K]> } : never;

type Flat<T> = { [K in keyof T]: T[K] } & {};

export interface OptionSchema<F extends Fields> {
  readonly fields: F;
  /** Every option's key, in declaration order (the order of configs and of checks). */
  readonly keys: readonly (keyof F & string)[];
  /**
   * Checks `options` as the constructor `where` ("LSTM") receives them: unknown keys, required
   * ones, each value in declaration order (an option's effect is checked right after it, from the
   * options before it) and returns them with the defaults filled in.
   */
  parse(where: string, options: unknown): Parsed<OptionSchema<F>>;
  /** The saved config of parsed options: declaration order, without absent options or options without effect. */
  config(parsed: Parsed<OptionSchema<F>>): Record<string, unknown>;
  /**
   * `options` without the options that have no effect there (which parse refuses): for options
   * that describe a layer completely, where dropping them changes nothing, as saved configs
   * (files written before this was an error hold them) and the importers' layer descriptions.
   */
  withoutIneffective<T extends object>(options: T): T;
}

function effectOf(spec: OptionSpec<unknown>): Effect | undefined {
  return spec.kind === "defaulted" ? spec.effect : undefined;
}

/** A layer's option schema from its fields (spread another schema's fields to extend it). */
export function optionSchema<const F extends Fields>(fields: F): OptionSchema<F> {
  const entries = Object.entries(fields) as [keyof F & string, OptionSpec<unknown>][];
  const keys = entries.map(([key]) => key);
  const requiredKeys = entries.filter(([, spec]) => spec.kind === "required").map(([key]) => key);
  const staticDefaults = Object.fromEntries(entries.flatMap(([key, spec]) => (spec.kind === "defaulted" && typeof spec.default !== "function" ? [[key, spec.default]] : [])));
  return {
    fields,
    keys,
    parse(where, options) {
      checkOptionKeys(where, options as object | undefined, keys);
      if (options === undefined) throw new TypeError(`${where}: options { ${requiredKeys.join(", ")} } are required`);
      const given = options as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, spec] of entries) {
        const value = given[key];
        if (value !== undefined || spec.kind === "required") out[key] = spec.check(where, key, value);
        else if (spec.kind === "defaulted") out[key] = typeof spec.default === "function" ? (spec.default as () => unknown)() : spec.default;
        const effect = effectOf(spec);
        if (effect !== undefined && value !== effect.off) checkInEffect(where, key, value, effect.when(out), effect.needs);
      }
      return out as Parsed<OptionSchema<F>>;
    },
    config(parsed) {
      const values = parsed as Record<string, unknown>;
      const saved: Record<string, unknown> = {};
      for (const [key, spec] of entries) {
        const effect = effectOf(spec);
        const idle = effect !== undefined && values[key] !== effect.off && !effect.when(values);
        if (values[key] !== undefined && !idle) saved[key] = values[key];
      }
      return saved;
    },
    withoutIneffective<T extends object>(options: T): T {
      const withDefaults = { ...staticDefaults, ...options };
      const kept = Object.entries(options).filter(([key]) => {
        const spec = fields[key] as OptionSpec<unknown> | undefined;
        const effect = spec === undefined ? undefined : effectOf(spec);
        return effect === undefined || effect.when(withDefaults);
      });
      return Object.fromEntries(kept) as T;
    },
  };
}
