// Saving and loading a Model: the safetensors model file of bindings/model-file.ts with the
// layer configs, the loss (with its parameters), the optimizer's settings and state, clipping
// and the user's metadata.
import { encodeModelFile, decodeModelFile, restoreModelFile, optimizerOfFile, layersOfFile } from "../model-file.js";
import { labelErrors } from "../errors.js";
import { SEQ2SEQ_FORMAT } from "../model-file-schema.js";
import { lossSpecOf } from "../losses.js";
import { checkOptionKeys, checkBoolean, describe } from "../validate.js";
import type { ParameterArena } from "../arena.js";
import type { Optimizer } from "../optimizers.js";
import type { Layer } from "../layers/layer.js";
import type { ModelRuntime } from "./runtime.js";
import { MODEL_KEYS, type ModelOptions } from "./options.js";
import type { Clipping } from "./training.js";

/** Model.save: the model file's bytes; `metadata` must be a plain JSON-serialisable object. */
export function saveModel(model: ModelRuntime, clipping: Clipping, metadata: unknown, options: { includeOptimizer?: boolean }): Uint8Array {
  checkOptionKeys("Model.save", options, ["includeOptimizer"]);
  const includeOptimizer = checkBoolean("Model.save", "includeOptimizer", options.includeOptimizer ?? true);
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new TypeError(`Model.save: metadata must be a plain object; got ${describe(metadata)}`);
  }
  try {
    JSON.stringify(metadata);
  } catch (e) {
    throw new RangeError(`Model.save: metadata must be JSON-serialisable; ${(e as Error).message}`);
  }
  return encodeModelFile({
    metadata: metadata as Record<string, unknown>,
    layers: model.layers.map((l) => l.config()),
    loss: lossSpecOf(model.loss),
    optimizer: model.optimizer.config,
    clipNorm: clipping.clipNorm,
    clipValue: clipping.clipValue,
    batchFirst: model.spec.batchFirst,
    metrics: [...model.metricSpecs],
  }, model.arena, model.optimizer, includeOptimizer);
}

/** What loadModel needs of the model it builds. */
interface LoadedModel {
  readonly parameters: ParameterArena;
  readonly optimizer: Optimizer;
  metadata: Record<string, unknown>;
  dispose(): void;
}

/**
 * Model.load: the model `build` makes of the options a saved file describes (its layers, loss,
 * optimizer and clipping), with the file's parameters, optimizer state and metadata. Nothing is
 * left allocated when the file is refused.
 */
export function loadModel<M extends LoadedModel>(bytes: Uint8Array, build: (options: ModelOptions) => M): M {
  const where = "Model.load";
  const file = decodeModelFile(bytes, where);
  const { header } = file;
  if (header.metadata.format === SEQ2SEQ_FORMAT) throw new RangeError(`${where}: the bytes hold a Seq2Seq model (load it with Seq2Seq.load)`);
  const optimizer = optimizerOfFile(where, file);
  const layers: Layer[] = layersOfFile(where, file);
  const options: ModelOptions = { layers, loss: header.loss, optimizer };
  if (header.clipNorm !== null) options.clipNorm = header.clipNorm;
  if (header.clipValue !== null) options.clipValue = header.clipValue;
  if (header.batchFirst === true) options.batchFirst = true;
  if (header.metrics !== undefined) options.metrics = header.metrics;
  let model: M;
  try {
    model = labelErrors(where, () => build(options), { path: file.paths.model, keys: MODEL_KEYS });
  } catch (e) {
    for (const layer of layers) layer.dispose();
    throw e;
  }
  try {
    restoreModelFile(where, file, model.parameters, model.optimizer);
  } catch (e) {
    model.dispose();
    throw e;
  }
  model.metadata = header.metadata;
  return model;
}
