// TensorFlow.js on its cpu backend for the interop tests: loading artifacts, predicting, capturing
// a model's artifacts, and moving data between time-major [T, N, F] and batch-first [N, T, F].
import * as tf from "@tensorflow/tfjs";
import type { TfjsArtifactsLike } from "../../bindings/formats/tfjs-types.js";

/** The cpu backend, without tfjs' Node.js banner (prod mode silences its warnings). */
export async function useTfjsCpu(): Promise<void> {
  tf.enableProdMode();
  await tf.setBackend("cpu");
}

/** [A, B, F] -> [B, A, F]: time-major to batch-first and back. */
export function swapLeading<T extends Float32Array | Int32Array>(data: T, A: number, B: number, F: number): T {
  const out = new (data.constructor as new (n: number) => T)(data.length);
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) out.set(data.subarray((a * B + b) * F, (a * B + b + 1) * F), (b * A + a) * F);
  }
  return out;
}

/** What a tfjs layers model loaded from `artifacts` predicts for batch-first x. */
export async function tfjsPredict(artifacts: TfjsArtifactsLike, x: Float32Array | Int32Array, shape: number[]): Promise<Float32Array> {
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  try {
    return predictWith(model, x, shape);
  } finally {
    model.dispose();
  }
}

/** model.predict(x) as a Float32Array. */
export function predictWith(model: tf.LayersModel, x: Float32Array | Int32Array, shape: number[]): Float32Array {
  return tf.tidy(() => {
    const input = x instanceof Int32Array ? tf.tensor(x, shape, "int32") : tf.tensor(x, shape, "float32");
    return (model.predict(input) as tf.Tensor).dataSync() as Float32Array;
  });
}

/** The artifacts `model.save` writes, captured in memory. */
export async function captureArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    captured = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  return captured!;
}

/** Gives every weight of a tfjs model seeded values (uniform in ±scale). */
export function setSeededWeights(model: tf.LayersModel, random: (n: number, seed: number) => Float32Array, seed: number): void {
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(random(w.size, seed + i), w.shape)));
}

/** The largest |a[i] - b[i]|; the lengths must match. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`maxAbsDiff: lengths ${a.length} and ${b.length} differ`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

export { tf };
