// The entry for Cloudflare Workers (workerd) and other worker runtimes, chosen by the "workerd" and
// "worker" conditions of package.json "exports". These runtimes forbid compiling wasm from bytes
// at run time, so the core arrives as a WebAssembly.Module that the bundler compiled at deploy time
// (`import mod from "./x.wasm"`, the pattern xxhash-wasm uses). Everything else is the same
// bindings code as in Node and browsers.
import wasmModule from "../../build/release.wasm";
import { init as initCore, isInitialized, isInitOptions, type InitOptions, type InitSource } from "./core.js";

export * from "./index.js";

/**
 * Instantiates the wasm core, as `init` of the main entry, except that without a source it uses the
 * precompiled module imported above (the plain SIMD build, build/release.wasm) instead of fetching
 * the binary: no compilation from bytes, no `fetch`, no `import.meta.url`. Later calls without a
 * source do nothing; a call with a source replaces the core. These runtimes have no shared memory:
 * `threads` above 1 runs its slices on the main thread (see InitOptions).
 */
export async function init(arg?: InitSource | InitOptions): Promise<void> {
  const options: InitOptions = isInitOptions(arg) ? arg : { source: arg };
  if (options.source !== undefined) return initCore(arg);
  if (isInitialized() && options.threads === undefined) return;
  return initCore({ ...options, source: wasmModule });
}
