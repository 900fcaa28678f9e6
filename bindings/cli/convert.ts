// `wasm-rnn convert IN OUT`: a model from one file format to another, chosen by the file names.
// In: wasm-rnn files (.wrnn, or .safetensors written by Model.save), PyTorch state dicts
// (.safetensors, .pt/.pth: the layers are read off the names and shapes), ONNX (.onnx) and TF.js
// layers models (model.json with its weight files). Out: wasm-rnn files, .onnx, model.json.
import { readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Model } from "../model.js";
import { readSafetensors } from "../formats/safetensors.js";
import { readTorchStateDict } from "../formats/torch.js";
import { toOnnx } from "../formats/onnx-export.js";
import { toTfjs } from "../formats/tfjs-export.js";
import type { TfjsArtifacts } from "../formats/tfjs-types.js";
import type { LossName } from "../losses.js";
import type { SimpleRNNActivation } from "../layers/simple-rnn.js";

/** The formats the converter knows, by what a file name ends with. */
export type FileFormat = "wasm-rnn" | "safetensors" | "torch" | "onnx" | "tfjs";

const ENDINGS: [string, FileFormat][] = [
  [".wrnn", "wasm-rnn"], [".safetensors", "safetensors"], [".pt", "torch"], [".pth", "torch"], [".onnx", "onnx"], [".json", "tfjs"],
];

/** Options of a conversion. */
export interface ConvertOptions {
  /** The loss of a model built from a file that does not record one (state dicts, ONNX, TF.js). */
  loss?: LossName;
  /** nn.RNN's nonlinearity for a state dict (the names and shapes cannot tell). */
  rnnActivation?: SimpleRNNActivation;
  /** A prefix the state dict's keys have and the model's do not ("module."). */
  prefix?: string;
  /** ONNX out: end the graph with a Softmax (softmaxCrossEntropy models). */
  softmax?: boolean;
}

/** The format a path names, or an error listing the known endings. */
export function formatOf(path: string): FileFormat {
  const found = ENDINGS.find(([ending]) => path.toLowerCase().endsWith(ending));
  if (found === undefined) throw new RangeError(`convert: cannot tell the format of "${path}"; expected a name ending in ${ENDINGS.map(([e]) => e).join(", ")}`);
  return found[1];
}

/** A TF.js model.json and the weight files its manifest names (beside it), as ModelArtifacts. */
async function readTfjsFiles(path: string): Promise<TfjsArtifacts> {
  const json = JSON.parse(await readFile(path, "utf8")) as { modelTopology: unknown; weightsManifest?: { paths: string[]; weights: TfjsArtifacts["weightSpecs"] }[]; format?: string };
  const manifest = json.weightsManifest ?? [];
  const parts = await Promise.all(manifest.flatMap((group) => group.paths.map((p) => readFile(join(dirname(path), p)))));
  const weightData = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    weightData.set(p, offset);
    offset += p.length;
  }
  return { ...json, weightSpecs: manifest.flatMap((g) => g.weights), weightData: weightData.buffer } as TfjsArtifacts;
}

/** Reads a model from `path` in the format its name says. */
export async function readModelFile(path: string, options: ConvertOptions): Promise<Model> {
  const format = formatOf(path);
  if (format === "tfjs") return Model.fromTfjs(await readTfjsFiles(path), options.loss === undefined ? {} : { loss: options.loss });
  const bytes = new Uint8Array(await readFile(path));
  const built = { loss: options.loss ?? "meanSquaredError", ...(options.rnnActivation === undefined ? {} : { rnnActivation: options.rnnActivation }), ...(options.prefix === undefined ? {} : { prefix: options.prefix }) };
  switch (format) {
    case "wasm-rnn": return Model.load(bytes);
    case "onnx": return Model.fromOnnx(bytes, options.loss === undefined ? {} : { loss: options.loss });
    case "torch": return Model.fromStateDict(readTorchStateDict(bytes), built);
    case "safetensors": {
      const file = readSafetensors(bytes);
      return file.metadata.format === "wasm-rnn" ? Model.load(bytes) : Model.fromStateDict(file, built);
    }
  }
}

/** The format to write `path` in, or an error for a name the converter cannot write (before anything is read). */
export function writableFormat(path: string): Exclude<FileFormat, "torch"> {
  const format = formatOf(path);
  if (format === "torch") {
    throw new RangeError("convert: PyTorch .pt files are read only (writing one means writing a pickle); write .safetensors, which PyTorch reads with safetensors.torch.load_file");
  }
  return format;
}

/** Writes `model` to `path` in the format its name says; returns the files written. */
export async function writeModelFile(model: Model, path: string, options: ConvertOptions): Promise<string[]> {
  switch (writableFormat(path)) {
    case "wasm-rnn":
    case "safetensors":
      await writeFile(path, model.save({ includeOptimizer: false }));
      return [path];
    case "onnx":
      await writeFile(path, toOnnx(model, options.softmax === undefined ? {} : { softmax: options.softmax }));
      return [path];
    case "tfjs": {
      const { weightData, weightSpecs, ...rest } = toTfjs(model);
      const weights = `${basename(path, ".json")}.weights.bin`;
      await writeFile(path, JSON.stringify({ ...rest, weightsManifest: [{ paths: [weights], weights: weightSpecs }] }));
      await writeFile(join(dirname(path), weights), new Uint8Array(weightData));
      return [path, join(dirname(path), weights)];
    }
  }
}
