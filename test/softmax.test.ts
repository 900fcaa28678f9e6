import assert from "node:assert/strict";
import { core } from "../bindings/core.js";
import { WasmArray } from "../bindings/buffer.js";
import { checkGradient } from "./helpers/gradcheck.js";
import { randomArray } from "./helpers/random.js";
import { LANE_SIZES } from "./helpers/tile-sizes.js";

/** The classic sizes and every edge of the lane loops (one vector, two, scalar tails). */
const SIZES = LANE_SIZES;

type RowKernel = "softmaxRows" | "logSoftmaxRows";
type BackwardKernel = "softmaxBackwardRows" | "logSoftmaxBackwardRows";

/** float64 log-softmax of each row of x [M, N]. */
function refLogSoftmax(x: ArrayLike<number>, M: number, N: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let r = 0; r < M; r++) {
    let m = -Infinity;
    for (let j = 0; j < N; j++) m = Math.max(m, x[r * N + j]!);
    let s = 0;
    for (let j = 0; j < N; j++) s += Math.exp(x[r * N + j]! - m);
    for (let j = 0; j < N; j++) out[r * N + j] = x[r * N + j]! - m - Math.log(s);
  }
  return out;
}

/** Runs a forward row kernel on x [M, N] in place; returns the output. */
function rows(kernel: RowKernel, x: Float32Array, M: number, N: number): Float32Array {
  const buf = new WasmArray(M * N);
  try {
    buf.f32().set(x);
    core()[kernel](buf.ptr, buf.ptr, M, N);
    return buf.f32().slice();
  } finally {
    buf.free();
  }
}

/** Runs a backward row kernel with dx aliasing dy; returns dx. */
function rowsBackward(kernel: BackwardKernel, y: Float32Array, dy: Float32Array, M: number, N: number): Float32Array {
  const yb = new WasmArray(M * N);
  const gb = new WasmArray(M * N);
  try {
    yb.f32().set(y);
    gb.f32().set(dy);
    core()[kernel](yb.ptr, gb.ptr, gb.ptr, M, N);
    return gb.f32().slice();
  } finally {
    yb.free();
    gb.free();
  }
}

/** |got - want| <= atol + one float32 ulp of want, entry by entry. */
function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < got.length; i++) {
    const tol = atol + 2 ** -23 * Math.abs(want[i]!);
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

describe("softmax", () => {
  for (const N of SIZES) {
    it(`softmax and log-softmax of [3, ${N}] match float64; rows sum to 1; log-softmax = log(softmax)`, () => {
      const M = 3;
      const x = randomArray(M * N, 100 + N, 10);
      const ref = refLogSoftmax(x, M, N);
      const y = rows("softmaxRows", x, M, N);
      const ly = rows("logSoftmaxRows", x, M, N);
      assertClose(y, Array.from(ref, Math.exp), 1e-6, "softmax");
      assertClose(ly, ref, 2e-6, "log-softmax");
      assertClose(ly, Array.from(y, Math.log), 2e-6, "log-softmax vs log(softmax)");
      for (let r = 0; r < M; r++) {
        const sum = y.subarray(r * N, (r + 1) * N).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) <= 1e-6, `row ${r} sums to ${sum}`);
      }
    });

    it(`softmax and log-softmax backward of [2, ${N}] match finite differences and float64`, () => {
      const M = 2;
      const x = randomArray(M * N, 200 + N, 3);
      const w = randomArray(M * N, 300 + N);
      for (const [fwd, bwd] of [["softmaxRows", "softmaxBackwardRows"], ["logSoftmaxRows", "logSoftmaxBackwardRows"]] as const) {
        const xb = new WasmArray(M * N);
        const yb = new WasmArray(M * N);
        try {
          xb.f32().set(x);
          const loss = (): number => {
            core()[fwd](xb.ptr, yb.ptr, M, N);
            return yb.f32().reduce((s, v, i) => s + w[i]! * v, 0);
          };
          loss();
          const y = yb.f32().slice();
          const analytic = rowsBackward(bwd, y, w, M, N);
          // float64 reference: dx = y (w - Σ w y) for softmax, w - e^y Σ w for log-softmax.
          const want = new Float64Array(M * N);
          for (let r = 0; r < M; r++) {
            let s = 0;
            for (let j = 0; j < N; j++) s += w[r * N + j]! * (fwd === "softmaxRows" ? y[r * N + j]! : 1);
            for (let j = 0; j < N; j++) {
              const i = r * N + j;
              want[i] = fwd === "softmaxRows" ? y[i]! * (w[i]! - s) : w[i]! - Math.exp(y[i]!) * s;
            }
          }
          assertClose(analytic, want, 1e-6, bwd);
          checkGradient({ name: `${bwd} dx`, values: () => xb.f32(), analytic, loss });
        } finally {
          xb.free();
          yb.free();
        }
      }
    });
  }

  it("is stable with logits of ±1e4 and gives -Infinity logits probability 0", () => {
    const N = 7;
    const x = Float32Array.from([
      1e4, 1e4 - 1, -1e4, 0, 1e4 - 20, 5, -5,
      -1e4, -1e4 + 2, -1e4 + 1, -1e4, -1e4, -1e4, -1e4,
      -Infinity, 3, -Infinity, 3, -Infinity, -Infinity, -Infinity,
    ]);
    const M = x.length / N;
    const ref = refLogSoftmax(x, M, N);
    const y = rows("softmaxRows", x, M, N);
    const ly = rows("logSoftmaxRows", x, M, N);
    assertClose(y, Array.from(ref, Math.exp), 1e-6, "softmax");
    const finite = (_: number, i: number): boolean => ref[i] !== -Infinity;
    assertClose(ly.filter(finite), ref.filter(finite), 2e-6, "log-softmax");
    for (const i of [14, 16, 18, 19, 20]) assert.equal(ly[i], -Infinity);
    assert.equal(y[14], 0);
    assert.equal(y[15], 0.5);
  });

  it("writes to a separate output without touching the input", () => {
    const M = 4;
    const N = 17;
    const x = randomArray(M * N, 9, 5);
    const xb = new WasmArray(M * N);
    const yb = new WasmArray(M * N);
    try {
      for (const kernel of ["softmaxRows", "logSoftmaxRows"] as const) {
        xb.f32().set(x);
        core()[kernel](xb.ptr, yb.ptr, M, N);
        assert.deepEqual(xb.f32(), x);
        assert.deepEqual(yb.f32(), rows(kernel, x, M, N));
      }
    } finally {
      xb.free();
      yb.free();
    }
  });
});
