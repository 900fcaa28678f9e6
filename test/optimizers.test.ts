import assert from "node:assert/strict";
import { core } from "../bindings/core.js";
import { WasmArray } from "../bindings/buffer.js";
import { ParameterArena } from "../bindings/arena.js";
import {
  Adagrad, Adam, AdamW, RMSprop, SGD, optimizerFromConfig, type Optimizer, type OptimizerConfig,
} from "../bindings/optimizers.js";
import { LANE_SIZES } from "./helpers/tile-sizes.js";

/** |actual - expected| <= tol * max(1, |expected|) for every element. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what}[${i}]: got ${a}, expected ${e}`);
  }
}

/** A deterministic float32 stream in [-1, 1) (an LCG, independent of the library's Rng). */
function floatStream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(s / 2 ** 31 - 1);
  };
}

/** Runs `opt` on a one-parameter arena from p0 with one gradient per step; params after each step. */
function trajectory(opt: Optimizer, p0: number[], grads: number[][]): number[][] {
  const arena = new ParameterArena([{ name: "w", shape: [p0.length] }]);
  arena.paramView("w").set(p0);
  const out = grads.map((g) => {
    arena.gradView("w").set(g);
    opt.step(arena);
    return Array.from(arena.paramView("w"));
  });
  opt.dispose();
  arena.dispose();
  return out;
}

describe("optimizers: first steps worked by hand (p = [1, -2])", () => {
  const g = [0.5, 0.1];

  it("SGD: p -= lr g", () => {
    // lr 0.1: p = [1 - 0.05, -2 - 0.01] = [0.95, -2.01], then [0.90, -2.02]
    const [s1, s2] = trajectory(new SGD({ lr: 0.1 }), [1, -2], [g, g]);
    assertClose(s1!, [0.95, -2.01], 2e-6, "step 1");
    assertClose(s2!, [0.9, -2.02], 2e-6, "step 2");
  });

  it("SGD with momentum and weight decay", () => {
    // lr 0.1, momentum 0.9, weightDecay 0.1:
    // 1: g' = g + 0.1 p = [0.6, -0.1]; buf = g' = [0.6, -0.1]; p = [0.94, -1.99]
    // 2: g' = [0.5 + 0.094, 0.1 - 0.199] = [0.594, -0.099]; buf = 0.9 [0.6, -0.1] + g' = [1.134, -0.189];
    //    p = [0.94 - 0.1134, -1.99 + 0.0189] = [0.8266, -1.9711]
    // 3: g' = [0.58266, -0.09711]; buf = [1.0206 + 0.58266, -0.1701 - 0.09711] = [1.60326, -0.26721];
    //    p = [0.8266 - 0.160326, -1.9711 + 0.026721] = [0.666274, -1.944379]
    const steps = trajectory(new SGD({ lr: 0.1, momentum: 0.9, weightDecay: 0.1 }), [1, -2], [g, g, g]);
    assertClose(steps[0]!, [0.94, -1.99], 2e-6, "step 1");
    assertClose(steps[1]!, [0.8266, -1.9711], 2e-6, "step 2");
    assertClose(steps[2]!, [0.666274, -1.944379], 2e-6, "step 3");
  });

  it("SGD with Nesterov momentum", () => {
    // lr 0.1, momentum 0.9:
    // 1: buf = g = [0.5, 0.1]; g' = g + 0.9 buf = [0.95, 0.19]; p = [0.905, -2.019]
    // 2: buf = 0.9 [0.5, 0.1] + g = [0.95, 0.19]; g' = [0.5 + 0.855, 0.1 + 0.171] = [1.355, 0.271];
    //    p = [0.905 - 0.1355, -2.019 - 0.0271] = [0.7695, -2.0461]
    const [s1, s2] = trajectory(new SGD({ lr: 0.1, momentum: 0.9, nesterov: true }), [1, -2], [g, g]);
    assertClose(s1!, [0.905, -2.019], 2e-6, "step 1");
    assertClose(s2!, [0.7695, -2.0461], 2e-6, "step 2");
  });

  it("SGD dampening applies from the second step", () => {
    // lr 0.1, momentum 0.9, dampening 0.5:
    // 1: buf = g (no dampening on the first step); p = [0.95, -2.01]
    // 2: buf = 0.9 [0.5, 0.1] + 0.5 [0.5, 0.1] = [0.7, 0.14]; p = [0.88, -2.024]
    const [s1, s2] = trajectory(new SGD({ lr: 0.1, momentum: 0.9, dampening: 0.5 }), [1, -2], [g, g]);
    assertClose(s1!, [0.95, -2.01], 2e-6, "step 1");
    assertClose(s2!, [0.88, -2.024], 2e-6, "step 2");
  });

  // Adam and AdamW with lr 0.1, betas (0.9, 0.999), eps 1e-8 and gradients [0.5, 0.1] then [-0.5, 0.3].
  // 1: m = 0.1 g = [0.05, 0.01]; v = 0.001 g² = [2.5e-4, 1e-5]; m / (1 - 0.9) = g, v / (1 - 0.999) = g²,
  //    so the step is lr g / |g| = 0.1 sign(g) (eps shifts it by 2e-9).
  // 2: m = 0.9 [0.05, 0.01] + 0.1 [-0.5, 0.3] = [-0.005, 0.039]; m / 0.19 = [-0.0263158, 0.2052632]
  //    v = 0.999 [2.5e-4, 1e-5] + 0.001 [0.25, 0.09] = [4.9975e-4, 9.999e-5]; v / 0.001999 = [0.25, 0.0500200]
  //    step = 0.1 [-0.0263158 / 0.5, 0.2052632 / 0.2236515] = [-0.0052632, 0.0917781]
  const adamGrads = [[0.5, 0.1], [-0.5, 0.3]];

  it("Adam", () => {
    // p = [0.9, -2.1], then [0.9 + 0.0052632, -2.1 - 0.0917781] = [0.9052632, -2.1917781]
    const [s1, s2] = trajectory(new Adam({ lr: 0.1 }), [1, -2], adamGrads);
    assertClose(s1!, [0.9, -2.1], 2e-6, "step 1");
    assertClose(s2!, [0.9052632, -2.1917781], 2e-6, "step 2");
  });

  it("Adam with L2 weight decay adds wd p to the gradient", () => {
    // weightDecay 0.1: 1: g' = [0.5 + 0.1, 0.1 - 0.2] = [0.6, -0.1]; step 0.1 sign(g') -> p = [0.9, -1.9]
    // 2: g' = [-0.5 + 0.09, 0.3 - 0.19] = [-0.41, 0.11]; m = [0.054 - 0.041, -0.009 + 0.011] = [0.013, 0.002];
    //    v = 0.999 [3.6e-4, 1e-5] + 0.001 [0.1681, 0.0121] = [5.27740e-4, 2.2090e-5];
    //    step = 0.1 (m / 0.19) / sqrt(v / 0.001999) = 0.1 [0.0684211 / 0.513811, 0.0105263 / 0.105121]
    //         = [0.0133164, 0.0100135]; p = [0.8866836, -1.9100135]
    const [s1, s2] = trajectory(new Adam({ lr: 0.1, weightDecay: 0.1 }), [1, -2], adamGrads);
    assertClose(s1!, [0.9, -1.9], 2e-6, "step 1");
    assertClose(s2!, [0.8866836, -1.9100135], 2e-6, "step 2");
  });

  it("AdamW decays the weights before the Adam step", () => {
    // weightDecay 0.1: p *= 1 - 0.1 * 0.1 = 0.99 each step, then the Adam steps above:
    // 1: [0.99 - 0.1, -1.98 - 0.1] = [0.89, -2.08]
    // 2: [0.8811 + 0.0052632, -2.0592 - 0.0917781] = [0.8863632, -2.1509781]
    const [s1, s2] = trajectory(new AdamW({ lr: 0.1, weightDecay: 0.1 }), [1, -2], adamGrads);
    assertClose(s1!, [0.89, -2.08], 2e-6, "step 1");
    assertClose(s2!, [0.8863632, -2.1509781], 2e-6, "step 2");
  });

  it("RMSprop, without and with momentum", () => {
    // lr 0.01, alpha 0.99: 1: sq = 0.01 g² = [2.5e-3, 1e-4]; sqrt(sq) = [0.05, 0.01]; g / a = [10, 10];
    //    p = [1 - 0.1, -2 - 0.1] = [0.9, -2.1]
    // 2: sq = 0.99 sq + 0.01 g² = [4.975e-3, 1.99e-4]; sqrt = [0.0705337, 0.0141067]; g / a = [7.08881, 7.08881];
    //    p = [0.9 - 0.0708881, -2.1 - 0.0708881] = [0.8291119, -2.1708881]
    const [s1, s2] = trajectory(new RMSprop(), [1, -2], [g, g]);
    assertClose(s1!, [0.9, -2.1], 2e-6, "step 1");
    assertClose(s2!, [0.8291119, -2.1708881], 2e-6, "step 2");
    // momentum 0.9: buf = [10, 10] then 0.9 [10, 10] + [7.08881, 7.08881] = [16.08881, 16.08881];
    // p = [0.9, -2.1], then [0.9 - 0.1608881, -2.1 - 0.1608881] = [0.7391119, -2.2608881]
    const [m1, m2] = trajectory(new RMSprop({ momentum: 0.9 }), [1, -2], [g, g]);
    assertClose(m1!, [0.9, -2.1], 2e-6, "momentum step 1");
    assertClose(m2!, [0.7391119, -2.2608881], 2e-6, "momentum step 2");
  });

  it("Adagrad, without and with lrDecay", () => {
    // lr 0.1: sum = g², 2 g², 3 g², so the steps are 0.1, 0.1 / sqrt(2), 0.1 / sqrt(3) times sign(g):
    // p = [0.9, -2.1], [0.8292893, -2.1707107], [0.7715543, -2.2284457]
    const steps = trajectory(new Adagrad({ lr: 0.1 }), [1, -2], [g, g, g]);
    assertClose(steps[0]!, [0.9, -2.1], 2e-6, "step 1");
    assertClose(steps[1]!, [0.8292893, -2.1707107], 2e-6, "step 2");
    assertClose(steps[2]!, [0.7715543, -2.2284457], 2e-6, "step 3");
    // lrDecay 0.5: clr = 0.1, 0.1 / 1.5, 0.1 / 2: steps 0.1, 0.0471405, 0.0288675
    const decayed = trajectory(new Adagrad({ lr: 0.1, lrDecay: 0.5 }), [1, -2], [g, g, g]);
    assertClose(decayed[1]!, [0.8528595, -2.1471405], 2e-6, "decayed step 2");
    assertClose(decayed[2]!, [0.8239920, -2.1760080], 2e-6, "decayed step 3");
  });
});

/** Per-element optimizer state of the float64 reference. */
interface RefState { a: number; b: number }

/** A config with a number lr (the ones CONFIGS holds). */
type NumberLrConfig = OptimizerConfig & { lr: number };

/** torch.optim's single-tensor rule for one element in float64: returns the new parameter. */
function referenceStep(c: NumberLrConfig, p: number, g: number, s: RefState, t: number): number {
  switch (c.type) {
    case "SGD": {
      g += c.weightDecay * p;
      if (c.momentum !== 0) {
        s.a = t === 1 ? g : c.momentum * s.a + (1 - c.dampening) * g;
        g = c.nesterov ? g + c.momentum * s.a : s.a;
      }
      return p - c.lr * g;
    }
    case "Adam":
    case "AdamW": {
      if (c.type === "AdamW") p *= 1 - c.lr * c.weightDecay;
      else g += c.weightDecay * p;
      s.a = c.beta1 * s.a + (1 - c.beta1) * g;
      s.b = c.beta2 * s.b + (1 - c.beta2) * g * g;
      const denom = Math.sqrt(s.b) / Math.sqrt(1 - c.beta2 ** t) + c.eps;
      return p - (c.lr / (1 - c.beta1 ** t)) * s.a / denom;
    }
    case "RMSprop": {
      g += c.weightDecay * p;
      s.a = c.alpha * s.a + (1 - c.alpha) * g * g;
      const avg = Math.sqrt(s.a) + c.eps;
      if (c.momentum > 0) {
        s.b = c.momentum * s.b + g / avg;
        return p - c.lr * s.b;
      }
      return p - c.lr * g / avg;
    }
    case "Adagrad": {
      g += c.weightDecay * p;
      if (t === 1) s.a = c.initialAccumulatorValue;
      s.a += g * g;
      return p - (c.lr / (1 + (t - 1) * c.lrDecay)) * g / (Math.sqrt(s.a) + c.eps);
    }
  }
}

/** Every rule with every option on (eps large enough to matter), plus the defaults. */
const CONFIGS: NumberLrConfig[] = [
  new SGD({ lr: 0.1, momentum: 0.9, dampening: 0.3, weightDecay: 0.1 }),
  new SGD({ lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.05 }),
  new SGD({ lr: 0.1 }),
  new Adam({ lr: 0.1, beta1: 0.8, beta2: 0.95, eps: 1e-3, weightDecay: 0.1 }),
  new Adam(),
  new AdamW({ lr: 0.1, beta1: 0.8, beta2: 0.95, eps: 1e-3, weightDecay: 0.2 }),
  new RMSprop({ lr: 0.01, alpha: 0.9, eps: 1e-3, weightDecay: 0.1, momentum: 0.5 }),
  new RMSprop({ weightDecay: 0.1 }),
  new Adagrad({ lr: 0.1, lrDecay: 0.2, weightDecay: 0.1, eps: 1e-3, initialAccumulatorValue: 0.1 }),
  new Adagrad(),
].map((o) => o.config as NumberLrConfig);
/** The classic sizes and every edge of the lane loops (one vector, two, scalar tails). */
const SIZES = LANE_SIZES;
const STEPS = 5;

/** Calls the kernel of `c` directly on n floats (state pointers s0, s1). */
function kernelStep(c: NumberLrConfig, p: number, g: number, s0: number, s1: number, n: number, t: number): void {
  const k = core();
  switch (c.type) {
    case "SGD": return k.sgdStep(p, g, s0, n, c.lr, c.momentum, c.dampening, c.nesterov ? 1 : 0, c.weightDecay, t === 1 ? 1 : 0);
    case "Adam":
    case "AdamW": return k.adamStep(p, g, s0, s1, n, c.lr, c.beta1, c.beta2, c.eps, c.weightDecay, c.type === "AdamW" ? 1 : 0, t);
    case "RMSprop": return k.rmspropStep(p, g, s0, s1, n, c.lr, c.alpha, c.eps, c.weightDecay, c.momentum);
    case "Adagrad": return k.adagradStep(p, g, s0, n, c.lr, c.eps, c.weightDecay, c.lrDecay, t);
  }
}

function label(c: OptimizerConfig): string {
  return JSON.stringify(c);
}

describe("optimizers: float64 reference of the torch rules, 5 steps", () => {
  for (const c of CONFIGS) {
    it(`kernel at every SIMD tail (n = ${SIZES.join(", ")}) writes nothing past n: ${label(c)}`, () => {
      const SENTINEL = 7.25;
      for (const n of SIZES) {
        const next = floatStream(n);
        const blocks = [0, 1, 2, 3].map(() => new WasmArray(n + 4).fill(SENTINEL));
        const [p, g, s0, s1] = blocks as [WasmArray, WasmArray, WasmArray, WasmArray];
        s0.f32().fill(c.type === "Adagrad" ? c.initialAccumulatorValue : 0, 0, n);
        s1.f32().fill(0, 0, n);
        const ref = Array.from({ length: n }, () => next());
        p.f32().set(ref);
        const state: RefState[] = ref.map(() => ({ a: 0, b: 0 }));
        for (let t = 1; t <= STEPS; t++) {
          const grads = ref.map(() => next());
          g.f32().set(grads);
          kernelStep(c, p.ptr, g.ptr, s0.ptr, s1.ptr, n, t);
          for (let i = 0; i < n; i++) ref[i] = referenceStep(c, ref[i]!, grads[i]!, state[i]!, t);
        }
        assertClose(p.f32().subarray(0, n), ref, 1e-5, `n = ${n}`);
        for (const b of blocks) assert.deepEqual(Array.from(b.f32().subarray(n)), [SENTINEL, SENTINEL, SENTINEL, SENTINEL], `n = ${n}: past the end`);
        for (const b of blocks) b.free();
      }
    });

    it(`optimizer over an arena of sizes ${SIZES.join(", ")}: ${label(c)}`, () => {
      const arena = new ParameterArena(SIZES.map((n) => ({ name: `p${n}`, shape: [n] })));
      const next = floatStream(99);
      const ref = new Map(SIZES.map((n) => [`p${n}`, Array.from({ length: n }, () => next())]));
      const state = new Map([...ref].map(([name, v]) => [name, v.map(() => ({ a: 0, b: 0 }))]));
      for (const [name, v] of ref) arena.paramView(name).set(v);
      const opt = optimizerFromConfig(c);
      for (let t = 1; t <= STEPS; t++) {
        for (const [name, v] of ref) {
          const grads = v.map(() => next());
          arena.gradView(name).set(grads);
          for (let i = 0; i < v.length; i++) v[i] = referenceStep(c, v[i]!, grads[i]!, state.get(name)![i]!, t);
        }
        opt.step(arena);
      }
      assert.equal(opt.iterations, STEPS);
      for (const [name, v] of ref) assertClose(arena.paramView(name), v, 1e-5, name);
      opt.dispose();
      arena.dispose();
    });
  }
});

describe("optimizers: arena binding and state", () => {
  /** Three parameters of sizes 1, 3, 5: floats 1-3, 7 and 13-15 are alignment padding. */
  const PADDING = [1, 2, 3, 7, 13, 14, 15];

  function paddedArena(): ParameterArena {
    const arena = new ParameterArena([{ name: "a", shape: [1] }, { name: "b", shape: [3] }, { name: "c", shape: [5] }]);
    const next = floatStream(5);
    for (const name of ["a", "b", "c"]) {
      arena.paramView(name).set(arena.paramView(name).map(next));
      arena.gradView(name).set(arena.gradView(name).map(next));
    }
    return arena;
  }

  it("padding between arena entries stays zero", () => {
    for (const c of CONFIGS) {
      const arena = paddedArena();
      const opt = optimizerFromConfig(c);
      for (let t = 0; t < 3; t++) opt.step(arena);
      const params = arena.params.f32();
      for (const i of PADDING) assert.equal(params[i], 0, `${label(c)}: padding float ${i}`);
      assert.notEqual(arena.paramView("c")[4], 0);
      opt.dispose();
      arena.dispose();
    }
  });

  it("binds to the first arena it steps", () => {
    const a = paddedArena();
    const b = paddedArena();
    const opt = new Adam();
    opt.step(a);
    assert.throws(() => opt.step(b), (e: unknown) => e instanceof Error && /bound to the ParameterArena/.test(e.message));
    assert.equal(opt.iterations, 1);
    opt.step(a);
    assert.equal(opt.iterations, 2);
    opt.dispose();
    assert.throws(() => opt.step(a), /Adam\.step: the optimizer has been disposed/);
    a.dispose();
    b.dispose();
  });

  it("rejects a disposed arena and a non-arena", () => {
    const arena = paddedArena();
    arena.dispose();
    assert.throws(() => new SGD().step(arena), /SGD\.step: the ParameterArena has been disposed/);
    assert.throws(() => new SGD().step({} as ParameterArena), TypeError);
  });

  it("lr is mutable for schedules and validated", () => {
    const arena = paddedArena();
    const before = Array.from(arena.params.f32());
    const opt = new SGD({ lr: 0.5 });
    opt.lr = 0;
    opt.step(arena);
    assert.deepEqual(Array.from(arena.params.f32()), before);
    opt.lr = 0.25;
    assert.equal(opt.config.lr, 0.25);
    opt.step(arena);
    assert.notDeepEqual(Array.from(arena.params.f32()), before);
    assert.throws(() => { opt.lr = -1; }, RangeError);
    assert.throws(() => { opt.lr = NaN; }, RangeError);
    assert.equal(opt.lr, 0.25);
    opt.dispose();
    arena.dispose();
  });

  it("optimizerFromConfig rebuilds an optimizer that steps identically", () => {
    for (const c of CONFIGS) {
      const original = optimizerFromConfig(c);
      const copy = optimizerFromConfig(JSON.parse(JSON.stringify(original.config)) as OptimizerConfig);
      assert.deepEqual(copy.config, c);
      const a = paddedArena();
      const b = paddedArena();
      for (let t = 0; t < 3; t++) {
        original.step(a);
        copy.step(b);
      }
      assert.deepEqual(Array.from(b.params.f32()), Array.from(a.params.f32()), label(c));
      for (const x of [original, copy, a, b]) x.dispose();
    }
  });
});

describe("optimizers: options", () => {
  it("have torch's defaults", () => {
    assert.deepEqual(new SGD().config, { type: "SGD", lr: 0.01, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
    assert.deepEqual(new Adam().config, { type: "Adam", lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    assert.deepEqual(new AdamW().config, { type: "AdamW", lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2 });
    assert.deepEqual(new RMSprop().config, { type: "RMSprop", lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0 });
    assert.deepEqual(new Adagrad().config,
      { type: "Adagrad", lr: 1e-2, lrDecay: 0, weightDecay: 0, eps: 1e-10, initialAccumulatorValue: 0 });
    assert.equal(new SGD({ lr: undefined }).lr, 0.01);
  });

  const cases: [string, () => unknown, typeof TypeError | typeof RangeError, RegExp][] = [
    ["unknown key", () => new SGD({ learningRate: 0.1 } as never), TypeError, /SGD: unknown option "learningRate"/],
    ["options not an object", () => new Adam(null as never), TypeError, /Adam: options must be an object/],
    ["negative lr", () => new SGD({ lr: -1 }), RangeError, /SGD: lr must be/],
    ["NaN lr", () => new Adam({ lr: NaN }), RangeError, /Adam: lr must be/],
    ["string lr", () => new Adam({ lr: "0.1" as never }), TypeError, /Adam: lr must be a number/],
    ["negative momentum", () => new SGD({ momentum: -0.5 }), RangeError, /SGD: momentum/],
    ["dampening > 1", () => new SGD({ momentum: 0.9, dampening: 2 }), RangeError, /SGD: dampening/],
    ["nesterov without momentum", () => new SGD({ nesterov: true }), RangeError, /SGD: nesterov momentum requires momentum > 0 and dampening 0/],
    ["nesterov with dampening", () => new SGD({ nesterov: true, momentum: 0.9, dampening: 0.1 }), RangeError, /nesterov/],
    ["nesterov not a boolean", () => new SGD({ nesterov: 1 as never, momentum: 0.9 }), TypeError, /SGD: nesterov must be a boolean/],
    ["beta1 = 1", () => new Adam({ beta1: 1 }), RangeError, /Adam: beta1 must be in \[0, 1\); got 1/],
    ["negative beta2", () => new AdamW({ beta2: -0.1 }), RangeError, /AdamW: beta2/],
    ["eps = 0", () => new Adam({ eps: 0 }), RangeError, /Adam: eps must be > 0/],
    ["negative weightDecay", () => new AdamW({ weightDecay: -1 }), RangeError, /AdamW: weightDecay/],
    ["alpha > 1", () => new RMSprop({ alpha: 1.5 }), RangeError, /RMSprop: alpha/],
    ["RMSprop eps = 0", () => new RMSprop({ eps: 0 }), RangeError, /RMSprop: eps must be > 0/],
    ["negative lrDecay", () => new Adagrad({ lrDecay: -1 }), RangeError, /Adagrad: lrDecay/],
    ["negative initialAccumulatorValue", () => new Adagrad({ initialAccumulatorValue: -1 }), RangeError, /Adagrad: initialAccumulatorValue/],
    ["unknown type", () => optimizerFromConfig({ type: "Adamax" } as never), TypeError, /config\.type must be one of "SGD", "Adam"/],
    ["unknown key in a config", () => optimizerFromConfig({ type: "SGD", foo: 1 } as never), TypeError, /^optimizerFromConfig: config: unknown option "foo"/],
    ["config not an object", () => optimizerFromConfig(null as never), TypeError, /optimizerFromConfig: config must be an object/],
  ];
  for (const [what, make, type, message] of cases) {
    it(`rejects ${what}`, () => {
      assert.throws(make, (e: unknown) => e instanceof type && message.test((e as Error).message));
    });
  }
});
