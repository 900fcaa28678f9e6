// A Model built from a PyTorch state dict alone: the layers its names and shapes describe
// (formats/torch-layers.ts), loaded with its values.
import { Model } from "../model.js";
import type { LossSpec } from "../losses.js";
import type { Optimizer } from "../optimizers.js";
import { keysUnderPrefix, stateDictTensors, type StateDictSource } from "../state-dict.js";
import { layersFromTorchStateDict, type TorchLayerOptions } from "./torch-layers.js";
import type { TensorLike } from "../tensor.js";
import { checkOptionKeys } from "../validate.js";
import { labelErrors } from "../errors.js";

/** Options of `Model.fromStateDict`. */
export interface FromStateDictOptions extends TorchLayerOptions {
  /** The loss the model trains with (the file does not say). */
  loss: LossSpec;
  /** Default: new Adam(). */
  optimizer?: Optimizer;
  /** A prefix every key has and the model's names do not, e.g. "module." when a DDP state dict was saved unstripped. */
  prefix?: string;
}

/** The Model a PyTorch module's state dict describes, with its values. */
export function modelFromStateDict(dict: StateDictSource, options: FromStateDictOptions): Model {
  const where = "Model.fromStateDict";
  checkOptionKeys(where, options, ["loss", "optimizer", "prefix", "rnnActivation"]);
  if (options === undefined) throw new TypeError(`${where}: options { loss } are required (the state dict does not say which loss the model trains with)`);
  const all = stateDictTensors(where, dict);
  const prefix = options.prefix ?? "";
  const outside: string[] = [];
  const tensors: Record<string, TensorLike> = {};
  for (const [key, original] of keysUnderPrefix(all, prefix, outside)) tensors[key] = all[original]!;
  if (outside.length > 0) throw new RangeError(`${where}: key "${outside[0]}" does not start with the prefix "${prefix}"`);
  const { layers, names } = layersFromTorchStateDict(where, tensors, options);
  let model: Model;
  try {
    const modelOptions = { layers, loss: options.loss, ...(options.optimizer === undefined ? {} : { optimizer: options.optimizer }) };
    model = labelErrors(where, () => new Model(modelOptions));
  } catch (e) {
    for (const l of layers) l.dispose();
    throw e;
  }
  try {
    labelErrors(where, () => model.loadStateDict(tensors, { modules: Object.fromEntries(names.map((n, i) => [n, i])) }));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
