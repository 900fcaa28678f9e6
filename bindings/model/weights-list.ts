// Model.getWeights / setWeights: every layer's weights as one ordered list, in Keras' layouts and
// order (formats/keras-weights.ts), as Keras' model.get_weights() / set_weights().
import type { Layer } from "../layers/layer.js";
import { checkFiniteValues, expectShape, toTensor, type Tensor } from "../tensor.js";
import { describe } from "../validate.js";
import { kerasWeights, torchParams } from "../formats/keras-weights.js";
import { loadModelStateDict } from "./parameters-by-name.js";

/** Model.getWeights: copies of the weights of every layer in turn, in Keras layout. */
export function modelWeights(layers: readonly Layer[]): Tensor[] {
  return layers.flatMap((l) => kerasWeights(l).map((w) => w.tensor));
}

/**
 * Model.setWeights: checks the count and every weight's shape and values against getWeights()'
 * (errors name the index, the layer and the weight), then loads them all through loadStateDict's
 * path; nothing changes when any check fails.
 */
export function setModelWeights(layers: readonly Layer[], weights: unknown): void {
  const where = "Model.setWeights";
  const expected = layers.map((l) => kerasWeights(l));
  const count = expected.reduce((n, ws) => n + ws.length, 0);
  if (!Array.isArray(weights)) throw new TypeError(`${where}: weights must be an array of ${count} tensors (as getWeights() returns); got ${describe(weights)}`);
  if (weights.length !== count) throw new RangeError(`${where}: weights must hold ${count} tensors (as getWeights() returns); got ${weights.length}`);
  const dict: Record<string, Tensor> = {};
  let at = 0;
  expected.forEach((ws, i) => {
    const tensors = ws.map(({ name, tensor }) => {
      const label = `weights[${at}] (layers[${i}] (${layers[i]!.constructor.name}) ${name})`;
      const t = toTensor(where, label, weights[at++]);
      expectShape(where, label, t.shape, tensor.shape);
      checkFiniteValues(where, label, t.data);
      return t;
    });
    for (const [name, t] of Object.entries(torchParams(layers[i]!, tensors))) dict[`${i}.${name}`] = t;
  });
  loadModelStateDict(layers, dict, undefined);
}
