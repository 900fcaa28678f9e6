// Rebuilding layers from their saved configs.
import type { Layer, LayerConfig } from "./layer.js";
import { SimpleRNN, type SimpleRNNOptions } from "./simple-rnn.js";
import { Jordan, type JordanOptions } from "./jordan.js";
import { LSTM, type LSTMOptions } from "./lstm.js";
import { GRU, type GRUOptions } from "./gru.js";
import { Dense, type DenseOptions } from "./dense.js";
import { Embedding, type EmbeddingOptions } from "./embedding.js";

const BUILDERS: Record<string, (options: Record<string, unknown>) => Layer> = {
  SimpleRNN: (o) => new SimpleRNN(o as unknown as SimpleRNNOptions),
  Jordan: (o) => new Jordan(o as unknown as JordanOptions),
  LSTM: (o) => new LSTM(o as unknown as LSTMOptions),
  GRU: (o) => new GRU(o as unknown as GRUOptions),
  Dense: (o) => new Dense(o as unknown as DenseOptions),
  Embedding: (o) => new Embedding(o as unknown as EmbeddingOptions),
};

/** A new layer (freshly initialised) from a config produced by `layer.config()`. */
export function layerFromConfig(config: LayerConfig): Layer {
  const build = BUILDERS[config?.type];
  if (build === undefined) throw new RangeError(`unknown layer type "${config?.type}"; expected one of ${Object.keys(BUILDERS).join(", ")}`);
  return build(config.options);
}
