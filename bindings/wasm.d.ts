// Imports of .wasm files, as Cloudflare Workers (workerd) and their bundlers (wrangler, esbuild with a
// CompiledWasm rule) provide them: the default export is the precompiled WebAssembly.Module.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
