// The MGU kernels' argument structs (assembly/rnn/mgu.ts MguForwardArgs, MguBackwardArgs).
import { core } from "../../core.js";
import type { MGU } from "../mgu.js";
import { cellKernel, CELL_FIELDS, GATE_CODES, PACKED_INPUT_WEIGHTS, PACKED_STATE_WEIGHTS, type CallSizes } from "./table.js";

const kernel = cellKernel<MGU>();
const gates = ({ T, B, H }: CallSizes): number => T * B * 2 * H;

/** The fields both kernels read, in the order of MguArgs. */
const SHARED = {
  ...CELL_FIELDS, ...GATE_CODES,
  wih: { param: "weight_ih" }, whh: { param: "weight_hh" },
  /** Activated f, n [T, B, 2H]; the backward overwrites them with dA. */
  gates: { floats: gates },
  hs: { floats: ({ T, B, H }) => (T + 1) * B * H },
  /** W_hh h_{t-1} + b_hh [T, B, 2H] per step; the backward overwrites it with dHh. */
  hh: { floats: gates },
  pack: { floats: ({ H }) => core().gemmPackedSize(2 * H, H) },
} as const satisfies Parameters<typeof kernel>[2];

export const MGU_FORWARD = kernel("mguForward", "MguForwardArgs", {
  ...SHARED, ...PACKED_STATE_WEIGHTS,
  h0: "io", bih: { param: "bias_ih" }, bhh: { param: "bias_hh" }, zAdd: "io", ...PACKED_INPUT_WEIGHTS,
});

export const MGU_BACKWARD = kernel("mguBackward", "MguBackwardArgs", {
  ...SHARED,
  dOut: "io", dhT: "io", dA: { floats: gates, block: "gates" }, dHh: { floats: gates, block: "hh" }, dx: "io", dh0: "io",
  dwih: { grad: "weight_ih" }, dwhh: { grad: "weight_hh" }, dbih: { grad: "bias_ih" }, dbhh: { grad: "bias_hh" },
});
