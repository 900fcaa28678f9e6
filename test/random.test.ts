import assert from "node:assert/strict";
import { core } from "../bindings/core.js";
import { WasmArray } from "../bindings/buffer.js";
import { Rng } from "../bindings/random.js";

/** splitmix32 seeding + xoshiro128** in plain JavaScript: the u32 stream a seed must give. */
function referenceU32(seed: number): () => number {
  let x = seed >>> 0;
  const s = [0, 1, 2, 3].map(() => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  });
  const rotl = (v: number, k: number): number => ((v << k) | (v >>> (32 - k))) >>> 0;
  return () => {
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  };
}

function mean(xs: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i]!;
  return sum / xs.length;
}

function std(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += (xs[i]! - m) ** 2;
  return Math.sqrt(sum / (xs.length - 1));
}

/** Pearson's chi-square statistic of observed counts against a uniform expectation. */
function chiSquare(counts: readonly number[]): number {
  const expected = counts.reduce((a, b) => a + b, 0) / counts.length;
  return counts.reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
}

/** Runs `fill` on a fresh block of n floats and returns a copy of them. */
function filled(n: number, fill: (ptr: number) => void): Float32Array {
  const block = new WasmArray(n);
  fill(block.ptr);
  const out = block.f32().slice();
  block.free();
  return out;
}

describe("Rng: the stream", () => {
  it("is xoshiro128** (the reference implementation's outputs for a given state)", () => {
    // State and first outputs of the C reference (prng.di.unimi.it/xoshiro128starstar.c).
    const state = new WasmArray(4);
    state.i32().set([0x964d4a0c, 0xd40ab895, 0xad7fdecb, 0x3006f0f0]);
    const out = [0, 1, 2, 3].map(() => core().rngNextU32(state.ptr) >>> 0);
    assert.deepEqual(out, [0xf1391922, 0x6fe53806, 0xa5be2840, 0xf510ee70]);
    // By hand from state [1, 2, 3, 4]: rotl(2 * 5, 7) * 9 = 11520; the state becomes [7, 0, 1026, 12288]
    // (output 0), then [12295, 1029, 1029, ...]: rotl(1029 * 5, 7) * 9 = 5927040.
    state.i32().set([1, 2, 3, 4]);
    assert.deepEqual([0, 1, 2].map(() => core().rngNextU32(state.ptr) >>> 0), [11520, 0, 5927040]);
    state.free();
  });

  it("is seeded through splitmix32, for seeds 0 to 2^32 - 1", () => {
    const state = new WasmArray(4);
    for (const seed of [0, 1, 2, 42, 0x7fffffff, 0xffffffff]) {
      core().rngSeed(state.ptr, seed);
      const expected = referenceU32(seed);
      for (let i = 0; i < 1000; i++) assert.equal(core().rngNextU32(state.ptr) >>> 0, expected(), `seed ${seed}, draw ${i}`);
    }
    state.free();
  });

  it("is the same for the same seed, in every method", () => {
    const draw = (rng: Rng): number[] => [
      ...Array.from({ length: 10 }, () => rng.nextFloat()),
      ...Array.from({ length: 10 }, () => rng.nextInt(1000)),
      ...filled(7, (p) => rng.fillUniform(p, 7, -1, 1)),
      ...filled(7, (p) => rng.fillNormal(p, 7, 0, 1)),
      ...filled(7, (p) => rng.fillDropoutMask(p, 7, 0.5)),
    ];
    const a = new Rng(7);
    const b = new Rng(7);
    assert.deepEqual(draw(a), draw(b));
    a.dispose();
    b.dispose();
  });

  it("differs between seeds 0, 1 and 2, without correlation", () => {
    const streams = [0, 1, 2].map((seed) => {
      const rng = new Rng(seed);
      const xs = Array.from({ length: 10000 }, () => rng.nextFloat());
      rng.dispose();
      return xs;
    });
    for (const [i, j] of [[0, 1], [0, 2], [1, 2]] as const) {
      const x = streams[i]!;
      const y = streams[j]!;
      assert.ok(x.slice(0, 100).every((v, k) => v !== y[k]), `seeds ${i} and ${j} share a value`);
      const mx = mean(x);
      const my = mean(y);
      const cov = x.reduce((a, v, k) => a + (v - mx) * (y[k]! - my), 0) / x.length;
      const r = cov / (std(x) * std(y));
      assert.ok(Math.abs(r) < 0.03, `seeds ${i} and ${j}: correlation ${r}`);
    }
  });
});

describe("Rng: distributions (100000 samples)", () => {
  const N = 100_000;

  it("nextFloat is uniform on [0, 1)", () => {
    const rng = new Rng(1);
    const xs = Array.from({ length: N }, () => rng.nextFloat());
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.ok(Math.abs(mean(xs) - 0.5) < 0.005, `mean ${mean(xs)}`);
    assert.ok(Math.abs(std(xs) - Math.sqrt(1 / 12)) < 0.005, `std ${std(xs)}`);
    rng.dispose();
  });

  it("fillUniform: in [lo, hi) with mean (lo + hi) / 2 and std (hi - lo) / sqrt(12)", () => {
    const rng = new Rng(2);
    const xs = filled(N, (p) => rng.fillUniform(p, N, -1, 3));
    assert.ok(xs.every((x) => x >= -1 && x < 3));
    assert.ok(Math.abs(mean(xs) - 1) < 0.02, `mean ${mean(xs)}`);
    assert.ok(Math.abs(std(xs) - 4 / Math.sqrt(12)) < 0.01, `std ${std(xs)}`);
    rng.dispose();
  });

  it("fillNormal: mean, std and the mass within one std", () => {
    const rng = new Rng(3);
    const xs = filled(N, (p) => rng.fillNormal(p, N, 1.5, 2));
    assert.ok(Math.abs(mean(xs) - 1.5) < 0.03, `mean ${mean(xs)}`);
    assert.ok(Math.abs(std(xs) - 2) < 0.02, `std ${std(xs)}`);
    const within = xs.filter((x) => Math.abs(x - 1.5) < 2).length / N;
    assert.ok(Math.abs(within - 0.6827) < 0.006, `P(|z| < 1) = ${within}`);
    rng.dispose();
  });

  it("fillNormal of an odd count is the prefix of the even one", () => {
    const a = new Rng(4);
    const b = new Rng(4);
    const odd = filled(5, (p) => a.fillNormal(p, 5, 0, 1));
    const even = filled(6, (p) => b.fillNormal(p, 6, 0, 1));
    assert.deepEqual(Array.from(odd), Array.from(even.subarray(0, 5)));
    assert.ok(odd.every(Number.isFinite));
    a.dispose();
    b.dispose();
  });

  it("nextInt covers [0, n) evenly", () => {
    const rng = new Rng(5);
    const counts = [0, 0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 70_000; i++) counts[rng.nextInt(7)]!++;
    assert.ok(chiSquare(counts) < 22.5, `chi-square ${chiSquare(counts)} (6 dof, p = 0.001 at 22.5)`);
    assert.equal(rng.nextInt(1), 0);
    const big = rng.nextInt(0xffffffff);
    assert.ok(Number.isInteger(big) && big >= 0 && big < 0xffffffff);
    rng.dispose();
  });

  it("fillDropoutMask: 1 / keepProb with probability keepProb, else 0", () => {
    const rng = new Rng(6);
    const mask = filled(N, (p) => rng.fillDropoutMask(p, N, 0.8));
    const scale = Math.fround(1 / Math.fround(0.8));
    assert.ok(mask.every((x) => x === 0 || x === scale));
    const kept = mask.filter((x) => x !== 0).length / N;
    assert.ok(Math.abs(kept - 0.8) < 0.005, `keep rate ${kept}`);
    assert.ok(Math.abs(mean(mask) - 1) < 0.01, `mean ${mean(mask)}`);
    assert.ok(filled(100, (p) => rng.fillDropoutMask(p, 100, 1)).every((x) => x === 1));
    rng.dispose();
  });
});

describe("Rng: shuffle", () => {
  function shuffled(rng: Rng, values: readonly number[]): number[] {
    const block = new WasmArray(values.length);
    block.i32().set(values);
    rng.shuffle(block.ptr, values.length);
    const out = Array.from(block.i32());
    block.free();
    return out;
  }

  it("returns a permutation", () => {
    const rng = new Rng(8);
    for (const n of [0, 1, 2, 5, 17, 100]) {
      const values = Array.from({ length: n }, (_, i) => 10 * i - 3);
      const out = shuffled(rng, values);
      assert.deepEqual([...out].sort((a, b) => a - b), values);
      if (n >= 17) assert.notDeepEqual(out, values);
    }
    rng.dispose();
  });

  it("puts every element first equally often, and gives every permutation of 5 equally often", () => {
    const rng = new Rng(9);
    const first = [0, 0, 0, 0, 0];
    const perms = new Map<string, number>();
    for (let i = 0; i < 120_000; i++) {
      const out = shuffled(rng, [0, 1, 2, 3, 4]);
      first[out[0]!]!++;
      perms.set(out.join(""), (perms.get(out.join("")) ?? 0) + 1);
    }
    assert.ok(chiSquare(first) < 18.5, `first position: chi-square ${chiSquare(first)} (4 dof, p = 0.001 at 18.5)`);
    assert.equal(perms.size, 120);
    const chi = chiSquare([...perms.values()]);
    assert.ok(chi < 175, `permutations: chi-square ${chi} (119 dof, p = 0.001 at 175)`);
    rng.dispose();
  });
});

describe("Rng: arguments", () => {
  it("validates the seed", () => {
    for (const seed of [0, 1, 0xffffffff]) new Rng(seed).dispose();
    assert.throws(() => new Rng(-1), (e: unknown) => e instanceof RangeError && /Rng: seed must be >= 0/.test(e.message));
    assert.throws(() => new Rng(2 ** 32), (e: unknown) => e instanceof RangeError && /Rng: seed must be <= 4294967295/.test(e.message));
    assert.throws(() => new Rng(1.5), TypeError);
    assert.throws(() => new Rng("1" as never), TypeError);
  });

  it("validates counts, blocks and parameters", () => {
    const rng = new Rng(10);
    const block = new WasmArray(8);
    const end = core().memory.buffer.byteLength;
    assert.throws(() => rng.nextInt(0), RangeError);
    assert.throws(() => rng.nextInt(2 ** 32), RangeError);
    assert.throws(() => rng.fillUniform(block.ptr, -1, 0, 1), RangeError);
    assert.throws(() => rng.fillUniform(end - 8, 4, 0, 1), /Rng.fillUniform: \[ptr, ptr \+ 4n\)/);
    assert.throws(() => rng.fillUniform(block.ptr + 2, 4, 0, 1), RangeError);
    assert.throws(() => rng.fillUniform(block.ptr, 8, 1, 0), /Rng.fillUniform: hi/);
    assert.throws(() => rng.fillNormal(block.ptr, 8, 0, -1), /Rng.fillNormal: std/);
    assert.throws(() => rng.fillNormal(block.ptr, 8, NaN, 1), /Rng.fillNormal: mean/);
    assert.throws(() => rng.fillDropoutMask(block.ptr, 8, 0), /keepProb must be in \(0, 1\]/);
    assert.throws(() => rng.fillDropoutMask(block.ptr, 8, 1.5), /Rng.fillDropoutMask: keepProb/);
    assert.throws(() => rng.shuffle(block.ptr, 1.5), TypeError);
    block.free();
    rng.dispose();
    assert.throws(() => rng.nextFloat(), /Rng.nextFloat: the generator has been disposed/);
    rng.dispose();
  });
});
