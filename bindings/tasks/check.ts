// Argument checks shared by the task helpers: token models (Embedding in, softmax over the same
// vocabulary out), id sequences and one context row.
import { Model } from "../model.js";
import { Embedding } from "../layers/embedding.js";
import { RecurrentLayer } from "../layers/recurrent.js";
import { toTensor, type Tensor, type TensorLike } from "../tensor.js";
import { describe, shapeString } from "../validate.js";
export { checkSequenceList } from "../sequences/check.js";

/** What the generation and language-model helpers need to know about a token model. */
export interface TokenModel {
  model: Model;
  /** Vocabulary size V: ids in [0, V), the softmax has V classes. */
  vocabSize: number;
  /** Size of the per-sequence context its layers take (0: none). */
  contextSize: number;
}

/**
 * Checks that `model` reads token ids and predicts the next one: its first layer is an Embedding
 * over V ids, its loss is softmaxCrossEntropy over V classes, and every recurrent layer is
 * unidirectional with an output at every step (a language model must not see the future).
 */
export function checkTokenModel(where: string, model: unknown): TokenModel {
  if (!(model instanceof Model)) throw new TypeError(`${where}: model must be a Model; got ${describe(model)}`);
  const first = model.layers[0]!;
  if (!(first instanceof Embedding)) {
    throw new TypeError(`${where}: the model's first layer must be an Embedding (token ids in); got ${first.constructor.name}`);
  }
  if (model.loss !== "softmaxCrossEntropy") {
    throw new TypeError(`${where}: the model's loss must be "softmaxCrossEntropy" (a distribution over the next token); got "${model.loss}"`);
  }
  const V = first.inputSize;
  const out = model.layers[model.layers.length - 1]!.outputSize;
  if (out !== V) throw new RangeError(`${where}: the model's last layer must output one logit per vocabulary id (${V}); got ${out}`);
  for (const layer of model.layers) {
    if (!(layer instanceof RecurrentLayer)) continue;
    if (layer.bidirectional) throw new RangeError(`${where}: a bidirectional ${layer.constructor.name} sees the future tokens; next-token models must be unidirectional`);
    if (!layer.returnSequences) throw new RangeError(`${where}: every recurrent layer must have returnSequences true (one prediction per step); ${layer.constructor.name} has false`);
  }
  return { model, vocabSize: V, contextSize: model.contextSize };
}

/** An Int32Array copy of an id sequence (number[] or Int32Array), each id in [0, V). */
export function checkIds(where: string, name: string, ids: unknown, V: number): Int32Array {
  if (!Array.isArray(ids) && !(ids instanceof Int32Array)) {
    throw new TypeError(`${where}: ${name} must be an array of token ids or an Int32Array; got ${describe(ids)}`);
  }
  const out = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const v: unknown = ids[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= V) {
      throw new RangeError(`${where}: ${name} must hold ids in [0, ${V}) (the vocabulary); got ${describe(v)} at index ${i}`);
    }
    out[i] = v;
  }
  return out;
}

/** One token id: an integer in [0, V). */
export function checkId(where: string, name: string, value: unknown, V: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw new TypeError(`${where}: ${name} must be an integer token id; got ${describe(value)}`);
  if (value < 0 || value >= V) throw new RangeError(`${where}: ${name} must be an id in [0, ${V}) (the vocabulary); got ${value}`);
  return value;
}

/**
 * An optional boundary id (BOS, EOS): null turns it off; absent gives `fallback` when the
 * vocabulary has it (else null); otherwise an id in [0, V).
 */
export function optionalId(where: string, name: string, value: unknown, fallback: number | null, V: number): number | null {
  if (value === null) return null;
  if (value === undefined) return fallback !== null && fallback < V ? fallback : null;
  return checkId(where, name, value, V);
}

/**
 * The context of one sequence as a [1, C] tensor (given as [C] or [1, C]); undefined when the
 * model takes none. Missing or unexpected contexts are errors.
 */
export function checkContextRow(where: string, context: TensorLike | undefined, contextSize: number): Tensor | undefined {
  if (context === undefined) {
    if (contextSize > 0) throw new RangeError(`${where}: context [${contextSize}] is required (the model's layers were built with contextSize ${contextSize})`);
    return undefined;
  }
  if (contextSize === 0) throw new RangeError(`${where}: context given, but no layer of the model was built with contextSize`);
  const c = toTensor(where, "context", context);
  if (!((c.shape.length === 1 && c.shape[0] === contextSize) || (c.shape.length === 2 && c.shape[0] === 1 && c.shape[1] === contextSize))) {
    throw new RangeError(`${where}: context must have shape [${contextSize}] or [1, ${contextSize}]; got ${shapeString(c.shape)}`);
  }
  return { shape: [1, contextSize], data: c.data };
}

