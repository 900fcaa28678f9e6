// The entry for Cloudflare Workers (workerd) and other worker runtimes, chosen by the "workerd" and
// "worker" conditions of package.json "exports". These runtimes forbid compiling wasm from bytes
// at run time, so the core arrives as a WebAssembly.Module that the bundler compiled at deploy time
// (`import mod from "./x.wasm"`, the pattern xxhash-wasm uses). Everything else is the same
// bindings code as in Node and browsers.
import wasmModule from "../../build/release.wasm";
import { init as initCore, isInitialized, type InitSource } from "./core.js";

export * from "./index.js";

/**
 * Instantiates the wasm core, as `init` of the main entry, except that without a source it uses the
 * precompiled module imported above (the plain SIMD build, build/release.wasm) instead of fetching
 * the binary: no compilation from bytes, no `fetch`, no `import.meta.url`. Later calls without a
 * source do nothing; a call with a source replaces the core.
 */
export async function init(source?: InitSource): Promise<void> {
  if (source !== undefined) return initCore(source);
  if (isInitialized()) return;
  return initCore(wasmModule);
}
