// Rebuilding layers from their saved configs.
import type { Layer } from "./layer.js";
import { SimpleRNN, type SimpleRNNOptions } from "./simple-rnn.js";
import { Jordan, type JordanOptions } from "./jordan.js";
import { LSTM, type LSTMOptions } from "./lstm.js";
import { GRU, type GRUOptions } from "./gru.js";
import { Dense, type DenseOptions } from "./dense.js";
import { Embedding, type EmbeddingOptions } from "./embedding.js";
import { withoutIneffectiveOptions } from "./recurrent.js";
import { Attention, type AttentionOptions } from "../seq2seq/attention.js";
import { labelErrors } from "../errors.js";

// Recurrent configs go through withoutIneffectiveOptions: older files saved every option.
const BUILDERS = {
  SimpleRNN: (o: Record<string, unknown>) => new SimpleRNN(withoutIneffectiveOptions(o) as unknown as SimpleRNNOptions),
  Jordan: (o: Record<string, unknown>) => new Jordan(withoutIneffectiveOptions(o) as unknown as JordanOptions),
  LSTM: (o: Record<string, unknown>) => new LSTM(withoutIneffectiveOptions(o) as unknown as LSTMOptions),
  GRU: (o: Record<string, unknown>) => new GRU(withoutIneffectiveOptions(o) as unknown as GRUOptions),
  Dense: (o: Record<string, unknown>) => new Dense(o as unknown as DenseOptions),
  Embedding: (o: Record<string, unknown>) => new Embedding(o as unknown as EmbeddingOptions),
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
