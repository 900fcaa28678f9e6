// Timing with benchmark.js, and aligned text tables for the results.
import Benchmark from "benchmark";

/** One timed function: calls per second, its relative margin of error, and GFLOP/s when known. */
export interface Measurement {
  name: string;
  /** Calls per second. */
  hz: number;
  /** Relative margin of error of `hz`, in percent. */
  rme: number;
  /** hz * flopsPerCall / 1e9, when `flopsPerCall` was given. */
  gflops?: number;
}

/**
 * Times `fn` with benchmark.js (synchronously, about `maxTime` seconds after a short warm-up so
 * V8's optimizing tier is in place), reporting calls per second and, given the floating-point
 * operations of one call, GFLOP/s.
 */
export function measure(name: string, fn: () => void, flopsPerCall?: number, maxTime = 2): Measurement {
  for (let i = 0; i < 5; i++) fn();
  const bench = new Benchmark(name, fn, { maxTime, minSamples: 10 });
  bench.run();
  if (bench.error) throw bench.error;
  const m: Measurement = { name, hz: bench.hz, rme: bench.stats.rme };
  if (flopsPerCall !== undefined) m.gflops = (bench.hz * flopsPerCall) / 1e9;
  return m;
}

/** Renders rows under a header as columns: text left-aligned, numbers (and ±x%) right-aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => /^[±+-]?[\d.]+%?$/.test(r[c] ?? "")));
  const line = (cells: string[]): string =>
    cells.map((s, c) => (numeric[c] ? s.padStart(widths[c]!) : s.padEnd(widths[c]!))).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
