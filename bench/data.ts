// Synthetic data shared by the benchmarks.
import { mulberry32 } from "../test/helpers/random.js";

/** A batch of characters as ids [T, B] and one-hot x [T, B, V], and their next-character targets y [T, B]. */
export interface CharBatch {
  ids: { shape: number[]; data: Int32Array };
  x: { shape: number[]; data: Float32Array };
  y: { shape: number[]; data: Int32Array };
}

/** Seeded random characters of a V-letter alphabet, time-major, as ids and one-hot, with next-character targets. */
export function charBatch(T: number, B: number, V: number, seed = 1): CharBatch {
  const next = mulberry32(seed);
  const ids = Int32Array.from({ length: (T + 1) * B }, () => Math.floor(next() * V));
  const x = new Float32Array(T * B * V);
  for (let i = 0; i < T * B; i++) x[i * V + ids[i]!] = 1;
  return { ids: { shape: [T, B], data: ids.slice(0, T * B) }, x: { shape: [T, B, V], data: x }, y: { shape: [T, B], data: ids.slice(B) } };
}
