// Node-only helpers ("wasm-rnn/node"): models to and from files. The main entry never touches fs.
import { readFile, writeFile } from "node:fs/promises";
import { Model } from "./model.js";

/** Writes `model.save()` to a file. */
export async function saveModelFile(model: Model, path: string | URL): Promise<void> {
  await writeFile(path, model.save());
}

/** Reads a file written by `saveModelFile` and rebuilds the model (call `init()` first). */
export async function loadModelFile(path: string | URL): Promise<Model> {
  return Model.load(new Uint8Array(await readFile(path)));
}
