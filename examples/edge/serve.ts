// Runs the edge example locally in the real Workers runtime (workerd, through Miniflare) on
// http://127.0.0.1:8787 until Ctrl-C. After `npm run build`:
//   node dist/examples/edge/serve.js [port] [model.wrnn]   (default: examples/edge/model.wrnn)
//   curl http://127.0.0.1:8787/
//   curl -X POST http://127.0.0.1:8787/suggest -d '{"prefix": "jo"}'
import { Miniflare } from "miniflare";
import { bundleWorker, COMPATIBILITY_DATE } from "./build.js";

const port = Number(process.argv[2] ?? 8787);
const bundle = await bundleWorker(process.argv[3] === undefined ? {} : { modelPath: process.argv[3] });
const mf = new Miniflare({ modules: bundle.modules, compatibilityDate: COMPATIBILITY_DATE, host: "127.0.0.1", port });
const url = await mf.ready;
console.log(`worker: ${bundle.sizes.script} bytes of script, ${bundle.sizes.wasm} bytes of wasm, ${bundle.sizes.model} bytes of model`);
console.log(`listening on ${url.href} (Ctrl-C stops)`);
console.log(`  curl ${url.href}`);
console.log(`  curl -X POST ${url.href}suggest -d '{"prefix": "jo"}'`);
const stop = (): void => {
  void mf.dispose().then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
