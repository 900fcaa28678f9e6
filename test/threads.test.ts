// Threads (init({ threads })): data-parallel training and batch-split prediction on a worker pool
// sharing the core's memory. What is bit-identical to what: training with threads N cuts every
// batch into the same min(N, B) slices whether they run on N threads or, in the fallback without
// SharedArrayBuffer, one after another on the main thread, so losses and parameters agree bit for
// bit; prediction splits no sum, so it equals the unthreaded run's bit for bit.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { init, coreInfo, terminateThreads, Model, LSTM, Dense } from "../bindings/index.js";
import { wasmPath } from "./helpers/wasm-path.js";
import { randomArray } from "./helpers/random.js";
import { T, N, trainRun, runDifferences, withoutSharedArrayBuffer } from "./helpers/threads-workload.js";

describe("Threads", function () {
  this.timeout(120_000);

  after(async () => {
    await init(await readFile(wasmPath())); // the suite's core, single-thread
  });

  it("training on 2 threads is bit-identical to the same 2 slices on one thread (the fallback): losses and every parameter after Adam steps", async () => {
    await init({ threads: 2 });
    const info = coreInfo();
    assert.equal(info.threads, 2);
    assert.equal(info.slices, 2);
    assert.equal(info.threadsUnavailable, null);
    const threaded = await trainRun();
    const fallback = await withoutSharedArrayBuffer(async () => {
      await init({ threads: 2 });
      const report = coreInfo();
      assert.equal(report.threads, 1);
      assert.equal(report.slices, 2);
      assert.match(report.threadsUnavailable ?? "", /SharedArrayBuffer is not available/);
      return trainRun();
    });
    assert.deepEqual(runDifferences(threaded, fallback), []);
    assert.ok(threaded.losses.every(Number.isFinite));
    // Not vacuous: one slice (threads 1, each batch whole) sums the gradients in another order.
    await init({ threads: 1 });
    assert.notDeepEqual(runDifferences(threaded, await trainRun()), []);
  });

  it("the relaxed-SIMD threads build (FMA) agrees with the relaxed fallback in the same way", async function () {
    const major = Number(process.versions.node.split(".")[0]);
    const workload = fileURLToPath(new URL("./helpers/threads-workload.js", import.meta.url));
    const index = fileURLToPath(new URL("../bindings/index.js", import.meta.url));
    const script = `import { init, coreInfo } from ${JSON.stringify(index)};
      import { trainRun, runDifferences, withoutSharedArrayBuffer } from ${JSON.stringify(workload)};
      await init({ threads: 2 });
      const pool = [coreInfo().relaxedSimd, coreInfo().threads];
      const threaded = await trainRun();
      const fallback = await withoutSharedArrayBuffer(async () => { await init({ threads: 2 }); return trainRun(); });
      console.log(JSON.stringify({ pool, fallback: [coreInfo().relaxedSimd, coreInfo().threads], differences: runDifferences(threaded, fallback) }));`;
    const flags = major === 20 ? ["--experimental-wasm-relaxed-simd"] : [];
    const { stdout } = await promisify(execFile)(process.execPath, [...flags, "--input-type=module", "-e", script], { timeout: 100_000 });
    assert.deepEqual(JSON.parse(stdout), { pool: [true, 2], fallback: [true, 1], differences: [] });
  });

  it("predict on 2 threads equals the single-thread predict bit for bit (uneven slices, probabilities, batchSize)", async () => {
    const predictAll = (): Float32Array[] => {
      const model = new Model({
        layers: [new LSTM({ inputSize: 7, units: 10, seed: 11 }), new Dense({ inputSize: 10, units: 4, seed: 12 })],
        loss: "softmaxCrossEntropy",
      });
      try {
        const x = { shape: [T, N, 7], data: randomArray(T * N * 7, 13) };
        return [model.predict(x).data, model.predict(x, { probabilities: true, batchSize: 5 }).data, model.predict({ shape: [T, 1, 7], data: randomArray(T * 7, 14) }).data];
      } finally {
        model.dispose();
      }
    };
    await init({ threads: 2 });
    assert.equal(coreInfo().threads, 2);
    const threaded = predictAll();
    await init({ threads: 1 });
    assert.equal(coreInfo().slices, 1);
    assert.deepEqual(threaded, predictAll());
  });

  it("falls back to one thread without SharedArrayBuffer and says why; by default it then runs each batch whole", async () => {
    await withoutSharedArrayBuffer(async () => {
      await init({ threads: 1 });
      await init();
      const info = coreInfo();
      assert.equal(info.threads, 1);
      assert.equal(info.slices, 1);
      assert.match(info.threadsUnavailable ?? "", /^SharedArrayBuffer is not available in this runtime$/);
    });
  });

  it("a single-thread core given to init runs each batch whole by default, and says why threads cannot run on it", async () => {
    await init(await readFile(wasmPath()));
    assert.deepEqual([coreInfo().threads, coreInfo().slices], [1, 1]);
    await init({ source: await readFile(wasmPath()), threads: 3 });
    assert.deepEqual([coreInfo().threads, coreInfo().slices], [1, 3]);
    assert.match(coreInfo().threadsUnavailable ?? "", /single-thread build/);
  });

  it("refuses bad threads values with a RangeError or TypeError naming init and threads; the core stays", async () => {
    await init({ threads: 2 });
    for (const bad of [0, -1, 1.5, "2", 65, Number.NaN]) {
      await assert.rejects(init({ threads: bad as number }), (e: Error) => (e instanceof RangeError || e instanceof TypeError) && /^init: threads must be/.test(e.message), String(bad));
    }
    await assert.rejects(init({ threads: 2, thread: 2 } as never), /init: .*thread/);
    assert.equal(coreInfo().threads, 2);
  });

  it("terminateThreads stops the workers; training goes on with the same slices and the same numbers on the main thread", async () => {
    await init({ threads: 2 });
    const before = await trainRun();
    terminateThreads();
    assert.equal(coreInfo().threads, 1);
    assert.equal(coreInfo().slices, 2);
    assert.match(coreInfo().threadsUnavailable ?? "", /terminated/);
    const after = await trainRun();
    assert.deepEqual(after.losses, before.losses);
  });

  it("a Node process with a pool exits when its work is done, with or without terminateThreads", async () => {
    const index = fileURLToPath(new URL("../bindings/index.js", import.meta.url));
    for (const end of ["terminateThreads();", ""]) {
      const script = `import { init, coreInfo, terminateThreads, Model, GRU, Dense } from ${JSON.stringify(index)};
        await init({ threads: 2 });
        const m = new Model({ layers: [new GRU({ inputSize: 2, units: 3, seed: 1 }), new Dense({ inputSize: 3, units: 1, seed: 2 })], loss: "meanSquaredError" });
        m.trainOnBatch({ shape: [2, 4, 2], data: new Float32Array(16).fill(0.5) }, { shape: [2, 4, 1], data: new Float32Array(8) });
        console.log(coreInfo().threads); ${end}`;
      const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { timeout: 30_000 });
      assert.equal(stdout.trim(), "2");
    }
  });
});
