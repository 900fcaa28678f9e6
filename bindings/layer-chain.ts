// How layers compose into a Model, checked when it is built: each layer's output must feed the
// next one, the loss must fit the last one, and all parameters must fit the one block of wasm
// memory they share. Errors name both layers by index and class: "layers[1] (LSTM)".
import type { Layer, SequencePointers } from "./layers/layer.js";
import { RecurrentLayer } from "./layers/recurrent.js";
import { Embedding } from "./layers/embedding.js";
import { embeddingPaysOff } from "./layers/recurrent/embedded-input.js";
import type { Loss } from "./losses.js";
import { checkParameterBlock } from "./sizes.js";

/** A layer as errors name it: "layers[1] (LSTM)". */
function label(layers: readonly Layer[], i: number): string {
  return `layers[${i}] (${layers[i]!.constructor.name})`;
}

/** Whether a layer outputs one vector per sequence (a recurrent layer with returnSequences false). */
function poolsSequences(layer: Layer): boolean {
  return layer instanceof RecurrentLayer && !layer.returnSequences;
}

/**
 * Throws a RangeError naming both layers when a layer's output cannot feed the next: the sizes
 * differ, or a recurrent layer comes after one that outputs one vector per sequence; a TypeError
 * when the first layer was built without inputSize.
 */
export function checkLayerChain(where: string, layers: readonly Layer[]): void {
  if (!layers[0]!.built) {
    throw new TypeError(`${where}: ${label(layers, 0)} was built without inputSize; the first layer needs it (the model's input features per step)`);
  }
  for (let i = 1; i < layers.length; i++) {
    const [prev, layer] = [layers[i - 1]!, layers[i]!];
    if (layer.built && layer.inputSize !== prev.outputSize) {
      throw new RangeError(`${where}: ${label(layers, i)} reads ${layer.inputSize} features per step (its inputSize), `
        + `but ${label(layers, i - 1)} outputs ${prev.outputSize}; the sizes must match`);
    }
  }
  const pooled = layers.findIndex(poolsSequences);
  const reader = layers.findIndex((layer, i) => pooled >= 0 && i > pooled && layer instanceof RecurrentLayer);
  if (reader >= 0) {
    throw new RangeError(`${where}: ${label(layers, reader)} reads a sequence (one vector per step), but `
      + `layers[${pooled}] (${layers[pooled]!.constructor.name}, returnSequences false) outputs one vector per sequence; `
      + `build layers[${pooled}] with returnSequences true`);
  }
}

/**
 * Builds every layer built without inputSize from the output size of the layer before it (after
 * checkLayerChain): its parameters get the initialisation it would have had with that inputSize.
 * A layer stays built when the Model construction fails afterwards, as in Keras.
 */
export function buildLayerChain(layers: readonly Layer[]): void {
  for (let i = 1; i < layers.length; i++) if (!layers[i]!.built) layers[i]!.build(layers[i - 1]!.outputSize);
}

/** Throws a RangeError when the loss cannot train the last layer: a softmax over one output is always 1. */
export function checkLossFits(where: string, loss: Loss, layers: readonly Layer[]): void {
  const last = layers.length - 1;
  if (loss.target === "classes" && layers[last]!.outputSize === 1) {
    throw new RangeError(`${where}: loss "${loss.name}" over the 1 output of ${label(layers, last)} is always 0 `
      + `(a softmax over one class is 1); use "binaryCrossEntropyWithLogits" for one output, or 2 or more outputs`);
  }
}

/** Checks that the parameters of all layers fit the model's one block, before it is allocated. */
export function checkModelParameters(where: string, layers: readonly Layer[]): void {
  const options = layers.map((l, i) => `${label(layers, i)}: ${l.sizeOptions()}`).join("; ");
  checkParameterBlock(where, options, layers.flatMap((l, i) => l.paramSpecs().map((s) => ({ name: `${i}.${s.name}`, shape: s.shape }))));
}

/**
 * Throws a RangeError naming `where` when a batch of T steps and B sequences would need a block of
 * wasm memory larger than the core allocates in any layer (layers after a returnSequences false
 * layer see one step); call it where a batch size is known, before the batch runs.
 */
export function checkModelBatch(where: string, layers: readonly Layer[], T: number, B: number): void {
  let steps = T;
  for (const layer of layers) {
    layer.checkBatch(where, `a batch of ${T} steps and ${B} sequences`, steps, B);
    if (poolsSequences(layer)) steps = 1;
  }
}

/**
 * Runs the layers forward on `input`; returns the last layer's output pointers. An Embedding
 * followed by a recurrent layer is looked up inside that layer's input projection when that costs
 * less for this batch (or batch slice: layers/recurrent/embedded-input.ts): the same maths, other rounding.
 */
export function forwardLayers(layers: readonly Layer[], input: SequencePointers): SequencePointers {
  const [first, second] = layers;
  const fused = first instanceof Embedding && second instanceof RecurrentLayer && !second.tokenInput && embeddingPaysOff(first.inputSize, input.T, input.B);
  let p = fused ? first.deferLookup(input) : input;
  for (const layer of fused ? layers.slice(1) : layers) p = layer.forwardPointers(p);
  return p;
}

/** BPTT through the layers of the last forward from dOut (the last output's gradient); accumulates their parameter gradients. */
export function backwardLayers(layers: readonly Layer[], dOut: number): void {
  let d = dOut;
  for (let i = layers.length - 1; i >= 0; i--) d = layers[i]!.backwardPointers(d, i > 0);
}
