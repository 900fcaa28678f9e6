// Rows of the property-based suite for a Model's methods, over every fixture model: predict,
// evaluate, trainOnBatch, fit, step, stateDict, loadStateDict, getWeights, setWeights, summary, save.
import fc from "fast-check";
import { Model } from "../../bindings/index.js";
import { floatTensor, options, seed, size, orJunk, markInvalid, stateDict as stateDictArgument, shapesOf, loadOptions } from "./arbitraries.js";
import { row, type Row } from "./entry.js";
import { MODEL_SPECS, modelOf, watchModel, modelFingerprint, type ModelSpec } from "./property-fixtures.js";
import { ContractViolation, changedKeys } from "./contract.js";
import { dims, input, target, mask, sequenceOptions, missingContext, missingTargets, batchSize, callback, signal, verbose, validationSplit, callbacks, type Dims } from "./model-arguments.js";

/** A fixture model spec and batch dims, chained into the arguments built from them. */
function perModel<A>(build: (spec: ModelSpec, d: Dims) => fc.Arbitrary<A>): fc.Arbitrary<{ spec: ModelSpec; a: A }> {
  return fc.tuple(fc.constantFrom(...MODEL_SPECS), dims).chain(([spec, d]) => build(spec, d).map((a) => ({ spec, a })));
}

/** The keys of `value` when it is an object (options may be junk). */
function optionsObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

const predict = row({
  where: "Model.predict",
  args: perModel((spec, d) => fc.tuple(input(spec, d, { supervised: false, large: true }), options({ batchSize, probabilities: fc.boolean(), ...sequenceOptions(spec, d) }))),
  call: ({ spec, a: [x, o] }) => modelOf(spec).predict(x as never, o as never),
  watch: ({ spec }) => [watchModel(spec)],
  mustReject: ({ spec, a: [, o] }) => [
    ...missingContext(spec, o),
    ...(optionsObject(o).probabilities === true && spec.loss === "meanSquaredError" ? ["probabilities of a meanSquaredError model"] : []),
  ],
});

const evaluate = row({
  where: "Model.evaluate",
  args: perModel((spec, d) => fc.tuple(input(spec, d, { supervised: true, large: true }), orJunk(target(spec, d, true)), options({ batchSize, mask: mask(spec, d), ...sequenceOptions(spec, d) }))),
  call: ({ spec, a: [x, y, o] }) => modelOf(spec).evaluate(x as never, y as never, o as never),
  watch: ({ spec }) => [watchModel(spec)],
  mustReject: ({ spec, a: [, y, o] }) => [...missingTargets(y), ...missingContext(spec, o)],
});

const trainOnBatch = row({
  where: "Model.trainOnBatch",
  args: perModel((spec, d) => fc.tuple(input(spec, d, { supervised: true, large: true }), orJunk(target(spec, d, true)), options({ mask: mask(spec, d), ...sequenceOptions(spec, d) }))),
  call: ({ spec, a: [x, y, o] }) => modelOf(spec).trainOnBatch(x as never, y as never, o as never),
  watch: ({ spec }) => [watchModel(spec)],
  mutates: true,
  mustReject: ({ spec, a: [, y, o] }) => [...missingTargets(y), ...missingContext(spec, o)],
});

/** validationData for fit: { x, y, mask?, lengths?, context? } of its own dims, or junk. */
function validationData(spec: ModelSpec): fc.Arbitrary<unknown> {
  return orJunk(dims.chain((d) => options({ x: input(spec, d, { supervised: true, large: false }), y: target(spec, d, false), mask: mask(spec, d), ...sequenceOptions(spec, d) }, ["x"])));
}

const fit = row({
  where: "Model.fit",
  args: perModel((spec, d) => fc.tuple(
    input(spec, d, { supervised: true, large: false }),
    orJunk(target(spec, d, false)),
    options({
      epochs: size(fc.integer({ min: 1, max: 2 })), batchSize, shuffle: fc.boolean(), seed, mask: mask(spec, d), ...sequenceOptions(spec, d),
      validationData: validationData(spec), truncatedBptt: size(fc.integer({ min: 1, max: 4 })), onBatchEnd: callback, onEpochEnd: callback, signal,
      verbose, validationSplit, callbacks,
    }),
  )),
  call: ({ spec, a: [x, y, o] }) => modelOf(spec).fit(x as never, y as never, o as never),
  watch: ({ spec }) => [watchModel(spec)],
  mutates: true,
  mustReject: ({ spec, a: [, y, o] }) => {
    const opts = optionsObject(o);
    const v = optionsObject(opts.validationData);
    return [
      ...missingTargets(y),
      ...missingContext(spec, o),
      ...(opts.validationData !== undefined && opts.validationData !== null && typeof opts.validationData === "object" ? missingTargets(v.y, "validationData.y") : []),
      ...(opts.truncatedBptt !== undefined && !spec.streamable ? ["truncatedBptt with a bidirectional layer"] : []),
      ...(opts.validationSplit !== undefined && opts.validationData !== undefined ? ["validationSplit with validationData"] : []),
    ];
  },
  runs: 40,
});

const step = row({
  where: "Model.step",
  args: perModel((spec, d) => fc.tuple(
    fc.oneof(input(spec, d, { supervised: false, large: true }), spec.vocab !== null ? input(spec, { T: d.N, N: 1 }, { supervised: false, large: false }) : floatTensor([d.N, spec.inputSize], { fixed: [1] })),
    options({ probabilities: fc.boolean(), context: sequenceOptions(spec, d).context! }),
    fc.boolean(),
  )),
  call: ({ spec, a: [x, o, reset] }) => {
    const model = modelOf(spec);
    if (reset) model.resetState();
    return model.step(x as never, o as never);
  },
  watch: ({ spec }) => [watchModel(spec)],
  mustReject: ({ spec, a: [, o] }) => [...missingContext(spec, o), ...(spec.streamable ? [] : ["streaming a bidirectional model"])],
});

const stateDict = row({
  where: "Model.stateDict",
  args: fc.tuple(fc.constantFrom(...MODEL_SPECS), options({ nested: fc.boolean() })),
  call: ([spec, o]) => modelOf(spec).stateDict(o as never),
  watch: ([spec]) => [watchModel(spec)],
});

const loadStateDict = row({
  where: "Model.loadStateDict",
  args: fc.tuple(fc.constantFrom(...MODEL_SPECS), loadOptions(["", "model."], { modules: fc.constantFrom({}, { 0: 0 }) })).chain(([spec, [prefix, o]]) => fc.tuple(
    fc.constant(spec),
    fc.constant(null).chain(() => stateDictArgument(shapesOf(modelOf(spec).stateDict()), ["extra.weight", "9.bias", "0.weight_ih_l9"], prefix)),
    fc.constant(o),
  )),
  call: ([spec, dict, o]) => modelOf(spec).loadStateDict(dict as never, o as never),
  watch: ([spec]) => [watchModel(spec)],
  mutates: true,
});

const getWeights = row({
  where: "Model.getWeights",
  args: fc.constantFrom(...MODEL_SPECS),
  call: (spec) => modelOf(spec).getWeights(),
  watch: (spec) => [watchModel(spec)],
});

/** A weight list for a model of `spec`: each weight valid or bad (a changed dim is marked), now and then one too few, or junk. */
function weightList(spec: ModelSpec): fc.Arbitrary<unknown> {
  return fc.constant(null).chain(() => {
    const weights = modelOf(spec).getWeights().map((w) => floatTensor(w.shape, { fixed: w.shape.map((_, i) => i), large: false }));
    return orJunk(fc.tuple(fc.tuple(...weights), fc.boolean()).map(([list, short]) => (short ? markInvalid(list.slice(1), "one weight too few") : list)));
  });
}

const setWeights = row({
  where: "Model.setWeights",
  args: fc.constantFrom(...MODEL_SPECS).chain((spec) => fc.tuple(fc.constant(spec), weightList(spec))),
  call: ([spec, list]) => modelOf(spec).setWeights(list as never),
  watch: ([spec]) => [watchModel(spec)],
  mutates: true,
});

/** print is left out: junk would include true, and the table would go to the test output. */
const summary = row({
  where: "Model.summary",
  args: fc.tuple(fc.constantFrom(...MODEL_SPECS), options({ printFn: fc.constant(() => undefined) })),
  call: ([spec, o]) => modelOf(spec).summary(o as never).totalParameters,
  watch: ([spec]) => [watchModel(spec)],
});

const save = row({
  where: "Model.save",
  args: fc.tuple(fc.constantFrom(...MODEL_SPECS), options({ includeOptimizer: fc.boolean() }), orJunk(fc.constantFrom({}, { note: "x", n: 1 }, { vocabulary: { tokens: ["a"] } }))),
  call: ([spec, o, metadata]) => {
    const model = modelOf(spec);
    const kept = model.metadata;
    model.metadata = metadata as Record<string, unknown>;
    try {
      const bytes = model.save(o as never);
      const copy = Model.load(bytes);
      try {
        const withOptimizer = optionsObject(o).includeOptimizer !== false;
        const changed = changedKeys(modelFingerprint(model, spec), modelFingerprint(copy, spec)).filter((k) => withOptimizer || !k.startsWith("optimizer."));
        if (changed.length > 0) throw new ContractViolation(`Model.save: the saved file loads as a different model (${changed.join(", ")})`);
      } finally {
        copy.dispose();
      }
      return bytes.length;
    } finally {
      model.metadata = kept;
    }
  },
  watch: ([spec]) => [watchModel(spec)],
  runs: 30,
});

/** Rows of a Model's methods. */
export const MODEL_ROWS: readonly Row[] = [predict, evaluate, trainOnBatch, fit, step, stateDict, loadStateDict, getWeights, setWeights, summary, save];
