// Rows of the property-based suite for what builds things: the layer, Model, Seq2Seq, optimizer,
// Rng and ParameterArena constructors with random option objects, and training a fresh model with
// a random (possibly exploding) optimizer, where every step is finite or refused (issue 11 item 1).
import fc from "fast-check";
import {
  SimpleRNN, Jordan, LSTM, GRU, MGU, Dense, Embedding, Model, Seq2Seq, SGD, Adam, AdamW, RMSprop, Adagrad, Rng, ParameterArena, optimizerFromConfig,
  type Layer, type Optimizer,
} from "../../bindings/index.js";
import { options, size, seed, junk, orJunk, isSaneSize, HUGE_COUNTS } from "./arbitraries.js";
import { row, disposing, type Row } from "./entry.js";
import { assertClearError, assertFinite, changedKeys, ContractViolation } from "./contract.js";
import { modelFingerprint, type ModelSpec } from "./property-fixtures.js";
import { randomArray } from "./random.js";

/** A layer size: 1 to 4, now and then 2^16 (a product of two of them overflows), else bad or huge. */
const layerSize = size(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 1, arbitrary: fc.constant(2 ** 16) }));
const layerCount = size(fc.integer({ min: 1, max: 3 }), HUGE_COUNTS);
const probability = fc.oneof({ weight: 4, arbitrary: fc.double({ min: 0, max: 0.9, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(1, -0.1, NaN) });
/** Float options: ordinary values, else values no float32 parameter or setting can hold. */
const real = fc.oneof({ weight: 6, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(1e39, -1e39, 3e38, NaN, Infinity) });

const BOOLEAN_OPTIONS = ["returnSequences", "bidirectional", "tokenInput", "peephole", "resetAfter", "nesterov"];
const CHOICES: Record<string, readonly string[]> = {
  pooling: ["last", "mean"], mergeMode: ["concat", "sum", "mul", "ave"],
  recurrentActivation: ["sigmoid", "hardSigmoid"], outputActivation: ["softmax", "sigmoid", "linear", "tanh"],
};
/** The largest finite float32. */
const MAX_F32 = 3.4028234663852886e38;

const recurrentOptions = {
  units: layerSize, inputSize: layerSize, returnSequences: fc.boolean(), pooling: fc.constantFrom("last", "mean", "max"), numLayers: layerCount,
  bidirectional: fc.boolean(), mergeMode: fc.constantFrom("concat", "sum", "mul", "ave", "max"), dropout: probability,
  contextSize: size(fc.integer({ min: 0, max: 3 })), tokenInput: fc.boolean(), seed,
};

function given(o: Record<string, unknown>, key: string): boolean {
  return o[key] !== undefined;
}

/**
 * Why the issue says a layer's options must be refused: sizes that are no size or too large, counts
 * beyond any bound, non-booleans, unknown choices, seeds out of range, options without effect
 * (dropout with one layer, pooling with returnSequences true, mergeMode without bidirectional)
 * and values that make a parameter non-finite (a forget bias beyond float32).
 */
function layerReasons(value: unknown, sizes: readonly string[], activations: readonly string[]): string[] {
  if (value === null || typeof value !== "object") return [`options are ${String(value)}`];
  const o = value as Record<string, unknown>;
  const reasons: string[] = [];
  for (const k of sizes) if (!isSaneSize(o[k])) reasons.push(`${k} ${String(o[k])}`);
  if (given(o, "contextSize") && !isSaneSize(o.contextSize, 0)) reasons.push(`contextSize ${String(o.contextSize)}`);
  if (given(o, "numLayers") && !isSaneSize(o.numLayers, 1, HUGE_COUNTS[0])) reasons.push(`numLayers ${String(o.numLayers)}`);
  for (const k of BOOLEAN_OPTIONS) if (given(o, k) && typeof o[k] !== "boolean") reasons.push(`${k} ${String(o[k])} is not a boolean`);
  for (const [k, choices] of Object.entries(CHOICES)) if (given(o, k) && !choices.includes(o[k] as string)) reasons.push(`${k} ${String(o[k])}`);
  if (given(o, "activation") && !activations.includes(o.activation as string)) reasons.push(`activation ${String(o.activation)}`);
  if (given(o, "seed") && !isSaneSize(o.seed, 0, 2 ** 32)) reasons.push(`seed ${String(o.seed)}`);
  if (given(o, "dropout")) {
    const p = o.dropout;
    if (typeof p !== "number" || !(p >= 0 && p < 1)) reasons.push(`dropout ${String(p)}`);
    else if (p > 0 && (o.numLayers ?? 1) === 1) reasons.push("dropout with numLayers 1 has no effect");
  }
  if (given(o, "pooling") && o.returnSequences !== false) reasons.push("pooling with returnSequences true has no effect");
  if (given(o, "mergeMode") && o.bidirectional !== true) reasons.push("mergeMode without bidirectional has no effect");
  if (given(o, "forgetBias") && !(typeof o.forgetBias === "number" && Math.abs(o.forgetBias) <= MAX_F32)) reasons.push(`forgetBias ${String(o.forgetBias)} is no float32`);
  return reasons;
}

/** A constructor row: build with random options, read the parameters (they must be finite), dispose. */
function layerRow(className: string, make: (o: never) => Layer, known: Record<string, fc.Arbitrary<unknown>>, sizes: readonly string[], activations: readonly string[]): Row {
  return row({
    where: className,
    args: options(known, sizes),
    call: (o) => disposing(make(o as never), (layer) => layer.stateDict()),
    mustReject: (o) => layerReasons(o, sizes, activations),
  });
}

const CELL = ["tanh", "linear", "relu", "sigmoid"] as const;
const activation = (names: readonly string[]): fc.Arbitrary<string> => fc.constantFrom(...names, "softplus");
const gates = { activation: activation(CELL), recurrentActivation: fc.constantFrom("sigmoid", "hardSigmoid", "tanh") };

const LAYER_CONSTRUCTORS: readonly Row[] = [
  layerRow("SimpleRNN", (o) => new SimpleRNN(o), { ...recurrentOptions, activation: activation(["tanh", "relu", "linear"]) }, ["units", "inputSize"], ["tanh", "relu", "linear"]),
  layerRow("Jordan", (o) => new Jordan(o), {
    ...recurrentOptions, outputUnits: layerSize, activation: activation(["tanh", "relu", "linear", "sigmoid"]), outputActivation: fc.constantFrom("softmax", "sigmoid", "linear", "tanh", "relu"),
  }, ["units", "inputSize", "outputUnits"], ["tanh", "relu", "linear", "sigmoid"]),
  layerRow("LSTM", (o) => new LSTM(o), { ...recurrentOptions, ...gates, peephole: fc.boolean(), forgetBias: real }, ["units", "inputSize"], CELL),
  layerRow("GRU", (o) => new GRU(o), { ...recurrentOptions, ...gates, resetAfter: fc.boolean() }, ["units", "inputSize"], CELL),
  layerRow("MGU", (o) => new MGU(o), { ...recurrentOptions, ...gates }, ["units", "inputSize"], CELL),
  layerRow("Dense", (o) => new Dense(o), { units: layerSize, inputSize: layerSize, activation: activation(["linear", "tanh", "sigmoid", "relu", "hardSigmoid"]), seed }, ["units", "inputSize"], ["linear", "tanh", "sigmoid", "relu", "hardSigmoid"]),
  layerRow("Embedding", (o) => new Embedding(o), { inputSize: layerSize, units: layerSize, seed }, ["units", "inputSize"], []),
];

/** One layer of a random Model: its kind and sizes (built fresh for every call). */
interface LayerPlan {
  kind: "SimpleRNN" | "LSTM" | "GRU" | "Jordan" | "Dense" | "Embedding";
  inputSize: number;
  units: number;
  returnSequences: boolean;
  tokenInput: boolean;
}

const RECURRENT_KINDS = new Set(["SimpleRNN", "LSTM", "GRU", "Jordan"]);

function buildLayer(p: LayerPlan, i: number): Layer {
  const common = { inputSize: p.inputSize, units: p.units, seed: i };
  if (p.kind === "Dense") return new Dense(common);
  if (p.kind === "Embedding") return new Embedding(common);
  const recurrent = { ...common, returnSequences: p.returnSequences, tokenInput: p.tokenInput };
  if (p.kind === "Jordan") return new Jordan({ ...recurrent, outputUnits: p.units });
  return p.kind === "SimpleRNN" ? new SimpleRNN(recurrent) : p.kind === "LSTM" ? new LSTM(recurrent) : new GRU(recurrent);
}

const layerPlan: fc.Arbitrary<LayerPlan> = fc.record({
  kind: fc.constantFrom("SimpleRNN", "LSTM", "GRU", "Jordan", "Dense", "Embedding"),
  inputSize: fc.integer({ min: 1, max: 2 }), units: fc.integer({ min: 1, max: 2 }),
  returnSequences: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), tokenInput: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/** Why the issue says a Model of these layers and options must be refused. */
function modelReasons(plans: readonly LayerPlan[], o: Record<string, unknown>): string[] {
  const reasons: string[] = [];
  plans.forEach((p, i) => {
    if (i > 0 && p.inputSize !== plans[i - 1]!.units) reasons.push(`layers[${i}].inputSize ${p.inputSize} after an output of ${plans[i - 1]!.units}`);
    if (i > 0 && (p.kind === "Embedding" || (RECURRENT_KINDS.has(p.kind) && p.tokenInput))) reasons.push(`layers[${i}] reads ids but is not first`);
    if (RECURRENT_KINDS.has(p.kind) && plans.slice(i + 1).some((q) => RECURRENT_KINDS.has(q.kind)) && !p.returnSequences) {
      reasons.push(`layers[${i}] (returnSequences false) cannot feed a later recurrent layer`);
    }
  });
  if (!["softmaxCrossEntropy", "meanSquaredError", "binaryCrossEntropyWithLogits"].includes(o.loss as string)) reasons.push(`loss ${String(o.loss)}`);
  if (o.loss === "softmaxCrossEntropy" && plans[plans.length - 1]!.units === 1) reasons.push("softmaxCrossEntropy over one unit");
  for (const k of ["clipNorm", "clipValue"]) {
    if (given(o, k) && !(typeof o[k] === "number" && Number.isFinite(o[k]) && (o[k] as number) > 0)) reasons.push(`${k} ${String(o[k])}`);
  }
  if (given(o, "optimizer") && !(o.optimizer instanceof SGD || o.optimizer instanceof Adam)) reasons.push("optimizer is not an optimizer");
  return reasons;
}

const modelConstructor = row({
  where: "Model",
  args: fc.tuple(
    fc.array(layerPlan, { minLength: 1, maxLength: 3 }),
    options({
      loss: fc.constantFrom("softmaxCrossEntropy", "meanSquaredError", "binaryCrossEntropyWithLogits", "crossEntropy"),
      optimizer: fc.constantFrom<(() => Optimizer)[]>(() => new SGD(), () => new Adam({ lr: 0.1 })).map((make) => make()),
      clipNorm: fc.oneof(fc.double({ min: 0.1, max: 10, noNaN: true }), fc.constantFrom(0, -1, NaN)),
      clipValue: fc.oneof(fc.double({ min: 0.1, max: 10, noNaN: true }), fc.constantFrom(0, -1, Infinity)),
    }, ["loss"]),
  ),
  call: ([plans, o]) => {
    const layers = plans.map(buildLayer);
    let model: Model;
    try {
      model = new Model({ ...(o as object), layers } as never);
    } catch (e) {
      for (const l of layers) l.dispose();
      throw e;
    }
    return disposing(model, (m) => m.stateDict());
  },
  mustReject: ([plans, o]) => (o !== null && typeof o === "object" ? modelReasons(plans, o as Record<string, unknown>) : ["options are not an object"]),
});

/** A fresh relu network to blow up: SimpleRNN(2 -> 4, relu) + Dense(4 -> 1), meanSquaredError. */
const EXPLODING: ModelSpec = {
  name: "exploding", vocab: null, inputSize: 2, loss: "meanSquaredError", outputSize: 1, sequenceOutput: true, contextSize: 0, streamable: true,
  build: () => { throw new Error("built per call"); },
};

const optimizerPlan = fc.record({
  kind: fc.constantFrom("SGD", "Adam", "RMSprop"),
  lr: fc.oneof(fc.double({ min: 1e-4, max: 1, noNaN: true }), fc.constantFrom(1e3, 1e10, 1e30, 3e38)),
  momentum: fc.constantFrom(0, 0.9),
});

/** Four steps with data scaled by `scale` (1 to 1e19: overflowing inputs and targets), each finite or refused unchanged, then a sane step. */
const explodingTraining = row({
  where: "Model.trainOnBatch",
  variant: "exploding SGD, Adam or RMSprop on a relu network",
  args: fc.tuple(optimizerPlan, fc.constantFrom(1, 10, 1e4, 1e10, 1e19), fc.integer({ min: 0, max: 1000 })),
  call: ([plan, scale, dataSeed]) => {
    const optimizer = plan.kind === "SGD" ? new SGD({ lr: plan.lr, momentum: plan.momentum }) : plan.kind === "Adam" ? new Adam({ lr: plan.lr }) : new RMSprop({ lr: plan.lr, momentum: plan.momentum });
    const model = new Model({ layers: [new SimpleRNN({ inputSize: 2, units: 4, activation: "relu", seed: 1 }), new Dense({ inputSize: 4, units: 1, seed: 2 })], loss: "meanSquaredError", optimizer });
    const batch = (s: number, k: number) => ({
      x: { shape: [3, 2, 2], data: randomArray(12, dataSeed + k, s) },
      y: { shape: [3, 2, 1], data: randomArray(6, dataSeed + k + 100, s) },
    });
    try {
      for (let k = 0; k < 4; k++) {
        const { x, y } = batch(scale, k);
        const before = modelFingerprint(model, EXPLODING);
        try {
          assertFinite(model.trainOnBatch(x, y), `the loss of step ${k}`);
        } catch (e) {
          if (e instanceof ContractViolation) throw e;
          assertClearError("Model.trainOnBatch", e);
          const changed = changedKeys(before, modelFingerprint(model, EXPLODING));
          if (changed.length > 0) throw new ContractViolation(`step ${k} was refused (${(e as Error).message}) but changed ${changed.join(", ")}`);
        }
      }
      model.optimizer.lr = 1e-3;
      const { x, y } = batch(1, 9);
      return model.trainOnBatch(x, y);
    } finally {
      model.dispose();
    }
  },
  runs: 40,
});

const numeric = fc.oneof({ weight: 6, arbitrary: fc.double({ min: 0, max: 0.99, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(-1, NaN, Infinity, 1e39, 2) });
const OPTIMIZERS: readonly [string, (o: never) => Optimizer, Record<string, fc.Arbitrary<unknown>>][] = [
  ["SGD", (o) => new SGD(o), { lr: numeric, momentum: numeric, dampening: numeric, nesterov: fc.boolean(), weightDecay: numeric }],
  ["Adam", (o) => new Adam(o), { lr: numeric, beta1: numeric, beta2: numeric, eps: numeric, weightDecay: numeric }],
  ["AdamW", (o) => new AdamW(o), { lr: numeric, beta1: numeric, beta2: numeric, eps: numeric, weightDecay: numeric }],
  ["RMSprop", (o) => new RMSprop(o), { lr: numeric, alpha: numeric, eps: numeric, weightDecay: numeric, momentum: numeric }],
  ["Adagrad", (o) => new Adagrad(o), { lr: numeric, lrDecay: numeric, weightDecay: numeric, eps: numeric, initialAccumulatorValue: numeric }],
];

/** Why optimizer options must be refused: a non-finite or negative number, a non-boolean nesterov. */
function optimizerReasons(value: unknown): string[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== "object") return [`options are ${String(value)}`];
  return Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).flatMap(([k, v]) => {
    if (k === "nesterov") return typeof v === "boolean" ? [] : [`nesterov ${String(v)}`];
    return typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= MAX_F32 ? [] : [`${k} ${String(v)}`];
  });
}

const OPTIMIZER_CONSTRUCTORS: readonly Row[] = OPTIMIZERS.map(([name, make, known]) => row({
  where: name,
  args: options(known),
  call: (o) => disposing(make(o as never), (optimizer) => optimizer.config),
  mustReject: optimizerReasons,
}));

const fromConfig = row({
  where: "optimizerFromConfig",
  args: orJunk(fc.tuple(fc.constantFrom(...OPTIMIZERS), fc.constantFrom("type", "lr", "momentum", "beta1", "eps"), junk).map(([[, make], key, value]) => {
    const optimizer = make({} as never);
    const config = { ...optimizer.config } as Record<string, unknown>;
    optimizer.dispose();
    if (key in config) config[key] = value;
    return config;
  })),
  call: (config) => disposing(optimizerFromConfig(config as never), (optimizer) => optimizer.config),
});

const seq2seqConstructor = row({
  where: "Seq2Seq",
  args: options({
    sourceVocabSize: layerSize, targetVocabSize: size(fc.integer({ min: 2, max: 6 })), units: layerSize, embeddingSize: layerSize, cell: fc.constantFrom("lstm", "gru", "rnn"),
    numLayers: layerCount, clipNorm: fc.oneof(fc.double({ min: 0.1, max: 5, noNaN: true }), fc.constantFrom(0, -1, NaN)),
    bosId: fc.integer({ min: 0, max: 6 }), eosId: fc.integer({ min: 0, max: 6 }), seed,
  }, ["sourceVocabSize", "targetVocabSize", "units"]),
  call: (o) => disposing(new Seq2Seq(o as never), (model) => model.stateDict()),
  mustReject: (value) => {
    if (value === null || typeof value !== "object") return [`options are ${String(value)}`];
    const o = value as Record<string, unknown>;
    const reasons = ["sourceVocabSize", "units"].filter((k) => !isSaneSize(o[k])).map((k) => `${k} ${String(o[k])}`);
    if (!isSaneSize(o.targetVocabSize, 2)) reasons.push(`targetVocabSize ${String(o.targetVocabSize)}`);
    if (given(o, "embeddingSize") && !isSaneSize(o.embeddingSize)) reasons.push(`embeddingSize ${String(o.embeddingSize)}`);
    if (given(o, "numLayers") && !isSaneSize(o.numLayers, 1, HUGE_COUNTS[0])) reasons.push(`numLayers ${String(o.numLayers)}`);
    if (given(o, "clipNorm") && !(typeof o.clipNorm === "number" && o.clipNorm > 0 && Number.isFinite(o.clipNorm))) reasons.push(`clipNorm ${String(o.clipNorm)}`);
    if (given(o, "cell") && o.cell !== "lstm" && o.cell !== "gru") reasons.push(`cell ${String(o.cell)}`);
    return reasons;
  },
});

const rngConstructor = row({
  where: "Rng",
  args: seed,
  call: (s) => disposing(new Rng(s as number), (rng) => [rng.nextFloat(), rng.nextInt(10)]),
  mustReject: (s) => (isSaneSize(s, 0, 2 ** 32) ? [] : [`seed ${String(s)}`]),
});

const rngNextInt = row({
  where: "Rng.nextInt",
  args: size(fc.integer({ min: 1, max: 100 }), [2 ** 32, 2 ** 53]),
  call: (n) => disposing(new Rng(1), (rng) => rng.nextInt(n as number)),
});

const parameterArena = row({
  where: "ParameterArena",
  args: orJunk(fc.array(fc.record({ name: orJunk(fc.constantFrom("w", "b", "w")), shape: orJunk(fc.array(size(fc.integer({ min: 0, max: 4 })), { maxLength: 3 })) }), { maxLength: 3 })),
  call: (specs) => disposing(new ParameterArena(specs as never), (arena) => arena.packedParams()),
});

/** Constructor rows, and training under random optimizers. */
export const BUILD_ROWS: readonly Row[] = [
  ...LAYER_CONSTRUCTORS, modelConstructor, explodingTraining, ...OPTIMIZER_CONSTRUCTORS, fromConfig, seq2seqConstructor, rngConstructor, rngNextInt, parameterArena,
];
