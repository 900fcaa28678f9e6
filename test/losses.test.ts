import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { core } from "../bindings/core.js";
import { WasmArray } from "../bindings/buffer.js";
import {
  binaryCrossEntropyWithLogits, huberLoss, lossOnPointers, meanSquaredError, resolvedLossOnPointers, resolveLoss, softmaxCrossEntropy,
  type LossName, type LossOptions, type LossResult, type Reduction,
} from "../bindings/losses.js";
import type { IntTensor, Tensor } from "../bindings/tensor.js";
import { checkGradient } from "./helpers/gradcheck.js";
import { mulberry32 } from "./helpers/random.js";

const SIZES = [1, 3, 5, 17, 33];
const LOSSES: readonly LossName[] = ["softmaxCrossEntropy", "meanSquaredError", "binaryCrossEntropyWithLogits", "huber"];
const PUBLIC = { softmaxCrossEntropy, meanSquaredError, binaryCrossEntropyWithLogits, huber: huberLoss } as const;

/** Calls the public loss `name` (targets typed loosely: each loss validates its own). */
function callLoss(name: LossName, predictions: unknown, targets: unknown, options?: unknown): LossResult {
  return (PUBLIC[name] as (p: unknown, t: unknown, o?: unknown) => LossResult)(predictions, targets, options);
}

/** float64 loss of one row and its gradient (unscaled); `delta` is Huber's. */
function refRow(name: LossName, x: ArrayLike<number>, t: number | ArrayLike<number>, delta = 1): { loss: number; grad: number[] } {
  const N = x.length;
  const xs = Array.from(x);
  if (name === "softmaxCrossEntropy") {
    const m = Math.max(...xs);
    const s = xs.reduce((a, v) => a + Math.exp(v - m), 0);
    const id = t as number;
    return { loss: m + Math.log(s) - xs[id]!, grad: xs.map((v, j) => Math.exp(v - m) / s - (j === id ? 1 : 0)) };
  }
  const ts = Array.from(t as ArrayLike<number>);
  if (name === "meanSquaredError") {
    return { loss: xs.reduce((a, v, j) => a + (v - ts[j]!) ** 2, 0), grad: xs.map((v, j) => 2 * (v - ts[j]!)) };
  }
  if (name === "huber") {
    // torch.nn.HuberLoss: 0.5 d² if |d| < delta, else delta (|d| - 0.5 delta); written as the branches, not the kernel's min form.
    const d = xs.map((v, j) => v - ts[j]!);
    const loss = d.reduce((a, v) => a + (Math.abs(v) < delta ? 0.5 * v * v : delta * (Math.abs(v) - 0.5 * delta)), 0);
    return { loss, grad: d.map((v) => (Math.abs(v) < delta ? v : delta * Math.sign(v))) };
  }
  let loss = 0;
  for (let j = 0; j < N; j++) loss += Math.max(xs[j]!, 0) - xs[j]! * ts[j]! + Math.log1p(Math.exp(-Math.abs(xs[j]!)));
  return { loss, grad: xs.map((v, j) => 1 / (1 + Math.exp(-v)) - ts[j]!) };
}

/** float64 reference of a whole call: masked, reduced as PyTorch does. */
function reference(name: LossName, pred: Tensor, target: Tensor | IntTensor, mask: Float32Array | null, reduction: Reduction, delta?: number): { loss: number; grad: Float64Array } {
  const N = pred.shape[pred.shape.length - 1]!;
  const M = pred.data.length / N;
  const grad = new Float64Array(M * N);
  let total = 0;
  let count = 0;
  for (let i = 0; i < M; i++) {
    const w = mask === null ? 1 : mask[i]!;
    if (w === 0) continue;
    count += w;
    const x = pred.data.subarray(i * N, (i + 1) * N);
    const t = name === "softmaxCrossEntropy" ? target.data[i]! : (target.data as Float32Array).subarray(i * N, (i + 1) * N);
    const r = refRow(name, x, t, delta);
    total += w * r.loss;
    r.grad.forEach((g, j) => (grad[i * N + j] = w * g));
  }
  const scale = reduction === "sum" ? 1 : 1 / (name === "softmaxCrossEntropy" ? count : count * N);
  return { loss: total * scale, grad: grad.map((g) => g * scale) };
}

/** Random predictions [..., N] and matching targets for loss `name`. */
function example(name: LossName, rand: () => number, shape: number[]): { pred: Tensor; target: Tensor | IntTensor } {
  const N = shape[shape.length - 1]!;
  const size = shape.reduce((a, b) => a * b, 1);
  const pred = { shape, data: Float32Array.from({ length: size }, () => -4 + 8 * rand()) };
  const lead = shape.slice(0, -1);
  if (name === "softmaxCrossEntropy") {
    return { pred, target: { shape: lead, data: Int32Array.from({ length: size / N }, () => Math.floor(rand() * N)) } };
  }
  const data = Float32Array.from({ length: size }, () => (name === "meanSquaredError" || name === "huber" ? -4 + 8 * rand() : rand()));
  return { pred, target: { shape, data } };
}

function assertMatches(got: LossResult, want: { loss: number; grad: Float64Array }, what: string): void {
  assert.ok(Math.abs(got.loss - want.loss) <= 1e-6 * Math.max(1, Math.abs(want.loss)), `${what}: loss ${got.loss}, want ${want.loss}`);
  assert.equal(got.grad.data.length, want.grad.length, what);
  for (let i = 0; i < want.grad.length; i++) {
    const tol = 1e-6 * Math.max(1, Math.abs(want.grad[i]!));
    assert.ok(Math.abs(got.grad.data[i]! - want.grad[i]!) <= tol, `${what}: grad[${i}] ${got.grad.data[i]}, want ${want.grad[i]}`);
  }
}

describe("losses", () => {
  for (const name of LOSSES) {
    // A softmax over one class is refused (its loss is always 0), so the cross-entropy sweep starts at N = 3.
    const sizes = name === "softmaxCrossEntropy" ? SIZES.filter((n) => n > 1) : SIZES;
    it(`${name}: loss and gradient match float64 at N = ${sizes.join(", ")}, with and without a mask, mean and sum`, () => {
      const rand = mulberry32(LOSSES.indexOf(name) + 1);
      for (const N of sizes) {
        const { pred, target } = example(name, rand, [2, 3, N]);
        const mask = Float32Array.from([1, 0, 1, 1, 0, 1]);
        for (const reduction of ["mean", "sum"] as const) {
          const what = `${name} N=${N} ${reduction}`;
          assertMatches(callLoss(name, pred, target, { reduction }), reference(name, pred, target, null, reduction), what);
          const masked = callLoss(name, pred, target, { reduction, mask: { shape: [2, 3], data: mask } });
          assertMatches(masked, reference(name, pred, target, mask, reduction), `${what} masked`);
          assert.deepEqual(masked.grad.shape, [2, 3, N]);
        }
      }
    });

    it(`${name}: masked rows contribute nothing and get a gradient of exactly 0`, () => {
      const rand = mulberry32(40 + LOSSES.indexOf(name));
      const N = 5;
      const { pred, target } = example(name, rand, [4, N]);
      const kept = { shape: [2, N], data: pred.data.slice(0, 2 * N) };
      const keptTarget = name === "softmaxCrossEntropy"
        ? { shape: [2], data: (target.data as Int32Array).slice(0, 2) }
        : { shape: [2, N], data: (target.data as Float32Array).slice(0, 2 * N) };
      if (name === "softmaxCrossEntropy") (target.data as Int32Array).set([-1, 99], 2);
      else pred.data.fill(1e30, 2 * N);
      const mask = { shape: [4], data: Float32Array.from([1, 1, 0, 0]) };
      for (const reduction of ["mean", "sum"] as const) {
        const full = callLoss(name, pred, target, { mask, reduction });
        const part = callLoss(name, kept, keptTarget, { reduction });
        assert.ok(Math.abs(full.loss - part.loss) <= 1e-12 * Math.abs(part.loss), `${reduction}: ${full.loss} vs ${part.loss}`);
        assert.deepEqual(full.grad.data.subarray(0, 2 * N), part.grad.data, reduction);
        for (let i = 2 * N; i < 4 * N; i++) assert.ok(Object.is(full.grad.data[i], 0), `grad[${i}] = ${full.grad.data[i]}`);
      }
      const none = callLoss(name, pred, target, { mask: { shape: [4], data: new Float32Array(4) } });
      assert.equal(none.loss, 0);
      assert.ok(none.grad.data.every((g) => Object.is(g, 0)));
    });

    it(`${name}: the gradient matches finite differences of the masked mean`, () => {
      const rand = mulberry32(60 + LOSSES.indexOf(name));
      const M = 4;
      const N = 6;
      const { pred, target } = example(name, rand, [M, N]);
      const mask = Float32Array.from([1, 0, 1, 1]);
      const p = new WasmArray(M * N);
      const t = new WasmArray(target.data.length);
      const m = new WasmArray(M);
      const g = new WasmArray(M * N);
      try {
        p.f32().set(pred.data);
        if (target.data instanceof Int32Array) t.i32().set(target.data);
        else t.f32().set(target.data);
        m.f32().set(mask);
        lossOnPointers(name, p.ptr, t.ptr, m.ptr, M, N, "mean", g.ptr);
        const loss = (): number => lossOnPointers(name, p.ptr, t.ptr, m.ptr, M, N, "mean", 0);
        checkGradient({ name: `${name} dPred`, values: () => p.f32(), analytic: g.f32().slice(), loss });
      } finally {
        for (const b of [p, t, m, g]) b.free();
      }
    });
  }

  it(`huber: delta 0.3 and 2.5 match float64 at N = ${SIZES.join(", ")}, with and without a mask, mean and sum`, () => {
    const rand = mulberry32(90);
    for (const delta of [0.3, 2.5]) {
      for (const N of SIZES) {
        const { pred, target } = example("huber", rand, [2, 3, N]);
        const mask = Float32Array.from([1, 0, 1, 1, 0, 1]);
        for (const reduction of ["mean", "sum"] as const) {
          const what = `huber delta=${delta} N=${N} ${reduction}`;
          assertMatches(huberLoss(pred, target as Tensor, { reduction, delta }), reference("huber", pred, target, null, reduction, delta), what);
          const masked = huberLoss(pred, target as Tensor, { reduction, delta, mask: { shape: [2, 3], data: mask } });
          assertMatches(masked, reference("huber", pred, target, mask, reduction, delta), `${what} masked`);
        }
      }
    }
  });

  it("huber: the gradient matches finite differences with delta 0.5, and is exactly d or ±delta on either side of the kink", () => {
    const rand = mulberry32(91);
    const M = 4;
    const N = 6;
    const { pred, target } = example("huber", rand, [M, N]);
    const loss = resolveLoss("test", "loss", { name: "huber", delta: 0.5 });
    const p = new WasmArray(M * N);
    const t = new WasmArray(M * N);
    const g = new WasmArray(M * N);
    try {
      p.f32().set(pred.data);
      t.f32().set(target.data as Float32Array);
      resolvedLossOnPointers(loss, p.ptr, t.ptr, 0, M, N, "mean", g.ptr);
      checkGradient({ name: "huber dPred", values: () => p.f32(), analytic: g.f32().slice(), loss: () => resolvedLossOnPointers(loss, p.ptr, t.ptr, 0, M, N, "mean", 0) });
    } finally {
      for (const b of [p, t, g]) b.free();
    }
    const sides = huberLoss([[0.25, -0.25, 3, -3]], [[0, 0, 0, 0]], { delta: 0.5, reduction: "sum" });
    assert.deepEqual(Array.from(sides.grad.data), [0.25, -0.25, 0.5, -0.5]);
    assert.equal(sides.loss, 2 * 0.5 * 0.0625 + 2 * 0.5 * (3 - 0.25));
  });

  it("huber: matches torch.nn.HuberLoss (test/fixtures/gen_losses.py: deltas 0.25-2, mean and sum, masked rows)", () => {
    interface Case { name: LossName; params: { delta: number }; reduction: Reduction; shape: number[]; predictions: number[]; targets: number[]; mask: number[] | null; loss: number; grad: number[] }
    const { cases } = JSON.parse(readFileSync(new URL("../../test/fixtures/losses.json", import.meta.url), "utf8")) as { cases: Case[] };
    assert.equal(cases.length, 6);
    for (const c of cases) {
      const what = `huber delta=${c.params.delta} ${c.reduction} [${c.shape.join(", ")}]${c.mask === null ? "" : " masked"}`;
      const options = { delta: c.params.delta, reduction: c.reduction, ...(c.mask === null ? {} : { mask: { shape: c.shape.slice(0, -1), data: Float32Array.from(c.mask) } }) };
      const got = huberLoss({ shape: c.shape, data: Float32Array.from(c.predictions) }, { shape: c.shape, data: Float32Array.from(c.targets) }, options);
      assertMatches(got, { loss: c.loss, grad: Float64Array.from(c.grad) }, what);
    }
  });

  it("huber: bad delta or an unknown option is an error naming huberLoss and the option", () => {
    const p = [[1, 2]];
    const t = [[0, 0]];
    assert.throws(() => huberLoss(p, t, { delta: 0 }), /^RangeError: huberLoss: options\.delta must be > 0 \(the loss and its gradient would be 0\); got 0$/);
    assert.throws(() => huberLoss(p, t, { delta: -1 }), /^RangeError: huberLoss: options\.delta must be a finite number in \[0, Infinity\]; got -1$/);
    assert.throws(() => huberLoss(p, t, { delta: NaN }), /^RangeError: huberLoss: options\.delta must be a finite number .*got NaN$/);
    assert.throws(() => huberLoss(p, t, { delta: "1" as never }), /^TypeError: huberLoss: options\.delta must be a number; got "1"$/);
    assert.throws(() => huberLoss(p, t, { beta: 1 } as never), /^TypeError: huberLoss: unknown option "beta"; expected one of mask, reduction, delta$/);
    assert.throws(() => meanSquaredError(p, t, { delta: 1 } as never), /^TypeError: meanSquaredError: unknown option "delta"; expected one of mask, reduction$/);
  });

  it("refuses a softmax cross-entropy over one class (its loss would always be 0)", () => {
    assert.throws(() => softmaxCrossEntropy([[0.5], [2]], [0, 0]), /^RangeError: softmaxCrossEntropy: predictions must score at least 2 classes .* use binaryCrossEntropyWithLogits/);
  });

  it("reductions follow PyTorch: mean over rows for cross-entropy, over elements otherwise", () => {
    // torch.nn.functional.cross_entropy(torch.tensor([[1., 2, 3], [1, 2, 3]]), torch.tensor([2, 0])) = 1.4076059644
    const ce = softmaxCrossEntropy([[1, 2, 3], [1, 2, 3]], [2, 0]);
    assert.ok(Math.abs(ce.loss - 1.4076059644443804) < 1e-6, `${ce.loss}`);
    assert.ok(Math.abs(softmaxCrossEntropy([[1, 2, 3], [1, 2, 3]], [2, 0], { reduction: "sum" }).loss - 2.815211928888761) < 1e-6);
    // F.mse_loss(torch.tensor([[1., 2], [3, 4]]), torch.zeros(2, 2)) = 7.5; sum 30
    assert.equal(meanSquaredError([[1, 2], [3, 4]], [[0, 0], [0, 0]]).loss, 7.5);
    assert.equal(meanSquaredError([[1, 2], [3, 4]], [[0, 0], [0, 0]], { reduction: "sum" }).loss, 30);
    assert.deepEqual(Array.from(meanSquaredError([[1, 2], [3, 4]], [[0, 0], [0, 0]]).grad.data), [0.5, 1, 1.5, 2]);
    // F.binary_cross_entropy_with_logits(torch.tensor([[0., 2]]), torch.tensor([[1., 0]])) = 1.4122... = (log 2 + 2 + log(1 + e^-2)) / 2
    const bce = binaryCrossEntropyWithLogits([[0, 2]], [[1, 0]]);
    assert.ok(Math.abs(bce.loss - (Math.LN2 + 2 + Math.log1p(Math.exp(-2))) / 2) < 1e-6, `${bce.loss}`);
    // Masked mean: the mask count is the denominator (as ignore_index in PyTorch).
    const maskedCe = softmaxCrossEntropy([[1, 2, 3], [1, 2, 3]], [2, -1], { mask: [1, 0] });
    assert.ok(Math.abs(maskedCe.loss - 0.40760596444438035) < 1e-6, `${maskedCe.loss}`);
  });

  it("is stable for huge logits", () => {
    const ce = softmaxCrossEntropy([[1e4, -1e4, 0], [-1e4, -1e4, -1e4]], [1, 2], { reduction: "sum" });
    assert.ok(Math.abs(ce.loss - (2e4 + Math.log(3))) < 1e-2, `${ce.loss}`);
    assert.ok(ce.grad.data.every(Number.isFinite));
    const bce = binaryCrossEntropyWithLogits([[1e4, -1e4, 200, -200]], [[0, 1, 1, 0]], { reduction: "sum" });
    assert.ok(Math.abs(bce.loss - 2e4) < 1e-2, `${bce.loss}`);
    assert.deepEqual(Array.from(bce.grad.data), [1, -1, 0, 0]);
  });

  describe("rejects bad input with an error naming the argument", () => {
    const pred = { shape: [2, 3], data: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]) };
    const ids = { shape: [2], data: Int32Array.from([0, 2]) };
    const probs = { shape: [2, 3], data: Float32Array.from([0, 1, 0.5, 0.5, 1, 0]) };
    type Args = [predictions: unknown, targets: unknown, options: unknown];
    const bad = (over: Partial<Record<string, unknown>>): Args => [over.pred ?? pred, over.targets, over.options];
    const cases: [string, LossName, Args, ErrorConstructor, RegExp][] = [
      ["predictions not a tensor", "meanSquaredError", bad({ pred: 5, targets: probs }), TypeError, /meanSquaredError: predictions must be/],
      ["predictions data not Float32Array", "meanSquaredError", bad({ pred: { shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }, targets: probs }), TypeError, /predictions\.data must be a Float32Array/],
      ["predictions shape and data disagree", "meanSquaredError", bad({ pred: { shape: [2, 2], data: new Float32Array(6) }, targets: probs }), RangeError, /predictions\.shape/],
      ["predictions without a class axis", "softmaxCrossEntropy", bad({ pred: { shape: [], data: new Float32Array(1) }, targets: ids }), RangeError, /predictions must be a non-empty/],
      ["empty predictions", "meanSquaredError", bad({ pred: { shape: [0, 3], data: new Float32Array(0) }, targets: { shape: [0, 3], data: new Float32Array(0) } }), RangeError, /predictions must be a non-empty/],
      ["NaN predictions", "meanSquaredError", bad({ pred: { shape: [2, 3], data: Float32Array.from([0, 0, 0, 0, NaN, 0]) }, targets: probs }), RangeError, /predictions must be finite; got NaN at flat index 4/],
      ["ragged nested predictions", "meanSquaredError", bad({ pred: [[1, 2, 3], [4, 5]], targets: probs }), RangeError, /predictions is ragged/],
      ["targets of the wrong shape", "meanSquaredError", bad({ targets: { shape: [3, 2], data: new Float32Array(6) } }), RangeError, /targets must have shape \[2, 3\]; got \[3, 2\]/],
      ["class targets of the wrong shape", "softmaxCrossEntropy", bad({ targets: { shape: [2, 3], data: new Int32Array(6) } }), RangeError, /targets must have shape \[2\]/],
      ["missing targets", "softmaxCrossEntropy", bad({}), TypeError, /softmaxCrossEntropy: targets must be/],
      ["class id = N", "softmaxCrossEntropy", bad({ targets: [0, 3] }), RangeError, /targets must hold class ids in \[0, 3\).*got 3 at flat index 1/],
      ["class id -1 in an unmasked row", "softmaxCrossEntropy", bad({ targets: [-1, 0], options: { mask: [1, 0] } }), RangeError, /targets must hold class ids.*got -1 at flat index 0/],
      ["fractional class id", "softmaxCrossEntropy", bad({ targets: [0.5, 1] }), RangeError, /targets must hold integers/],
      ["non-finite targets", "meanSquaredError", bad({ targets: { shape: [2, 3], data: Float32Array.from([0, 0, Infinity, 0, 0, 0]) } }), RangeError, /targets must be finite; got Infinity at flat index 2/],
      ["BCE targets above 1", "binaryCrossEntropyWithLogits", bad({ targets: { shape: [2, 3], data: Float32Array.from([0, 1, 1.5, 0, 0, 0]) } }), RangeError, /targets must hold values in \[0, 1\]; got 1.5 at flat index 2/],
      ["BCE targets below 0", "binaryCrossEntropyWithLogits", bad({ targets: { shape: [2, 3], data: Float32Array.from([0, 1, 0, -0.5, 0, 0]) } }), RangeError, /targets must hold values in \[0, 1\]; got -0.5 at flat index 3/],
      ["mask of the wrong shape", "meanSquaredError", bad({ targets: probs, options: { mask: [1, 1, 1] } }), RangeError, /options\.mask must have shape \[2\]; got \[3\]/],
      ["mask value 2", "meanSquaredError", bad({ targets: probs, options: { mask: [1, 2] } }), RangeError, /options\.mask must hold values in \[0, 1\]; got 2 at flat index 1/],
      ["negative mask value", "softmaxCrossEntropy", bad({ targets: ids, options: { mask: [-1, 1] } }), RangeError, /options\.mask must hold values in \[0, 1\]; got -1 at flat index 0/],
      ["NaN mask", "binaryCrossEntropyWithLogits", bad({ targets: probs, options: { mask: { shape: [2], data: Float32Array.from([1, NaN]) } } }), RangeError, /options\.mask must be finite/],
      ["mask not a tensor", "meanSquaredError", bad({ targets: probs, options: { mask: "all" } }), TypeError, /options\.mask must be/],
      ["unknown option", "meanSquaredError", bad({ targets: probs, options: { reductions: "sum" } }), TypeError, /unknown option "reductions"/],
      ["unknown reduction", "binaryCrossEntropyWithLogits", bad({ targets: probs, options: { reduction: "avg" } }), TypeError, /options\.reduction must be one of "mean", "sum"; got "avg"/],
      ["options not an object", "softmaxCrossEntropy", bad({ targets: ids, options: 3 }), TypeError, /options must be an object/],
    ];
    for (const [what, name, args, type, message] of cases) {
      it(`${name}: ${what}`, () => {
        assert.throws(() => callLoss(name, ...args), (e: unknown) => e instanceof type && message.test((e as Error).message)
          || assert.fail(`expected ${type.name} matching ${message}; got ${String(e)}`));
      });
    }

    it("lossOnPointers: unknown loss name or reduction", () => {
      assert.throws(() => lossOnPointers("hinge" as LossName, 0, 0, 0, 1, 1, "mean", 0), /lossOnPointers: name must be one of/);
      assert.throws(() => lossOnPointers("meanSquaredError", 0, 0, 0, 1, 1, "max" as Reduction, 0), /lossOnPointers: reduction must be one of/);
    });

    it("keeps working and frees its temporaries after rejected calls", () => {
      const before = softmaxCrossEntropy(pred, ids);
      const probe = core().alloc(1024);
      core().free(probe);
      for (const [, name, args] of cases) assert.throws(() => callLoss(name, ...args));
      const again = core().alloc(1024);
      core().free(again);
      assert.equal(again, probe, "a rejected call left wasm memory allocated");
      const after = softmaxCrossEntropy(pred, ids);
      assert.equal(after.loss, before.loss);
      assert.deepEqual(after.grad, before.grad);
      const options: LossOptions = { mask: [1, 1], reduction: "sum" };
      assert.ok(meanSquaredError(pred, probs, options).loss > 0);
    });
  });
});
