// Time-series forecasting on real data (vega-datasets), scored by RMSE on the later, held-out part
// of each series against the persistence baseline (tomorrow = today):
//  1. Seattle hourly temperature normals: a GRU reads the past 24 hours and predicts the next hour.
//  2. Monthly stock prices (AAPL, AMZN, GOOG, IBM, MSFT, 2000-2010): an LSTM reads 12 monthly
//     log-returns and predicts the next one, turned back into a price.
// Each writes an SVG plot of predicted vs actual to examples/output/.
//
//   npm run example:forecast            # quick run (about 5 s on 2 cores)
//   npm run example:forecast -- --full  # more windows and epochs
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { init, Model, GRU, LSTM, Dense, Adam, Normalizer, slidingWindows, selectSequences } from "../bindings/index.js";
import type { Tensor } from "../bindings/index.js";
import { fitWithProgress, seconds } from "./progress.js";

const { values: args } = parseArgs({ options: { full: { type: "boolean", default: false }, seed: { type: "string", default: "0" } } });
const SEED = Number(args.seed);
const FULL = args.full ?? false;

await init();

const here = dirname(fileURLToPath(import.meta.url));
const vegaData = resolve(here, "..", "..", "node_modules", "vega-datasets", "data"); // the package exports no file paths
const outDir = resolve(here, "..", "..", "examples", "output"); // dist/examples -> examples/output
mkdirSync(outDir, { recursive: true });

/** Rows of a simple CSV file (no quoted commas), header first. */
function readCsv(file: string): string[][] {
  return readFileSync(join(vegaData, file), "utf8").trim().split(/\r?\n/).map((line) => line.split(","));
}
const rmse = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / a.length);
};
/** "12.3% lower" or "4.5% higher": the model's RMSE against the baseline's. */
const relative = (model: number, baseline: number): string =>
  `${Math.abs((1 - model / baseline) * 100).toFixed(1)}% ${model <= baseline ? "lower" : "higher"}`;

/** A line chart as a hand-written SVG string. */
function lineChart(title: string, yLabel: string, lines: { name: string; color: string; values: ArrayLike<number>; dash?: boolean }[]): string {
  const W = 900, H = 360, L = 60, R = 150, T = 36, B = 36;
  let lo = Infinity, hi = -Infinity, n = 0;
  for (const { values } of lines) {
    n = Math.max(n, values.length);
    for (let i = 0; i < values.length; i++) { lo = Math.min(lo, values[i]!); hi = Math.max(hi, values[i]!); }
  }
  const pad = (hi - lo) * 0.05 || 1;
  lo -= pad; hi += pad;
  const x = (i: number) => L + (i / Math.max(1, n - 1)) * (W - L - R);
  const y = (v: number) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="20" font-size="14" font-weight="bold">${title}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#888"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#888"/>`,
    `<text x="14" y="${(T + H - B) / 2}" transform="rotate(-90 14 ${(T + H - B) / 2})" text-anchor="middle">${yLabel}</text>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    parts.push(`<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}</text>`,
      `<line x1="${L}" y1="${y(v)}" x2="${W - R}" y2="${y(v)}" stroke="#eee"/>`);
  }
  lines.forEach(({ name, color, values, dash }, k) => {
    const d = Array.from({ length: values.length }, (_, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(values[i]!).toFixed(1)}`).join("");
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"${dash ? ' stroke-dasharray="4 3"' : ""}/>`,
      `<line x1="${W - R + 12}" y1="${T + 10 + k * 18}" x2="${W - R + 32}" y2="${T + 10 + k * 18}" stroke="${color}" stroke-width="2"${dash ? ' stroke-dasharray="4 3"' : ""}/>`,
      `<text x="${W - R + 38}" y="${T + 14 + k * 18}">${name}</text>`);
  });
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle">held-out steps</text>`, "</svg>");
  return parts.join("\n");
}

/** Trains a many-to-one regression model on normalized windows; returns its predictions on xTest. */
async function trainAndPredict(label: string, model: Model, x: Tensor, y: Tensor, xTest: Tensor, epochs: number, batchSize: number): Promise<Tensor> {
  await fitWithProgress(model, x, y, { label: `  ${label}`, epochs, batchSize, seed: SEED });
  return model.predict(xTest) as Tensor;
}

// ---- 1. Seattle hourly temperature, GRU ------------------------------------------------------------
{
  const t0 = performance.now();
  const rows = readCsv("seattle-weather-hourly-normals.csv");
  const col = rows[0]!.indexOf("temperature");
  const temperature = Float32Array.from(rows.slice(1), (r) => Number(r[col]));
  const W = 24;
  const UNITS = FULL ? 64 : 32;
  const split = Math.floor(temperature.length * 0.8); // train on Jan..mid-Oct, test on the rest
  const normalizer = Normalizer.fit(temperature.subarray(0, split)); // statistics of the training part only
  const z = normalizer.transform(temperature);
  const all = slidingWindows(z, { window: W }); // x [24, N, 1], y [N, 1]; window i predicts step i + 24
  const N = all.y.shape[0]!;
  const firstTest = split - W; // the first window whose target lies in the test part
  const stride = 1;
  const trainIdx = Array.from({ length: Math.floor(firstTest / stride) }, (_, i) => i * stride);
  const testIdx = Array.from({ length: N - firstTest }, (_, i) => firstTest + i);
  console.log(`Seattle hourly temperature: ${temperature.length} hours; ${trainIdx.length} training windows, ${testIdx.length} held-out hours (from hour ${split})`);
  const model = new Model({
    layers: [new GRU({ inputSize: 1, units: UNITS, returnSequences: false, seed: SEED + 1 }), new Dense({ inputSize: UNITS, units: 1, seed: SEED + 2 })],
    loss: "meanSquaredError",
    optimizer: new Adam({ lr: 0.005 }),
    clipNorm: 1,
  });
  const xTest = selectSequences(all.x, testIdx);
  const predZ = await trainAndPredict("GRU", model, selectSequences(all.x, trainIdx), selectSequences(all.y, trainIdx, { axis: 0 }), xTest, FULL ? 30 : 10, 32);
  model.dispose();
  const predicted = normalizer.inverse(predZ).data;
  const actual = Float32Array.from(testIdx, (i) => temperature[i + W]!);
  const persistence = Float32Array.from(testIdx, (i) => temperature[i + W - 1]!);
  const gru = rmse(predicted, actual), base = rmse(persistence, actual);
  console.log(`  held-out RMSE: GRU ${gru.toFixed(3)} °C, persistence ${base.toFixed(3)} °C (${relative(gru, base)})  [${seconds(t0)}]`);
  console.log("  sample (hour: actual / GRU / persistence): " + [0, 6, 12, 18].map((h) =>
    `+${h}h ${actual[h]!.toFixed(1)}/${predicted[h]!.toFixed(1)}/${persistence[h]!.toFixed(1)}`).join("  "));
  const days = 14 * 24;
  const file = join(outDir, "forecast-temperature.svg");
  writeFileSync(file, lineChart(`Seattle hourly temperature normals, first 14 held-out days: GRU RMSE ${gru.toFixed(3)} vs persistence ${base.toFixed(3)} °C`, "°C", [
    { name: "actual", color: "#222", values: actual.subarray(0, days) },
    { name: "GRU", color: "#d62728", values: predicted.subarray(0, days) },
  ]));
  console.log(`  plot: ${file}`);
}

// ---- 2. Monthly stock prices, LSTM on log-returns ----------------------------------------------------
{
  const t0 = performance.now();
  const rows = readCsv("stocks.csv").slice(1);
  const bySymbol = new Map<string, number[]>();
  for (const [symbol, , price] of rows) {
    if (!bySymbol.has(symbol!)) bySymbol.set(symbol!, []);
    bySymbol.get(symbol!)!.push(Number(price)); // rows are in date order within a symbol
  }
  const W = 12;
  const TEST_MONTHS = 24; // the last two years of each symbol are held out
  // Windows of W log-returns -> the next log-return, per symbol; training windows end before the test part.
  const returnsOf = (p: number[]) => p.slice(1).map((v, i) => Math.log(v / p[i]!));
  const trainReturns = [...bySymbol.values()].flatMap((p) => returnsOf(p.slice(0, p.length - TEST_MONTHS)));
  const normalizer = Normalizer.fit(Float32Array.from(trainReturns));
  const xs: Tensor[] = [], ys: Tensor[] = [];
  const tests: { symbol: string; x: Tensor; last: number[]; actual: number[] }[] = [];
  for (const [symbol, prices] of bySymbol) {
    const z = normalizer.transform(Float32Array.from(returnsOf(prices))); // z[t] is the return into month t + 1
    const w = slidingWindows(z, { window: W }); // window i: returns into months i+1..i+W, target: into month i+W+1
    const n = w.y.shape[0]!;
    const firstTest = prices.length - TEST_MONTHS - W - 1; // window whose target month is the first test month
    xs.push(selectSequences(w.x, Array.from({ length: firstTest }, (_, i) => i)));
    ys.push(selectSequences(w.y, Array.from({ length: firstTest }, (_, i) => i), { axis: 0 }));
    const idx = Array.from({ length: n - firstTest }, (_, i) => firstTest + i);
    tests.push({ symbol, x: selectSequences(w.x, idx), last: idx.map((i) => prices[i + W]!), actual: idx.map((i) => prices[i + W + 1]!) });
  }
  const concatWindows = (ts: Tensor[]): Tensor => { // [W, n_k, 1] -> [W, Σn, 1]
    const total = ts.reduce((s, t) => s + t.shape[1]!, 0);
    const data = new Float32Array(W * total);
    for (let t = 0; t < W; t++) {
      let off = 0;
      for (const tensor of ts) { const n = tensor.shape[1]!; data.set(tensor.data.subarray(t * n, (t + 1) * n), t * total + off); off += n; }
    }
    return { shape: [W, total, 1], data };
  };
  const x = concatWindows(xs);
  const y = { shape: [x.shape[1]!, 1], data: Float32Array.from(ys.flatMap((t) => [...t.data])) };
  console.log(`\nstocks (${[...bySymbol.keys()].join(", ")}), monthly 2000-2010: ${x.shape[1]} training windows of ${W} returns, last ${TEST_MONTHS} months of each symbol held out`);
  // Averaged over a few seeds: with ~450 noisy windows one network is a high-variance estimate.
  const SEEDS = FULL ? 5 : 3;
  const predictedReturn = tests.map((t) => new Float32Array(t.actual.length));
  for (let s = 0; s < SEEDS; s++) {
    const model = new Model({
      layers: [new LSTM({ inputSize: 1, units: 16, returnSequences: false, seed: SEED + 10 * s + 1 }), new Dense({ inputSize: 16, units: 1, seed: SEED + 10 * s + 2 })],
      loss: "meanSquaredError",
      optimizer: new Adam({ lr: 0.003, weightDecay: 1e-4 }),
      clipNorm: 1,
    });
    await fitWithProgress(model, x, y, { label: `  LSTM ${s + 1}/${SEEDS}`, epochs: FULL ? 60 : 30, batchSize: 16, seed: SEED + s });
    tests.forEach((t, k) => {
      const r = normalizer.inverse(model.predict(t.x) as Tensor).data;
      for (let i = 0; i < r.length; i++) predictedReturn[k]![i]! += r[i]! / SEEDS;
    });
    model.dispose();
  }
  const all = { predicted: [] as number[], actual: [] as number[], persistence: [] as number[] };
  const perSymbol: string[] = [];
  tests.forEach((t, k) => {
    const predicted = t.last.map((p, i) => p * Math.exp(predictedReturn[k]![i]!));
    all.predicted.push(...predicted); all.actual.push(...t.actual); all.persistence.push(...t.last);
    perSymbol.push(`${t.symbol} ${rmse(predicted, t.actual).toFixed(2)}/${rmse(t.last, t.actual).toFixed(2)}`);
  });
  const lstm = rmse(all.predicted, all.actual), base = rmse(all.persistence, all.actual);
  console.log(`  held-out RMSE over ${all.actual.length} next-month prices: LSTM $${lstm.toFixed(2)}, persistence $${base.toFixed(2)} (${relative(lstm, base)})  [${seconds(t0)}]`);
  console.log("  (monthly returns are close to a random walk: matching persistence is the honest outcome here)");
  console.log(`  per symbol (LSTM/persistence): ${perSymbol.join("  ")}`);
  const aapl = tests.findIndex((t) => t.symbol === "AAPL");
  const ap = tests[aapl]!;
  const apPred = ap.last.map((p, i) => p * Math.exp(predictedReturn[aapl]![i]!));
  console.log("  sample AAPL (actual / LSTM / persistence): " + [0, 1, 2, 3].map((i) => `${ap.actual[i]!.toFixed(2)}/${apPred[i]!.toFixed(2)}/${ap.last[i]!.toFixed(2)}`).join("  "));
  const file = join(outDir, "forecast-stocks.svg");
  const colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];
  writeFileSync(file, lineChart(`Next-month prices, last ${TEST_MONTHS} months: LSTM (dashed) RMSE $${lstm.toFixed(2)} vs persistence $${base.toFixed(2)}`, "USD",
    tests.flatMap((t, k) => [
      { name: `${t.symbol} actual`, color: colors[k % colors.length]!, values: t.actual },
      { name: `${t.symbol} LSTM`, color: colors[k % colors.length]!, values: t.last.map((p, i) => p * Math.exp(predictedReturn[k]![i]!)), dash: true },
    ])));
  console.log(`  plot: ${file}`);
}
