// Soak: wasm memory, the bytes the bindings hold in it, and the JavaScript heap must stay flat
// (< 1% growth after warm-up) over 100k training steps, 10k create/train/dispose cycles, 10k
// save/load cycles, Seq2Seq and layer-level cycles, refused calls and whole fits. Prints each
// series (memory every 1/20 of the run after warm-up) and PASS/FAIL; exits 1 if any series fails.
//   node FLAGS dist/bench/soak.js            the long soak (npm run soak)
//   node FLAGS dist/bench/soak.js --short    a fiftieth of it (what test/soak.test.ts runs)
//   --json                                   the results as JSON instead of tables
//   --only train,save-load                   some series only
// FLAGS: --expose-gc --no-opt --no-maglev --no-sparkplug --no-lazy-feedback-allocation
// --no-flush-bytecode (SOAK_NODE_FLAGS: the heap, measured without V8's compiler tiers, whose code
// and feedback grow it by 1-2% in some series; see test/helpers/soak-runner.ts). Without them the
// script says what it measures differently. Loads build/release.wasm, or the file named by
// WASM_RNN_WASM (test/helpers/wasm-path.ts).
import { readFile } from "node:fs/promises";
import { init } from "../bindings/index.js";
import { wasmPath } from "../test/helpers/wasm-path.js";
import { SOAK_WORKLOADS } from "../test/helpers/soak-workloads.js";
import { runSeries, planFor, MAX_GROWTH, SOAK_NODE_FLAGS, type SeriesResult, type Growth } from "../test/helpers/soak-runner.js";
import { formatTable } from "./timing.js";

/** The short soak runs this fraction of each workload's repetitions, and at least SHORT_MIN of them. */
const SHORT_FRACTION = 1 / 50;
const SHORT_MIN = 200;

const args = process.argv.slice(2);
const short = args.includes("--short");
const json = args.includes("--json");
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? "").split(",")) : null;
const unknown = args.filter((a, i) => !["--short", "--json", "--only"].includes(a) && !(onlyAt >= 0 && i === onlyAt + 1));
if (unknown.length > 0) throw new Error(`soak: unknown arguments ${unknown.join(" ")}; expected --short, --json, --only name,...`);

const percent = (g: number | null): string => (g === null ? "not measured" : `${(100 * g).toFixed(3)}%`);
const MiB = (bytes: number): string => (bytes / 2 ** 20).toFixed(3);
const KiB = (bytes: number): string => (bytes / 2 ** 10).toFixed(1);

function verdict(r: SeriesResult): string {
  const g: Growth = r.growth;
  return `${r.pass ? "PASS" : "FAIL"} ${r.name}: growth after warm-up wasm ${percent(g.wasm)}, live ${percent(g.live)}, heap ${percent(g.heap)} (limit ${percent(MAX_GROWTH)})`;
}

function printSeries(r: SeriesResult): void {
  console.log(`\n${r.name}: ${r.what}`);
  console.log(`${r.steps} repetitions after ${r.warmup} of warm-up, in ${r.seconds.toFixed(1)} s\n`);
  console.log(formatTable(["step", "wasm MiB", "live KiB", "heap MiB"], r.samples.map((s) => [
    String(s.step), MiB(s.wasmBytes), KiB(s.liveBytes), s.heapBytes === null ? "-" : MiB(s.heapBytes),
  ])));
  console.log(verdict(r));
}

await init(await readFile(wasmPath()));
const hasGc = typeof (globalThis as { gc?: unknown }).gc === "function";
if (!hasGc && !json) console.log("soak: the JavaScript heap is not measured: run node with --expose-gc");
const missing = SOAK_NODE_FLAGS.filter((flag) => !process.execArgv.includes(flag));
if (hasGc && missing.length > 0 && !json) console.log(`soak: V8's compiler tiers are on (${missing.join(" ")} not given): their code and feedback count in the heap`);
const started = performance.now();
const results: SeriesResult[] = [];
for (const workload of SOAK_WORKLOADS) {
  if (only !== null && !only.has(workload.name)) continue;
  const steps = short ? Math.max(SHORT_MIN, Math.round(workload.steps * SHORT_FRACTION)) : workload.steps;
  const result = await runSeries(workload, planFor(steps));
  results.push(result);
  if (!json) printSeries(result);
}
const seconds = (performance.now() - started) / 1000;
if (json) {
  console.log(JSON.stringify({ heapMeasured: hasGc, seconds, results }));
} else {
  console.log(`\n${short ? "short" : "long"} soak: ${seconds.toFixed(1)} s`);
  for (const r of results) console.log(verdict(r));
}
process.exitCode = results.every((r) => r.pass) ? 0 : 1;
