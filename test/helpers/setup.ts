// Root hooks: instantiate the wasm core once for the whole suite. WASM_RNN_BUILD=debug selects
// the build with runtime assertions; WASM_RNN_WASM names any other .wasm file.
import { readFile } from "node:fs/promises";
import { init } from "../../bindings/index.js";

const root = new URL("../../../", import.meta.url);

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    const path = process.env.WASM_RNN_WASM
      ?? new URL(`build/${process.env.WASM_RNN_BUILD === "debug" ? "debug" : "release"}.wasm`, root);
    await init(await readFile(path));
  },
};
