// Deep, bidirectional, variable-length and context-conditioned networks of every cell type:
// finite-difference checks of every gradient (PyTorch parity for stacks is in parity.test.ts).
import assert from "node:assert/strict";
import { SimpleRNN } from "../bindings/layers/simple-rnn.js";
import { Jordan } from "../bindings/layers/jordan.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { GRU } from "../bindings/layers/gru.js";
import type { RecurrentLayer, RecurrentOptions, MergeMode } from "../bindings/layers/recurrent.js";
import { gradCheckRecurrent } from "./simple-rnn.test.js";
import { randomArray } from "./helpers/random.js";
import type { Tensor } from "../bindings/tensor.js";

type Extra = Omit<RecurrentOptions, "units" | "inputSize">;
const BUILDERS: Record<string, (o: Extra & { inputSize: number }) => RecurrentLayer> = {
  SimpleRNN: (o) => new SimpleRNN({ units: 4, seed: 2, ...o }),
  Jordan: (o) => new Jordan({ units: 4, outputUnits: 3, seed: 2, ...o }),
  LSTM: (o) => new LSTM({ units: 4, peephole: true, seed: 2, ...o }),
  "GRU (reset before)": (o) => new GRU({ units: 5, resetAfter: false, seed: 2, ...o }),
  GRU: (o) => new GRU({ units: 3, seed: 2, ...o }),
};

function states(layer: RecurrentLayer, B: number, context?: Tensor): Record<string, { shape: number[]; data: Float32Array }> {
  const probe = layer.forward({ shape: [1, B, layer.inputSize], data: new Float32Array(B * layer.inputSize) }, context ? { context } : {});
  const init: Record<string, { shape: number[]; data: Float32Array }> = {};
  Object.entries(probe.state).forEach(([name, t], i) => {
    if (name === "h" && layer instanceof Jordan) return;
    init[name] = { shape: t.shape, data: randomArray(t.data.length, 20 + i, 0.5) };
  });
  return init;
}

describe("deep, bidirectional, variable-length and context networks", () => {
  const T = 4;
  const B = 3;
  const D = 2;
  const lengths = { shape: [B], data: Int32Array.from([4, 2, 1]) };
  for (const [cell, build] of Object.entries(BUILDERS)) {
    const cases: [string, Extra, boolean][] = [
      ["2 layers", { numLayers: 2 }, false],
      ["bidirectional concat, lengths", { bidirectional: true }, true],
      ...(["sum", "mul", "ave"] as MergeMode[]).map((m): [string, Extra, boolean] => [`bidirectional ${m}`, { bidirectional: true, mergeMode: m }, false]),
      ["2 layers bidirectional, lengths", { numLayers: 2, bidirectional: true }, true],
      ["many-to-one last, lengths", { returnSequences: false }, true],
      ["many-to-one mean, lengths, bidirectional", { returnSequences: false, pooling: "mean", bidirectional: true }, true],
      ["context", { contextSize: 3 }, false],
      ["context, bidirectional, lengths", { contextSize: 2, bidirectional: true }, true],
    ];
    for (const [label, options, withLengths] of cases) {
      it(`${cell}: ${label}`, () => {
        const layer = build({ inputSize: D, ...options });
        const x = { shape: [T, B, D], data: randomArray(T * B * D, 1) };
        const extras = {
          ...(withLengths ? { lengths } : {}),
          ...(options.contextSize ? { context: { shape: [B, options.contextSize], data: randomArray(B * options.contextSize, 5) } } : {}),
        };
        gradCheckRecurrent(layer, x, states(layer, B, extras.context), `${cell} ${label}`, extras);
        layer.dispose();
      });
    }
  }

  it("padded steps give zero outputs, the final state is each sequence's own last step, and padding content is ignored", () => {
    const lstm = new LSTM({ inputSize: 2, units: 3, seed: 1 });
    const x = { shape: [3, 2, 2], data: randomArray(12, 3) };
    const full = lstm.forward(x, { lengths: [3, 1] });
    const second = x.data.slice();
    second.set([9, -9], 6); // change a padded step of sequence 1
    const other = lstm.forward({ shape: [3, 2, 2], data: second }, { lengths: [3, 1] });
    assert.deepEqual(other.output.data, full.output.data);
    assert.deepEqual(Array.from(full.output.data.subarray(9, 12)), [0, 0, 0]);
    const alone = lstm.forward({ shape: [1, 1, 2], data: x.data.slice(2, 4) });
    assert.deepEqual(Array.from(full.state.h!.data.subarray(3, 6)), Array.from(alone.state.h!.data));
    lstm.dispose();
  });

  it("dropout acts only when training, and is seeded", () => {
    const make = (): GRU => new GRU({ inputSize: 2, units: 8, numLayers: 2, dropout: 0.5, seed: 3 });
    const a = make();
    const b = make();
    const x = { shape: [3, 2, 2], data: randomArray(12, 4) };
    assert.deepEqual(a.forward(x).output.data, a.forward(x).output.data);
    const trainA = a.forward(x, { training: true }).output.data;
    assert.notDeepEqual(trainA, a.forward(x).output.data);
    assert.deepEqual(b.forward(x, { training: true }).output.data, trainA);
    a.dispose();
    b.dispose();
  });

  it("rejects bad lengths, states and contexts with errors that name them", () => {
    const gru = new GRU({ inputSize: 2, units: 3, numLayers: 2, bidirectional: true, seed: 1 });
    const x = { shape: [3, 2, 2], data: new Float32Array(12) };
    assert.throws(() => gru.forward(x, { lengths: [4, 1] }), /lengths must lie in \[1, T=3\]; got 4 at index 0/);
    assert.throws(() => gru.forward(x, { lengths: [0, 1] }), /got 0 at index 0/);
    assert.throws(() => gru.forward(x, { lengths: [3] }), /lengths must have shape \[2\]; got \[1\]/);
    assert.throws(() => gru.forward(x, { initialState: { h: { shape: [1, 2, 3], data: new Float32Array(6) } } }), /initialState.h must have shape \[4, 2, 3\]; got \[1, 2, 3\]/);
    assert.throws(() => gru.forward(x, { context: [[1], [2]] }), /context given, but the layer was built without contextSize/);
    assert.throws(() => new GRU({ inputSize: 2, units: 3, mergeMode: "max" as never }), /mergeMode must be one of/);
    assert.throws(() => new GRU({ inputSize: 2, units: 3, dropout: 1 }), RangeError);
    assert.equal(gru.forward(x, { lengths: [3, 1] }).output.shape[2], 6);
    gru.dispose();
  });
});
