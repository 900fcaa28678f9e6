// Parity with PyTorch: float64 references from test/fixtures/gen_torch.py (nn.LSTM, nn.GRU and
// autograd on the peephole-LSTM / reset-before-GRU equations) and gen_torch_stacks.py (stacked,
// bidirectional and packed variable-length nn.RNN/LSTM/GRU), matched within 1e-4 relative + 1e-5:
// one test per row of test/cases/parity-cases.ts.
import assert from "node:assert/strict";
import type { Tensor } from "../bindings/tensor.js";
import { PARITY_CASES, type FixtureTensor } from "./cases/parity-cases.js";
import { buildRecurrent } from "./cases/layer-kinds.js";

function tensor(t: FixtureTensor): Tensor {
  return { shape: t.shape, data: Float32Array.from(t.data) };
}

/** float32-rounded nested arrays of a fixture tensor, as torch's tolist() of the float32 weights. */
function toNested(t: FixtureTensor): unknown {
  const [rows, cols] = t.shape as [number, number];
  const f = Float32Array.from(t.data);
  return Array.from({ length: rows }, (_, r) => Array.from(f.subarray(r * cols, (r + 1) * cols)));
}

function expectClose(what: string, got: Tensor, want: FixtureTensor): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  want.data.forEach((w, i) => {
    const g = got.data[i]!;
    assert.ok(Math.abs(g - w) <= 1e-5 + 1e-4 * Math.abs(w), `${what}[${i}]: got ${g}, PyTorch ${w}`);
  });
}

for (const file of new Set(PARITY_CASES.map((row) => row.file))) {
  describe(`parity with PyTorch (${file})`, () => {
    for (const row of PARITY_CASES.filter((r) => r.file === file)) {
      const c = row.fixture;
      it(c.name, () => {
        const layer = buildRecurrent(row);
        layer.loadStateDict(Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, tensor(v)])));
        const states = c.cell === "lstm" ? ["h", "c"] : ["h"];
        const initial: Record<string, Tensor> = {};
        if (c.h0 !== null) initial.h = tensor(c.h0);
        if (c.c0) initial.c = tensor(c.c0);
        const lengths = c.lengths ? { shape: [c.B], data: Int32Array.from(c.lengths) } : undefined;
        const { output, state } = layer.forward(tensor(c.x), lengths ? { initialState: initial, lengths } : { initialState: initial });
        expectClose("output", output, c.output);
        expectClose("h_n", state.h!, c.hn);
        if (c.cn) expectClose("c_n", state.c!, c.cn);
        layer.zeroGrad();
        const dFinal = Object.fromEntries(states.map((s) => [s, tensor(c.lossWeights[`${s}n`]!)]));
        const { dInput, dInitialState } = layer.backward(tensor(c.lossWeights.output!), dFinal);
        expectClose("dL/dx", dInput, c.grads.x!);
        for (const s of states) expectClose(`dL/d${s}0`, dInitialState[s]!, c.grads[`${s}0`]!);
        for (const [name, g] of Object.entries(layer.gradDict())) expectClose(`dL/d${name}`, g, c.grads[name]!);
        assert.deepEqual(Object.keys(layer.gradDict()).sort(), Object.keys(c.params).sort());
        // The same weights as nested arrays (tensor.tolist()) load and come back identically.
        const nested = layer.stateDict({ nested: true });
        const again = buildRecurrent(row);
        again.loadStateDict(nested);
        assert.deepEqual(again.stateDict(), layer.stateDict());
        assert.deepEqual(nested.weight_hh_l0, toNested(c.params.weight_hh_l0!));
        again.dispose();
        layer.dispose();
      });
    }
  });
}
