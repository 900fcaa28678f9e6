// Prediction: the last layer's outputs for a dataset in batches, logits or (for a loss with an
// output activation) probabilities.
import { f32View } from "../core.js";
import { LOSS_NAMES, probabilitiesOf, toProbabilities } from "../losses.js";
import { StagedDataset } from "../dataset.js";
import type { Tensor } from "../tensor.js";
import { checkOptionKeys, checkInt, checkBoolean } from "../validate.js";
import { checkModelBatch } from "../layer-chain.js";
import type { ModelRuntime } from "./runtime.js";
import { callOfData, reserveFor } from "./memory.js";
import { ModelSlices, sliceStarts } from "../threads/slices.js";
import type { ModelInput, PredictOptions } from "./options.js";

/** The `probabilities` option, checked before anything runs: a boolean, true only for a loss with an output activation. */
export function probabilitiesOption(model: ModelRuntime, where: string, value: unknown): boolean {
  const probabilities = checkBoolean(where, "probabilities", value ?? false);
  if (probabilities && model.loss.probabilities === null) {
    throw new RangeError(`${where}: probabilities needs a ${LOSS_NAMES.filter((name) => probabilitiesOf(name) !== null).join(" or ")} model`);
  }
  return probabilities;
}

/** Model.predict: [T, N, O] (or [N, O] for many-to-one) outputs of x; with threads (init), each batch of 2 or more in slices. */
export function predict(model: ModelRuntime, x: ModelInput, options: PredictOptions): Tensor {
  const where = "Model.predict";
  checkOptionKeys(where, options, ["batchSize", "probabilities", "lengths", "context"]);
  const batchSize = checkInt(where, "batchSize", options.batchSize ?? 256);
  const probabilities = probabilitiesOption(model, where, options.probabilities);
  const { lengths, context } = options;
  const { spec, ws } = model;
  const data = new StagedDataset(where, spec, x, null, { lengths, context });
  const O = spec.outputSize;
  const Tout = spec.sequenceOutput ? data.T : 1;
  try {
    checkModelBatch(where, model.layers, data.T, Math.min(batchSize, data.N));
    const batchFirst = spec.batchFirst && spec.sequenceOutput;
    const reordered = batchFirst ? [4 * Tout * Math.min(batchSize, data.N) * O] : [];
    reserveFor(model, [{ ...callOfData(data, batchSize, false), sliced: true, transient: reordered }]);
    const result = new Float32Array(Tout * data.N * O);
    const index = model.identityIndex(data.N);
    /** Copies the outputs [Tout, B, O] at `x` of sequences b0 .. b0 + B into the result ([Tout, N, O], or [N, Tout, O] batch-first). */
    const place = (x: number, b0: number, B: number): void => {
      if (batchFirst) {
        result.set(f32View(ws.swapped("batchFirstOutput", x, Tout, B, O), Tout * B * O), b0 * Tout * O);
        return;
      }
      for (let t = 0; t < Tout; t++) result.set(f32View(x + 4 * t * B * O, B * O), (t * data.N + b0) * O);
    };
    for (let b0 = 0; b0 < data.N; b0 += batchSize) {
      const B = Math.min(batchSize, data.N - b0);
      if (ModelSlices.count(B) > 1) {
        const outs = model.slices.predict(model.slices.gather(data, index + b0 * 4, B), probabilities);
        const starts = sliceStarts(B, outs.length);
        outs.forEach((out, s) => place(out.x, b0 + starts[s]!, out.B));
        continue;
      }
      const batch = data.gather(index + b0 * 4, B, ws);
      const out = model.forward({ x: batch.x, T: batch.T, B, lengths: batch.lengths, context: batch.context });
      if (probabilities) toProbabilities(model.loss, out.x, out.T * B, O);
      place(out.x, b0, B);
    }
    return { shape: !spec.sequenceOutput ? [data.N, O] : batchFirst ? [data.N, data.T, O] : [data.T, data.N, O], data: result };
  } finally {
    data.free();
  }
}
