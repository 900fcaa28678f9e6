// sampleToken on hand-made distributions: greedy, temperature, top-k, top-p (nucleus), avoid.
import assert from "node:assert/strict";
import { Rng, sampleToken } from "../bindings/index.js";
import type { SamplingOptions } from "../bindings/index.js";

/** Ids 0..3 with probabilities 0.05, 0.5, 0.15, 0.3: by rank 1, 3, 2, 0. */
const P = [0.05, 0.5, 0.15, 0.3];

/** Frequencies of `draws` seeded draws. */
function frequencies(p: ArrayLike<number>, options: SamplingOptions, draws = 20000, seed = 1): number[] {
  const rng = new Rng(seed);
  const counts = new Array<number>(p.length).fill(0);
  for (let i = 0; i < draws; i++) counts[sampleToken(p, options, rng)]!++;
  rng.dispose();
  return counts.map((c) => c / draws);
}

/** Asserts frequencies within 0.015 of p normalised (20000 draws: standard error <= 0.0036). */
function assertClose(freq: number[], weights: number[], what: string): void {
  const total = weights.reduce((a, b) => a + b, 0);
  freq.forEach((f, i) => assert.ok(Math.abs(f - weights[i]! / total) < 0.015, `${what}: id ${i} drawn ${f}, expected ${weights[i]! / total}`));
}

describe("sampleToken", () => {
  it("greedy: temperature 0 or topK 1 give the most probable id (ties: the lowest) without an rng", () => {
    assert.equal(sampleToken(P, { temperature: 0 }), 1);
    assert.equal(sampleToken(P, { topK: 1 }), 1);
    assert.equal(sampleToken([0.4, 0.2, 0.4], { temperature: 0 }), 0);
    assert.equal(sampleToken(Float32Array.of(1, 7, 2), { topK: 1, temperature: 3 }), 1); // unnormalised weights are fine
  });

  it("draws in proportion to the probabilities, sharpened or flattened by the temperature", () => {
    assertClose(frequencies(P, {}), P, "temperature 1");
    assertClose(frequencies(P, { temperature: 0.5 }), P.map((p) => p ** 2), "temperature 0.5");
    assertClose(frequencies(P, { temperature: 2 }), P.map((p) => Math.sqrt(p)), "temperature 2");
  });

  it("a fixed seed gives the same draws", () => {
    const draw = () => {
      const rng = new Rng(42);
      const ids = Array.from({ length: 50 }, () => sampleToken(P, { temperature: 1.3, topP: 0.95 }, rng));
      rng.dispose();
      return ids;
    };
    assert.deepEqual(draw(), draw());
  });

  it("topK keeps the k most probable ids", () => {
    assertClose(frequencies(P, { topK: 2 }), [0, 0.5, 0, 0.3], "topK 2");
    assertClose(frequencies(P, { topK: 3 }), [0, 0.5, 0.15, 0.3], "topK 3");
    assertClose(frequencies(P, { topK: 4 }), P, "topK V");
  });

  it("topP keeps the smallest most-probable set whose mass reaches p", () => {
    // Ranked masses: 0.5, 0.8, 0.95, 1.
    assertClose(frequencies(P, { topP: 0.5 }), [0, 1, 0, 0], "topP 0.5: 0.5 alone reaches it");
    assertClose(frequencies(P, { topP: 0.8 }), [0, 0.5, 0, 0.3], "topP 0.8: exactly reached by two");
    assertClose(frequencies(P, { topP: 0.81 }), [0, 0.5, 0.15, 0.3], "topP 0.81: needs a third");
    assertClose(frequencies(P, { topP: 1 }), P, "topP 1");
    // The edges of the kept set, with chosen uniform numbers: u near 1 gives the last kept id.
    assert.equal(sampleToken(P, { topP: 0.8 }, () => 0), 1);
    assert.equal(sampleToken(P, { topP: 0.8 }, () => 0.999999), 3);
    assert.equal(sampleToken(P, { topP: 0.81 }, () => 0.999999), 2);
    // Float32 rounding (0.7f + 0.2f < 0.9) does not pull in an extra id.
    for (let i = 0; i < 5; i++) assert.notEqual(sampleToken(Float32Array.of(0.7, 0.1, 0.2), { topP: 0.9 }, () => 0.999999 - i * 1e-7), 1);
    // top-k first, then top-p of the mass that is left: of {0.5, 0.3}, 0.6 of 0.8 is reached by 0.5 alone, 0.65 needs both.
    assert.equal(sampleToken(P, { topK: 2, topP: 0.6 }, () => 0.999999), 1);
    assert.equal(sampleToken(P, { topK: 2, topP: 0.65 }, () => 0.999999), 3);
    assert.equal(sampleToken(P, { topK: 2, topP: 0.65 }, () => 0.62), 1); // 0.62 of 0.8 = 0.496 < 0.5
  });

  it("never returns an avoided id (as if drawing again), even at the top", () => {
    assertClose(frequencies(P, { avoid: [1] }), [0.05, 0, 0.15, 0.3], "avoid the top id");
    assert.equal(sampleToken(P, { avoid: [1], temperature: 0 }), 3);
    assert.equal(sampleToken(P, { avoid: [1, 3], topK: 1 }), 2);
    // avoid first, then topP of the rest: 0.75 of 0.7 = 0.525 needs 0.5 and 0.15.
    assertClose(frequencies(P, { avoid: [3], topP: 0.75 }), [0, 0.5, 0.15, 0], "avoid, then topP of the rest");
  });

  it("rejects bad input with errors that name the argument", () => {
    const rng = () => 0.5;
    assert.throws(() => sampleToken(P, { topK: 0 }, rng), /sampleToken: topK must be >= 1; got 0/);
    assert.throws(() => sampleToken(P, { topK: 1.5 }, rng), /sampleToken: topK must be an integer; got number 1.5/);
    assert.throws(() => sampleToken(P, { topP: 0 }, rng), /sampleToken: topP must be in \(0, 1\]; got 0/);
    assert.throws(() => sampleToken(P, { topP: 1.01 }, rng), /sampleToken: topP must be a finite number in \[0, 1\]; got 1.01/);
    assert.throws(() => sampleToken(P, { topP: -0.5 }, rng), RangeError);
    assert.throws(() => sampleToken(P, { temperature: -0.1 }, rng), /sampleToken: temperature must be a finite number in \[0, Infinity\]; got -0.1/);
    assert.throws(() => sampleToken(P, { temperature: NaN }, rng), /temperature must be a finite number/);
    assert.throws(() => sampleToken(P, { avoid: [4] }, rng), /sampleToken: avoid must hold ids in \[0, 4\); got number 4 at index 0/);
    assert.throws(() => sampleToken(P, { avoid: [0, 1, 2, 3] }, rng), /avoid lists every id of the vocabulary \(4\)/);
    assert.throws(() => sampleToken([0, 1, 0], { avoid: [1] }, rng), /no probability mass is left outside avoid/);
    assert.throws(() => sampleToken([0.5, -0.1], {}, rng), /sampleToken: probabilities must hold finite numbers >= 0; got number -0.1 at index 1/);
    assert.throws(() => sampleToken([0.5, NaN], {}, rng), /probabilities must hold finite numbers >= 0; got number NaN at index 1/);
    assert.throws(() => sampleToken([], {}, rng), /probabilities must not be empty/);
    assert.throws(() => sampleToken("0.5" as never, {}, rng), TypeError);
    assert.throws(() => sampleToken(P, {}), /sampleToken: sampling .* needs a random source/);
    assert.throws(() => sampleToken(P, {}, () => 1), /sampleToken: rng must return numbers in \[0, 1\); got number 1/);
    assert.throws(() => sampleToken(P, { beams: 2 } as never, rng), /sampleToken: unknown option "beams"/);
  });
});
