// Kernel benchmarks: GFLOP/s of the matrix products at the shapes an RNN runs, next to the f32x4 ceiling
// (a register-only loop of the same multiply-add instruction, `peakFlops`), for each release binary:
// plain SIMD (f32x4 mul + add) and, where the runtime validates relaxed SIMD, relaxed SIMD (FMA).
//   node dist/bench/kernels.bench.js   (both binaries; on Node 20 it turns on V8's relaxed-SIMD flag itself,
//                                       as `node --experimental-wasm-relaxed-simd` would)
//   WASM_RNN_WASM=path node dist/bench/kernels.bench.js   (that binary only)
// Both cores are instantiated side by side and every measurement is a series of short samples taken in
// turn with all the others, so that ceiling, kernels and binaries see the same machine load; the table
// shows the 90th percentile and the median of the samples, and each kernel's share of its core's ceiling.
import { readFile } from "node:fs/promises";
import v8 from "node:v8";
import { instantiate } from "@assemblyscript/loader";
import type { CoreExports } from "../bindings/core.js";
import { relaxedSimdSupported } from "../bindings/features.js";
import { formatTable } from "./timing.js";

/** A product C[M, N] = op(A)[M, K] · B[K, N]; transA reads A from a [K, M] array (rsA = 1, csA = M). */
interface Shape {
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  note: string;
}

const shapes: Shape[] = [
  { M: 32, N: 512, K: 128, note: "batch-32 step, H=128" },
  { M: 64, N: 1024, K: 256, note: "batch-64 step, H=256" },
  { M: 64, N: 2048, K: 512, note: "batch-64 step, H=512" },
  { M: 1, N: 1024, K: 256, note: "batch-1 step, H=256" },
  { M: 128, N: 128, K: 2048, transA: true, note: "dW = dZ^T X" },
];

/** Iterations of the register-only loop per call (112 flops each). */
const PEAK_ITERATIONS = 20_000;
/** Milliseconds per sample, and samples per measurement (taken in turn across all measurements). */
const SAMPLE_MS = 3;
const ROUNDS = Number(process.env.ROUNDS ?? 200);

/** One timed function: `reps` calls per sample, GFLOP/s per sample. */
interface Job {
  core: string;
  product: string;
  use: string;
  variant: string;
  flops: number;
  fn: () => void;
  reps: number;
  samples: number[];
}

function label(s: Shape): string {
  return `${s.transA ? `[${s.K},${s.M}]^T` : `[${s.M},${s.K}]`} x [${s.K},${s.N}]`;
}

/** The ceiling and the products of one core, as jobs. */
function coreJobs(name: string, c: CoreExports): Job[] {
  const random = (n: number): number => {
    const ptr = c.alloc(n * 4);
    const v = new Float32Array(c.memory.buffer, ptr, n);
    for (let i = 0; i < n; i++) v[i] = Math.random() * 2 - 1;
    return ptr;
  };
  const job = (product: string, use: string, variant: string, flops: number, fn: () => void): Job =>
    ({ core: name, product, use, variant, flops, fn, reps: 1, samples: [] });
  const jobs = [job("register-only f32x4 loop", "ceiling", "peakFlops", c.peakFlops(PEAK_ITERATIONS), () => c.peakFlops(PEAK_ITERATIONS))];
  for (const s of shapes) {
    const { M, N, K } = s;
    const A = random(M * K);
    const B = random(K * N);
    const C = random(M * N);
    const packed = c.alloc(c.gemmPackedSize(K, N) * 4);
    c.gemmPackB(K, N, B, N, 1, packed);
    const [rsA, csA] = s.transA ? [1, M] : [K, 1];
    const flops = 2 * M * N * K;
    jobs.push(job(label(s), s.note, "gemmPacked", flops, () => c.gemmPacked(M, N, K, A, rsA, csA, packed, C, N, 0)));
    jobs.push(job(label(s), s.note, "gemm", flops, () => c.gemm(M, N, K, A, rsA, csA, B, N, 1, C, N, 0)));
  }
  return jobs;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(q * (s.length - 1))]!;
};

if (!relaxedSimdSupported()) {
  // Node 20 (V8 11.3) validates relaxed SIMD only behind this flag; newer runtimes have it on.
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
}
const binaries: Array<string | URL> = process.env.WASM_RNN_WASM
  ? [process.env.WASM_RNN_WASM]
  : [
    new URL("../../build/release.wasm", import.meta.url),
    ...(relaxedSimdSupported() ? [new URL("../../build/release-relaxed.wasm", import.meta.url)] : []),
  ];
const jobs: Job[] = [];
for (const path of binaries) {
  const { exports } = await instantiate<Record<string, unknown>>(await readFile(path), {});
  const c = exports as unknown as CoreExports;
  jobs.push(...coreJobs(c.relaxedSimd() === 1 ? "relaxed (FMA)" : "plain (mul+add)", c));
}
// Warm up (V8's baseline tier runs the first calls several times slower), then size the samples.
for (const j of jobs) {
  for (let i = 0; i < 20; i++) j.fn();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < SAMPLE_MS) { j.fn(); n++; }
  j.reps = Math.max(1, n);
}
for (let r = 0; r < ROUNDS; r++) {
  for (const j of jobs) {
    const t0 = performance.now();
    for (let i = 0; i < j.reps; i++) j.fn();
    j.samples.push((j.flops * j.reps) / ((performance.now() - t0) * 1e6));
  }
}

const p90 = new Map(jobs.map((j) => [j, quantile(j.samples, 0.9)]));
const ceiling = new Map(jobs.filter((j) => j.variant === "peakFlops").map((j) => [j.core, p90.get(j)!]));
const rows = jobs.map((j) => [
  j.core, j.product, j.use, j.variant, p90.get(j)!.toFixed(1), quantile(j.samples, 0.5).toFixed(1),
  `${((100 * p90.get(j)!) / ceiling.get(j.core)!).toFixed(0)}%`,
]);
console.log(`GFLOP/s over ${ROUNDS} samples of ~${SAMPLE_MS} ms per row, taken in turn (p90: 90th percentile)`);
console.log(formatTable(["core", "product", "use", "variant", "GFLOP/s p90", "median", "of ceiling"], rows));
const cores = [...ceiling.keys()];
if (cores.length === 2) {
  const [plain, relaxed] = cores as [string, string];
  const pick = (core: string, product: string, variant: string): number =>
    p90.get(jobs.find((j) => j.core === core && j.product === product && j.variant === variant)!)!;
  const ratioRows = [["register-only f32x4 loop", "peakFlops"], ...shapes.map((s) => [label(s), "gemmPacked"])]
    .map(([product, variant]) => {
      const p = pick(plain, product!, variant!);
      const q = pick(relaxed, product!, variant!);
      return [product!, variant!, p.toFixed(1), q.toFixed(1), (q / p).toFixed(2)];
    });
  console.log();
  console.log(formatTable(["product", "variant", "plain p90", "relaxed p90", "relaxed/plain"], ratioRows));
} else if (!process.env.WASM_RNN_WASM) {
  console.log("\nrelaxed SIMD is not available in this runtime: only the plain binary was measured.");
}
