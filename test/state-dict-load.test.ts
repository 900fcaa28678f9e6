// loadStateDict's options: a prefix (DDP's "module.", a parent module's name), a user module's
// submodule names, strict false with PyTorch's missing/unexpected keys, readSafetensors results.
import assert from "node:assert/strict";
import { Model } from "../bindings/model.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { Dense } from "../bindings/layers/dense.js";
import type { Tensor } from "../bindings/tensor.js";

function buildModel(seed: number): Model {
  return new Model({
    layers: [new Embedding({ inputSize: 7, units: 3, seed }), new LSTM({ inputSize: 3, units: 4, seed: seed + 1 }), new Dense({ inputSize: 4, units: 5, seed: seed + 2 })],
    loss: "softmaxCrossEntropy",
  });
}

/** The dict with every key renamed by `rename`. */
function renamed(dict: Record<string, Tensor>, rename: (key: string) => string): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(dict).map(([k, v]) => [rename(k), v]));
}

const SUBMODULES = ["embed", "lstm", "fc"];

/** A model's state dict as a DDP-wrapped user module with submodules embed, lstm, fc saves it. */
function underDdp(dict: Record<string, Tensor>): Record<string, Tensor> {
  return renamed(dict, (k) => `module.${SUBMODULES[Number(k.split(".")[0])]}.${k.split(".").slice(1).join(".")}`);
}

describe("loadStateDict options", () => {
  it("loads a user module's names through `modules` and a wrapper's prefix", () => {
    const source = buildModel(10);
    const target = buildModel(20);
    const user = underDdp(source.stateDict());
    assert.ok("module.lstm.weight_ih_l0" in user);
    const result = target.loadStateDict(user, { prefix: "module.", modules: { embed: 0, lstm: 1, fc: 2 } });
    assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
    assert.deepEqual(target.stateDict(), source.stateDict());
    source.dispose();
    target.dispose();
  });

  it("takes dotted submodule names and picks the longest match", () => {
    const source = buildModel(1);
    const target = buildModel(2);
    const names = ["encoder", "encoder.rnn", "head"];
    const user = renamed(source.stateDict(), (k) => `${names[Number(k.split(".")[0])]}.${k.split(".").slice(1).join(".")}`);
    target.loadStateDict(user, { modules: { encoder: 0, "encoder.rnn": 1, head: 2 } });
    assert.deepEqual(target.stateDict(), source.stateDict());
    source.dispose();
    target.dispose();
  });

  it("accepts what readSafetensors returns ({ tensors, metadata })", () => {
    const source = buildModel(3);
    const target = buildModel(4);
    target.loadStateDict({ tensors: source.stateDict(), metadata: { producer: "torch" } });
    assert.deepEqual(target.stateDict(), source.stateDict());
    source.dispose();
    target.dispose();
  });

  it("strict (default) names the missing, extra or misshapen tensor in the user's spelling and changes nothing", () => {
    const source = buildModel(5);
    const target = buildModel(6);
    const before = target.stateDict();
    const user = underDdp(source.stateDict());
    const options = { prefix: "module.", modules: { embed: 0, lstm: 1, fc: 2 } };
    const { ["module.fc.bias"]: _bias, ...missing } = user;
    assert.throws(() => target.loadStateDict(missing, options), /^RangeError: Model\.loadStateDict: missing key "module\.fc\.bias" \(shape \[5\]\)/);
    assert.throws(() => target.loadStateDict({ ...user, "module.fc.scale": user["module.fc.bias"]! }, options), /unexpected key "module\.fc\.scale"/);
    assert.throws(() => target.loadStateDict({ ...user, "other.weight": user["module.fc.bias"]! }, options), /unexpected key "other\.weight"/);
    assert.throws(() => target.loadStateDict({ ...user, "module.fc.bias": { shape: [4], data: new Float32Array(4) } }, options), /dict\["module\.fc\.bias"\] must have shape \[5\]; got \[4\]/);
    assert.throws(() => target.loadStateDict(user, { ...options, modules: { embed: 0, lstm: 3 } }), /modules\["lstm"\] must be a layer index in \[0, 2\]; got number 3/);
    assert.throws(() => target.loadStateDict(user, { ...options, modules: { embed: 0, lstm: 0 } }), /modules names layer 0 twice/);
    assert.throws(() => target.loadStateDict(user, { ...options, strict: 1 as never }), /strict must be a boolean/);
    assert.throws(() => target.loadStateDict(user, { ...options, prefixes: "x" } as never), /prefixes/);
    assert.deepEqual(target.stateDict(), before);
    source.dispose();
    target.dispose();
  });

  it("strict false loads what matches and reports the rest, as torch's load_state_dict(strict=False)", () => {
    const source = buildModel(7);
    const target = buildModel(8);
    const before = target.stateDict();
    const { ["2.bias"]: _bias, ...partial } = source.stateDict();
    const result = target.loadStateDict({ ...partial, "3.weight": partial["2.weight"]! }, { strict: false });
    assert.deepEqual(result, { missingKeys: ["2.bias"], unexpectedKeys: ["3.weight"] });
    const after = target.stateDict();
    assert.deepEqual(after["2.bias"], before["2.bias"]);
    assert.deepEqual(after["1.weight_hh_l0"], source.stateDict()["1.weight_hh_l0"]);
    assert.throws(() => target.loadStateDict({ "2.bias": { shape: [2], data: new Float32Array(2) } }, { strict: false }), /must have shape \[5\]/);
    source.dispose();
    target.dispose();
  });

  it("a layer loads its part of a bigger dict with a prefix", () => {
    const source = buildModel(9);
    const lstm = new LSTM({ inputSize: 3, units: 4, seed: 99 });
    const user = underDdp(source.stateDict());
    assert.throws(() => lstm.loadStateDict(user, { prefix: "module.lstm." }), /^RangeError: LSTM\.loadStateDict: unexpected key "module\.embed\.weight"/);
    const result = lstm.loadStateDict(user, { prefix: "module.lstm.", strict: false });
    assert.equal(result.missingKeys.length, 0);
    assert.equal(result.unexpectedKeys.length, 3);
    const sub = renamed(source.layers[1]!.stateDict(), (k) => `module.lstm.${k}`);
    assert.deepEqual(lstm.loadStateDict(sub, { prefix: "module.lstm." }), { missingKeys: [], unexpectedKeys: [] });
    assert.deepEqual(lstm.stateDict(), source.layers[1]!.stateDict());
    assert.throws(() => lstm.loadStateDict(new Float32Array(3) as never), /^TypeError: LSTM\.loadStateDict: dict must be an object of tensors by name/);
    lstm.dispose();
    source.dispose();
  });
});
