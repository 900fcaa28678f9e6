import assert from "node:assert/strict";
import { core } from "../bindings/core.js";
import { WasmArray } from "../bindings/buffer.js";
import { ACTIVATION_CODES, type ActivationName } from "../bindings/kernels/activations.js";
import { checkGradient } from "./helpers/gradcheck.js";
import { mulberry32, randomArray } from "./helpers/random.js";
import { LANE_SIZES } from "./helpers/tile-sizes.js";

/** The classic sizes and every edge of the lane loops (one vector, two, scalar tails). */
const SIZES = LANE_SIZES;
const KINDS = Object.keys(ACTIVATION_CODES) as ActivationName[];

/** float64 references of f and of f' as a function of y = f(x). */
const REF: Record<ActivationName, { f: (x: number) => number; df: (y: number) => number }> = {
  linear: { f: (x) => x, df: () => 1 },
  tanh: { f: Math.tanh, df: (y) => 1 - y * y },
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), df: (y) => y * (1 - y) },
  relu: { f: (x) => Math.max(x, 0), df: (y) => (y > 0 ? 1 : 0) },
  hardSigmoid: { f: (x) => Math.min(Math.max(0.2 * x + 0.5, 0), 1), df: (y) => (y > 0 && y < 1 ? 0.2 : 0) },
};

/** Runs activationForward on a copy of `x`; returns y. */
function forward(kind: ActivationName, x: Float32Array): Float32Array {
  const buf = new WasmArray(x.length);
  try {
    buf.f32().set(x);
    core().activationForward(ACTIVATION_CODES[kind], buf.ptr, buf.ptr, x.length);
    return buf.f32().slice();
  } finally {
    buf.free();
  }
}

/** Runs activationBackward; returns dx. */
function backward(kind: ActivationName, y: Float32Array, dy: Float32Array): Float32Array {
  const yb = new WasmArray(y.length);
  const db = new WasmArray(y.length);
  try {
    yb.f32().set(y);
    db.f32().set(dy);
    core().activationBackward(ACTIVATION_CODES[kind], yb.ptr, db.ptr, db.ptr, y.length);
    return db.f32().slice();
  } finally {
    yb.free();
    db.free();
  }
}

function maxAbsError(got: Float32Array, ref: (i: number) => number): number {
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref(i)));
  return worst;
}

describe("activations", () => {
  it("exports the activation codes the bindings mirror", () => {
    const exports = core() as unknown as Record<string, WebAssembly.Global>;
    assert.equal(exports.ACT_LINEAR!.value, ACTIVATION_CODES.linear);
    assert.equal(exports.ACT_TANH!.value, ACTIVATION_CODES.tanh);
    assert.equal(exports.ACT_SIGMOID!.value, ACTIVATION_CODES.sigmoid);
    assert.equal(exports.ACT_RELU!.value, ACTIVATION_CODES.relu);
    assert.equal(exports.ACT_HARD_SIGMOID!.value, ACTIVATION_CODES.hardSigmoid);
  });

  // Measured: tanh 3.25e-7 (near |x| = 5.9), sigmoid 2.27e-7 max abs error.
  it("tanh and sigmoid are within 4e-7 of Math over a dense grid in [-20, 20] and at extremes", () => {
    const grid = Float32Array.from({ length: 400_001 }, (_, i) => -20 + i * 1e-4);
    const extremes = Float32Array.from([0, -0, 1e-30, -1e-30, 1e-3, -1e-3, 7.9, -7.9, 8, -8, 1e4, -1e4, 3.4e38, -3.4e38]);
    const x = new Float32Array(grid.length + extremes.length);
    x.set(grid);
    x.set(extremes, grid.length);
    const tanhErr = maxAbsError(forward("tanh", x), (i) => Math.tanh(x[i]!));
    const sigmoidErr = maxAbsError(forward("sigmoid", x), (i) => REF.sigmoid.f(x[i]!));
    assert.ok(tanhErr <= 4e-7, `tanh max abs error ${tanhErr}`);
    assert.ok(sigmoidErr <= 4e-7, `sigmoid max abs error ${sigmoidErr}`);
    const y = forward("tanh", x);
    const s = forward("sigmoid", x);
    for (let i = 0; i < x.length; i++) {
      assert.ok(Math.abs(y[i]!) <= 1 && s[i]! >= 0 && s[i]! <= 1, `out of range at x = ${x[i]}`);
    }
  });

  it("keeps NaN as NaN", () => {
    for (const kind of KINDS) {
      assert.ok(Number.isNaN(forward(kind, Float32Array.from([NaN, 1, 2, 3, NaN]))[4]), kind);
      assert.ok(Number.isNaN(forward(kind, Float32Array.from([NaN, 1, 2, 3, NaN]))[0]), kind);
    }
  });

  // Measured: 7.6e-8 max relative error on [-87, 88].
  it("expf is within 2e-7 relative of Math.exp on [-87, 88], 0 far below and Infinity above", () => {
    let worst = 0;
    for (let x = -87; x <= 88; x += 0.001) {
      const xf = Math.fround(x);
      const ref = Math.exp(xf);
      worst = Math.max(worst, Math.abs(core().expf(xf) - ref) / ref);
    }
    assert.ok(worst <= 2e-7, `expf max relative error ${worst}`);
    for (const x of [-104, -200, -1e30, -3.4e38, -Infinity]) assert.equal(core().expf(x), 0, `expf(${x})`);
    for (const x of [89, 100, 3.4e38, Infinity]) assert.equal(core().expf(x), Infinity, `expf(${x})`);
    assert.ok(Number.isNaN(core().expf(NaN)));
    assert.ok(core().expf(-100) > 0, "expf(-100) is a subnormal, not 0");
  });

  for (const kind of KINDS) {
    it(`${kind}: forward and backward match float64 references at sizes ${SIZES.join(", ")}`, () => {
      for (const n of SIZES) {
        const x = randomArray(n, 100 * ACTIVATION_CODES[kind] + n, 6);
        const y = forward(kind, x);
        const fErr = maxAbsError(y, (i) => REF[kind].f(x[i]!));
        assert.ok(fErr <= 4e-7, `${kind} forward n=${n}: max abs error ${fErr}`);
        const dy = randomArray(n, 100 * ACTIVATION_CODES[kind] + n + 50, 2);
        const dx = backward(kind, y, dy);
        const bErr = maxAbsError(dx, (i) => dy[i]! * REF[kind].df(y[i]!));
        assert.ok(bErr <= 1e-6, `${kind} backward n=${n}: max abs error ${bErr}`);
      }
    });

    it(`${kind}: the scalar twins equal the vector lanes bit for bit`, () => {
      const x = randomArray(64, 11 + ACTIVATION_CODES[kind], 10);
      const y = forward(kind, x);
      const dx = backward(kind, y, new Float32Array(64).fill(1));
      for (let i = 0; i < 64; i++) {
        assert.ok(Object.is(core().activate(ACTIVATION_CODES[kind], x[i]!), y[i]), `${kind}(${x[i]})`);
        assert.ok(Object.is(core().activationGrad(ACTIVATION_CODES[kind], y[i]!), dx[i]), `${kind}'(${y[i]})`);
      }
    });

    it(`${kind}: activationBackward matches finite differences of Σ w f(x)`, () => {
      const rand = mulberry32(23 + ACTIVATION_CODES[kind]);
      const n = 33;
      // Stay 0.05 away from the kinks of relu (0) and hard sigmoid (±2.5).
      const x = Float32Array.from({ length: n }, () => {
        let v: number;
        do v = -4 + 8 * rand(); while (Math.abs(v) < 0.05 || Math.abs(Math.abs(v) - 2.5) < 0.05);
        return v;
      });
      const w = randomArray(n, 29 + ACTIVATION_CODES[kind]);
      const xb = new WasmArray(n);
      const yb = new WasmArray(n);
      try {
        xb.f32().set(x);
        const loss = (): number => {
          core().activationForward(ACTIVATION_CODES[kind], xb.ptr, yb.ptr, n);
          const y = yb.f32();
          let s = 0;
          for (let i = 0; i < n; i++) s += w[i]! * y[i]!;
          return s;
        };
        loss();
        const analytic = backward(kind, yb.f32().slice(), w);
        const checked = checkGradient({ name: `${kind} dx`, values: () => xb.f32(), analytic, loss });
        assert.equal(checked, n);
      } finally {
        xb.free();
        yb.free();
      }
    });
  }

  it("writes to a separate output and lets dx alias dy", () => {
    for (const n of SIZES) {
      const x = randomArray(n, 5 + n, 3);
      const xb = new WasmArray(n);
      const yb = new WasmArray(n);
      const gb = new WasmArray(n);
      try {
        xb.f32().set(x);
        core().activationForward(ACTIVATION_CODES.tanh, xb.ptr, yb.ptr, n);
        assert.deepEqual(xb.f32(), x, "input untouched");
        assert.deepEqual(yb.f32(), forward("tanh", x));
        gb.f32().fill(1);
        core().activationBackward(ACTIVATION_CODES.tanh, yb.ptr, gb.ptr, xb.ptr, n);
        assert.deepEqual(xb.f32(), backward("tanh", yb.f32().slice(), new Float32Array(n).fill(1)));
        assert.deepEqual(gb.f32(), new Float32Array(n).fill(1), "dy untouched");
      } finally {
        xb.free();
        yb.free();
        gb.free();
      }
    }
  });
});
