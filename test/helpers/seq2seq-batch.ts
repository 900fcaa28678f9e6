// Small random Seq2Seq batches for checks that need no training.
import type { IntTensor } from "../../bindings/tensor.js";
import { mulberry32 } from "./random.js";

/** Pairs of random ids (from 4 up in each vocabulary) with the given lengths, time-major; targets framed by BOS (3) and EOS (2). */
export function smallBatch(Vs: number, Vt: number, sourceLengths: number[], targetLengths: number[], seed: number): { source: IntTensor; sourceLengths: Int32Array; target: IntTensor; targetLengths: Int32Array } {
  const next = mulberry32(seed);
  const N = sourceLengths.length;
  const S = Math.max(...sourceLengths);
  const U = Math.max(...targetLengths);
  const source = new Int32Array(S * N);
  const target = new Int32Array(U * N);
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < sourceLengths[n]!; t++) source[t * N + n] = 4 + Math.floor(next() * (Vs - 4));
    target[n] = 3;
    for (let t = 1; t < targetLengths[n]! - 1; t++) target[t * N + n] = 4 + Math.floor(next() * (Vt - 4));
    target[(targetLengths[n]! - 1) * N + n] = 2;
  }
  return { source: { shape: [S, N], data: source }, sourceLengths: Int32Array.from(sourceLengths), target: { shape: [U, N], data: target }, targetLengths: Int32Array.from(targetLengths) };
}
