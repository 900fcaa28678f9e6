// Building a Model from its options: every layer checked (a layer, not disposed, not another
// model's, id readers first), the sizes chained, the loss resolved and fitted to the last layer,
// the clipping settings, the optimizer bound to one fresh parameter arena holding every layer.
import { ParameterArena } from "../arena.js";
import { Layer } from "../layers/layer.js";
import { RecurrentLayer } from "../layers/recurrent.js";
import { Embedding } from "../layers/embedding.js";
import { resolveLoss } from "../losses.js";
import { resolveMetrics, type MetricSpec } from "../metrics.js";
import { Adam, checkOptimizer, type Optimizer } from "../optimizers.js";
import { isDisposed, isOwned } from "../disposal.js";
import { checkOptionKeys, checkPositive, checkBoolean, describe } from "../validate.js";
import { buildLayerChain, checkLayerChain, checkLossFits, checkModelParameters } from "../layer-chain.js";
import { ModelRuntime } from "./runtime.js";
import { reserveBlocks } from "./memory.js";
import { MODEL_KEYS, type ModelOptions } from "./options.js";

/** Whether a layer reads token ids rather than floats: an Embedding, or a recurrent layer built with tokenInput. */
function takesIds(layer: Layer): boolean {
  return layer instanceof Embedding || (layer instanceof RecurrentLayer && layer.tokenInput);
}

/** The context size the model's layers share (0 when none takes a context). */
function contextSizeOf(where: string, layers: readonly Layer[]): number {
  const sizes = new Set(layers.filter((l): l is RecurrentLayer => l instanceof RecurrentLayer && l.contextSize > 0).map((l) => l.contextSize));
  if (sizes.size > 1) throw new RangeError(`${where}: layers built with different contextSize values (${[...sizes].join(", ")}) cannot share one context`);
  return sizes.size === 1 ? [...sizes][0]! : 0;
}

/**
 * Binds `optimizer` to a model's fresh `arena`, allocating its state beside the parameters before
 * any workspace; frees the arena and rethrows when the optimizer already belongs to another model.
 */
export function bindOptimizer(optimizer: Optimizer, arena: ParameterArena): void {
  try {
    optimizer.bind(arena);
  } catch (e) {
    arena.dispose();
    throw e;
  }
}

/** Throws unless `options.layers` is a non-empty array of distinct layers, none disposed or owned, only the first reading ids. */
function checkLayers(where: string, options: ModelOptions | undefined): Layer[] {
  if (options === undefined || !Array.isArray(options.layers) || options.layers.length === 0) {
    throw new TypeError(`${where}: layers must be a non-empty array of layers; got ${describe(options?.layers)}`);
  }
  const layers = options.layers;
  layers.forEach((layer, i) => {
    if (!(layer instanceof Layer)) throw new TypeError(`${where}: layers[${i}] must be a layer; got ${describe(layer)}`);
    if (isDisposed(layer)) throw new Error(`${where}: layers[${i}] has been disposed`);
    if (isOwned(layer)) throw new RangeError(`${where}: layers[${i}] already belongs to a model; build a new ${layer.constructor.name}`);
    if (i > 0 && takesIds(layer)) throw new RangeError(`${where}: layers[${i}]: ${layer instanceof Embedding ? "an Embedding" : "a layer built with tokenInput"} can only be the first layer`);
  });
  if (new Set(layers).size !== layers.length) throw new RangeError(`${where}: the same layer appears twice in layers`);
  checkLayerChain(where, layers);
  return layers;
}

/** A model's parts built from its options on behalf of `where`, with its clipping settings (null: off). */
export function buildModel(where: string, options: ModelOptions): { runtime: ModelRuntime; clipNorm: number | null; clipValue: number | null } {
  checkOptionKeys(where, options, MODEL_KEYS);
  const layers = checkLayers(where, options);
  const loss = resolveLoss(where, "loss", options.loss);
  checkLossFits(where, loss, layers);
  const metrics = resolveMetrics(where, loss, options.metrics, layers[layers.length - 1]!.outputSize);
  const clipNorm = options.clipNorm === undefined ? null : checkPositive(where, "clipNorm", options.clipNorm, "0 would zero every gradient");
  const clipValue = options.clipValue === undefined ? null : checkPositive(where, "clipValue", options.clipValue, "0 would zero every gradient");
  const optimizer = options.optimizer === undefined ? new Adam() : checkOptimizer(where, "optimizer", options.optimizer);
  buildLayerChain(layers);
  const first = layers[0]!;
  const spec = {
    vocabSize: takesIds(first) ? first.inputSize : null,
    inputSize: first.inputSize,
    outputSize: layers[layers.length - 1]!.outputSize,
    loss,
    sequenceOutput: layers.every((l) => !(l instanceof RecurrentLayer) || l.returnSequences),
    contextSize: contextSizeOf(where, layers),
    batchFirst: checkBoolean(where, "batchFirst", options.batchFirst ?? false),
  };
  checkModelParameters(where, layers);
  const specs = layers.flatMap((l, i) => l.paramSpecs().map((s) => ({ name: `${i}.${s.name}`, shape: s.shape })));
  // parameters, gradients and the optimizer's state: one growth of wasm memory for all of them
  reserveBlocks(Array.from({ length: 2 + optimizer.stateNames.length }, () => 4 * ParameterArena.sizeOf(specs)));
  const arena = new ParameterArena(specs);
  bindOptimizer(optimizer, arena);
  layers.forEach((l, i) => l.adopt(arena, `${i}.`));
  const metricSpecs: MetricSpec[] = structuredClone(options.metrics ?? []);
  return { runtime: new ModelRuntime([...layers], loss, spec, arena, optimizer, metrics, metricSpecs), clipNorm, clipValue };
}
