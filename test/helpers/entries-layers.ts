// Rows of the property-based suite for standalone layers: forward, backward (after a forward of a
// fixed probe) and loadStateDict of every fixture layer (issue 11 item 8: Jordan's backward takes a
// gradient for each final state it returns, { y, h }).
import fc from "fast-check";
import type { RecurrentLayer, Dense, Embedding } from "../../bindings/index.js";
import { floatTensor, idTensor, lengths, options, markInvalid, stateDict, shapesOf, loadOptions } from "./arbitraries.js";
import { row, type Row } from "./entry.js";
import { LAYER_SPECS, layerOf, watchLayer, type LayerSpec } from "./property-fixtures.js";
import { dims, type Dims } from "./model-arguments.js";
import { randomArray } from "./random.js";

/** Steps and batch rows of the probe a backward row runs forward first. */
const PROBE: Dims = { T: 2, N: 2 };

/** Per-state tensors [stack, B, size] for `states` (each key present or not). */
function stateTensors(spec: LayerSpec, states: Record<string, number>, B: number, growBy: number): fc.Arbitrary<unknown> {
  return options(Object.fromEntries(Object.entries(states).map(([name, size]) => [name, floatTensor([spec.stack, B, size], { fixed: [0, 1, 2], growBy })])));
}

/** A context [B, contextSize] for a layer built with one; for any other, one it must refuse. */
function layerContext(spec: LayerSpec, B: number): fc.Arbitrary<unknown> {
  if (spec.contextSize > 0) return floatTensor([B, spec.contextSize], { fixed: [0, 1], growBy: 3 });
  return floatTensor([B, 2], { large: false }).map((c) => (c !== null && typeof c === "object" ? markInvalid(c, "a context for a layer built without contextSize") : c));
}

/** x for a layer: ids [T, B] (Embedding: any shape) or floats [T, B, inputSize] (Dense: any [..., inputSize]). */
function layerInput(spec: LayerSpec, { T, N }: Dims): fc.Arbitrary<unknown> {
  if (spec.ids) return idTensor([T, N], spec.inputSize, { strict: true });
  return floatTensor([T, N, spec.inputSize], { fixed: [2] });
}

function isRecurrent(spec: LayerSpec): boolean {
  return spec.stack > 0;
}

/** The probe x [2, 2, ...] a backward row runs forward first. */
function probe(spec: LayerSpec): unknown {
  const n = PROBE.T * PROBE.N;
  if (spec.ids) return { shape: [PROBE.T, PROBE.N], data: Int32Array.from({ length: n }, (_, i) => i % spec.inputSize) };
  return { shape: [PROBE.T, PROBE.N, spec.inputSize], data: randomArray(n * spec.inputSize, 7) };
}

/** Options of a probe forward: a context when the layer needs one. */
function probeOptions(spec: LayerSpec): object {
  return spec.contextSize > 0 ? { context: { shape: [PROBE.N, spec.contextSize], data: randomArray(PROBE.N * spec.contextSize, 8) } } : {};
}

function forwardRow(spec: LayerSpec): Row {
  if (!isRecurrent(spec)) {
    return row({
      where: `${spec.className}.forward`,
      args: dims.chain((d) => layerInput(spec, d)),
      call: (x) => (layerOf(spec) as Dense | Embedding).forward(x as never),
      watch: () => [watchLayer(spec)],
    });
  }
  return row({
    where: `${spec.className}.forward`,
    args: dims.chain((d) => fc.tuple(layerInput(spec, d), options({
      initialState: stateTensors(spec, spec.initialStates, d.N, 1), lengths: lengths(d.N, d.T), context: layerContext(spec, d.N), training: fc.boolean(),
    }))),
    call: ([x, o]) => (layerOf(spec) as RecurrentLayer).forward(x as never, o as never),
    watch: () => [watchLayer(spec)],
    mustReject: ([, o]) => {
      const given = o !== null && typeof o === "object" && (o as { context?: unknown }).context !== undefined;
      return spec.contextSize > 0 && !given ? ["no context for a layer built with contextSize"] : [];
    },
  });
}

function backwardRow(spec: LayerSpec): Row {
  const outShape = spec.returnSequences ? [PROBE.T, PROBE.N, spec.outputSize] : [PROBE.N, spec.outputSize];
  const dOutput = floatTensor(outShape, { fixed: outShape.map((_, i) => i), growBy: 2 });
  if (!isRecurrent(spec)) {
    return row({
      where: `${spec.className}.backward`,
      args: dOutput,
      call: (d) => {
        const layer = layerOf(spec) as Dense | Embedding;
        layer.forward(probe(spec) as never);
        return layer.backward(d as never);
      },
      watch: () => [watchLayer(spec)],
      mutates: true,
    });
  }
  return row({
    where: `${spec.className}.backward`,
    args: fc.tuple(fc.oneof({ weight: 4, arbitrary: dOutput }, { weight: 1, arbitrary: fc.constant(null) }), stateTensors(spec, spec.finalStates, PROBE.N, 2)),
    call: ([d, dFinal]) => {
      const layer = layerOf(spec) as RecurrentLayer;
      layer.forward(probe(spec) as never, probeOptions(spec));
      return layer.backward(d as never, dFinal as never);
    },
    watch: () => [watchLayer(spec)],
    mutates: true,
  });
}

function loadStateDictRow(spec: LayerSpec): Row {
  return row({
    where: `${spec.className}.loadStateDict`,
    args: loadOptions(["", "rnn."]).chain(([prefix, o]) => fc.tuple(fc.constant(null).chain(() => stateDict(shapesOf(layerOf(spec).stateDict()), ["weight_ih_l7", "bias_x", "extra"], prefix)), fc.constant(o))),
    call: ([dict, o]) => layerOf(spec).loadStateDict(dict as never, o as never),
    watch: () => [watchLayer(spec)],
    mutates: true,
  });
}

/** forward, backward and loadStateDict rows of every fixture layer. */
export const LAYER_ROWS: readonly Row[] = LAYER_SPECS.flatMap((spec) => [forwardRow(spec), backwardRow(spec), loadStateDictRow(spec)]);
