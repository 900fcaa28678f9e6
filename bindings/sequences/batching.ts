// Orders of sequence indices drawn from the library's seeded Rng: shuffles, length buckets and
// train/validation splits. The same seed gives the same indices on every platform.
import { core } from "../core.js";
import { WasmArray } from "../buffer.js";
import { Rng } from "../random.js";
import { checkOptionKeys, checkInt, checkNumber } from "../validate.js";
import { toIndexArray, type IdArray } from "./check.js";
import { checkSeed } from "../validate.js";
import { checkAllocation } from "../sizes.js";

/** Options of `bucketByLength`. */
export interface BucketOptions {
  /** Seed of the shuffles (required: the batches are the same for the same seed). */
  seed: number;
}

/** Options of `trainValidationSplit`. */
export interface SplitOptions {
  /** Share of the indices held out, in (0, 1): `Math.round(validationFraction * n)` of them. */
  validationFraction: number;
  /** Seed of the shuffle (required). */
  seed: number;
}

/** A split of the indices 0..n-1 into two disjoint sets, each in ascending order. */
export interface Split {
  train: Int32Array;
  validation: Int32Array;
}

/** A uniformly random permutation of 0..n-1 drawn from `rng` (Fisher–Yates in the core); `what` names n for `where`'s size check. */
function permutation(where: string, what: string, rng: Rng, n: number): Int32Array {
  const block = new WasmArray(checkAllocation(where, `${what} ${n} (the permutation)`, n));
  try {
    core().fillIotaI32(block.ptr, n);
    rng.shuffle(block.ptr, n);
    return block.i32().slice();
  } finally {
    block.free();
  }
}

/** Runs `draw` with an Rng seeded by `seed`, then frees it. */
function withRng<T>(seed: number, draw: (rng: Rng) => T): T {
  const rng = new Rng(seed);
  try {
    return draw(rng);
  } finally {
    rng.dispose();
  }
}

/** The indices 0..n-1 in a random order fixed by `seed`. */
export function shuffledIndices(n: number, seed: number): Int32Array {
  const where = "shuffledIndices";
  checkInt(where, "n", n, 0);
  return withRng(checkSeed(where, seed), (rng) => permutation(where, "n", rng, n));
}

/**
 * Batches of sequence indices with similar lengths, so little of each batch is padding: the
 * indices are shuffled (ties between equal lengths fall differently for each seed), sorted by
 * length, cut into batches of `batchSize` (the last may be smaller), and the batches shuffled.
 * Within a batch, indices are in ascending length; every index appears exactly once.
 */
export function bucketByLength(lengths: IdArray, batchSize: number, options: BucketOptions): Int32Array[] {
  const where = "bucketByLength";
  const lens = toIndexArray(where, "lengths", lengths);
  checkInt(where, "batchSize", batchSize);
  checkOptionKeys(where, options, ["seed"]);
  const seed = checkSeed(where, options?.seed);
  return withRng(seed, (rng) => {
    const sorted = permutation(where, "lengths.length", rng, lens.length);
    const rank = new Int32Array(sorted.length); // position in the shuffle: a total order, the same in every engine
    sorted.forEach((index, position) => (rank[index] = position));
    sorted.sort((a, b) => lens[a]! - lens[b]! || rank[a]! - rank[b]!);
    const batches: Int32Array[] = [];
    for (let i = 0; i < sorted.length; i += batchSize) batches.push(sorted.slice(i, i + batchSize));
    return Array.from(permutation(where, "the batch count", rng, batches.length), (b) => batches[b]!);
  });
}

/**
 * A random split of the indices 0..n-1: `Math.round(validationFraction * n)` go to validation,
 * the rest to training; both parts must be non-empty.
 */
export function trainValidationSplit(n: number, options: SplitOptions): Split {
  const where = "trainValidationSplit";
  checkInt(where, "n", n);
  checkOptionKeys(where, options, ["validationFraction", "seed"]);
  const fraction = checkNumber(where, "validationFraction", options?.validationFraction, 0, 1);
  const seed = checkSeed(where, options.seed);
  const held = Math.round(fraction * n);
  if (held === 0 || held === n) {
    throw new RangeError(`${where}: validationFraction ${fraction} of n = ${n} holds out ${held} indices; both parts must be non-empty`);
  }
  const order = withRng(seed, (rng) => permutation(where, "n", rng, n));
  return { train: order.slice(held).sort(), validation: order.slice(0, held).sort() };
}
