// Seq2Seq files: the library's model file (bindings/io.ts) with a Seq2Seq metadata entry (the
// format tag and version, the constructor options, the user's metadata), checked in full on load.
import type { ParameterArena } from "../arena.js";
import type { Layer } from "../layers/layer.js";
import type { Optimizer } from "../optimizers.js";
import { encodeModelFile, decodeModelFile, optimizerOfFile, type ModelFile } from "../model-file.js";
import { integer, jsonObject, literal, nullable, number, object, oneOf, type Schema } from "../schema.js";
import { SEQ2SEQ_FORMAT } from "../model-file-schema.js";
import { describe } from "../validate.js";
import { ATTENTIONS, CELLS, type SavedOptions, type Seq2SeqOptions } from "./options.js";

/** The model's metadata entry of a Seq2Seq file. */
const SAVED_MODEL = object({
  format: literal(SEQ2SEQ_FORMAT),
  version: literal(1),
  options: object({
    sourceVocabSize: integer(0), targetVocabSize: integer(0), units: integer(0), embeddingSize: integer(0), cell: oneOf(CELLS),
    numLayers: integer(0), clipNorm: nullable(number), bosId: integer(0), eosId: integer(0), seed: integer(0), attention: oneOf(ATTENTIONS),
  } satisfies Record<keyof SavedOptions, Schema<unknown>>, ["attention"]),
  metadata: jsonObject,
});

/** What a Seq2Seq saves: its options and data layout, its layers in order, its parameters and optimizer, the user's metadata. */
export interface SavedSeq2Seq {
  options: SavedOptions;
  /** Written to the model entry only when true, as a Model's. */
  batchFirst: boolean;
  parts: readonly (readonly [string, Layer])[];
  arena: ParameterArena;
  optimizer: Optimizer;
  metadata: Record<string, unknown>;
}

/** The model as bytes: the options, the layer configs, the optimizer settings, `metadata` and every parameter as exact float32. */
export function encodeSeq2Seq(model: SavedSeq2Seq): Uint8Array {
  try {
    JSON.stringify(model.metadata);
  } catch (e) {
    throw new RangeError(`Seq2Seq.save: metadata must be JSON-serialisable; ${(e as Error).message}`);
  }
  if (model.metadata === null || typeof model.metadata !== "object" || Array.isArray(model.metadata)) {
    throw new TypeError(`Seq2Seq.save: metadata must be a plain object; got ${describe(model.metadata)}`);
  }
  return encodeModelFile({
    metadata: { format: SEQ2SEQ_FORMAT, version: 1, options: model.options, metadata: model.metadata },
    layers: model.parts.map(([, l]) => l.config()),
    loss: "softmaxCrossEntropy",
    optimizer: model.optimizer.config,
    clipNorm: model.options.clipNorm,
    clipValue: null,
    batchFirst: model.batchFirst,
  }, model.arena, model.optimizer);
}

/** A decoded Seq2Seq file: the options that rebuild the model (with its optimizer) and the user's metadata. */
export interface DecodedSeq2Seq {
  file: ModelFile;
  options: Seq2SeqOptions;
  /** The saved options' keys, for labelling the constructor's errors. */
  optionKeys: string[];
  metadata: Record<string, unknown>;
}

/** Decodes a Seq2Seq file's header and checks its metadata entry against the schema; errors name `where`. */
export function decodeSeq2Seq(where: string, bytes: Uint8Array): DecodedSeq2Seq {
  const file = decodeModelFile(bytes, where);
  const { header, paths } = file;
  if (header.metadata.format !== SEQ2SEQ_FORMAT) throw new RangeError(`${where}: the bytes hold a wasm-rnn model that is not a Seq2Seq (load it with Model.load)`);
  if (header.metadata.version !== 1) throw new RangeError(`${where}: Seq2Seq format version ${describe(header.metadata.version)} is not supported; expected 1`);
  const saved = SAVED_MODEL(where, paths.metadata, header.metadata);
  const optimizer = optimizerOfFile(where, file);
  const { clipNorm, ...rest } = saved.options;
  const options: Seq2SeqOptions = { ...rest, optimizer };
  if (clipNorm !== null) options.clipNorm = clipNorm;
  if (header.batchFirst === true) options.batchFirst = true;
  return { file, options, optionKeys: Object.keys(saved.options), metadata: saved.metadata };
}

/** Throws unless a file's layer configs, loss and clipping are what a model built from the file's options saves. */
export function checkSavedLayers(where: string, file: ModelFile, parts: readonly (readonly [string, Layer])[], clipNorm: number | null): void {
  const { header, paths } = file;
  if (header.layers.length !== parts.length) throw new RangeError(`${where}: ${paths.model}.layers must hold the ${parts.length} layers of a Seq2Seq; got ${header.layers.length}`);
  parts.forEach(([part, layer], i) => {
    const built = layer.config();
    const saved = header.layers[i]!;
    const same = saved.type === built.type && Object.keys(saved.options).length === Object.keys(built.options).length
      && Object.entries(built.options).every(([k, v]) => saved.options[k] === v);
    if (!same) throw new RangeError(`${where}: ${paths.model}.layers[${i}] must be the ${part} the saved options build, ${JSON.stringify(built)}; got ${JSON.stringify(saved)}`);
  });
  if (header.loss !== "softmaxCrossEntropy") throw new RangeError(`${where}: ${paths.model}.loss must be "softmaxCrossEntropy"; got "${header.loss}"`);
  if (header.clipValue !== null) throw new RangeError(`${where}: ${paths.model}.clipValue must be null (a Seq2Seq clips by norm); got ${header.clipValue}`);
  if (header.clipNorm !== clipNorm) throw new RangeError(`${where}: ${paths.model}.clipNorm must equal the saved options' clipNorm ${clipNorm}; got ${header.clipNorm}`);
}
