// Per-feature standardization (as sklearn's StandardScaler), saved with the model so predictions
// can be mapped back to the original units.
import { checkFiniteValues, type Tensor } from "../tensor.js";
import { describe, shapeString } from "../validate.js";
import { toSeries, type SeriesLike } from "./series.js";
import { readJson } from "./check.js";

/** A normalizer as `toJSON()` saves it. */
export interface NormalizerJSON {
  format: "wasm-rnn/normalizer";
  version: 1;
  /** Per-feature means. */
  mean: number[];
  /** Per-feature divisors: the standard deviation, or 1 for a constant feature. */
  scale: number[];
}

const FORMAT = "wasm-rnn/normalizer";
/** float32 resolution: a feature whose std is at most this times its largest magnitude is constant. */
const CONSTANT = 2 ** -23;

function checkFinites(where: string, name: string, value: unknown, positive: boolean): number[] {
  if (!Array.isArray(value) || value.length === 0) throw new TypeError(`${where}: ${name} must be a non-empty array of numbers; got ${describe(value)}`);
  value.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v) || (positive && v <= 0)) {
      throw new RangeError(`${where}: ${name} must hold finite${positive ? " positive" : ""} numbers; got ${describe(v)} at index ${i}`);
    }
  });
  return [...(value as number[])];
}

/**
 * Standardizes every feature (the last dimension; a 1-D series is one feature) to mean 0 and
 * standard deviation 1: `transform(x) = (x - mean) / scale`, `inverse(z) = z * scale + mean`.
 * `scale` is the population standard deviation (divided by the count, as StandardScaler), except
 * for a constant feature (std at most 2^-23 of its largest magnitude, float32 resolution), whose
 * scale is 1: transform maps it to 0 and inverse restores the constant.
 */
export class Normalizer {
  readonly #mean: number[];
  readonly #scale: number[];

  private constructor(mean: number[], scale: number[]) {
    this.#mean = mean;
    this.#scale = scale;
  }

  /** Per-feature statistics of a series ([L], [L, F] or any [..., F]), computed in float64. */
  static fit(series: SeriesLike): Normalizer {
    const s = toSeries("Normalizer.fit", "series", series);
    const F = s.features;
    const count = s.data.length / F;
    const sums = new Array<number>(F).fill(0);
    s.data.forEach((v, i) => (sums[i % F]! += v));
    const mean = sums.map((sum) => sum / count);
    const squares = new Array<number>(F).fill(0);
    const largest = new Array<number>(F).fill(0);
    s.data.forEach((v, i) => {
      const f = i % F;
      squares[f]! += (v - mean[f]!) ** 2;
      largest[f] = Math.max(largest[f]!, Math.abs(v));
    });
    const scale = squares.map((sq, f) => {
      const std = Math.sqrt(sq / count);
      return std > CONSTANT * largest[f]! ? std : 1;
    });
    return new Normalizer(mean, scale);
  }

  /** Rebuilds a normalizer from `toJSON()`'s object (or its JSON string). */
  static fromJSON(json: NormalizerJSON | string): Normalizer {
    const where = "Normalizer.fromJSON";
    const record = readJson(where, json, FORMAT, 1);
    const mean = checkFinites(where, "json.mean", record.mean, false);
    const scale = checkFinites(where, "json.scale", record.scale, true);
    if (mean.length !== scale.length) throw new RangeError(`${where}: json.mean and json.scale must have the same length; got ${mean.length} and ${scale.length}`);
    return new Normalizer(mean, scale);
  }

  /** Number of features F. */
  get features(): number {
    return this.#mean.length;
  }

  /** Per-feature means (a copy). */
  get mean(): number[] {
    return [...this.#mean];
  }

  /** Per-feature divisors (a copy): the standard deviation, or 1 for a constant feature. */
  get scale(): number[] {
    return [...this.#scale];
  }

  /** Applies `f(value, feature)` to every value of `x`, whose features must match. */
  #map(where: string, x: SeriesLike, f: (v: number, feature: number) => number): Tensor {
    const s = toSeries(where, "x", x);
    if (s.features !== this.features) {
      throw new RangeError(`${where}: x must have ${this.features} features in its last dimension${this.features === 1 ? " (or be 1-D)" : ""}; got shape ${shapeString(s.shape)}`);
    }
    const F = this.features;
    const data = s.data.map((v, i) => f(v, i % F));
    checkFiniteValues(where, "the result (x overflows float32 at this scale)", data);
    return { shape: [...s.shape], data };
  }

  /** `(x - mean) / scale` per feature, as a new Tensor of x's shape. */
  transform(x: SeriesLike): Tensor {
    return this.#map("Normalizer.transform", x, (v, f) => (v - this.#mean[f]!) / this.#scale[f]!);
  }

  /** `z * scale + mean` per feature (undoes transform, e.g. on predictions), as a new Tensor of z's shape. */
  inverse(z: SeriesLike): Tensor {
    return this.#map("Normalizer.inverse", z, (v, f) => v * this.#scale[f]! + this.#mean[f]!);
  }

  /** A plain object for JSON.stringify, to save next to a model; `Normalizer.fromJSON` reads it back. */
  toJSON(): NormalizerJSON {
    return { format: FORMAT, version: 1, mean: [...this.#mean], scale: [...this.#scale] };
  }
}
