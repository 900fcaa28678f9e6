// Issue 11, item 2: training or evaluating without targets, validation data without targets, and
// targets whose shape does not fit the model's output (T, N, O, ids vs floats, per step vs per
// sequence) are errors naming the argument and the expected shape: never read as zeros or
// broadcast. A fast-check property throws random targets at trainOnBatch and evaluate.
import assert from "node:assert/strict";
import fc from "fast-check";
import { Model } from "../bindings/model.js";
import { SimpleRNN } from "../bindings/layers/simple-rnn.js";
import { Dense } from "../bindings/layers/dense.js";
import { SGD } from "../bindings/optimizers.js";
import { Seq2Seq } from "../bindings/seq2seq/seq2seq.js";
import type { LossName } from "../bindings/losses.js";
import type { Tensor } from "../bindings/tensor.js";
import { mulberry32, randomArray } from "./helpers/random.js";
import { assertUnchanged, trainingState } from "./helpers/training-state.js";

const T = 4;
const N = 6;
const D = 2;
const CLASSES = 3;
const FEATURES = 2;

/** A model of each target kind: class ids or floats, per step or per sequence (returnSequences false). */
interface Kind {
  loss: LossName;
  perStep: boolean;
}

const KINDS: Kind[] = [
  { loss: "softmaxCrossEntropy", perStep: true },
  { loss: "softmaxCrossEntropy", perStep: false },
  { loss: "meanSquaredError", perStep: true },
  { loss: "meanSquaredError", perStep: false },
];

function kindName(kind: Kind): string {
  return `${kind.loss}, ${kind.perStep ? "per step" : "per sequence"}`;
}

function outputs(kind: Kind): number {
  return kind.loss === "softmaxCrossEntropy" ? CLASSES : FEATURES;
}

function model(kind: Kind): Model {
  return new Model({
    layers: [new SimpleRNN({ inputSize: D, units: 5, returnSequences: kind.perStep, seed: 1 }), new Dense({ inputSize: 5, units: outputs(kind), seed: 2 })],
    loss: kind.loss,
    optimizer: new SGD({ lr: 0.1 }),
  });
}

const x: Tensor = { shape: [T, N, D], data: randomArray(T * N * D, 1) };

/** The shape targets of `kind` must have for x [T, N, D]. */
function targetShape(kind: Kind): number[] {
  const lead = kind.perStep ? [T, N] : [N];
  return kind.loss === "softmaxCrossEntropy" ? lead : [...lead, FEATURES];
}

/** Valid targets of `kind`: class ids or floats in [-1, 1). */
function targets(kind: Kind, seed = 3): Tensor | { shape: number[]; data: Int32Array } {
  const shape = targetShape(kind);
  const n = shape.reduce((a, b) => a * b, 1);
  if (kind.loss !== "softmaxCrossEntropy") return { shape, data: randomArray(n, seed) };
  const next = mulberry32(seed);
  return { shape, data: Int32Array.from({ length: n }, () => Math.floor(next() * CLASSES)) };
}

/** Runs `call` on a fresh model of `kind`: it must throw `type` matching `message`, and change neither predictions nor training state. */
async function assertRefused(kind: Kind, call: (m: Model) => unknown, type: typeof TypeError | typeof RangeError, message: RegExp): Promise<void> {
  const m = model(kind);
  const predictions = m.predict(x).data;
  const before = trainingState(m);
  await assert.rejects(async () => call(m), (e: unknown) => e instanceof type && message.test((e as Error).message));
  assert.deepEqual(m.predict(x).data, predictions);
  assertUnchanged(m, before, "after the refused call");
  assert.ok(Number.isFinite(m.trainOnBatch(x, targets(kind))));
  m.dispose();
}

describe("Required arguments: targets are required", () => {
  const seqIds: Kind = KINDS[0]!;
  const missing: [string, (m: Model) => unknown, RegExp][] = [
    ["trainOnBatch without y", (m) => m.trainOnBatch(x, undefined as never), /^Model\.trainOnBatch: y \(the targets\) is required: class ids in \[0, 3\) shaped \[4, 6\]; got undefined$/],
    ["trainOnBatch with y null", (m) => m.trainOnBatch(x, null as never), /^Model\.trainOnBatch: y \(the targets\) is required: .*; got null$/],
    ["evaluate without y", (m) => (m as unknown as { evaluate(x: unknown): unknown }).evaluate(x), /^Model\.evaluate: y \(the targets\) is required: class ids in \[0, 3\) shaped \[4, 6\]; got undefined$/],
    ["fit without y", (m) => (m as unknown as { fit(x: unknown): unknown }).fit(x), /^Model\.fit: y \(the targets\) is required/],
    ["validationData without y", (m) => m.fit(x, targets(seqIds), { validationData: { x } as never }), /^Model\.fit: validationData: y \(the targets\) is required: class ids in \[0, 3\) shaped \[4, 6\]; got undefined$/],
    ["trainOnBatch without x", (m) => m.trainOnBatch(undefined as never, targets(seqIds)), /^Model\.trainOnBatch: x is required: floats shaped \[T, N, 2\]; got undefined$/],
    ["validationData without x", (m) => m.fit(x, targets(seqIds), { validationData: { y: targets(seqIds) } as never }), /^Model\.fit: validationData: x is required/],
  ];
  for (const [what, call, message] of missing) {
    it(`${what} is a TypeError naming the argument and what it must be`, () => assertRefused(seqIds, call, TypeError, message));
  }

  for (const value of [null, [], 3, "x"]) {
    it(`validationData ${JSON.stringify(value)} is a TypeError`, () => assertRefused(seqIds, (m) => m.fit(x, targets(seqIds), { validationData: value as never }), TypeError,
      /^Model\.fit: validationData must be an object \{ x, y, mask\?, lengths\?, context\? \}; got /));
  }
});

describe("Required arguments: targets must fit the model's output exactly", () => {
  const [seqIds, lastIds, seqFloats, lastFloats] = KINDS as [Kind, Kind, Kind, Kind];
  const int = (shape: number[]): { shape: number[]; data: Int32Array } => ({ shape, data: new Int32Array(shape.reduce((a, b) => a * b, 1)) });
  const float = (shape: number[]): Tensor => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  const cases: [string, Kind, unknown, typeof TypeError | typeof RangeError, RegExp][] = [
    ["another T", seqIds, int([T + 1, N]), RangeError, /^Model\.trainOnBatch: y must have shape \[4, 6\]; got \[5, 6\]$/],
    ["another N", seqFloats, float([T, N - 1, FEATURES]), RangeError, /^Model\.trainOnBatch: y must have shape \[4, 6, 2\]; got \[4, 5, 2\]$/],
    ["another O", seqFloats, float([T, N, FEATURES + 1]), RangeError, /^Model\.trainOnBatch: y must have shape \[4, 6, 2\]; got \[4, 6, 3\]$/],
    ["one-hot vectors for class ids", seqIds, float([T, N, CLASSES]), RangeError, /y must have shape \[4, 6\]; got \[4, 6, 3\] \(softmaxCrossEntropy takes class ids, not one-hot or probability vectors\)$/],
    ["class ids (Int32Array) for floats", seqFloats, int([T, N]), RangeError, /^Model\.trainOnBatch: y must have shape \[4, 6, 2\]; got \[4, 6\] \(meanSquaredError takes 2 floats per target, not class ids\)$/],
    ["class ids (nested arrays) for floats", seqFloats, Array.from({ length: T }, () => new Array(N).fill(1)), RangeError, /y must have shape \[4, 6, 2\]; got \[4, 6\] \(meanSquaredError takes 2 floats per target, not class ids\)$/],
    ["per-sequence ids for a per-step model", seqIds, int([N]), RangeError, /y must have shape \[4, 6\]; got \[6\] \(the model has an output at every step: targets are per step, not per sequence\)$/],
    ["per-sequence floats for a per-step model", seqFloats, float([N, FEATURES]), RangeError, /y must have shape \[4, 6, 2\]; got \[6, 2\] \(the model has an output at every step/],
    ["per-step ids for a per-sequence model", lastIds, int([T, N]), RangeError, /y must have shape \[6\]; got \[4, 6\] \(a recurrent layer has returnSequences false: the model has one output per sequence, so targets are per sequence\)$/],
    ["per-step floats for a per-sequence model", lastFloats, float([T, N, FEATURES]), RangeError, /y must have shape \[6, 2\]; got \[4, 6, 2\] \(a recurrent layer has returnSequences false/],
    ["a scalar-shaped tensor", lastFloats, float([]), RangeError, /y must have shape \[6, 2\]; got \[\]$/],
    ["fractional class ids", lastIds, { shape: [N], data: new Float32Array(N).fill(0.5) }, RangeError, /^Model\.trainOnBatch: y must hold integers; got 0\.5 at flat index 0$/],
  ];
  for (const [what, kind, y, type, message] of cases) {
    it(`${what} (${kindName(kind)}) is a ${type.name} naming the expected shape`, () => assertRefused(kind, (m) => m.trainOnBatch(x, y as never), type, message));
  }

  it("evaluate and validationData check their targets the same way", async () => {
    await assertRefused(seqFloats, (m) => m.evaluate(x, float([T, N, 1])), RangeError, /^Model\.evaluate: y must have shape \[4, 6, 2\]; got \[4, 6, 1\]$/);
    await assertRefused(seqIds, (m) => m.fit(x, targets(seqIds), { validationData: { x, y: int([T, N + 1]) } }), RangeError, /^Model\.fit: validationData: y must have shape \[4, 6\]; got \[4, 7\]$/);
  });
});

describe("Required arguments: Seq2Seq", () => {
  const source = { shape: [3, 2], data: Int32Array.from([4, 5, 6, 7, 5, 4]) };
  const target = { shape: [3, 2], data: Int32Array.from([3, 3, 5, 6, 2, 2]) };
  const lengths = Int32Array.from([3, 3]);
  const calls: [string, (s: Seq2Seq) => unknown, typeof TypeError | typeof RangeError, RegExp][] = [
    ["trainOnBatch without target", (s) => s.trainOnBatch(source, lengths, undefined as never, lengths), TypeError, /^Seq2Seq\.trainOnBatch: target must be a \{ shape, data: Int32Array \} tensor, a tensor with shape and dataSync\(\) \(tf\.Tensor\), or nested integer arrays; got undefined/],
    ["evaluate without targetLengths", (s) => s.evaluate(source, lengths, target, undefined as never), TypeError, /^Seq2Seq\.evaluate: targetLengths must be/],
    ["fit without sourceLengths", (s) => s.fit(source, null as never, target, lengths), TypeError, /^Seq2Seq\.fit: sourceLengths must be/],
    ["targets for other sequences", (s) => s.trainOnBatch(source, lengths, { shape: [2, 3], data: Int32Array.from([3, 3, 3, 2, 2, 2]) }, Int32Array.from([2, 2, 2])), RangeError, /^Seq2Seq\.trainOnBatch: target must hold as many sequences as source \(N = 2\); got shape \[2, 3\]$/],
  ];
  for (const [what, call, type, message] of calls) {
    it(`${what} is a ${type.name} naming the argument`, async () => {
      const s = new Seq2Seq({ sourceVocabSize: 8, targetVocabSize: 8, units: 4, seed: 1 });
      const before = trainingState(s);
      await assert.rejects(async () => call(s), (e: unknown) => e instanceof type && message.test((e as Error).message));
      assertUnchanged(s, before, "after the refused call");
      s.dispose();
    });
  }
});

describe("Required arguments: property", () => {
  /** Random targets: a shape near the expected one (or any), a container, and values that may be out of range or non-finite. */
  const arbitraryTargets = (expected: number[]) => fc.record({
    shape: fc.oneof(
      fc.constant(expected),
      fc.tuple(fc.nat({ max: expected.length - 1 }), fc.integer({ min: -1, max: 1 })).map(([i, delta]) => expected.map((d, j) => (j === i ? Math.max(0, d + delta) : d))),
      fc.array(fc.nat({ max: 7 }), { maxLength: 4 }),
    ),
    container: fc.constantFrom("Int32Array", "Float32Array", "nested", "bare Int32Array", "missing", "null", "number", "string", "shapeless"),
    special: fc.constantFrom(null, -1, CLASSES, 0.5, NaN, Infinity, 1e38),
    seed: fc.nat(),
  });

  /** Builds the targets an arbitrary describes. */
  function build({ shape, container, special, seed }: { shape: number[]; container: string; special: number | null; seed: number }): unknown {
    const n = shape.reduce((a, b) => a * b, 1);
    const next = mulberry32(seed);
    const values = Array.from({ length: n }, () => Math.floor(next() * CLASSES));
    if (special !== null && n > 0) values[seed % n] = special;
    switch (container) {
      case "Int32Array": return { shape, data: Int32Array.from(values) };
      case "Float32Array": return { shape, data: Float32Array.from(values) };
      case "bare Int32Array": return Int32Array.from(values);
      case "missing": return undefined;
      case "null": return null;
      case "number": return values[0] ?? 0;
      case "string": return "targets";
      case "shapeless": return { data: Float32Array.from(values) };
      default: {
        const nest = (depth: number, offset: number): unknown => (depth === shape.length ? values[offset]
          : Array.from({ length: shape[depth]! }, (_, i) => nest(depth + 1, offset * shape[depth]! + i)));
        return shape.length === 0 ? [] : nest(0, 0);
      }
    }
  }

  for (const kind of KINDS) {
    it(`trainOnBatch and evaluate (${kindName(kind)}) accept targets only when they fit exactly, else throw a TypeError/RangeError naming the call`, () => {
      const m = model(kind);
      const expected = targetShape(kind);
      fc.assert(fc.property(arbitraryTargets(expected), fc.boolean(), (arb, train) => {
        const y = build(arb);
        const where = train ? "Model.trainOnBatch" : "Model.evaluate";
        const predictions = m.predict(x).data;
        const before = trainingState(m);
        let result: number;
        try {
          result = train ? m.trainOnBatch(x, y as never) : m.evaluate(x, y as never).loss;
        } catch (e) {
          assert.ok((e instanceof TypeError || e instanceof RangeError) && e.message.startsWith(`${where}: `), String(e));
          assert.deepEqual(m.predict(x).data, predictions);
          assertUnchanged(m, before, "after a refused call");
          return;
        }
        assert.ok(Number.isFinite(result), `${where} returned ${result}`);
        const shape = arb.container === "bare Int32Array" ? [arb.shape.reduce((a, b) => a * b, 1)] : arb.shape;
        assert.deepEqual(shape, expected, `accepted targets of shape [${shape}]`);
        const ok = (v: number): boolean => (kind.loss === "softmaxCrossEntropy" ? Number.isInteger(v) && v >= 0 && v < CLASSES : Number.isFinite(v));
        if (arb.special === null) return;
        const stored = arb.container.includes("Int32Array") ? Int32Array.of(arb.special)[0]! : arb.container === "Float32Array" ? Math.fround(arb.special) : arb.special;
        assert.ok(ok(stored), `accepted the value ${stored}`);
      }), { seed: 42, numRuns: 250 });
      m.dispose();
    });
  }
});
