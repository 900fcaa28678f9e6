// The core binary the tests and benchmarks load: build/release.wasm, build/debug.wasm with
// WASM_RNN_BUILD=debug (runtime assertions on), or any file named by WASM_RNN_WASM.
import { fileURLToPath } from "node:url";

/** The file path of the core binary to load (dist/test/helpers/ -> build/). */
export function wasmPath(): string {
  return process.env.WASM_RNN_WASM
    ?? fileURLToPath(new URL(`../../../build/${process.env.WASM_RNN_BUILD === "debug" ? "debug" : "release"}.wasm`, import.meta.url));
}
