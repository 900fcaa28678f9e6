// Bundles the edge example for workerd with esbuild, as wrangler would: "wasm-rnn" resolves
// through package.json "exports" under the "workerd" / "worker" conditions, and the two binary
// imports stay separate modules: *.wasm as a CompiledWasm module (workerd compiles it when the
// Worker loads; the code gets a WebAssembly.Module) and *.wrnn as a Data module (an ArrayBuffer).
// Used by serve.ts and by test/runtimes-edge.test.ts.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

/** The repository root, from this file's compiled place (dist/examples/edge/). */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The Workers compatibility date the example is tested with (workerd from miniflare supports it). */
export const COMPATIBILITY_DATE = "2026-04-01";

/** One module of the Worker, as Miniflare's `modules` option (and a Workers upload) takes it. */
export interface WorkerModule {
  type: "ESModule" | "CompiledWasm" | "Data";
  path: string;
  contents: string | Uint8Array;
}

export interface BundleOptions {
  /** The wasm core to ship instead of the one the workerd entry imports (build/release.wasm). */
  wasmPath?: string;
  /** The saved model to ship instead of examples/edge/model.wrnn. */
  modelPath?: string;
}

export interface Bundle {
  modules: WorkerModule[];
  /** Sizes in bytes of the script, the wasm core and the model. */
  sizes: { script: number; wasm: number; model: number };
  /** The files the wasm core and the model were read from. */
  files: { wasm: string; model: string };
}

/**
 * The file an asset import names. tsc does not copy assets into dist/, so an import from a compiled
 * file under dist/ that names a missing file is looked up at the same place in the source tree.
 */
function assetFile(importer: string, specifier: string): string {
  const file = resolve(dirname(importer), specifier);
  if (existsSync(file)) return file;
  const fromDist = relative(resolve(ROOT, "dist"), file);
  const source = resolve(ROOT, fromDist);
  if (!fromDist.startsWith("..") && existsSync(source)) return source;
  throw new Error(`edge bundle: ${specifier} imported by ${importer} not found (looked at ${file}${fromDist.startsWith("..") ? "" : ` and ${source}`})`);
}

/** Bundles dist/examples/edge/worker.js (built by `tsc`) and its wasm core and model. */
export async function bundleWorker(options: BundleOptions = {}): Promise<Bundle> {
  const entry = resolve(ROOT, "dist", "examples", "edge", "worker.js");
  if (!existsSync(entry)) throw new Error(`edge bundle: ${entry} is missing; run \`npm run build\` first`);
  const assets = new Map<string, { type: "CompiledWasm" | "Data"; file: string }>();
  const assetsPlugin: Plugin = {
    name: "workerd-assets",
    setup(b) {
      b.onResolve({ filter: /\.(wasm|wrnn)$/ }, (args) => {
        const file = assetFile(args.importer, args.path);
        const name = basename(file);
        const type = name.endsWith(".wasm") ? "CompiledWasm" : "Data";
        const seen = assets.get(name);
        if (seen !== undefined && seen.file !== file) throw new Error(`edge bundle: two assets named ${name}: ${seen.file} and ${file}`);
        assets.set(name, { type, file });
        return { path: `./${name}`, external: true };
      });
    },
  };
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    // The core's Node-only branch (reading the .wasm file) is never taken in a Worker.
    external: ["node:*"],
    plugins: [assetsPlugin],
    logLevel: "silent",
  });
  const script = result.outputFiles[0]!.text;
  const modules: WorkerModule[] = [{ type: "ESModule", path: "worker.js", contents: script }];
  const sizes = { script: Buffer.byteLength(script), wasm: 0, model: 0 };
  const files = { wasm: "", model: "" };
  for (const [name, { type, file }] of assets) {
    const kind = type === "CompiledWasm" ? "wasm" : "model";
    const path = (kind === "wasm" ? options.wasmPath : options.modelPath) ?? file;
    const contents = readFileSync(path);
    modules.push({ type, path: name, contents });
    sizes[kind] += contents.length;
    files[kind] = path;
  }
  if (files.wasm === "") throw new Error(`edge bundle: no .wasm import was bundled; "wasm-rnn" did not resolve to its workerd entry (${join("dist", "bindings", "workerd.js")})`);
  if (files.model === "") throw new Error("edge bundle: the worker imports no .wrnn model");
  return { modules, sizes, files };
}
