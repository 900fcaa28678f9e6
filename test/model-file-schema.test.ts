// Model.load and Seq2Seq.load check a file's whole header against its schema before building
// anything, even when the checksum is valid (a hand-edited file, a buggy writer): every entry's
// type, the layer configs (their option values through the layer constructors, reported with their
// path), the loss, clipping, optimizer config, step count and state names, the tensors. A refused
// file leaves nothing allocated.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Model } from "../bindings/model.js";
import { Seq2Seq } from "../bindings/seq2seq/seq2seq.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { Dense } from "../bindings/layers/dense.js";
import { Adam } from "../bindings/optimizers.js";
import { resigned, savedAfterOneStep, versionOne, withValue, type Entries } from "./helpers/model-files.js";
import { trackAllocations } from "./helpers/allocation-tracker.js";

const V = 6;

function saved(): Uint8Array {
  return savedAfterOneStep(new Model({
    layers: [new Embedding({ inputSize: V, units: 3, seed: 1 }), new LSTM({ inputSize: 3, units: 4, seed: 2 }), new Dense({ inputSize: 4, units: V, seed: 3 })],
    loss: "softmaxCrossEntropy", optimizer: new Adam({ lr: 0.01 }), clipNorm: 1,
  }), { note: "schema" });
}

function savedSeq2Seq(): Uint8Array {
  const model = new Seq2Seq({ sourceVocabSize: 5, targetVocabSize: 6, units: 3, seed: 1, clipNorm: 2 });
  const bytes = model.save();
  model.dispose();
  return bytes;
}

type Edit = (e: Entries) => void;
const lstm = (e: Entries): Record<string, unknown> => e.model.layers[1]!.options;

/** Edits of a saved Model file (signed again), and the start of the error Model.load must give. */
const MODEL_CASES: [string, Edit, RegExp][] = [
  ["model not JSON", (e) => { e.raw.model = "{"; }, /^RangeError: Model\.load: model is not valid JSON$/],
  ["model an array", (e) => { e.raw.model = "[]"; }, /^TypeError: Model\.load: model must be an object; got an array of length 0/],
  ["no layers", (e) => { delete (e.model as Partial<Entries["model"]>).layers; }, /^RangeError: Model\.load: model has no "layers" key/],
  ["layers a number", (e) => { e.model.layers = 3 as never; }, /^TypeError: Model\.load: model\.layers must be an array; got number 3/],
  ["no layer", (e) => { e.model.layers = []; }, /^RangeError: Model\.load: model\.layers must hold at least 1 item; got 0/],
  ["a layer null", (e) => { e.model.layers[0] = null as never; }, /^TypeError: Model\.load: model\.layers\[0\] must be an object; got null/],
  ["an unknown layer type", (e) => { e.model.layers[0]!.type = "Conv1D"; }, /^RangeError: Model\.load: model\.layers\[0\]\.type must be one of "SimpleRNN", .*; got "Conv1D"/],
  ["a prototype name as layer type", (e) => { e.model.layers[0]!.type = "toString"; }, /^RangeError: Model\.load: model\.layers\[0\]\.type must be one of/],
  ["layer options missing", (e) => { delete (e.model.layers[1] as Partial<Entries["model"]["layers"][number]>).options; }, /^RangeError: Model\.load: model\.layers\[1\] has no "options" key/],
  ["layer options a string", (e) => { e.model.layers[1]!.options = "x" as never; }, /^TypeError: Model\.load: model\.layers\[1\]\.options must be an object; got "x"/],
  ["an extra key in a layer config", (e) => { (e.model.layers[1] as Record<string, unknown>).extra = 1; }, /^RangeError: Model\.load: model\.layers\[1\] has an unknown key "extra"/],
  ["units a string", (e) => { lstm(e).units = "4"; }, /^TypeError: Model\.load: model\.layers\[1\]\.options\.units must be an integer; got "4"/],
  ["an unknown layer option", (e) => { lstm(e).foo = 1; }, /^TypeError: Model\.load: model\.layers\[1\]\.options: unknown option "foo"/],
  ["a forget bias that overflows float32", (e) => { lstm(e).forgetBias = 1e39; }, /^RangeError: Model\.load: model\.layers\[1\]\.options\.forgetBias /],
  ["layer sizes that do not chain", (e) => { lstm(e).units = 5; }, /^RangeError: Model\.load: model\.layers\[2\] .*layers\[1\]/],
  ["layers whose parameters the tensors do not fit", (e) => { lstm(e).units = 5; e.model.layers[2]!.options.inputSize = 5; }, /^RangeError: Model\.load: tensor "1\.weight_ih_l0" has shape \[16, 3\]; the saved layers need \[20, 3\]/],
  ["an unknown loss", (e) => { e.model.loss = "hinge"; }, /^RangeError: Model\.load: model\.loss must be one of "softmaxCrossEntropy", "meanSquaredError", "binaryCrossEntropyWithLogits", "huber"; got "hinge"/],
  ["a loss object without a name", (e) => { e.model.loss = { delta: 1 }; }, /^TypeError: Model\.load: model\.loss\.name must be a string; got undefined/],
  ["a loss object of an unknown loss", (e) => { e.model.loss = { name: "hinge" }; }, /^RangeError: Model\.load: model\.loss\.name must be one of "softmaxCrossEntropy", .*; got "hinge"/],
  ["a loss an array", (e) => { e.model.loss = ["huber"]; }, /^TypeError: Model\.load: model\.loss must be an object; got an array of length 1/],
  ["a parameter the loss does not take", (e) => { e.model.loss = { name: "softmaxCrossEntropy", delta: 1 }; }, /^TypeError: Model\.load: model\.loss has an unknown key "delta"; softmaxCrossEntropy takes no parameters/],
  ["an unknown Huber parameter", (e) => { e.model.loss = { name: "huber", beta: 1 }; }, /^TypeError: Model\.load: model\.loss has an unknown key "beta"; huber takes the parameters delta/],
  ["a Huber delta of 0", (e) => { e.model.loss = { name: "huber", delta: 0 }; }, /^RangeError: Model\.load: model\.loss\.delta must be > 0/],
  ["a negative Huber delta", (e) => { e.model.loss = { name: "huber", delta: -1 }; }, /^RangeError: Model\.load: model\.loss\.delta must be a finite number in \[0, Infinity\]; got -1/],
  ["a Huber delta a string", (e) => { e.model.loss = { name: "huber", delta: "1" }; }, /^TypeError: Model\.load: model\.loss\.delta must be a number; got "1"/],
  ["clipNorm a string", (e) => { e.model.clipNorm = "1"; }, /^TypeError: Model\.load: model\.clipNorm must be a number; got "1"/],
  ["clipNorm negative", (e) => { e.model.clipNorm = -1; }, /^RangeError: Model\.load: model\.clipNorm must be /],
  ["no clipValue", (e) => { delete e.model.clipValue; }, /^RangeError: Model\.load: model has no "clipValue" key/],
  ["an extra model key", (e) => { e.model.dropout = 0.5; }, /^RangeError: Model\.load: model has an unknown key "dropout"; expected layers, loss, clipNorm, clipValue/],
  ["optimizer not JSON", (e) => { e.raw.optimizer = "x"; }, /^RangeError: Model\.load: optimizer is not valid JSON$/],
  ["optimizer config null", (e) => { e.optimizer.config = null as never; }, /^TypeError: Model\.load: optimizer\.config must be an object; got null/],
  ["an unknown optimizer", (e) => { e.optimizer.config.type = "Lion"; }, /^RangeError: Model\.load: optimizer\.config\.type must be one of "SGD", "Adam", "AdamW", "RMSprop", "Adagrad"; got "Lion"/],
  ["lr a string", (e) => { e.optimizer.config.lr = "x"; }, /^TypeError: Model\.load: optimizer\.config\.lr must be a number >= 0 or a schedule/],
  ["lr negative", (e) => { e.optimizer.config.lr = -1; }, /^RangeError: Model\.load: optimizer\.config\.lr must be /],
  ["an unknown hyperparameter", (e) => { e.optimizer.config.foo = 1; }, /^TypeError: Model\.load: optimizer\.config: unknown option "foo"/],
  ["state names of another optimizer", (e) => { e.optimizer.config = { type: "SGD", lr: 0.1 }; }, /^RangeError: Model\.load: optimizer\.state must name the state buffers of the saved SGD optimizer, \[\]; got \["exp_avg","exp_avg_sq"\]/],
  ["state names without tensors", (e) => { e.optimizer.state = ["m", "v"]; }, /^RangeError: Model\.load: the file has no tensor "optimizer\.m\.0\.weight", the "m" state of parameter "0\.weight"/],
  ["a state name twice", (e) => { e.optimizer.state = ["exp_avg", "exp_avg"]; }, /^RangeError: Model\.load: optimizer\.state names "exp_avg" twice/],
  ["state a string", (e) => { e.optimizer.state = "exp_avg"; }, /^TypeError: Model\.load: optimizer\.state must be an array; got "exp_avg"/],
  ["state buffers but state null", (e) => { e.optimizer.state = null; e.optimizer.iterations = 0; }, /^RangeError: Model\.load: the file holds tensor "optimizer\.exp_avg\.0\.weight", which is no saved optimizer state/],
  ["iterations without state", (e) => { e.optimizer.state = null; }, /^RangeError: Model\.load: optimizer\.iterations must be 0 for a file saved without optimizer state; got 1/],
  ["negative iterations", (e) => { e.optimizer.iterations = -1; }, /^RangeError: Model\.load: optimizer\.iterations must be an integer in \[0, /],
  ["fractional iterations", (e) => { e.optimizer.iterations = 1.5; }, /^TypeError: Model\.load: optimizer\.iterations must be an integer; got number 1\.5/],
  ["an extra optimizer key", (e) => { e.optimizer.extra = 1; }, /^RangeError: Model\.load: optimizer has an unknown key "extra"; expected config, iterations, state/],
  ["metadata an array", (e) => { e.raw.metadata = "[]"; }, /^TypeError: Model\.load: metadata must be an object; got an array of length 0/],
  ["no metadata entry", (e) => { e.raw.metadata = undefined; }, /^RangeError: Model\.load: the file's metadata has no "metadata" entry/],
  ["an extra metadata entry", (e) => { e.raw.extra = "1"; }, /^RangeError: Model\.load: the file's metadata has an unknown entry "extra"; expected format, format_version, model, optimizer, metadata, checksum/],
  ["another format version", (e) => { e.raw.format_version = "3"; }, /^RangeError: Model\.load: format version "3" is not supported; expected "2"/],
  ["another format tag", (e) => { e.raw.format = "keras"; }, /^RangeError: Model\.load: this safetensors file holds no wasm-rnn model \(metadata format "keras"\)/],
];

/** Edits of a saved Seq2Seq file (signed again), and the start of the error Seq2Seq.load must give. */
const SEQ2SEQ_CASES: [string, Edit, RegExp][] = [
  ["a Model file's metadata", (e) => { e.metadata = {}; }, /^RangeError: Seq2Seq\.load: the bytes hold a wasm-rnn model that is not a Seq2Seq \(load it with Model\.load\)/],
  ["another Seq2Seq version", (e) => { e.metadata.version = 2; }, /^RangeError: Seq2Seq\.load: Seq2Seq format version number 2 is not supported; expected 1/],
  ["options missing", (e) => { delete e.metadata.options; }, /^RangeError: Seq2Seq\.load: metadata has no "options" key/],
  ["units a string", (e) => { (e.metadata.options as Record<string, unknown>).units = "3"; }, /^TypeError: Seq2Seq\.load: metadata\.options\.units must be an integer; got "3"/],
  ["an unknown cell", (e) => { (e.metadata.options as Record<string, unknown>).cell = "rnn"; }, /^RangeError: Seq2Seq\.load: metadata\.options\.cell must be one of "lstm", "gru"; got "rnn"/],
  ["an extra option", (e) => { (e.metadata.options as Record<string, unknown>).dropout = 0.1; }, /^RangeError: Seq2Seq\.load: metadata\.options has an unknown key "dropout"/],
  ["equal bos and eos ids", (e) => { (e.metadata.options as Record<string, unknown>).eosId = 3; }, /^RangeError: Seq2Seq\.load: metadata\.options\.bosId and eosId must differ; both are 3/],
  ["a target vocabulary of one id", (e) => { (e.metadata.options as Record<string, unknown>).targetVocabSize = 1; }, /^RangeError: Seq2Seq\.load: metadata\.options\.targetVocabSize must be >= 2; got 1/],
  ["user metadata an array", (e) => { e.metadata.metadata = []; }, /^TypeError: Seq2Seq\.load: metadata\.metadata must be an object; got an array of length 0/],
  ["layer configs the options do not build", (e) => { e.model.layers[1]!.options.seed = 99; }, /^RangeError: Seq2Seq\.load: model\.layers\[1\] must be the encoder the saved options build/],
  ["a sixth layer", (e) => { e.model.layers.push(e.model.layers[4]!); }, /^RangeError: Seq2Seq\.load: model\.layers must hold the 5 layers of a Seq2Seq; got 6/],
  ["another loss", (e) => { e.model.loss = "meanSquaredError"; }, /^RangeError: Seq2Seq\.load: model\.loss must be "softmaxCrossEntropy"; got "meanSquaredError"/],
  ["a clipValue", (e) => { e.model.clipValue = 1; }, /^RangeError: Seq2Seq\.load: model\.clipValue must be null \(a Seq2Seq clips by norm\); got 1/],
  ["clipNorms that disagree", (e) => { e.model.clipNorm = 3; }, /^RangeError: Seq2Seq\.load: model\.clipNorm must equal the saved options' clipNorm 2; got 3/],
];

/** Asserts that `load(bytes)` throws an error whose "Class: message" matches `expected`, and leaves nothing allocated. */
function assertRefused(load: (bytes: Uint8Array) => { dispose(): void }, bytes: Uint8Array, expected: RegExp): void {
  const tracker = trackAllocations();
  try {
    assert.throws(() => load(bytes).dispose(), (e: unknown) => e instanceof Error && expected.test(`${e.constructor.name}: ${e.message}`));
    assert.equal(tracker.liveBlocks, 0, "a refused file left blocks of wasm memory allocated");
  } finally {
    tracker.stop();
  }
}

/** The cases of one loader: the re-signed file unedited loads, each edit is refused; `more` adds tests on the file. */
function describeLoader(where: string, save: () => Uint8Array, load: (bytes: Uint8Array) => { dispose(): void }, cases: [string, Edit, RegExp][],
  more: (file: () => Uint8Array) => void = () => undefined): void {
  describe(`model file schema: ${where}`, () => {
    let bytes: Uint8Array;
    before(() => { bytes = save(); });

    it("the unedited, re-signed file loads", () => {
      load(resigned(bytes, () => undefined)).dispose();
    });

    for (const [what, edit, expected] of cases) {
      it(`refuses ${what}`, () => assertRefused(load, resigned(bytes, edit), expected));
    }
    more(() => bytes);
  });
}

describeLoader("Model.load", saved, Model.load, MODEL_CASES, (file) => {
  it("refuses non-finite values in a parameter or an optimizer buffer, naming the tensor", () => {
    for (const name of ["1.weight_hh_l0", "optimizer.exp_avg_sq.2.bias"]) {
      assertRefused(Model.load, withValue(file(), name, 1, NaN), new RegExp(`^RangeError: Model\\.load: tensor "${name.replace(/\./g, "\\.")}" must be finite; got NaN at flat index 1`));
    }
  });
});

describeLoader("Seq2Seq.load", savedSeq2Seq, Seq2Seq.load, SEQ2SEQ_CASES);

describe("model file schema: version-1 files", () => {
  const fixture = new Uint8Array(readFileSync("test/fixtures/model-v1.wrnn"));
  const headerLength = new DataView(fixture.buffer, fixture.byteOffset).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(fixture.subarray(12, 12 + headerLength))) as Record<string, unknown> & { layers: { options: Record<string, unknown> }[]; params: { shape: number[] }[] };
  const values = new Float32Array(fixture.slice(fixture.length - 4 * header.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0)).buffer);

  const V1_CASES: [string, (h: typeof header) => unknown, RegExp][] = [
    ["a header that is not JSON", () => "{", /^RangeError: Model\.load: the version-1 header is not valid UTF-8 JSON$/],
    ["no params", (h) => ({ ...h, params: undefined }), /^RangeError: Model\.load: header has no "params" key/],
    ["a shape of strings", (h) => ({ ...h, params: h.params.map((p, i) => (i === 1 ? { ...p, shape: ["12", "3"] } : p)) }), /^TypeError: Model\.load: header\.params\[1\]\.shape\[0\] must be an integer; got "12"/],
    ["a parameter named twice", (h) => ({ ...h, params: h.params.map((p, i) => (i === 2 ? { ...p, name: "1.weight_ih_l0" } : p)) }), /^RangeError: Model\.load: header\.params\[2\]\.name repeats "1\.weight_ih_l0"/],
    ["units a string", (h) => ({ ...h, layers: h.layers.map((l, i) => (i === 1 ? { ...l, options: { ...l.options, units: "4" } } : l)) }), /^TypeError: Model\.load: header\.layers\[1\]\.options\.units must be an integer; got "4"/],
    ["an unknown optimizer", (h) => ({ ...h, optimizer: { type: "Lion" } }), /^RangeError: Model\.load: header\.optimizer\.type must be one of/],
    ["metadata an array", (h) => ({ ...h, metadata: [] }), /^TypeError: Model\.load: header\.metadata must be an object; got an array of length 0/],
    ["another format tag", (h) => ({ ...h, format: "keras" }), /^RangeError: Model\.load: header\.format must be "wasm-rnn"; got "keras"/],
  ];

  for (const [what, edit, expected] of V1_CASES) {
    it(`refuses ${what}`, () => {
      const edited = edit(header);
      assertRefused(Model.load, versionOne(typeof edited === "string" ? edited : JSON.stringify(edited), values), expected);
    });
  }

  it("the unedited header, re-encoded, loads", () => {
    Model.load(versionOne(JSON.stringify(header), values)).dispose();
  });
});
