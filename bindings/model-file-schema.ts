// The schema of a saved model's header, checked in full before anything is built from it: the
// layer configs (a known type, options an object: the layer constructors then check the values),
// the loss (a known name; its parameters are checked by the Model that resolves it), the clipping
// settings, the optimizer (a known type, hyperparameters checked by its constructor), its step
// count and state names, and the user's metadata.
import { LOSS_NAMES, type LossSpec } from "./losses.js";
import { OPTIMIZER_TYPES, type OptimizerConfig } from "./optimizers.js";
import { METRIC_NAMES, type MetricSpec } from "./metrics.js";
import { LAYER_TYPES } from "./layers/registry.js";
import { arrayOf, boolean, integer, jsonObject, jsonText, literal, nullable, number, object, oneOf, string, type Infer, type Schema } from "./schema.js";

/** The format tag of every wasm-rnn model file. */
export const FORMAT = "wasm-rnn";

/** The tag in the metadata of a Seq2Seq's file (a Model's metadata is the user's). */
export const SEQ2SEQ_FORMAT = "wasm-rnn/seq2seq";

/** A layer config: `{ type, options }` as `layer.config()` gives it. */
const layerConfig = object({ type: oneOf(LAYER_TYPES), options: jsonObject });

/** An optimizer config: an object with a known `type`; the optimizer's constructor checks the hyperparameters. */
const optimizerConfig: Schema<OptimizerConfig> = (where, path, value) => {
  const config = jsonObject(where, path, value);
  oneOf(OPTIMIZER_TYPES)(where, `${path}.type`, config.type);
  return config as unknown as OptimizerConfig;
};

/**
 * A loss: its name, or { name, ...params } for a loss with parameters ({ "name": "huber", "delta": 0.5 });
 * the parameters' keys and values are checked when the model resolves the loss.
 */
const lossSpec: Schema<LossSpec> = (where, path, value) => {
  if (typeof value === "string") return oneOf(LOSS_NAMES)(where, path, value);
  const config = jsonObject(where, path, value);
  oneOf(LOSS_NAMES)(where, `${path}.name`, config.name);
  return config as unknown as LossSpec;
};

/** What both versions save about the model: its layers, loss and clipping. */
const MODEL_FIELDS = {
  layers: arrayOf(layerConfig, 1),
  loss: lossSpec,
  clipNorm: nullable(number),
  clipValue: nullable(number),
};

/** A metric: a name, or an object with a name (the Model checks the rest). */
const metricSpec: Schema<MetricSpec> = (where, path, value) => {
  if (typeof value === "string") return oneOf(METRIC_NAMES)(where, path, value);
  const config = jsonObject(where, path, value);
  oneOf(METRIC_NAMES)(where, `${path}.name`, config.name);
  return config as unknown as MetricSpec;
};

/** Version 2, metadata "model": the layers, loss and clipping as JSON; batchFirst and metrics written only when set. */
export const modelEntry = jsonText(object({ ...MODEL_FIELDS, batchFirst: boolean, metrics: arrayOf(metricSpec, 1) }, ["batchFirst", "metrics"]));

/** Version 2, metadata "optimizer": the config, the steps taken and the names of the saved state buffers (null: saved without). */
export const optimizerEntry = jsonText(object({ config: optimizerConfig, iterations: integer(0), state: nullable(arrayOf(string)) }));

/** Version 2, metadata "metadata": the model's metadata object as JSON. */
export const metadataEntry = jsonText(jsonObject);

/** The header of a version-1 file: the model, the optimizer config, the parameters' names and shapes in file order. */
export const headerV1 = object({
  ...MODEL_FIELDS,
  optimizer: optimizerConfig,
  params: arrayOf(object({ name: string, shape: arrayOf(integer(0)) })),
  format: literal(FORMAT),
  metadata: jsonObject,
}, ["format", "metadata"]);

/** A checked version-1 header. */
export type HeaderV1 = Infer<typeof headerV1>;
