// Every error names the public function the user called and the argument: no internal helper's
// name (readSafetensors inside Model.load, Model.loadStateDict inside Model.fromStateDict, SGD
// inside optimizerFromConfig, ParameterArena inside a layer), no raw JavaScript or wasm message.
import assert from "node:assert/strict";
import { Model } from "../bindings/model.js";
import { Seq2Seq } from "../bindings/seq2seq/seq2seq.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { Dense } from "../bindings/layers/dense.js";
import { Adam, optimizerFromConfig, type OptimizerConfig, type OptimizerState } from "../bindings/optimizers.js";
import { ParameterArena, type ParameterSpec } from "../bindings/arena.js";
import type { Tensor } from "../bindings/tensor.js";

/** What no message may hold: internal helpers, raw JavaScript errors, wasm traps. */
const LEAKS = /readSafetensors|optimizerFromConfig|layerFromConfig|loadStateDict|lossOnPointers|stageIds|Rng\.fill|Cannot read|Cannot convert|is not a function|is not iterable|Unexpected token|SyntaxError|RuntimeError|unreachable|out of bounds/;

/** Asserts that `error` is an Error starting with `where: ` that leaks nothing. */
function checkRefusal(where: string, error: unknown): asserts error is Error {
  assert.ok(error instanceof Error, `${where}: threw ${String(error)}`);
  assert.ok(error.message.startsWith(`${where}: `), `${where}: the message does not start with the function's name: ${String(error)}`);
  assert.doesNotMatch(error.message.slice(where.length), LEAKS, `${where}: the message leaks an internal name: ${error.message}`);
}

/** The error `call` throws, checked by checkRefusal. */
function refusal(where: string, call: () => unknown): Error {
  try {
    call();
  } catch (e) {
    checkRefusal(where, e);
    return e;
  }
  assert.fail(`${where}: did not throw`);
}

const V = 6;

function languageModel(): Model {
  return new Model({
    layers: [new Embedding({ inputSize: V, units: 3, seed: 1 }), new LSTM({ inputSize: 3, units: 4, seed: 2 }), new Dense({ inputSize: 4, units: V, seed: 3 })],
    loss: "softmaxCrossEntropy",
  });
}

function poisoned(dict: Record<string, Tensor>, name: string): Record<string, Tensor> {
  const t = dict[name]!;
  return { ...dict, [name]: { shape: t.shape, data: t.data.map((v, i) => (i === 1 ? NaN : v)) } };
}

const SPECS: ParameterSpec[] = [{ name: "w", shape: [2, 3] }];

/** Calls and the error each must give: the public function named, the argument, expected vs got. */
const CASES: [string, string, (context: { model: Model; arena: ParameterArena }) => unknown, ErrorConstructor, RegExp][] = [
  ["a hyperparameter of a config", "optimizerFromConfig", () => optimizerFromConfig({ type: "SGD", lr: "x" } as never), TypeError, /config\.lr must be a number >= 0 or a schedule such as exponentialDecay\(\{ \.\.\. \}\); got "x"$/],
  ["an unknown key of a config", "optimizerFromConfig", () => optimizerFromConfig({ type: "Adam", foo: 1 } as never), TypeError, /config: unknown option "foo"; expected one of lr, beta1, beta2, eps, weightDecay$/],
  ["a config that is an array", "optimizerFromConfig", () => optimizerFromConfig([] as never), TypeError, /config must be an object \{ type, \.\.\.hyperparameters \}; got an array of length 0$/],
  ["a non-finite value in a state dict", "Model.fromStateDict", ({ model }) => Model.fromStateDict(poisoned(model.stateDict(), "1.weight_hh_l0"), { loss: "softmaxCrossEntropy" }), RangeError, /dict\["1\.weight_hh_l0"\] must be finite; got NaN at flat index 1$/],
  ["a bad loss for a state dict", "Model.fromStateDict", ({ model }) => Model.fromStateDict(model.stateDict(), { loss: "hinge" as never }), TypeError, /loss must be one of/],
  ["no options for a state dict", "Model.fromStateDict", ({ model }) => Model.fromStateDict(model.stateDict(), undefined as never), TypeError, /options \{ loss \} are required/],
  ["three bytes as a model file", "Model.load", () => Model.load(new Uint8Array(3)), RangeError, /not a wasm-rnn model file: the file has 3 bytes; expected at least 8/],
  ["a header length past the end", "Model.load", () => Model.load(Uint8Array.from([200, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d])), RangeError, /not a wasm-rnn model file: the header length 200 goes past the end of the file/],
  ["three bytes as a Seq2Seq file", "Seq2Seq.load", () => Seq2Seq.load(new Uint8Array(3)), RangeError, /not a wasm-rnn model file: the file has 3 bytes/],
  ["a Model file as a Seq2Seq file", "Seq2Seq.load", ({ model }) => Seq2Seq.load(model.save()), RangeError, /the bytes hold a wasm-rnn model that is not a Seq2Seq \(load it with Model\.load\)$/],
  ["a Seq2Seq file as a Model file", "Model.load", () => {
    const s2s = new Seq2Seq({ sourceVocabSize: 4, targetVocabSize: 4, units: 2 });
    const bytes = s2s.save();
    s2s.dispose();
    return Model.load(bytes);
  }, RangeError, /the bytes hold a Seq2Seq model \(load it with Seq2Seq\.load\)$/],
  ["specs that are not an array", "ParameterArena", () => new ParameterArena(undefined as never), TypeError, /specs must be an array of \{ name, shape \}; got undefined undefined$/],
  ["a spec without a name", "ParameterArena", () => new ParameterArena([{ shape: [2] }] as never), TypeError, /specs\[0\]\.name must be a string; got undefined undefined$/],
  ["a spec with a fractional size", "ParameterArena", () => new ParameterArena([{ name: "w", shape: [1.5] }]), TypeError, /specs\[0\]\.shape must be an array of non-negative integers/],
  ["a name twice", "ParameterArena", () => new ParameterArena([...SPECS, ...SPECS]), RangeError, /duplicate parameter name "w"$/],
  ["an unknown parameter", "ParameterArena.entry", ({ arena }) => arena.entry("v"), RangeError, /name must be one of "w"; got "v"$/],
  ["a symbol as a name", "ParameterArena.paramView", ({ arena }) => arena.paramView(Symbol("w") as never), RangeError, /name must be one of "w"; got symbol Symbol\(w\)$/],
  ["packed values of the wrong size", "ParameterArena.setPackedParams", ({ arena }) => arena.setPackedParams(new Float32Array(2)), RangeError, /values must hold 6 floats; got 2$/],
  ["a block that is no Float32Array", "ParameterArena.pack", ({ arena }) => arena.pack([1, 2] as never), TypeError, /block must be a Float32Array; got an array of length 2$/],
  ["an unpack target of the wrong size", "ParameterArena.unpack", ({ arena }) => arena.unpack(new Float32Array(6), new Float32Array(1)), RangeError, /into must hold 8 floats; got 1$/],
  ["an unknown parameter of a layer in a model", "LSTM.paramView", ({ model }) => model.layers[1]!.paramView("1.weight_ih_l0"), TypeError, /name must be one of "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"; got "1\.weight_ih_l0"$/],
  ["state that is no object", "Adam.importState", ({ model }) => model.optimizer.importState(undefined as never), TypeError, /state must be an object \{ iterations, buffers \}; got undefined undefined$/],
  ["buffers that are null", "Adam.importState", ({ model }) => model.optimizer.importState({ iterations: 0, buffers: null } as never), TypeError, /state\.buffers must be an object of Float32Arrays by name; got null$/],
  ["a non-finite moment", "Adam.importState", ({ model }) => {
    const state: OptimizerState = model.optimizer.exportState();
    state.buffers.exp_avg_sq![3] = Infinity;
    model.optimizer.importState(state);
  }, RangeError, /state buffer "exp_avg_sq" must be finite; got Infinity at index 3$/],
  ["the state of an unbound optimizer", "Adam.exportState", () => new Adam().exportState(), Error, /bind the optimizer to an arena first$/],
  ["a function as the optimizer of a Model", "Model", () => new Model({ layers: [new Dense({ inputSize: 2, units: 2, seed: 1 })], loss: "meanSquaredError", optimizer: (() => 1) as never }), TypeError, /optimizer must be an optimizer such as new Adam\(\); got function/],
  ["a function as the optimizer of a Seq2Seq", "Seq2Seq", () => new Seq2Seq({ sourceVocabSize: 4, targetVocabSize: 4, units: 2, optimizer: (() => 1) as never }), TypeError, /optimizer must be an optimizer such as new Adam\(\); got function/],
];

/** Values a hostile caller passes where an argument is expected. */
const HOSTILE: [string, unknown][] = [
  ["undefined", undefined], ["null", null], ["0", 0], ["NaN", NaN], ["a string", "x"], ["an empty object", {}], ["an array", []],
  ["a nested array", [[]]], ["true", true], ["a function", () => 1], ["a symbol", Symbol("s")], ["bytes", new Uint8Array(3)],
  ["a tensor without a Float32Array", { shape: [1], data: 1 }],
];

/** Entries that take one argument, and the public name their errors must start with. */
const ENTRIES: [string, (context: { model: Model; arena: ParameterArena }, value: unknown) => unknown][] = [
  ["optimizerFromConfig", (_, v) => optimizerFromConfig(v as OptimizerConfig)],
  ["Model.load", (_, v) => Model.load(v as Uint8Array)],
  ["Seq2Seq.load", (_, v) => Seq2Seq.load(v as Uint8Array)],
  ["ParameterArena", (_, v) => new ParameterArena(v as ParameterSpec[]).dispose()],
  ["ParameterArena.entry", ({ arena }, v) => arena.entry(v as string)],
  ["ParameterArena.gradView", ({ arena }, v) => arena.gradView(v as string)],
  ["ParameterArena.paramPtr", ({ arena }, v) => arena.paramPtr(v as string)],
  ["ParameterArena.setPackedParams", ({ arena }, v) => arena.setPackedParams(v as Float32Array)],
  ["ParameterArena.pack", ({ arena }, v) => arena.pack(v as Float32Array)],
  ["ParameterArena.unpack", ({ arena }, v) => arena.unpack(v as Float32Array)],
  ["Embedding.paramView", ({ model }, v) => model.layers[0]!.paramView(v as string)],
  ["Adam.importState", ({ model }, v) => model.optimizer.importState(v as OptimizerState)],
  ["Adam.importState", ({ model }, v) => model.optimizer.importState({ iterations: 0, buffers: v } as OptimizerState)],
  ["Adam.importState", ({ model }, v) => model.optimizer.importState({ iterations: v, buffers: model.optimizer.exportState().buffers } as OptimizerState)],
];

describe("errors name the public function and the argument", () => {
  const context = {} as { model: Model; arena: ParameterArena };

  before(() => {
    context.model = languageModel();
    context.arena = new ParameterArena(SPECS);
  });

  after(() => {
    context.model.dispose();
    context.arena.dispose();
  });

  for (const [what, where, call, type, message] of CASES) {
    it(`${where}: ${what}`, () => {
      const error = refusal(where, () => call(context));
      assert.ok(error instanceof type, `${where}: expected a ${type.name}; got ${String(error)}`);
      assert.match(error.message, message);
    });
  }

  for (const [where, call] of ENTRIES) {
    it(`${where} with hostile arguments: a result, or a TypeError or RangeError naming it`, () => {
      for (const [what, value] of HOSTILE) {
        try {
          call(context, value);
        } catch (e) {
          checkRefusal(where, e);
          assert.ok(e instanceof TypeError || e instanceof RangeError, `${where} with ${what}: ${String(e)}`);
        }
      }
    });
  }
});
