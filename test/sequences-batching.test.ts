import assert from "node:assert/strict";
import { padSequences } from "../bindings/sequences/padding.js";
import { shuffledIndices, bucketByLength, trainValidationSplit } from "../bindings/sequences/batching.js";
import { selectSequences } from "../bindings/sequences/select.js";
import { mulberry32 } from "./helpers/random.js";

/** Column n of a time-major [T, N] array. */
function column(data: ArrayLike<number>, T: number, N: number, n: number): number[] {
  return Array.from({ length: T }, (_, t) => data[t * N + n]!);
}

const SEQS = [[5, 6, 7], [8], [9, 10]];

describe("padSequences", () => {
  it("pads after the ids, time-major, with a mask and the lengths", () => {
    const { ids, mask, lengths } = padSequences(SEQS, { padding: "post" });
    assert.deepEqual(ids.shape, [3, 3]);
    // t = 0: 5 8 9 / t = 1: 6 0 10 / t = 2: 7 0 0
    assert.deepEqual(ids.data, Int32Array.from([5, 8, 9, 6, 0, 10, 7, 0, 0]));
    assert.deepEqual(mask, { shape: [3, 3], data: Float32Array.from([1, 1, 1, 1, 0, 1, 1, 0, 0]) });
    assert.deepEqual(lengths, Int32Array.from([3, 1, 2]));
  });

  it("pads before the ids so the last step is real", () => {
    const { ids, mask, lengths } = padSequences(SEQS.map((s) => Int32Array.from(s)), { padding: "pre" });
    assert.deepEqual(ids.data, Int32Array.from([5, 0, 0, 6, 0, 9, 7, 8, 10]));
    assert.deepEqual(mask.data, Float32Array.from([1, 0, 0, 1, 0, 1, 1, 1, 1]));
    assert.deepEqual(lengths, Int32Array.from([3, 1, 2]));
  });

  it("pads to maxLength with a chosen value", () => {
    const { ids, mask } = padSequences(SEQS, { padding: "post", maxLength: 4, value: 99 });
    assert.deepEqual(ids.shape, [4, 3]);
    assert.deepEqual(column(ids.data, 4, 3, 1), [8, 99, 99, 99]);
    assert.deepEqual(column(mask.data, 4, 3, 1), [1, 0, 0, 0]);
  });

  it("truncates only when told how, and says so otherwise", () => {
    assert.throws(
      () => padSequences(SEQS, { padding: "post", maxLength: 2 }),
      (e: Error) => e instanceof RangeError && /seqs\[0\] has 3 ids, more than maxLength 2; pass truncating/.test(e.message),
    );
    const pre = padSequences(SEQS, { padding: "post", maxLength: 2, truncating: "pre" });
    assert.deepEqual(column(pre.ids.data, 2, 3, 0), [6, 7], "truncating pre drops the first ids");
    assert.deepEqual(pre.lengths, Int32Array.from([2, 1, 2]));
    const post = padSequences(SEQS, { padding: "pre", maxLength: 2, truncating: "post" });
    assert.deepEqual(column(post.ids.data, 2, 3, 0), [5, 6], "truncating post drops the last ids");
    assert.deepEqual(column(post.ids.data, 2, 3, 1), [0, 8]);
  });

  it("rejects bad input", () => {
    assert.throws(() => padSequences(SEQS, {} as never), /padSequences: padding must be one of "post", "pre"; got undefined/);
    assert.throws(() => padSequences(SEQS, undefined as never), TypeError);
    assert.throws(() => padSequences(SEQS, { padding: "post", truncating: "middle" as never }), /truncating must be one of/);
    assert.throws(() => padSequences(SEQS, { padding: "post", maxlen: 3 } as never), /unknown option "maxlen"/);
    assert.throws(() => padSequences([], { padding: "post" }), /seqs must hold at least one sequence; got an empty array/);
    assert.throws(() => padSequences("123" as never, { padding: "post" }), /seqs must be an array of id sequences; got "123"/);
    assert.throws(() => padSequences([[1], []], { padding: "post" }), /seqs\[1\] must hold at least one id; got an empty sequence/);
    assert.throws(() => padSequences([[1, -2]], { padding: "post" }), /seqs\[0\] must hold integers in \[0, 2147483647\); got number -2 at index 1/);
    assert.throws(() => padSequences([[1, 2.5]], { padding: "post" }), RangeError);
    assert.throws(() => padSequences([[1]], { padding: "post", maxLength: 0 }), /maxLength must be >= 1; got 0/);
    assert.throws(() => padSequences([[1]], { padding: "post", value: -1 }), /value must be >= 0; got -1/);
    assert.throws(() => padSequences([[1]], { padding: "post", value: 2 ** 31 }), /value must be <= 2147483647 \(an int32 id\); got 2147483648/);
  });
});

describe("index orders", () => {
  it("shuffledIndices is a permutation fixed by the seed", () => {
    const a = shuffledIndices(50, 3);
    assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual(shuffledIndices(50, 3), a);
    assert.notDeepEqual(shuffledIndices(50, 4), a);
    assert.deepEqual(shuffledIndices(0, 3), new Int32Array(0));
    assert.throws(() => shuffledIndices(5, -1), /shuffledIndices: seed must be >= 0/);
    assert.throws(() => shuffledIndices(5, 2 ** 32), /seed must be <= 4294967295/);
    assert.throws(() => shuffledIndices(2.5, 0), /n must be an integer/);
  });

  it("bucketByLength groups similar lengths, covers every index once, and is deterministic", () => {
    const next = mulberry32(1);
    const lengths = Array.from({ length: 100 }, () => 1 + Math.floor(next() * 50));
    const batches = bucketByLength(lengths, 8, { seed: 5 });
    assert.equal(batches.length, 13);
    assert.deepEqual(batches.map((b) => b.length).sort((a, b) => a - b)[0], 4, "the last batch holds the 4 left over");
    const all = batches.flatMap((b) => [...b]).sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 100 }, (_, i) => i));
    for (const b of batches) {
      const ls = [...b].map((i) => lengths[i]!);
      assert.deepEqual(ls, [...ls].sort((x, y) => x - y), "ascending length within a batch");
    }
    // Batches are slices of the length order: their [min, max] ranges only touch at the ends.
    const ranges = batches.map((b) => [lengths[b[0]!]!, lengths[b[b.length - 1]!]!] as const).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i - 1]![1] <= ranges[i]![0], `batch ranges ${ranges[i - 1]} and ${ranges[i]} overlap`);
    assert.deepEqual(bucketByLength(lengths, 8, { seed: 5 }), batches);
    assert.notDeepEqual(bucketByLength(lengths, 8, { seed: 6 }), batches);
  });

  it("bucketByLength rejects bad input", () => {
    assert.throws(() => bucketByLength([1, 2], 0, { seed: 0 }), /bucketByLength: batchSize must be >= 1; got 0/);
    assert.throws(() => bucketByLength([1, 2], 2, {} as never), /bucketByLength: seed must be an integer; got undefined/);
    assert.throws(() => bucketByLength([1, -2], 2, { seed: 0 }), /lengths must hold integers in \[0, 2147483647\); got number -2 at index 1/);
    assert.throws(() => bucketByLength([1], 2, { seed: 0, shuffle: true } as never), /unknown option "shuffle"/);
  });

  it("trainValidationSplit gives disjoint, complete, sorted parts of the requested sizes", () => {
    const { train, validation } = trainValidationSplit(10, { validationFraction: 0.2, seed: 1 });
    assert.equal(validation.length, 2);
    assert.equal(train.length, 8);
    assert.deepEqual([...train, ...validation].sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => i));
    assert.deepEqual([...train], [...train].sort((a, b) => a - b));
    assert.deepEqual(trainValidationSplit(10, { validationFraction: 0.2, seed: 1 }), { train, validation });
    assert.equal(trainValidationSplit(7, { validationFraction: 0.3, seed: 0 }).validation.length, 2); // round(2.1)
  });

  it("trainValidationSplit rejects empty parts and bad options", () => {
    assert.throws(() => trainValidationSplit(10, { validationFraction: 0.01, seed: 0 }), /holds out 0 indices; both parts must be non-empty/);
    assert.throws(() => trainValidationSplit(10, { validationFraction: 1, seed: 0 }), /holds out 10 indices/);
    assert.throws(() => trainValidationSplit(10, { validationFraction: 1.5, seed: 0 }), /validationFraction must be a finite number in \[0, 1\]; got 1.5/);
    assert.throws(() => trainValidationSplit(10, { seed: 0 } as never), /validationFraction must be a number; got undefined/);
    assert.throws(() => trainValidationSplit(10, { validationFraction: 0.5 } as never), /seed must be an integer; got undefined/);
    assert.throws(() => trainValidationSplit(0, { validationFraction: 0.5, seed: 0 }), /n must be >= 1; got 0/);
  });
});

describe("selectSequences", () => {
  // x [T=2, N=3, F=2] with x[t, n, f] = 100 t + 10 n + f.
  const x = { shape: [2, 3, 2], data: Float32Array.from([0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]) };

  it("takes columns of time-major data in the given order", () => {
    assert.deepEqual(selectSequences(x, [2, 0]), { shape: [2, 2, 2], data: Float32Array.from([20, 21, 0, 1, 120, 121, 100, 101]) });
    assert.deepEqual(selectSequences(x, Int32Array.from([1, 1])).data, Float32Array.from([10, 11, 10, 11, 110, 111, 110, 111]));
    const ids = selectSequences({ shape: [2, 3], data: Int32Array.from([1, 2, 3, 4, 5, 6]) }, [2]);
    assert.ok(ids.data instanceof Int32Array);
    assert.deepEqual(ids, { shape: [2, 1], data: Int32Array.from([3, 6]) });
    assert.deepEqual(selectSequences([[1, 2], [3, 4]], [1]), { shape: [2, 1], data: Float32Array.from([2, 4]) });
  });

  it("takes rows of per-sequence targets with axis 0", () => {
    const y = { shape: [3, 2], data: Float32Array.from([0, 1, 2, 3, 4, 5]) };
    assert.deepEqual(selectSequences(y, [2, 0], { axis: 0 }), { shape: [2, 2], data: Float32Array.from([4, 5, 0, 1]) });
  });

  it("rejects bad indices and axes", () => {
    assert.throws(() => selectSequences(x, [3]), /selectSequences: indices must hold integers in \[0, 3\); got number 3 at index 0/);
    assert.throws(() => selectSequences(x, [0], { axis: 3 }), /tensor must have more than 3 dimensions to select along axis 3; got shape \[2, 3, 2\]/);
    assert.throws(() => selectSequences({ shape: [4], data: new Float32Array(4) }, [0]), RangeError);
    assert.throws(() => selectSequences(null as never, [0]), /tensor must be a \{ shape, data: Float32Array \} tensor/);
    assert.throws(() => selectSequences(x, [0], { dim: 1 } as never), /unknown option "dim"/);
  });
});
