// Shared by the peer benchmark runners: the six workloads, seeded data, timing and tables.
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
// The tests' seeded PRNG (mulberry32), from the build that `npm run bench:peers` makes first.
import { mulberry32 as rng } from "../../dist/test/helpers/random.js";

const requireHere = createRequire(import.meta.url);

/**
 * The workloads of issue 5 (W6: issue 13). `tokens` is what one timed call processes (B*T: one training step or
 * one forward of the batch), `flops` the gemm flops of one call where the metric reports GFLOP/s.
 */
export const WORKLOADS = {
  W1: {
    title: "W1 char-LM training",
    shape: "one-hot V=65, LSTM H=128, T=64, B=32, softmax over 65 at every step, cross-entropy, Adam lr 1e-3",
    V: 65, H: 128, T: 64, B: 32,
    metric: "tokens/s",
  },
  W2: {
    title: "W2 edge inference",
    shape: "2-layer LSTM H=256, D=64, T=100, batch 1, forward only",
    D: 64, H: 256, T: 100, B: 1, layers: 2,
    metric: "ms/sequence",
  },
  W3: {
    title: "W3 time-series training",
    shape: "GRU H=32, D=1, T=24, B=64, Dense(1) on the last step, MSE, Adam lr 1e-3",
    D: 1, H: 32, T: 24, B: 64,
    metric: "tokens/s",
  },
  W4: {
    title: "W4 slot-filling training",
    shape: "Embedding 1000->64, bidirectional LSTM H=64 per direction, T=20, B=32, softmax over 10 tags every step, Adam lr 1e-3",
    V: 1000, E: 64, H: 64, T: 20, B: 32, tags: 10,
    metric: "tokens/s",
  },
  W5: {
    title: "W5 batched inference",
    shape: "LSTM H=512, D=512, T=50, B=64, forward only",
    D: 512, H: 512, T: 50, B: 64,
    metric: "tokens/s",
  },
  W6: {
    title: "W6 larger char-LM training",
    shape: "ids V=65, Embedding 65->64, LSTM H=256, T=100, B=32, softmax over 65 at every step, cross-entropy, Adam lr 1e-3, global-norm clipping at 5",
    V: 65, E: 64, H: 256, T: 100, B: 32, clipNorm: 5,
    metric: "tokens/s",
  },
};
for (const w of Object.values(WORKLOADS)) w.tokens = w.B * w.T;
/** W5's gemm flops per forward: 2*(D+H)*4H*B*T. */
WORKLOADS.W5.flops = 2 * (WORKLOADS.W5.D + WORKLOADS.W5.H) * 4 * WORKLOADS.W5.H * WORKLOADS.W5.B * WORKLOADS.W5.T;

export const WORKLOAD_IDS = Object.keys(WORKLOADS);
export { rng };

/** `fn` timed as it is, but throwing when the number it returns (a loss, an output) is not finite: a broken build must not post a speed. */
export function finite(library, fn) {
  return () => {
    const v = fn();
    if (!Number.isFinite(v)) throw new Error(`${library}: got ${v}`);
  };
}

/** n uniform floats in [-1, 1). */
export function uniform(n, seed) {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => next() * 2 - 1);
}

/** n ids in [0, V). */
export function ids(n, V, seed) {
  const next = rng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(next() * V));
}

/** One-hot floats [n, V] of ids. */
export function oneHot(idArray, V) {
  const out = new Float32Array(idArray.length * V);
  for (let i = 0; i < idArray.length; i++) out[i * V + idArray[i]] = 1;
  return out;
}

/** Row-major [T, B, ...] -> [B, T, ...] (time-major to batch-major), `inner` values per step. */
export function timeToBatchMajor(data, T, B, inner = 1) {
  const out = new data.constructor(data.length);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      out.set(data.subarray((t * B + b) * inner, (t * B + b + 1) * inner), (b * T + t) * inner);
    }
  }
  return out;
}

/** Timing settings: full (>= 3 s per measurement) or --quick. */
export function timingSettings(quick) {
  return quick
    ? { warmup: 0.3, sample: 0.25, minTime: 1, minSamples: 2 }
    : { warmup: 1, sample: 0.5, minTime: 3, minSamples: 3 };
}

const now = () => performance.now() / 1000;

/**
 * Times `fn` (sync or async; it must read its result back so lazy backends cannot hide work):
 * warm-up calls for `warmup` seconds (at least one), then samples of at least `sample` seconds
 * (at least one call each) until `minTime` seconds and `minSamples` samples. Returns the median
 * seconds per call over the samples (and the best sample's), the spread (max - min) / median of the
 * samples, and counts.
 */
export async function measure(fn, settings) {
  const { warmup, sample, minTime, minSamples } = settings;
  let start = now();
  do await fn(); while (now() - start < warmup);
  const perCall = [];
  let calls = 0;
  start = now();
  while (now() - start < minTime || perCall.length < minSamples) {
    const s0 = now();
    let n = 0;
    do {
      await fn();
      n++;
    } while (now() - s0 < sample);
    perCall.push((now() - s0) / n);
    calls += n;
  }
  const sorted = [...perCall].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    secondsPerCall: median,
    bestSecondsPerCall: sorted[0],
    spread: (sorted[sorted.length - 1] - sorted[0]) / median,
    samples: perCall.length,
    calls,
    seconds: now() - start,
  };
}

/** The metric of a workload from seconds per call: tokens/s, or ms per sequence for W2; GFLOP/s for W5. */
export function metricOf(id, secondsPerCall) {
  const w = WORKLOADS[id];
  const out = id === "W2" ? { value: secondsPerCall * 1000 } : { value: w.tokens / secondsPerCall };
  if (w.flops) out.gflops = w.flops / secondsPerCall / 1e9;
  return out;
}

/** A number with 3 significant digits, thousands separated: 43300 -> "43,300", 7.512 -> "7.51". */
export function fmt(x) {
  if (!Number.isFinite(x)) return String(x);
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x) || 1)));
  const rounded = Number(x.toPrecision(3));
  return rounded.toLocaleString("en-US", { minimumFractionDigits: Math.min(digits, 2), maximumFractionDigits: Math.min(digits, 2) });
}

/** Ratio formatting: 2 significant digits below 10, whole numbers above. */
export function fmtRatio(x) {
  if (!Number.isFinite(x)) return "–";
  if (x >= 10) return `${Math.round(x).toLocaleString("en-US")}×`;
  return `${x.toPrecision(2)}×`;
}

/** Aligned text table: numeric-looking columns right-aligned. */
export function textTable(header, rows) {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => String(r[c] ?? "").length)));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => /^[±~<>]?[\d.,]+[%×]?$|^–$|^$/.test(String(r[c] ?? ""))));
  const line = (cells) => cells.map((s, c) => (numeric[c] ? String(s).padStart(widths[c]) : String(s).padEnd(widths[c]))).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** Markdown table. */
export function markdownTable(header, rows, align) {
  const esc = (s) => String(s).replace(/\|/g, "\\|");
  const sep = header.map((_, c) => (align?.[c] === "r" ? "---:" : "---"));
  return [header, sep, ...rows].map((r, i) => `| ${(i === 1 ? r : r.map(esc)).join(" | ")} |`).join("\n");
}

/** The folder and version of an installed package (works when its exports hide package.json). */
export function packageInfo(name) {
  let dir = path.dirname(requireHere.resolve(name));
  while (dir !== path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, "utf8"));
      if (json.name === name) return { dir, version: json.version };
    }
    dir = path.dirname(dir);
  }
  throw new Error(`package.json of ${name} not found`);
}

/** A path for messages: relative to the working directory when inside it, else absolute. */
export function shownPath(p) {
  const rel = path.relative(process.cwd(), p);
  return rel.startsWith("..") || path.isAbsolute(rel) ? p : rel || ".";
}
