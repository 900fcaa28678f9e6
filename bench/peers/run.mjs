// `npm run bench:peers`: the six workloads of issues 5 and 13 for wasm-rnn and its peers, single-threaded,
// one library after another in this process (PyTorch in a Python child process), then a table of
// each metric and of the ratio wasm-rnn / peer, also written as JSON and Markdown to bench/results/.
//
//   node bench/peers/run.mjs [--only W1,W3] [--libs wasm-rnn,tfjs-wasm,pytorch] [--quick]
//                            [--dist DIR] [--out DIR] [--relaxed-simd] [--onnx-from torch|js]
//
// --dist (or WASM_RNN_DIST) names the built wasm-rnn (default: ./dist, with the wasm in ./build);
// --quick times each measurement over >= 1 s instead of >= 3 s; --relaxed-simd turns on Node 20's
// relaxed SIMD before anything compiles (wasm-rnn then loads its relaxed-SIMD core, if built);
// --onnx-from js writes the ONNX Runtime models with onnx-lstm.mjs even when PyTorch could export them.
import { parseArgs } from "node:util";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import {
  WORKLOADS, WORKLOAD_IDS, fmt, fmtRatio, markdownTable, measure, metricOf, shownPath, textTable, timingSettings,
} from "./common.mjs";
import { PYTHON } from "./torch-setup.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BENCH = path.dirname(HERE);
const ROOT = path.dirname(BENCH);
const LIBRARIES = ["wasm-rnn", "tfjs-cpu", "tfjs-wasm", "brain.js", "onnxruntime-web", "onnxruntime-node", "pytorch"];
const ALIASES = { brain: "brain.js", ort: "onnxruntime-web", "ort-node": "onnxruntime-node", torch: "pytorch", tfjs: "tfjs-cpu" };

const { values: args } = parseArgs({
  options: {
    only: { type: "string" },
    libs: { type: "string" },
    quick: { type: "boolean", default: false },
    dist: { type: "string" },
    out: { type: "string" },
    "relaxed-simd": { type: "boolean", default: false },
    "onnx-from": { type: "string", default: "torch" },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});
if (args.help) {
  const lines = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
  console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith("//"))).map((l) => l.slice(3)).join("\n"));
  process.exit(0);
}

function list(value, known, aliases = {}, what) {
  if (!value) return known;
  const items = value.split(",").map((s) => s.trim()).filter(Boolean).map((s) => aliases[s.toLowerCase()] ?? s);
  const unknown = items.filter((s) => !known.some((k) => k.toLowerCase() === s.toLowerCase()));
  if (unknown.length) {
    console.error(`bench:peers: unknown ${what} ${unknown.join(", ")}; known: ${known.join(", ")}`);
    process.exit(2);
  }
  return known.filter((k) => items.some((s) => s.toLowerCase() === k.toLowerCase()));
}
const only = list(args.only?.toUpperCase(), WORKLOAD_IDS, {}, "workloads");
const libs = list(args.libs, LIBRARIES, ALIASES, "libraries");
const settings = timingSettings(args.quick);
if (!["torch", "js"].includes(args["onnx-from"])) {
  console.error(`bench:peers: --onnx-from must be torch or js; got ${args["onnx-from"]}`);
  process.exit(2);
}
const dist = path.resolve(args.dist ?? process.env.WASM_RNN_DIST ?? path.join(ROOT, "dist"));
const outDir = path.resolve(args.out ?? path.join(BENCH, "results"));
mkdirSync(outDir, { recursive: true });
if (args["relaxed-simd"]) v8.setFlagsFromString("--experimental-wasm-relaxed-simd");

const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;
const log = (...a) => console.error(...a);

/** Every measured row: { workload, library, variant?, what, secondsPerCall, spread, samples, calls, tokens, value, gflops? }. */
const results = [];
/** Rows not run: { workload, library, reason }. */
const skipped = [];
/** Per library: { version, detail, skip? }. */
const libraryInfo = {};

/** "cpu MHz" from /proc/cpuinfo, where os.cpus() reports no speed (some VMs; a guest may show its nominal clock). */
function cpuinfoMhz() {
  try {
    return Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]) || undefined;
  } catch {
    return undefined;
  }
}

const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  mhz: os.cpus()[0]?.speed || cpuinfoMhz(),
  node: process.version,
  v8: process.versions.v8,
  os: `${os.type()} ${os.release()} ${os.arch()}`,
};

/** 1-minute load averages seen during the run: other jobs on the machine slow every library down. */
const loads = [os.loadavg()[0]];

function record(workload, library, spec, m) {
  loads.push(os.loadavg()[0]);
  const tokens = spec.tokens ?? WORKLOADS[workload].tokens;
  const metric = metricOf(workload, m.secondsPerCall * (WORKLOADS[workload].tokens / tokens));
  const row = { workload, library, variant: spec.variant, what: spec.what, tokens, ...m, ...metric };
  results.push(row);
  const unit = WORKLOADS[workload].metric;
  const extra = metric.gflops ? `, ${metric.gflops.toFixed(1)} GFLOP/s` : "";
  log(`  ${workload} ${library}${spec.variant ? ` (${spec.variant})` : ""}: ${fmt(metric.value)} ${unit}${extra} ` +
    `(spread ${(100 * m.spread).toFixed(1)}%, ${m.samples} samples, ${m.seconds.toFixed(1)} s)`);
}

// --- PyTorch setup first: it also exports the ONNX models that ONNX Runtime (web and node) runs.
let torch = null;
const onnxWanted = (libs.includes("onnxruntime-web") || libs.includes("onnxruntime-node")) && only.some((w) => w === "W2" || w === "W5");
const ctx = { dist, rootVersion: JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version, onnxDir: null, onnxSource: null };
if (libs.includes("pytorch") || (onnxWanted && args["onnx-from"] === "torch")) {
  const { setupTorch } = await import("./torch-setup.mjs");
  try {
    torch = setupTorch({ benchDir: BENCH, log });
  } catch (e) {
    torch = { skip: `setup failed: ${String(e?.message ?? e).split("\n")[0]}` };
  }
  if (torch.skip) log(`PyTorch: skipped: ${torch.skip}`);
  else log(`PyTorch: BLAS ${torch.blas.name}; ${torch.notes.join("; ")}`);
}
if (onnxWanted) {
  const dir = path.join(outDir, "onnx");
  mkdirSync(dir, { recursive: true });
  let error = args["onnx-from"] === "js" ? "--onnx-from js" : torch.skip ? "PyTorch unavailable" : null;
  if (!error) {
    const { exportOnnx } = await import("./torch-setup.mjs");
    error = exportOnnx({ benchDir: BENCH, dir, env: torch.env });
  }
  if (!error) {
    ctx.onnxSource = "torch.onnx.export of nn.LSTM";
  } else {
    // Without PyTorch: the same graph (one ONNX LSTM node per layer), written directly.
    const { lstmModel } = await import("./onnx-lstm.mjs");
    writeFileSync(path.join(dir, "W2.onnx"), lstmModel({ ...WORKLOADS.W2, seed: 2 }));
    writeFileSync(path.join(dir, "W5.onnx"), lstmModel({ ...WORKLOADS.W5, layers: 1, seed: 5 }));
    ctx.onnxSource = `ONNX LSTM nodes written by bench/peers/onnx-lstm.mjs (${error})`;
  }
  ctx.onnxDir = dir;
  log(`ONNX Runtime models: ${ctx.onnxSource}, in ${shownPath(dir)}`);
}

// --- The JavaScript libraries, one after another in this process.
async function loadRunner(name) {
  switch (name) {
    case "wasm-rnn": return (await import("./wasm-rnn.mjs")).default;
    case "tfjs-cpu": return (await import("./tfjs.mjs")).tfjsCpu;
    case "tfjs-wasm": return (await import("./tfjs.mjs")).tfjsWasm;
    case "brain.js": return (await import("./brain.mjs")).default;
    case "onnxruntime-web": return (await import("./ort.mjs")).ortWeb;
    case "onnxruntime-node": return (await import("./ort.mjs")).ortNode;
    default: return null;
  }
}

const short = (e) => String(e?.message ?? e).split("\n")[0].slice(0, 300);

for (const name of libs.filter((l) => l !== "pytorch")) {
  log(`${name} (${elapsed().toFixed(0)} s)`);
  let runner;
  try {
    runner = await loadRunner(name);
    const info = await runner.setup(ctx);
    libraryInfo[name] = info;
    if (info.skip) {
      log(`  skipped: ${info.skip}`);
      for (const w of only) skipped.push({ workload: w, library: name, reason: runner.skip?.[w] ?? info.skip });
      continue;
    }
    log(`  ${info.version}: ${info.detail}`);
  } catch (e) {
    const reason = `could not load: ${short(e)}${name !== "wasm-rnn" ? " (did `npm --prefix bench/peers install` run?)" : " (was it built? see --dist)"}`;
    log(`  ${reason}`);
    libraryInfo[name] = { skip: reason };
    for (const w of only) skipped.push({ workload: w, library: name, reason });
    continue;
  }
  for (const w of only) {
    const make = runner.workloads[w];
    if (!make) {
      skipped.push({ workload: w, library: name, reason: runner.skip?.[w] ?? "not available" });
      continue;
    }
    let specs = [];
    try {
      const made = await make(ctx);
      specs = Array.isArray(made) ? made : [made];
      for (const spec of specs) {
        if (spec.skip) {
          skipped.push({ workload: w, library: name, reason: spec.skip });
          log(`  ${w}: skipped: ${spec.skip}`);
          continue;
        }
        record(w, name, spec, await measure(spec.fn, settings));
      }
    } catch (e) {
      skipped.push({ workload: w, library: name, reason: `failed: ${short(e)}` });
      log(`  ${w}: failed: ${short(e)}`);
    } finally {
      for (const spec of specs) spec.dispose?.();
    }
  }
  await runner.teardown?.();
}

// --- PyTorch in its own process (its own thread pool settings; one thread).
if (libs.includes("pytorch")) {
  log(`pytorch (${elapsed().toFixed(0)} s)`);
  if (!torch || torch.skip) {
    libraryInfo.pytorch = { skip: torch?.skip ?? "not set up" };
    for (const w of only) skipped.push({ workload: w, library: "pytorch", reason: `skipped: ${libraryInfo.pytorch.skip}` });
  } else {
    const out = await new Promise((resolve) => {
      const child = spawn(PYTHON, [path.join(HERE, "torch_bench.py"), "bench", "--only", only.join(","), ...(args.quick ? ["--quick"] : [])], {
        env: torch.env, stdio: ["ignore", "pipe", "inherit"],
      });
      let stdout = "";
      child.stdout.on("data", (d) => { stdout += d; });
      child.on("close", (code) => resolve({ code, stdout }));
    });
    if (out.code !== 0) {
      libraryInfo.pytorch = { skip: `torch_bench.py exited with ${out.code}` };
      for (const w of only) skipped.push({ workload: w, library: "pytorch", reason: libraryInfo.pytorch.skip });
    } else {
      const report = JSON.parse(out.stdout.trim().split("\n").pop());
      libraryInfo.pytorch = {
        version: report.version,
        detail: `CPU, ${report.threads} thread, ${report.blas.name}`,
        blas: report.blas,
        notes: torch.notes,
        env: report.env,
      };
      for (const r of report.results) {
        const { id, what, ...m } = r;
        record(id, "pytorch", { what }, m);
      }
    }
  }
}

// --- Tables.
const wasm = (w, variant) => results.find((r) => r.workload === w && r.library === "wasm-rnn" && r.variant === variant);
/** wasm-rnn's speed over the peer's: > 1 when wasm-rnn is faster (for W2, peer ms / wasm-rnn ms). */
function ratio(w, peerRow, variant) {
  const own = wasm(w, variant);
  if (!own || !peerRow) return NaN;
  return peerRow.secondsPerCall * (WORKLOADS[w].tokens / peerRow.tokens) / own.secondsPerCall;
}
const peers = libs.filter((l) => l !== "wasm-rnn");
const label = (lib) => {
  const info = libraryInfo[lib];
  if (lib === "pytorch") return info?.version ? `PyTorch ${info.version.replace(/a0$/, "")} (${info.blas?.name ?? "?"})` : "PyTorch";
  return info?.version ? `${lib} ${info.version}` : lib;
};
const cellValue = (r) => (r ? `${fmt(r.value)}${r.gflops ? ` (${r.gflops.toFixed(1)} GFLOP/s)` : ""}` : "");

// Two summary tables, one row per workload (and per wasm-rnn variant): each library's metric, and
// wasm-rnn's speed over each peer's.
const metricHeader = ["workload", "metric", ...libs.map(label)];
const ratioHeader = ["workload", ...peers.map(label)];
const metricRows = [];
const ratioRows = [];
for (const w of only) {
  const variants = results.filter((r) => r.workload === w && r.library === "wasm-rnn").map((r) => r.variant);
  for (const variant of variants.length ? variants : [undefined]) {
    const title = `${WORKLOADS[w].title}${variant ? ` (wasm-rnn on ${variant})` : ""}`;
    const row = (lib) => (lib === "wasm-rnn" ? wasm(w, variant) : results.find((x) => x.workload === w && x.library === lib));
    metricRows.push([
      title,
      WORKLOADS[w].flops ? `${WORKLOADS[w].metric} (GFLOP/s)` : WORKLOADS[w].metric,
      ...libs.map((lib) => (row(lib) ? cellValue(row(lib)) : "—")),
    ]);
    ratioRows.push([title, ...peers.map((lib) => (row(lib) && wasm(w, variant) ? fmtRatio(ratio(w, row(lib), variant)) : "—"))]);
  }
}

// Details: every measured row with what it ran, its spread and samples.
const detailHeader = ["workload", "library", "metric", "spread", "samples", "wasm-rnn / peer", "what it runs"];
const detailRows = results.map((r) => [
  r.workload,
  `${r.library}${r.variant ? ` (${r.variant})` : ""}`,
  `${fmt(r.value)} ${r.workload === "W2" ? "ms" : "tok/s"}${r.gflops ? ` ${r.gflops.toFixed(1)} GFLOP/s` : ""}`,
  `${(100 * r.spread).toFixed(1)}%`,
  String(r.samples),
  r.library === "wasm-rnn" ? "" : fmtRatio(ratio(r.workload, r)),
  r.what,
]);

const totalSeconds = elapsed();
const when = new Date().toISOString();
const machineLine = `${machine.cpu}, ${machine.cores} cores (${machine.os}), Node ${machine.node}, ` +
  `1-minute load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the run; one thread per library; ` +
  `medians of ${settings.minSamples}+ samples over >= ${settings.minTime} s per measurement after a >= ${settings.warmup} s warm-up`;
// Not-run rows, grouped: "onnxruntime-web W1, W3, W4: inference only".
const skipGroups = new Map();
for (const k of skipped) {
  const key = `${k.library}\u0000${k.reason}`;
  skipGroups.set(key, [...(skipGroups.get(key) ?? []), k.workload]);
}
const skipLines = [...skipGroups].map(([key, ws]) => {
  const [lib, reason] = key.split("\u0000");
  return `${lib} ${ws.join(", ")}: ${reason}`;
});
const versionLines = Object.entries(libraryInfo).filter(([, i]) => !i.skip).map(([lib, i]) => `${label(lib)}: ${i.detail}`);
const torchNotes = libraryInfo.pytorch?.notes ?? [];

const md = [
  `Measured ${when.slice(0, 10)} on ${machineLine}.`,
  "",
  markdownTable(metricHeader, metricRows, metricHeader.map((_, c) => (c >= 2 ? "r" : ""))),
  "",
  "wasm-rnn's speed over each peer's (> 1×: wasm-rnn is faster; for W2, the peer's ms over wasm-rnn's):",
  "",
  markdownTable(ratioHeader, ratioRows, ratioHeader.map((_, c) => (c >= 1 ? "r" : ""))),
  "",
  ...versionLines.map((l) => `- ${l}`),
  ...torchNotes.map((l) => `- PyTorch BLAS: ${l}`),
  ...skipLines.map((l) => `- not run: ${l}`),
  "",
  "<details><summary>Every measurement: what each library runs, spread (max − min) / median of the samples</summary>",
  "",
  markdownTable(detailHeader, detailRows),
  "",
  "</details>",
  "",
  `Total run time: ${totalSeconds.toFixed(0)} s (\`npm run bench:peers${args.quick ? " -- --quick" : ""}\`).`,
  "",
].join("\n");

const json = {
  date: when, machine, settings, quick: args.quick, relaxedSimdFlag: args["relaxed-simd"], workloads: WORKLOADS,
  libraries: libraryInfo, results, skipped, totalSeconds, loadAverages: loads,
  ratioDefinition: "wasm-rnn speed / peer speed (> 1: wasm-rnn faster); W2: peer ms / wasm-rnn ms",
};
writeFileSync(path.join(outDir, "peers.json"), JSON.stringify(json, null, 2) + "\n");
writeFileSync(path.join(outDir, "peers.md"), md);

console.log(`\n${machineLine}\n`);
console.log(textTable(metricHeader, metricRows));
console.log("\nwasm-rnn's speed / the peer's (> 1×: wasm-rnn faster; W2: peer ms / wasm-rnn ms)\n");
console.log(textTable(ratioHeader, ratioRows));
console.log("");
for (const l of versionLines) console.log(`- ${l}`);
for (const l of torchNotes) console.log(`- PyTorch BLAS: ${l}`);
for (const l of skipLines) console.log(`- not run: ${l}`);
console.log(`\nWhat each library runs:`);
for (const r of results) console.log(`- ${r.workload} ${r.library}${r.variant ? ` (${r.variant})` : ""}: ${r.what}`);
console.log(`\nWrote ${shownPath(path.join(outDir, "peers.md"))} and peers.json; total ${totalSeconds.toFixed(0)} s`);
