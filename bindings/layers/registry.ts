// Rebuilding layers from their saved configs.
import type { Layer } from "./layer.js";
import type { OptionSchema } from "./options.js";
import { SimpleRNN, SIMPLE_RNN_OPTIONS } from "./simple-rnn.js";
import { Jordan, JORDAN_OPTIONS } from "./jordan.js";
import { LSTM, LSTM_OPTIONS } from "./lstm.js";
import { GRU, GRU_OPTIONS } from "./gru.js";
import { MGU, MGU_OPTIONS } from "./mgu.js";
import { Dense, DENSE_OPTIONS } from "./dense.js";
import { Embedding, EMBEDDING_OPTIONS } from "./embedding.js";
import { Attention, type AttentionOptions } from "../seq2seq/attention.js";
import { labelErrors } from "../errors.js";

/** Builds a layer class from a saved config's options, without the options that have no effect (older files saved every option). */
function builder<O>(LayerClass: new (options: O) => Layer, schema: Pick<OptionSchema<never>, "withoutIneffective">): (options: Record<string, unknown>) => Layer {
  return (options) => new LayerClass(schema.withoutIneffective(options) as unknown as O);
}

const BUILDERS = {
  SimpleRNN: builder(SimpleRNN, SIMPLE_RNN_OPTIONS),
  Jordan: builder(Jordan, JORDAN_OPTIONS),
  LSTM: builder(LSTM, LSTM_OPTIONS),
  GRU: builder(GRU, GRU_OPTIONS),
  MGU: builder(MGU, MGU_OPTIONS),
  Dense: builder(Dense, DENSE_OPTIONS),
  Embedding: builder(Embedding, EMBEDDING_OPTIONS),
  Attention: (o: Record<string, unknown>) => new Attention(o as unknown as AttentionOptions),
} satisfies Record<string, (options: Record<string, unknown>) => Layer>;

/** A layer config's `type`: the layer classes a saved model can hold. */
export type LayerType = keyof typeof BUILDERS;

/** The layer types `layersFromConfigs` builds. */
export const LAYER_TYPES = Object.keys(BUILDERS) as LayerType[];

/**
 * New layers (freshly initialised) from configs produced by `layer.config()`, whose `type` is one
 * of LAYER_TYPES and `options` an object (as the saved-file schema checks), built on behalf of the
 * public function `where`: a constructor's error names the option under `path`
 * ("Model.load: model.layers[1].options.units must be ..."). When one fails, the layers built
 * before it are disposed.
 */
export function layersFromConfigs(where: string, path: string, configs: readonly { type: LayerType; options: Record<string, unknown> }[]): Layer[] {
  const layers: Layer[] = [];
  try {
    configs.forEach(({ type, options }, i) => {
      layers.push(labelErrors(where, () => BUILDERS[type](options), { path: `${path}[${i}].options`, keys: Object.keys(options) }));
    });
  } catch (e) {
    for (const layer of layers) layer.dispose();
    throw e;
  }
  return layers;
}
