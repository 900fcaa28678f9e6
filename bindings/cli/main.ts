#!/usr/bin/env node
// The wasm-rnn command line: `npx wasm-rnn convert IN OUT [options]`.
import { readFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { init } from "../core.js";
import { LOSS_NAMES } from "../losses.js";
import { readModelFile, writableFormat, writeModelFile, type ConvertOptions } from "./convert.js";

/** Collects repeated `key=value` options. */
function collectPairs(value: string, previous: [string, string][]): [string, string][] {
  const at = value.indexOf("=");
  if (at <= 0) throw new RangeError(`--metadata takes key=file.json; got "${value}"`);
  return [...previous, [value.slice(0, at), value.slice(at + 1)]];
}

const program = new Command("wasm-rnn").description("wasm-rnn command-line tools").showHelpAfterError();

program.command("convert")
  .description("convert a model between formats, chosen by the file names: .wrnn/.safetensors (wasm-rnn files, or PyTorch state dicts in), .pt/.pth (PyTorch state dicts, in only), .onnx, model.json (TF.js layers model)")
  .argument("<input>", "the model file to read")
  .argument("<output>", "the file to write")
  .addOption(new Option("--loss <name>", "loss of a model built from a file that records none").choices([...LOSS_NAMES]))
  .addOption(new Option("--rnn-activation <name>", "nn.RNN's nonlinearity for a PyTorch state dict").choices(["tanh", "relu"]))
  .option("--prefix <prefix>", "a prefix of every state-dict key that the model's names lack (e.g. module.)")
  .option("--softmax", "ONNX out: end the graph with a Softmax")
  .option("--metadata <key=file.json>", "store a JSON file in the model's metadata under key (repeatable), e.g. vocabulary=vocabulary.json", collectPairs, [])
  .action(async (input: string, output: string, options: ConvertOptions & { metadata: [string, string][] }) => {
    writableFormat(output);
    await init();
    const model = await readModelFile(input, options);
    try {
      for (const [key, file] of options.metadata) model.metadata[key] = JSON.parse(await readFile(file, "utf8"));
      const written = await writeModelFile(model, output, options);
      console.log(`${input} -> ${written.join(", ")}: ${model.layers.map((l) => l.constructor.name).join(" -> ")}, ${model.parameterCount} parameters`);
    } finally {
      model.dispose();
    }
  });

try {
  await program.parseAsync();
} catch (e) {
  console.error(`wasm-rnn: ${(e as Error).message}`);
  process.exitCode = 1;
}
