// Issue 14, item 5 (options): fit's validationSplit (the last rows, before shuffling, as Keras),
// verbose 2 (a line per epoch) and 1 (a progress bar in a terminal, else as 2), and the History
// fit resolves to (an array of the logs with epoch and history as tf.History).
import assert from "node:assert/strict";
import { Model, SimpleRNN, Dense, Adam, type Tensor, type FitOptions } from "../bindings/index.js";
import { randomArray } from "./helpers/random.js";

const T = 4;
const N = 10;
const x: Tensor = { shape: [T, N, 2], data: randomArray(T * N * 2, 1) };
const y: Tensor = { shape: [T, N], data: Float32Array.from({ length: T * N }, (_, i) => i % 3) };
const lengths = Int32Array.from({ length: N }, (_, n) => 1 + (n % T));

function model(): Model {
  return new Model({
    layers: [new SimpleRNN({ inputSize: 2, units: 5, seed: 3 }), new Dense({ inputSize: 5, units: 3, seed: 4 })],
    loss: "softmaxCrossEntropy",
    optimizer: new Adam({ lr: 0.02 }),
  });
}

/** The rows [from, to) of x, y and lengths (time-major: rows are axis 1). */
function rows(from: number, to: number): { x: Tensor; y: Tensor; lengths: Int32Array } {
  const pick = (t: Tensor): Tensor => {
    const per = t.shape.slice(2).reduce((a, b) => a * b, 1);
    const data = new Float32Array(T * (to - from) * per);
    for (let s = 0; s < T; s++) data.set(t.data.subarray((s * N + from) * per, (s * N + to) * per), s * (to - from) * per);
    return { shape: [T, to - from, ...t.shape.slice(2)], data };
  };
  return { x: pick(x), y: pick(y), lengths: lengths.slice(from, to) };
}

/** Runs `body` with console.log collecting its lines. */
async function capturingLog(body: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => { lines.push(args.join(" ")); };
  try {
    await body();
  } finally {
    console.log = log;
  }
  return lines;
}

describe("fit options", () => {
  it("validationSplit validates on the last rows before shuffling: the same logs and weights as validationData of those rows", async () => {
    const options: FitOptions = { epochs: 3, batchSize: 3, seed: 5, lengths };
    const a = model();
    const split = await a.fit(x, y, { ...options, validationSplit: 0.3 });
    const b = model();
    const train = rows(0, 7);
    const held = rows(7, 10);
    const given = await b.fit(train.x, train.y, { ...options, lengths: train.lengths, validationData: held });
    assert.deepEqual(split, given);
    assert.ok(split.every((l) => typeof l.valLoss === "number" && typeof l.valAccuracy === "number"));
    assert.deepEqual(a.stateDict(), b.stateDict());
    a.dispose();
    b.dispose();
  });

  it("refuses validationSplit outside (0, 1), with validationData, or leaving no rows on either side", async () => {
    const m = model();
    const cases: [FitOptions, RegExp][] = [
      [{ validationSplit: 0 }, /^RangeError: Model\.fit: validationSplit must be in \(0, 1\), the fraction of examples held out; got 0$/],
      [{ validationSplit: 1 }, /^RangeError: Model\.fit: validationSplit must be in \(0, 1\)/],
      [{ validationSplit: "0.2" as never }, /^TypeError: Model\.fit: validationSplit must be a number; got "0\.2"/],
      [{ validationSplit: 0.2, validationData: { x, y } }, /^RangeError: Model\.fit: validationSplit and validationData cannot be combined/],
      [{ validationSplit: 1e-17 }, /^RangeError: Model\.fit: validationSplit 1e-17 of 10 examples leaves no validation examples/],
      [{ validationSplit: 0.95 }, /^RangeError: Model\.fit: validationSplit 0\.95 of 10 examples leaves no training examples/],
      [{ verbose: 3 as never }, /^RangeError: Model\.fit: verbose must be 0 \(silent\), 1 \(a progress bar\) or 2 \(a line per epoch\); got number 3$/],
      [{ callbacks: {} as never }, /^TypeError: Model\.fit: callbacks must be an array of callbacks such as earlyStopping\(\); got/],
      [{ callbacks: [null] as never }, /^TypeError: Model\.fit: callbacks\[0\] must be an object with hooks such as onEpochEnd; got null$/],
      [{ callbacks: [{ onEpochEnd: 1 }] as never }, /^TypeError: Model\.fit: callbacks\[0\]\.onEpochEnd must be a function; got number 1$/],
    ];
    for (const [options, error] of cases) await assert.rejects(m.fit(x, y, { lengths, ...options }), error);
    assert.equal(m.optimizer.iterations, 0);
    m.dispose();
  });

  it("resolves to a History: an array of the logs (deep-equal to a plain one) with epoch and history as tf.History", async () => {
    const m = model();
    const seen: unknown[] = [];
    const history = await m.fit(x, y, { epochs: 3, batchSize: 4, lengths, validationSplit: 0.2, onEpochEnd: (l) => seen.push(l) });
    assert.deepEqual(history, seen);
    assert.ok(Array.isArray(history));
    assert.deepEqual(history.epoch, [0, 1, 2]);
    assert.deepEqual(Object.keys(history.history), ["loss", "accuracy", "valLoss", "valAccuracy", "lr"]);
    assert.deepEqual(history.history.loss, history.map((l) => l.loss));
    assert.deepEqual(history.history.valLoss, history.map((l) => l.valLoss));
    assert.deepEqual(history.history.lr, [0.02, 0.02, 0.02]);
    m.dispose();
  });

  it("verbose 2 prints one Keras-style line per epoch; 0 prints nothing", async () => {
    const m = model();
    const lines = await capturingLog(() => m.fit(x, y, { epochs: 3, batchSize: 4, lengths, validationSplit: 0.2, verbose: 2 }));
    assert.equal(lines.length, 3);
    lines.forEach((line, e) => assert.match(line, new RegExp(`^Epoch ${e + 1}/3 - \\d+\\.\\ds - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4} - val_loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4}$`)));
    assert.deepEqual(await capturingLog(() => m.fit(x, y, { lengths })), []);
    m.dispose();
  });

  it("verbose 1 without a terminal (stdout not a TTY) prints the lines of verbose 2", async () => {
    const m = model();
    const tty = process.stdout.isTTY;
    process.stdout.isTTY = false;
    try {
      const lines = await capturingLog(() => m.fit(x, y, { epochs: 2, lengths, verbose: 1 }));
      assert.equal(lines.length, 2);
      assert.match(lines[1]!, /^Epoch 2\/2 - \d+\.\ds - loss: \d\.\d{4} - accuracy: \d\.\d{4}$/);
    } finally {
      process.stdout.isTTY = tty;
    }
    m.dispose();
  });

  it("verbose 1 in a terminal draws a cli-progress bar per epoch ending on the epoch's logs", async () => {
    const m = model();
    const { isTTY, write } = process.stdout;
    let out = "";
    process.stdout.isTTY = true;
    process.stdout.write = ((chunk: string | Uint8Array) => { out += String(chunk); return true; }) as typeof process.stdout.write;
    try {
      await m.fit(x, y, { epochs: 2, batchSize: 4, lengths, validationSplit: 0.2, verbose: 1 });
    } finally {
      process.stdout.isTTY = isTTY;
      process.stdout.write = write;
    }
    // eslint-disable-next-line no-control-regex
    const text = out.replace(/\x1B\[[0-9;?]*[A-Za-z]|\x1B[78]/g, "");
    assert.match(text, /Epoch 1\/2 \|[█░]+\| 2\/2 - \d+\.\ds - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}/);
    assert.match(text, /Epoch 2\/2 \|[█░]+\| 2\/2 - \d+\.\ds - loss: /);
    m.dispose();
  });
});
