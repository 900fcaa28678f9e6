// The short soak (a fiftieth of `npm run soak`): wasm memory, the bytes the bindings hold in it and
// the JavaScript heap stay flat (< 1% growth after warm-up) while small models train, are rebuilt,
// saved and loaded, run layer by layer, refuse bad calls and fit. It runs bench/soak.ts in a fresh
// node with SOAK_NODE_FLAGS (--expose-gc for the heap, V8's compiler tiers off: see soak-runner.ts).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SOAK_NODE_FLAGS, type SeriesResult } from "./helpers/soak-runner.js";

const SOAK_SCRIPT = fileURLToPath(new URL("../bench/soak.js", import.meta.url));

describe("soak (short)", () => {
  let results: SeriesResult[] = [];

  before(async function () {
    this.timeout(60000);
    // The script exits 1 when a series fails: read its report either way.
    const { stdout } = await promisify(execFile)(process.execPath, [...SOAK_NODE_FLAGS, SOAK_SCRIPT, "--short", "--json"], { maxBuffer: 2 ** 24 })
      .catch((e: { stdout?: string; stderr?: string }) => {
        if (e.stdout === undefined || e.stdout === "") throw new Error(`soak script failed: ${e.stderr ?? String(e)}`);
        return { stdout: e.stdout };
      });
    const report = JSON.parse(stdout) as { heapMeasured: boolean; results: SeriesResult[] };
    assert.ok(report.heapMeasured, "the soak child must run with --expose-gc");
    results = report.results;
  });

  for (const name of ["train", "lifecycle", "save-load", "seq2seq", "layers", "rejected", "fit"]) {
    it(`${name}: no growth of wasm memory, live wasm blocks or the JS heap after warm-up`, () => {
      const r = results.find((s) => s.name === name);
      assert.ok(r !== undefined, `series ${name} missing from the soak report`);
      const series = r.samples.map((s) => `${s.step}: wasm ${s.wasmBytes}, live ${s.liveBytes}, heap ${s.heapBytes}`).join("\n");
      assert.ok(r.pass, `${name} (${r.what}) grew: ${JSON.stringify(r.growth)}\n${series}`);
    });
  }
});
