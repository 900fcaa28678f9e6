// Issue 14, item 6: `metrics` on Model (accuracy, top-k accuracy, MAE, MSE, RMSE, perplexity),
// counted by the core on every batch and reported in fit's logs (and "val" + Name after
// validation), in its History and by evaluate; equal to the same metrics computed here from
// predict's outputs; the same on 2 threads as on the same slices in one; saved with the model;
// a metric that does not fit the loss is an error naming it.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import fc from "fast-check";
import { init, coreInfo } from "../bindings/core.js";
import { Model } from "../bindings/model.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { GRU } from "../bindings/layers/gru.js";
import { Dense } from "../bindings/layers/dense.js";
import { Adam } from "../bindings/optimizers.js";
import { earlyStopping } from "../bindings/callbacks/early-stopping.js";
import { METRIC_NAMES, type MetricSpec } from "../bindings/metrics.js";
import type { LossName } from "../bindings/losses.js";
import { randomArray, mulberry32 } from "./helpers/random.js";
import { withoutSharedArrayBuffer } from "./helpers/threads-workload.js";
import { wasmPath } from "./helpers/wasm-path.js";

const T = 5;
const N = 12;
const D = 3;
const C = 4;

function model(loss: LossName, outputs: number, metrics: MetricSpec[]): Model {
  return new Model({ layers: [new GRU({ inputSize: D, units: 6, seed: 1 }), new Dense({ units: outputs, seed: 2 })], loss, optimizer: new Adam({ lr: 0.02 }), metrics });
}

const x = { shape: [T, N, D], data: randomArray(T * N * D, 3) };
const next = mulberry32(4);
const classes = { shape: [T, N], data: Int32Array.from({ length: T * N }, () => Math.floor(next() * C)) };
const floats = { shape: [T, N, 2], data: randomArray(T * N * 2, 5) };
const mask = { shape: [T, N], data: Float32Array.from({ length: T * N }, (_, i) => (i % 5 === 2 ? 0 : i % 3 === 0 ? 0.5 : 1)) };

/** The metrics of outputs [M, K] against class ids, weighted by the mask, computed here in float64. */
function classMetrics(out: Float32Array, k: number): { accuracy: number; topKAccuracy: number } {
  let weight = 0;
  let correct = 0;
  let inTopK = 0;
  for (let i = 0; i < T * N; i++) {
    const w = mask.data[i]!;
    const row = out.subarray(i * C, (i + 1) * C);
    const target = row[classes.data[i]!]!;
    const above = row.filter((v) => v > target).length;
    weight += w;
    if (above === 0) correct += w;
    if (above < k) inTopK += w;
  }
  return { accuracy: correct / weight, topKAccuracy: inTopK / weight };
}

describe("Model metrics", () => {
  it("evaluate reports accuracy, top-k accuracy and perplexity as computed from predict's logits", () => {
    const m = model("softmaxCrossEntropy", C, ["accuracy", { name: "topKAccuracy", k: 2 }, "perplexity"]);
    m.trainOnBatch(x, classes);
    const result = m.evaluate(x, classes, { mask, batchSize: 5 });
    const expected = classMetrics(m.predict(x).data, 2);
    assert.deepEqual(Object.keys(result), ["loss", "accuracy", "topKAccuracy", "perplexity"]);
    assert.equal(result.accuracy, expected.accuracy);
    assert.equal(result.topKAccuracy, expected.topKAccuracy);
    assert.equal(result.perplexity, Math.exp(result.loss));
    m.dispose();
  });

  it("evaluate reports MAE, MSE and RMSE (and their aliases) as computed from predict's outputs; mse equals the meanSquaredError loss", () => {
    const m = model("meanSquaredError", 2, ["mae", "meanSquaredError", "rmse"]);
    m.trainOnBatch(x, floats);
    const result = m.evaluate(x, floats, { mask, batchSize: 7 });
    const out = m.predict(x).data;
    let weight = 0;
    let abs = 0;
    let sq = 0;
    for (let i = 0; i < T * N; i++) {
      weight += mask.data[i]!;
      for (let j = 0; j < 2; j++) {
        const e = out[i * 2 + j]! - floats.data[i * 2 + j]!;
        abs += mask.data[i]! * Math.abs(e);
        sq += mask.data[i]! * e * e;
      }
    }
    assert.ok(Math.abs(result.mae! - abs / (2 * weight)) < 1e-12, `mae ${result.mae} vs ${abs / (2 * weight)}`);
    assert.ok(Math.abs(result.meanSquaredError! - sq / (2 * weight)) < 1e-12);
    assert.ok(Math.abs(result.rmse! - Math.sqrt(sq / (2 * weight))) < 1e-12);
    assert.ok(Math.abs(result.meanSquaredError! - result.loss) < 1e-6 * result.loss, `mse ${result.meanSquaredError} vs loss ${result.loss}`);
    m.dispose();
  });

  it("fit logs every metric per epoch and, with validation, val + Name; History has them; earlyStopping monitors them", async () => {
    const m = model("meanSquaredError", 2, ["mae", "rmse"]);
    const history = await m.fit(x, floats, { epochs: 4, batchSize: 5, validationSplit: 0.25, callbacks: [earlyStopping({ monitor: "valMae", patience: 10 })] });
    assert.deepEqual(Object.keys(history[0]!).sort(), ["epoch", "loss", "lr", "mae", "rmse", "valLoss", "valMae", "valRmse"]);
    assert.equal(history.history.valMae!.length, 4);
    const heldOut = { shape: [T, 3, D], data: new Float32Array(T * 3 * D) };
    const heldY = { shape: [T, 3, 2], data: new Float32Array(T * 3 * 2) };
    for (let t = 0; t < T; t++) {
      heldOut.data.set(x.data.subarray((t * N + 9) * D, (t * N + 12) * D), t * 3 * D);
      heldY.data.set(floats.data.subarray((t * N + 9) * 2, (t * N + 12) * 2), t * 3 * 2);
    }
    const last = m.evaluate(heldOut, heldY);
    assert.equal(history[3]!.valMae, last.mae);
    assert.equal(history[3]!.valRmse, last.rmse);
    m.dispose();
  });

  it("counts the same on 2 threads as on the same 2 slices on one thread", async function () {
    this.timeout(60_000);
    const run = async (): Promise<unknown> => {
      const m = model("softmaxCrossEntropy", C, [{ name: "topKAccuracy", k: 3 }, "perplexity"]);
      try {
        return [...await m.fit(x, classes, { epochs: 2, batchSize: 6, mask, validationData: { x, y: classes } })];
      } finally {
        m.dispose();
      }
    };
    try {
      await init({ threads: 2 });
      assert.equal(coreInfo().threads, 2);
      const threaded = await run();
      const fallback = await withoutSharedArrayBuffer(async () => {
        await init({ threads: 2 });
        return run();
      });
      assert.deepEqual(threaded, fallback);
    } finally {
      await init(await readFile(wasmPath()));
    }
  });

  it("are saved with the model: Model.load reports the same metrics", () => {
    const m = model("softmaxCrossEntropy", C, [{ name: "topKAccuracy", k: 3 }, "perplexity"]);
    const loaded = Model.load(m.save());
    assert.deepEqual(loaded.metrics, [{ name: "topKAccuracy", k: 3 }, "perplexity"]);
    assert.deepEqual(loaded.evaluate(x, classes), m.evaluate(x, classes));
    m.dispose();
    loaded.dispose();
  });

  it("refuses a metric that does not fit the loss, an unknown or repeated one and a bad k, naming it", () => {
    const cases: [LossName, number, unknown, string | RegExp][] = [
      ["softmaxCrossEntropy", C, ["mae"], "Model: metrics[0]: mae compares outputs with float targets (meanSquaredError or huber); softmaxCrossEntropy takes class ids"],
      ["binaryCrossEntropyWithLogits", 2, ["accuracy", "rmse"], "Model: metrics[1]: rmse compares outputs with float targets (meanSquaredError or huber); binaryCrossEntropyWithLogits outputs logits"],
      ["meanSquaredError", 2, ["accuracy"], "Model: metrics[0]: accuracy needs a classification loss (softmaxCrossEntropy or binaryCrossEntropyWithLogits); got meanSquaredError"],
      ["meanSquaredError", 2, ["perplexity"], "Model: metrics[0]: perplexity is exp(softmaxCrossEntropy); got meanSquaredError"],
      ["binaryCrossEntropyWithLogits", 2, ["topKAccuracy"], "Model: metrics[0]: topKAccuracy needs class-id targets (softmaxCrossEntropy); got binaryCrossEntropyWithLogits"],
      ["softmaxCrossEntropy", C, ["perplexity", "perplexity"], 'Model: metrics[1]: "perplexity" is listed twice'],
      ["softmaxCrossEntropy", C, [{ name: "topKAccuracy", k: C + 1 }], `Model: metrics[0].k must be at most the ${C} classes; got ${C + 1}`],
      ["softmaxCrossEntropy", C, [{ name: "topKAccuracy", K: 2 }], 'Model: metrics[0] has an unknown key "K"; expected name, k'],
      ["softmaxCrossEntropy", C, "accuracy", 'Model: metrics must be an array of metric names; got "accuracy"'],
    ];
    for (const [loss, outputs, metrics, message] of cases) {
      assert.throws(() => model(loss, outputs, metrics as MetricSpec[]), { message }, String(message));
    }
    fc.assert(fc.property(fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.object()), (spec) => {
      fc.pre(!(METRIC_NAMES as readonly unknown[]).includes(spec));
      assert.throws(() => model("softmaxCrossEntropy", C, [spec as MetricSpec]), (e: unknown) => e instanceof TypeError && e.message.startsWith("Model: metrics[0] must be one of "));
    }), { seed: 6, numRuns: 60 });
  });
});

describe("Model metrics on the classification loss without a metrics option", () => {
  it("still report accuracy (as before metrics existed) and nothing else", async () => {
    const m = new Model({ layers: [new LSTM({ inputSize: D, units: 4, seed: 1 }), new Dense({ units: C, seed: 2 })], loss: "softmaxCrossEntropy" });
    const logs = await m.fit(x, classes, { epochs: 1, batchSize: 6 });
    assert.deepEqual(Object.keys(logs[0]!).sort(), ["accuracy", "epoch", "loss", "lr"]);
    assert.deepEqual(Object.keys(m.evaluate(x, classes)), ["loss", "accuracy"]);
    assert.deepEqual(m.metrics, []);
    m.dispose();
  });
});
