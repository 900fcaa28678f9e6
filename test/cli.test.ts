// `wasm-rnn convert IN OUT` (bindings/cli/main.ts) run as a user runs it, in a child process:
// PyTorch .pt -> wasm-rnn file -> TF.js model.json -> ONNX -> wasm-rnn file, the same predictions
// at every stop, and clear errors for what a format cannot hold.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Model } from "../bindings/model.js";
import { readTorchStateDict } from "../bindings/formats/torch.js";
import type { Tensor } from "../bindings/tensor.js";
import { fixtureBytes, interop } from "./helpers/interop.js";

const CLI = "dist/bindings/cli/main.js";
const run = promisify(execFile);

/** Runs the converter; resolves to its stdout, or rejects with its exit code and stderr. */
async function convert(...args: string[]): Promise<string> {
  return (await run(process.execPath, [CLI, "convert", ...args])).stdout;
}

/** Runs the converter expecting it to fail; returns stderr. */
async function convertFails(...args: string[]): Promise<string> {
  try {
    await convert(...args);
  } catch (e) {
    const { code, stderr } = e as { code: number; stderr: string };
    assert.equal(code, 1);
    return stderr;
  }
  throw new Error(`convert ${args.join(" ")} succeeded; expected an error`);
}

describe("wasm-rnn convert", function () {
  this.timeout(60000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wasm-rnn-cli-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const m = interop.modules.ddp_embed_lstm_linear!;
  const x = { shape: m.input.shape, data: Int32Array.from(m.input.data) };
  const predictionOf = async (path: string): Promise<Tensor> => {
    const model = Model.load(new Uint8Array(await readFile(path)));
    try {
      return model.predict(x);
    } finally {
      model.dispose();
    }
  };

  it("carries a PyTorch .pt through wasm-rnn, TF.js and ONNX files with the same predictions", async () => {
    const pt = join(dir, "ddp.pt");
    await writeFile(pt, fixtureBytes(m.files.pt));
    await writeFile(join(dir, "vocab.json"), JSON.stringify({ tokens: ["a", "b"] }));
    const out = await convert(pt, join(dir, "a.wrnn"), "--loss", "softmaxCrossEntropy", "--metadata", `vocabulary=${join(dir, "vocab.json")}`);
    assert.match(out, /a\.wrnn: Embedding -> LSTM -> Dense, \d+ parameters/);
    const direct = Model.fromStateDict(readTorchStateDict(fixtureBytes(m.files.pt)), { loss: "softmaxCrossEntropy" });
    const expected = direct.predict(x);
    direct.dispose();
    const first = Model.load(new Uint8Array(await readFile(join(dir, "a.wrnn"))));
    assert.deepEqual(first.metadata, { vocabulary: { tokens: ["a", "b"] } });
    assert.equal(first.loss, "softmaxCrossEntropy");
    first.dispose();
    assert.deepEqual(await predictionOf(join(dir, "a.wrnn")), expected);

    const written = await convert(join(dir, "a.wrnn"), join(dir, "model.json"));
    assert.match(written, /model\.json, .*model\.weights\.bin/);
    await convert(join(dir, "model.json"), join(dir, "b.safetensors"));
    await convert(join(dir, "b.safetensors"), join(dir, "c.onnx"));
    await convert(join(dir, "c.onnx"), join(dir, "d.wrnn"));
    for (const file of ["b.safetensors", "d.wrnn"]) {
      const got = await predictionOf(join(dir, file));
      assert.deepEqual(got.shape, expected.shape);
      got.data.forEach((v, i) => assert.ok(Math.abs(v - expected.data[i]!) <= 1e-5 * Math.abs(expected.data[i]!) + 1e-6, `${file}: output ${i}`));
    }
  });

  it("refuses what a format cannot hold before reading anything, and names unknown endings", async () => {
    assert.match(await convertFails(join(dir, "missing.wrnn"), join(dir, "out.pt")), /^wasm-rnn: convert: PyTorch \.pt files are read only/);
    assert.match(await convertFails(join(dir, "missing.wrnn"), join(dir, "out.h5")), /cannot tell the format of ".*out\.h5"; expected a name ending in \.wrnn, \.safetensors, \.pt, \.pth, \.onnx, \.json/);
    const hostile = join(dir, "hostile.pt");
    await writeFile(hostile, fixtureBytes("hostile_os_system.pt"));
    assert.match(await convertFails(hostile, join(dir, "out.wrnn")), /^wasm-rnn: readTorchStateDict: .*os/);
    assert.match(await convertFails(join(dir, "a.wrnn"), join(dir, "x.wrnn"), "--metadata", "novalue"), /--metadata takes key=file\.json; got "novalue"/);
    const gru = join(dir, "gru.pt");
    await writeFile(gru, fixtureBytes(interop.modules.sequential!.files.pt));
    assert.match(await convertFails(gru, join(dir, "gru.json")), /^wasm-rnn: toTfjs: layers\[1\] \(GRU\) has resetAfter true; TF\.js 4\.22 does not implement reset_after/);
  });
});
