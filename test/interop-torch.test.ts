// PyTorch modules brought in through their saved state dicts (test/fixtures/gen_interop.py: real
// torch.save .pt files and safetensors files of nn.LSTM, nn.GRU, nn.RNN(relu), a DDP-wrapped user
// module and an nn.Sequential-numbered one) give PyTorch's outputs (float64 from the same float32
// weights) within 1e-5 relative: built from the names and shapes alone (Model.fromStateDict), and
// into layers the user built (Model.loadStateDict with the module's submodule names).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Model } from "../bindings/model.js";
import { readTorchStateDict } from "../bindings/formats/torch.js";
import { readSafetensors } from "../bindings/formats/safetensors.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { GRU } from "../bindings/layers/gru.js";
import { SimpleRNN } from "../bindings/layers/simple-rnn.js";
import { Dense } from "../bindings/layers/dense.js";
import type { Layer } from "../bindings/layers/layer.js";
import type { RecurrentLayer } from "../bindings/layers/recurrent.js";
import type { Tensor } from "../bindings/tensor.js";
import { interop, type FixtureLayer, type FixtureTensor, type ModuleFixture } from "./helpers/interop.js";

const DIR = "test/fixtures/interop/";

/** |a - b| <= 1e-5 |b| + 1e-6 everywhere. */
function assertClose(actual: Tensor, expected: FixtureTensor, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what} shape`);
  let worst = 0;
  expected.data.forEach((e, i) => {
    worst = Math.max(worst, Math.abs(actual.data[i]! - e) / (1e-5 * Math.abs(e) + 1e-6));
  });
  assert.ok(worst <= 1, `${what}: off by ${worst.toFixed(2)} x the tolerance`);
}

/** The wasm-rnn layer a fixture layer describes, as a user would write it. */
function userLayer({ type, options: o }: FixtureLayer): Layer {
  const recurrent = { inputSize: o.inputSize as number, units: o.hiddenSize as number, numLayers: o.numLayers as number, bidirectional: o.bidirectional as boolean };
  switch (type) {
    case "Embedding": return new Embedding({ inputSize: o.numEmbeddings as number, units: o.embeddingDim as number });
    case "LSTM": return new LSTM(recurrent);
    case "GRU": return new GRU(recurrent);
    case "RNN": return new SimpleRNN({ ...recurrent, activation: o.nonlinearity as "tanh" | "relu" });
    case "Linear": return new Dense({ inputSize: o.inFeatures as number, units: o.outFeatures as number });
  }
}

/** Checks the model's outputs (and, for a lone recurrent module, its final states) against PyTorch's. */
function checkOutputs(model: Model, m: ModuleFixture, what: string): void {
  const x = m.input.kind === "ids" ? { shape: m.input.shape, data: Int32Array.from(m.input.data) } : { shape: m.input.shape, data: Float32Array.from(m.input.data) };
  assertClose(model.predict(x), m.outputs.output!, `${what} output`);
  if (model.layers.length !== 1) return;
  const { state } = (model.layers[0] as RecurrentLayer).forward(x as Tensor);
  assertClose(state.h!, m.outputs.h_n!, `${what} h_n`);
  if (m.outputs.c_n !== undefined) assertClose(state.c!, m.outputs.c_n, `${what} c_n`);
}

describe("PyTorch state dicts into models", () => {
  for (const [name, m] of Object.entries(interop.modules)) {
    const rnnActivation = m.layers.find((l) => l.type === "RNN")?.options.nonlinearity as "tanh" | "relu" | undefined;
    const options = { loss: "meanSquaredError" as const, ...(rnnActivation === undefined ? {} : { rnnActivation }) };

    it(`${name}: the .pt file (torch.save) built from its names and shapes matches PyTorch`, () => {
      const model = Model.fromStateDict(readTorchStateDict(new Uint8Array(readFileSync(DIR + m.files.pt))), options);
      assert.deepEqual(model.layers.map((l) => l.constructor.name), m.layers.map((l) => ({ RNN: "SimpleRNN", Linear: "Dense" } as Record<string, string>)[l.type] ?? l.type));
      checkOutputs(model, m, ".pt");
      model.dispose();
    });

    it(`${name}: the safetensors file into the user's own layers matches PyTorch`, () => {
      const file = readSafetensors(new Uint8Array(readFileSync(DIR + m.files.safetensors)));
      const model = new Model({ layers: m.layers.map(userLayer), loss: "meanSquaredError" });
      const modules = Object.fromEntries(m.layers.map((l, i) => [l.prefix.replace(/\.$/, ""), i]));
      assert.deepEqual(model.loadStateDict(file, { prefix: m.keyPrefix, modules }), { missingKeys: [], unexpectedKeys: [] });
      checkOutputs(model, m, "safetensors");
      const built = Model.fromStateDict(file, { ...options, prefix: m.keyPrefix });
      assert.deepEqual(built.stateDict(), model.stateDict());
      built.dispose();
      model.dispose();
    });
  }

  it("a state dict no layer fits is refused naming the submodule", () => {
    const dict = { "norm.weight": { shape: [3], data: new Float32Array(3) }, "norm.bias": { shape: [3], data: new Float32Array(3) } };
    assert.throws(() => Model.fromStateDict(dict, { loss: "meanSquaredError" }), /^RangeError: Model\.fromStateDict: submodule "norm" needs a 2-D "weight"; got \[3\]/);
    const odd = { "rnn.weight_ih_l0": { shape: [10, 3], data: new Float32Array(30) }, "rnn.weight_hh_l0": { shape: [10, 5], data: new Float32Array(50) } };
    assert.throws(() => Model.fromStateDict(odd, { loss: "meanSquaredError" }), /submodule "rnn": weight_ih_l0 has 10 rows for 5 units; expected 4, 3 or 1 blocks/);
    assert.throws(() => Model.fromStateDict({ "module.fc.weight": { shape: [2, 2], data: new Float32Array(4) } }, { loss: "meanSquaredError", prefix: "model." }), /key "module\.fc\.weight" does not start with the prefix "model\."/);
  });
});
