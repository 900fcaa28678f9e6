// Issue 14's "done when": a TF.js user's first script runs as written. The README's quick start is
// examples/quick-start.ts (imported from "wasm-rnn" there); this checks that the two agree word for
// word and runs the script in Node. test/runtimes-browser.test.ts runs it in Chromium, where it
// also stores the model in IndexedDB.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = new URL("../../", import.meta.url);

/** The script as the README shows it: from its import on, importing the package by name. */
async function quickStartAsReadmeShowsIt(): Promise<string> {
  const source = await readFile(new URL("examples/quick-start.ts", root), "utf8");
  return source.slice(source.indexOf("import {")).replace('"../bindings/index.js"', '"wasm-rnn"');
}

describe("The README's quick start", () => {
  it("is examples/quick-start.ts, word for word", async () => {
    const readme = await readFile(new URL("README.md", root), "utf8");
    const section = readme.slice(readme.indexOf("## Quick start\n"));
    const block = section.slice(section.indexOf("```ts\n") + 6, section.indexOf("```\n", section.indexOf("```ts\n") + 6));
    assert.equal(block, await quickStartAsReadmeShowsIt());
  });

  it("runs in Node: summary, a line per epoch (no terminal), early stopping, accuracy above 0.95", async function () {
    this.timeout(60_000);
    const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(new URL("dist/examples/quick-start.js", root))]);
    assert.match(stdout, /^Layer \(type\) +Output Shape +Param #$/m);
    assert.match(stdout, /^0 \(SimpleRNN\) +\[N, 16\] +304$/m);
    assert.match(stdout, /^Epoch 1\/60 - [\d.]+s - loss: [\d.]+ - accuracy: [\d.]+ - val_loss: [\d.]+ - val_accuracy: [\d.]+$/m);
    const epochs = Number(/^(\d+) epochs, validation accuracy/m.exec(stdout)?.[1]);
    assert.ok(epochs > 5 && epochs < 60, `early stopping after ${epochs} epochs`);
    const accuracy = Number(/^evaluate: \{ loss: [\d.e-]+, accuracy: ([\d.]+) \}$/m.exec(stdout)?.[1]);
    assert.ok(accuracy > 0.95, `accuracy ${accuracy}`);
    assert.match(stdout, /^P\(sum > 0\) of the first sequence: 0\.\d{3}$/m);
  });
});
