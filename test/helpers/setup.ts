// Root hooks: instantiate the wasm core (see wasm-path.ts for which one) once for the whole suite.
import { readFile } from "node:fs/promises";
import { init } from "../../bindings/index.js";
import { wasmPath } from "./wasm-path.js";

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await init(await readFile(wasmPath()));
  },
};
