import assert from "node:assert/strict";
import { slidingWindows } from "../bindings/sequences/windows.js";
import { Normalizer } from "../bindings/sequences/normalizer.js";
import { randomArray } from "./helpers/random.js";

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

describe("slidingWindows", () => {
  it("cuts a univariate series into time-major windows and next values", () => {
    // series 1 2 3 4 5 6, window 3, horizon 1: N = 6 - 3 - 1 + 1 = 3 windows
    //   [1 2 3] -> 4, [2 3 4] -> 5, [3 4 5] -> 6
    // x [3, 3, 1] time-major, row t holds step t of every window: t0 = 1 2 3, t1 = 2 3 4, t2 = 3 4 5
    const { x, y } = slidingWindows([1, 2, 3, 4, 5, 6], { window: 3 });
    assert.deepEqual(x, { shape: [3, 3, 1], data: Float32Array.from([1, 2, 3, 2, 3, 4, 3, 4, 5]) });
    assert.deepEqual(y, { shape: [3, 1], data: Float32Array.from([4, 5, 6]) });
  });

  it("honours horizon and stride", () => {
    // series 1..7, window 3, horizon 2, stride 2: N = floor((7 - 3 - 2) / 2) + 1 = 2
    //   start 0: [1 2 3] -> series[0 + 3 - 1 + 2] = series[4] = 5
    //   start 2: [3 4 5] -> series[6] = 7
    const { x, y } = slidingWindows(Float32Array.from([1, 2, 3, 4, 5, 6, 7]), { window: 3, horizon: 2, stride: 2 });
    assert.deepEqual(x, { shape: [3, 2, 1], data: Float32Array.from([1, 3, 2, 4, 3, 5]) });
    assert.deepEqual(y.data, Float32Array.from([5, 7]));
  });

  it("keeps the features of a multivariate [L, F] series together", () => {
    // steps (1, 10) (2, 20) (3, 30) (4, 40), window 2: [s0 s1] -> s2, [s1 s2] -> s3
    const { x, y } = slidingWindows([[1, 10], [2, 20], [3, 30], [4, 40]], { window: 2 });
    assert.deepEqual(x, { shape: [2, 2, 2], data: Float32Array.from([1, 10, 2, 20, 2, 20, 3, 30]) });
    assert.deepEqual(y, { shape: [2, 2], data: Float32Array.from([3, 30, 4, 40]) });
    const exact = slidingWindows({ shape: [3, 2], data: Float32Array.from([1, 10, 2, 20, 3, 30]) }, { window: 2 });
    assert.deepEqual(exact.x.shape, [2, 1, 2], "window + horizon = L gives one window");
  });

  it("rejects bad input", () => {
    assert.throws(() => slidingWindows([1, 2, 3], { window: 3 }), /slidingWindows: window \+ horizon must be <= the series length 3; got 3 \+ 1 = 4/);
    assert.throws(() => slidingWindows([1, 2, 3], { window: 1, horizon: 0 }), /horizon must be >= 1; got 0/);
    assert.throws(() => slidingWindows([1, 2, 3], { window: 1, stride: 0 }), /stride must be >= 1; got 0/);
    assert.throws(() => slidingWindows([1, 2, 3], {} as never), /window must be an integer; got undefined/);
    assert.throws(() => slidingWindows([1, 2, 3], { window: 1, step: 1 } as never), /unknown option "step"/);
    assert.throws(() => slidingWindows([1, 2, NaN, 4], { window: 1 }), /series must be finite; got NaN at flat index 2/);
    assert.throws(() => slidingWindows(Float32Array.from([1, Infinity]), { window: 1 }), /series must be finite; got Infinity at flat index 1/);
    assert.throws(() => slidingWindows([], { window: 1 }), /series must hold at least one value/);
    assert.throws(() => slidingWindows({ shape: [2, 2, 1], data: new Float32Array(4) }, { window: 1 }), /series must have shape \[L\] or \[L, F\]; got \[2, 2, 1\]/);
    assert.throws(() => slidingWindows("1,2,3" as never, { window: 1 }), TypeError);
  });
});

describe("Normalizer", () => {
  it("standardizes each feature with the population std; a constant feature is only centred", () => {
    // feature 0: 1 3 5, mean 3, std sqrt((4 + 0 + 4) / 3); feature 1: constant 10, scale 1
    const n = Normalizer.fit([[1, 10], [3, 10], [5, 10]]);
    const std = Math.sqrt(8 / 3);
    assert.deepEqual(n.mean, [3, 10]);
    assert.deepEqual(n.scale, [std, 1]);
    assert.equal(n.features, 2);
    assertClose(n.transform([[1, 10], [5, 10], [3, 12]]).data, [-2 / std, 0, 2 / std, 0, 0, 2], 1e-6);
    assert.deepEqual(Normalizer.fit([0.1, 0.1, 0.1]).scale, [1], "float64 rounding of a constant is not a spread");
  });

  it("inverse(transform(x)) = x, on series, windows and targets alike", () => {
    const series = { shape: [200, 3], data: randomArray(600, 7, 50).map((v, i) => v + (i % 3) * 1000) };
    const n = Normalizer.fit(series);
    const z = n.transform(series);
    assert.deepEqual(z.shape, [200, 3]);
    for (let f = 0; f < 3; f++) {
      const column = z.data.filter((_, i) => i % 3 === f);
      const mean = column.reduce((a, b) => a + b, 0) / 200;
      const variance = column.reduce((a, b) => a + (b - mean) ** 2, 0) / 200;
      assert.ok(Math.abs(mean) < 1e-5 && Math.abs(variance - 1) < 1e-4, `feature ${f}: mean ${mean}, variance ${variance}`);
    }
    assertClose(n.inverse(z).data, series.data, 1e-3);
    const { x, y } = slidingWindows(z, { window: 5 });
    assertClose(n.inverse(x).data, slidingWindows(series, { window: 5 }).x.data, 1e-3);
    assert.deepEqual(n.inverse(y).shape, y.shape);
    const uni = Normalizer.fit(Float32Array.from([2, 4, 6, 8]));
    assertClose(uni.inverse(uni.transform([2, 4, 6, 8])).data, [2, 4, 6, 8], 1e-6);
  });

  it("round-trips through JSON", () => {
    const n = Normalizer.fit([[1, 10], [3, 10], [5, 11]]);
    const text = JSON.stringify(n);
    for (const copy of [Normalizer.fromJSON(text), Normalizer.fromJSON(JSON.parse(text))]) {
      assert.deepEqual(copy.mean, n.mean);
      assert.deepEqual(copy.scale, n.scale);
      assert.deepEqual(copy.transform([[2, 12]]), n.transform([[2, 12]]));
    }
  });

  it("rejects bad input", () => {
    const n = Normalizer.fit([[1, 10], [3, 10]]);
    assert.throws(() => Normalizer.fit([1, NaN]), /Normalizer.fit: series must be finite; got NaN at flat index 1/);
    assert.throws(() => Normalizer.fit([]), /series must hold at least one value/);
    assert.throws(() => n.transform([1, 2]), /Normalizer.transform: x must have 2 features in its last dimension; got shape \[2\]/);
    assert.throws(() => n.inverse({ shape: [2, 3], data: new Float32Array(6) }), /Normalizer.inverse: x must have 2 features/);
    assert.throws(() => Normalizer.fromJSON({ ...n.toJSON(), scale: [1, 0] }), /json.scale must hold finite positive numbers; got number 0 at index 1/);
    assert.throws(() => Normalizer.fromJSON({ ...n.toJSON(), mean: [1] }), /json.mean and json.scale must have the same length; got 1 and 2/);
    assert.throws(() => Normalizer.fromJSON({ ...n.toJSON(), format: "wasm-rnn/vocabulary" } as never), /json.format must be "wasm-rnn\/normalizer"/);
    assert.throws(() => Normalizer.fromJSON(null as never), /json must be an object/);
  });
});
