// Finite-difference checks of the whole attentional decoder (bindings/seq2seq/attention-steps.ts):
// teacher-forced steps with input feeding (luong kinds) or the context fed to the cell (bahdanau),
// LSTM and GRU, stacked, over a memory with padded source steps. L = Σ r ⊙ h~ over all T steps.
import { ParameterArena } from "../bindings/arena.js";
import { WasmArray } from "../bindings/buffer.js";
import { core } from "../bindings/core.js";
import { LSTM } from "../bindings/layers/lstm.js";
import { GRU } from "../bindings/layers/gru.js";
import { Dense } from "../bindings/layers/dense.js";
import type { Layer } from "../bindings/layers/layer.js";
import { Attention, type AttentionKind } from "../bindings/seq2seq/attention.js";
import { AttentionSteps } from "../bindings/seq2seq/attention-steps.js";
import { checkGradient } from "./helpers/gradcheck.js";
import { randomArray } from "./helpers/random.js";

const CASES: { kind: AttentionKind; cell: "lstm" | "gru"; layers: number; F: number; resetAfter?: boolean }[] = [
  { kind: "luong", cell: "lstm", layers: 2, F: 4 },
  { kind: "luongGeneral", cell: "gru", layers: 1, F: 5 },
  { kind: "bahdanau", cell: "lstm", layers: 1, F: 5 },
  { kind: "bahdanau", cell: "gru", layers: 2, F: 4, resetAfter: false },
];

describe("attentional decoder gradients (finite differences)", () => {
  for (const { kind, cell, layers, F, resetAfter } of CASES) {
    it(`${kind}, ${cell}${resetAfter === false ? " (reset before)" : ""}, ${layers} layer(s): d input, d memory, d initial state and every parameter`, () => {
      const T = 3, B = 2, S = 4, E = 3, H = 4;
      const C = kind === "bahdanau" ? F : H;
      const o = { inputSize: E, units: H, numLayers: layers, contextSize: C, seed: 3 };
      const decoder = cell === "lstm" ? new LSTM(o) : new GRU({ ...o, ...(resetAfter === undefined ? {} : { resetAfter }) });
      const attention = new Attention({ kind, querySize: H, memorySize: F, seed: 4 });
      const attentional = new Dense({ inputSize: F + H, units: H, activation: "tanh", seed: 5 });
      const parts: [string, Layer][] = [["decoder.", decoder], ["attention.", attention], ["attentional.", attentional]];
      const arena = new ParameterArena(parts.flatMap(([p, l]) => l.paramSpecs().map((s) => ({ name: p + s.name, shape: s.shape }))));
      for (const [p, l] of parts) l.adopt(arena, p);
      const dec = new AttentionSteps({ decoder, attention, arena, decoderPrefix: "decoder.", attentionalPrefix: "attentional." });
      const names = cell === "lstm" ? ["h", "c"] : ["h"];
      const buffers = {
        x: new WasmArray(T * B * E), memory: new WasmArray(S * B * F), lengths: new WasmArray(B), r: new WasmArray(T * B * H),
        ...Object.fromEntries(names.map((n) => [n, new WasmArray(layers * B * H)])),
      } as Record<string, WasmArray>;
      try {
        buffers.x!.f32().set(randomArray(T * B * E, 1));
        buffers.memory!.f32().set(randomArray(S * B * F, 2, 1.5));
        buffers.lengths!.i32().set([4, 2]);
        buffers.r!.f32().set(randomArray(T * B * H, 3));
        for (const [i, n] of names.entries()) buffers[n]!.f32().set(randomArray(layers * B * H, 4 + i, 0.8));
        const initial = Object.fromEntries(names.map((n) => [n, buffers[n]!.ptr]));
        const run = (): number => dec.forward(buffers.x!.ptr, T, B, buffers.memory!.ptr, S, buffers.lengths!.ptr, initial);
        const L = (): number => {
          const out = core().memory.buffer;
          const y = new Float32Array(out, run(), T * B * H);
          const r = buffers.r!.f32();
          let sum = 0;
          for (let i = 0; i < y.length; i++) sum += y[i]! * r[i]!;
          return sum;
        };
        run();
        arena.grads.fill(0);
        const g = dec.backward(buffers.r!.ptr);
        const copy = (ptr: number, n: number): Float32Array => new Float32Array(core().memory.buffer, ptr, n).slice();
        const analytic = {
          x: copy(g.dInput, T * B * E), memory: copy(g.dMemory, S * B * F),
          ...Object.fromEntries(names.map((n) => [n, copy(g.dInitialState[n]!, layers * B * H)])),
        } as Record<string, Float32Array>;
        const opts = { eps: 1e-2, rtol: 1e-2, atol: 3e-4 };
        for (const [name, grad] of Object.entries(analytic)) {
          checkGradient({ name: `${kind} ${cell} d ${name}`, values: () => buffers[name]!.f32(), analytic: grad, loss: L, ...opts });
        }
        const grads = new Map([...arena.entries.keys()].map((n) => [n, arena.gradView(n).slice()]));
        for (const [name, grad] of grads) {
          checkGradient({ name: `${kind} ${cell} ${name}`, values: () => arena.paramView(name), analytic: grad, loss: L, maxChecks: 24, ...opts });
        }
      } finally {
        dec.dispose();
        for (const b of Object.values(buffers)) b.free();
        for (const [, l] of parts) l.dispose();
        arena.dispose();
      }
    });
  }
});
