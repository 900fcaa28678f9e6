import assert from "node:assert/strict";
import { core } from "../bindings/core.js";
import { WasmArray } from "../bindings/buffer.js";
import { ParameterArena } from "../bindings/arena.js";
import { clipGradNorm, clipGradValue } from "../bindings/clip.js";
import { LANE_SIZES } from "./helpers/tile-sizes.js";

/** The classic sizes and every edge of the lane loops (one vector, two, scalar tails). */
const SIZES = LANE_SIZES;

/** An arena with parameters of every SIMD tail size and deterministic gradients in [-scale, scale). */
function arenaWithGrads(scale = 1): ParameterArena {
  const arena = new ParameterArena(SIZES.map((n) => ({ name: `p${n}`, shape: [n] })));
  let s = 17;
  for (const n of SIZES) {
    arena.gradView(`p${n}`).set(Array.from({ length: n }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return scale * (s / 2 ** 31 - 1);
    }));
  }
  return arena;
}

/** The L2 norm of all gradients, in float64 from their float32 values. */
function referenceNorm(arena: ParameterArena): number {
  let sum = 0;
  for (const name of arena.entries.keys()) for (const g of arena.gradView(name)) sum += g * g;
  return Math.sqrt(sum);
}

describe("clip: kernels at every SIMD tail", () => {
  it("sumSquares accumulates in float64 (no float32 overflow)", () => {
    for (const n of SIZES) {
      for (const scale of [1, 1e30]) {
        const x = new WasmArray(n);
        x.f32().set(Array.from({ length: n }, (_, i) => Math.fround(scale * (i - n / 3))));
        const expected = Array.from(x.f32()).reduce((a, v) => a + v * v, 0);
        const got = core().sumSquares(x.ptr, n);
        assert.ok(Math.abs(got - expected) <= 1e-12 * expected, `n = ${n}, scale ${scale}: ${got} vs ${expected}`);
        x.free();
      }
    }
  });

  it("scaleF32 and clipByValue write exactly n floats", () => {
    for (const n of SIZES) {
      const x = new WasmArray(n + 4).fill(9);
      const values = Array.from({ length: n }, (_, i) => i - n / 2);
      x.f32().set(values);
      core().scaleF32(x.ptr, n, 0.5);
      assert.deepEqual(Array.from(x.f32()), [...values.map((v) => v * 0.5), 9, 9, 9, 9]);
      core().clipByValue(x.ptr, n, 1);
      assert.deepEqual(Array.from(x.f32()), [...values.map((v) => Math.min(1, Math.max(-1, v * 0.5))), 9, 9, 9, 9]);
      x.free();
    }
  });
});

describe("clipGradNorm", () => {
  it("returns the global norm and leaves gradients below maxNorm untouched", () => {
    const arena = arenaWithGrads();
    const before = Array.from(arena.grads.f32());
    const expected = referenceNorm(arena);
    const norm = clipGradNorm(arena, expected + 1);
    assert.ok(Math.abs(norm - expected) <= 1e-12 * expected, `${norm} vs ${expected}`);
    assert.deepEqual(Array.from(arena.grads.f32()), before);
    arena.dispose();
  });

  it("scales every gradient by maxNorm / (norm + 1e-6) above maxNorm", () => {
    const arena = arenaWithGrads(3);
    const before = Array.from(arena.grads.f32());
    const norm = clipGradNorm(arena, 0.5);
    const coef = Math.fround(0.5 / (norm + 1e-6));
    assert.deepEqual(Array.from(arena.grads.f32()), before.map((g) => Math.fround(g * coef)));
    assert.ok(Math.abs(referenceNorm(arena) - 0.5) < 1e-6, `clipped norm ${referenceNorm(arena)}`);
    // maxNorm 0 would zero every gradient: refused (issue 11), the gradients untouched.
    assert.throws(() => clipGradNorm(arena, 0), /^RangeError: clipGradNorm: maxNorm must be > 0 \(0 would zero every gradient\); got 0$/);
    assert.ok(Math.abs(referenceNorm(arena) - 0.5) < 1e-6);
    arena.dispose();
  });

  it("rejects a non-finite norm, names the gradient and changes nothing", () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const arena = arenaWithGrads();
      arena.gradView("p17")[4] = bad;
      const before = Array.from(arena.grads.f32());
      const norm = bad === bad ? "Infinity" : "NaN";
      assert.throws(() => clipGradNorm(arena, 1), (e: unknown) => e instanceof RangeError
        && e.message === `clipGradNorm: the gradient norm is ${norm}; gradient of "p17" at index 4 is ${bad}`);
      assert.deepEqual(Array.from(arena.grads.f32()), before);
      arena.dispose();
    }
  });

  it("validates its arguments", () => {
    const arena = arenaWithGrads();
    assert.throws(() => clipGradNorm(arena, -1), (e: unknown) => e instanceof RangeError && /clipGradNorm: maxNorm/.test(e.message));
    assert.throws(() => clipGradNorm(arena, NaN), RangeError);
    assert.throws(() => clipGradNorm({} as ParameterArena, 1), (e: unknown) => e instanceof TypeError && /arena must be a ParameterArena/.test(e.message));
    arena.dispose();
    assert.throws(() => clipGradNorm(arena, 1), /clipGradNorm: the ParameterArena has been disposed/);
  });
});

describe("clipGradValue", () => {
  it("clamps every gradient to [-clipValue, clipValue]", () => {
    const arena = arenaWithGrads(2);
    const before = Array.from(arena.grads.f32());
    clipGradValue(arena, 0.75);
    assert.deepEqual(Array.from(arena.grads.f32()), before.map((g) => Math.min(0.75, Math.max(-0.75, g))));
    assert.ok(before.some((g) => Math.abs(g) > 0.75));
    arena.dispose();
  });

  it("clamps infinities and keeps NaN, as torch.clamp", () => {
    const arena = new ParameterArena([{ name: "w", shape: [5] }]);
    arena.gradView("w").set([-Infinity, -0.5, NaN, 0.5, Infinity]);
    clipGradValue(arena, 1);
    assert.deepEqual(Array.from(arena.gradView("w")), [-1, -0.5, NaN, 0.5, 1]);
    assert.throws(() => clipGradValue(arena, -1), RangeError);
    arena.dispose();
  });
});
