// Kernel benchmarks: GFLOP/s of the matrix products at the shapes an RNN runs.
//   node dist/bench/kernels.bench.js   (loads build/release.wasm, or the file named by WASM_RNN_WASM)
import { readFile } from "node:fs/promises";
import { init } from "../bindings/index.js";
import { core, f32View } from "../bindings/core.js";
import { formatTable, measure, type Measurement } from "./timing.js";

/** A product C[M, N] = op(A)[M, K] · B[K, N]; transA reads A from a [K, M] array (rsA = 1, csA = M). */
interface Shape {
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  note: string;
}

const shapes: Shape[] = [
  { M: 32, N: 512, K: 128, note: "batch-32 step" },
  { M: 1, N: 1024, K: 256, note: "batch-1 step" },
  { M: 128, N: 128, K: 2048, transA: true, note: "dW = dZ^T X" },
];

function randomArray(n: number): number {
  const ptr = core().alloc(n * 4);
  const v = f32View(ptr, n);
  for (let i = 0; i < n; i++) v[i] = Math.random() * 2 - 1;
  return ptr;
}

function benchShape(s: Shape): string[][] {
  const { M, N, K } = s;
  const c = core();
  const A = randomArray(M * K);
  const B = randomArray(K * N);
  const C = randomArray(M * N);
  const packed = c.alloc(c.gemmPackedSize(K, N) * 4);
  c.gemmPackB(K, N, B, N, 1, packed);
  const [rsA, csA] = s.transA ? [1, M] : [K, 1];
  const flops = 2 * M * N * K;
  const label = `${s.transA ? `[${K},${M}]^T` : `[${M},${K}]`} x [${K},${N}]`;
  const results: Measurement[] = [
    measure("gemmPacked", () => c.gemmPacked(M, N, K, A, rsA, csA, packed, C, N, 0), flops),
    measure("gemm", () => c.gemm(M, N, K, A, rsA, csA, B, N, 1, C, N, 0), flops),
  ];
  for (const p of [A, B, C, packed]) c.free(p);
  return results.map((r) => [label, s.note, r.name, r.gflops!.toFixed(1), `±${r.rme.toFixed(1)}%`]);
}

const wasm = process.env.WASM_RNN_WASM ?? new URL("../../build/release.wasm", import.meta.url);
await init(await readFile(wasm));
const rows = shapes.flatMap(benchShape);
console.log(formatTable(["shape", "use", "variant", "GFLOP/s", "rme"], rows));
