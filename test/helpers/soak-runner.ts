// Runs a workload many times and samples memory as it goes: the wasm core's linear memory, the
// bytes the bindings hold in it, and the JavaScript heap after a full collection. A series passes
// when none of them grew by MAX_GROWTH or more after the warm-up: the median of the last three
// samples against the median of the first three (the heap moves by a few hundred KiB from sample
// to sample while V8 compiles and flushes code; the median keeps one such sample from deciding).
import { core } from "../../bindings/core.js";
import { trackAllocations } from "./allocation-tracker.js";

/**
 * The node flags a soak runs with: --expose-gc to measure the heap, and V8's compiler tiers off.
 * With them on, optimized code and its feedback (deoptimized and compiled again as shapes vary, as
 * in beam search) grow the heap by 1-2% over 10k repetitions even after a long warm-up; with them
 * off the heap of every workload stays within 0.05%, and a leak of JavaScript objects grows it
 * either way.
 */
export const SOAK_NODE_FLAGS = ["--expose-gc", "--no-opt", "--no-maglev", "--no-sparkplug", "--no-lazy-feedback-allocation", "--no-flush-bytecode"] as const;

/** Growth allowed after warm-up, as a fraction of the value at the end of the warm-up. */
export const MAX_GROWTH = 0.01;
/** The smallest baseline growth is measured against (one wasm page), so that an empty baseline still gives a ratio. */
const MIN_BASELINE = 65536;

/** One repetition of a workload: `run(i)` is called for i = 0, 1, ...; `stop()` frees what `start` built. */
export interface SoakRun {
  run(i: number): void | Promise<void>;
  stop(): void;
}

/** A named workload whose memory must stay flat however often it runs. */
export interface SoakWorkload {
  name: string;
  /** One line on what a repetition does. */
  what: string;
  /** Repetitions in the long soak (`npm run soak`). */
  steps: number;
  /** Builds the workload's fixtures. */
  start(): SoakRun;
}

/** Memory after `step` judged repetitions (0: at the end of the warm-up). */
export interface MemorySample {
  step: number;
  /** core().memory.buffer.byteLength. */
  wasmBytes: number;
  /** Bytes of the blocks the bindings allocated since the series started and have not freed. */
  liveBytes: number;
  /** process.memoryUsage().heapUsed after two full collections; null without --expose-gc. */
  heapBytes: number | null;
}

/** Relative growth of each measure after warm-up (null: not measured). */
export interface Growth {
  wasm: number;
  live: number;
  heap: number | null;
}

/** A finished series: its samples, growth and verdict. */
export interface SeriesResult {
  name: string;
  what: string;
  steps: number;
  warmup: number;
  seconds: number;
  samples: MemorySample[];
  growth: Growth;
  pass: boolean;
}

/** How long to run: `warmup` repetitions not judged, then `steps` judged ones with a sample every `every`. */
export interface SoakPlan {
  warmup: number;
  steps: number;
  every: number;
}

/** Samples taken after the warm-up. */
const SAMPLES = 20;
/** Samples whose median stands for the start and for the end of a series. */
const ENDS = 3;

/**
 * The plan for `steps` judged repetitions: half as many again first as warm-up (V8 compiles and
 * allocates feedback for a few thousand repetitions of a workload), then SAMPLES + 1 samples.
 */
export function planFor(steps: number): SoakPlan {
  return { warmup: Math.max(1, Math.round(steps / 2)), steps, every: Math.max(1, Math.round(steps / SAMPLES)) };
}

/** The collector node exposes with --expose-gc, if it does. */
function collector(): (() => void) | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  return typeof gc === "function" ? gc : null;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** (median of the last ENDS values - median of the first ENDS) / max(the first median, MIN_BASELINE). */
function relativeGrowth(values: readonly number[]): number {
  const start = median(values.slice(0, ENDS));
  return (median(values.slice(-ENDS)) - start) / Math.max(start, MIN_BASELINE);
}

/** Growth of every measure over the samples taken from the end of the warm-up on. */
export function growthOf(samples: readonly MemorySample[]): Growth {
  const heap = samples.map((s) => s.heapBytes);
  return {
    wasm: relativeGrowth(samples.map((s) => s.wasmBytes)),
    live: relativeGrowth(samples.map((s) => s.liveBytes)),
    heap: heap.every((h): h is number => h !== null) ? relativeGrowth(heap) : null,
  };
}

/** Runs `workload` for `plan.steps` repetitions, sampling at the end of the warm-up and every `plan.every` after. */
export async function runSeries(workload: SoakWorkload, plan: SoakPlan): Promise<SeriesResult> {
  const gc = collector();
  const tracker = trackAllocations();
  const samples: MemorySample[] = [];
  const sample = (step: number): void => {
    let heapBytes: number | null = null;
    if (gc !== null) {
      gc();
      gc();
      heapBytes = process.memoryUsage().heapUsed;
    }
    samples.push({ step, wasmBytes: core().memory.buffer.byteLength, liveBytes: tracker.liveBytes, heapBytes });
  };
  const started = performance.now();
  try {
    const repetition = workload.start();
    try {
      const total = plan.warmup + plan.steps;
      for (let i = 0; i < total; i++) {
        await repetition.run(i);
        const judged = i + 1 - plan.warmup;
        if (judged === 0 || (judged > 0 && (judged % plan.every === 0 || judged === plan.steps))) sample(judged);
      }
    } finally {
      repetition.stop();
    }
  } finally {
    tracker.stop();
  }
  const growth = growthOf(samples);
  const pass = growth.wasm < MAX_GROWTH && growth.live < MAX_GROWTH && (growth.heap === null || growth.heap < MAX_GROWTH);
  return {
    name: workload.name, what: workload.what, steps: plan.steps, warmup: plan.warmup,
    seconds: (performance.now() - started) / 1000, samples, growth, pass,
  };
}
