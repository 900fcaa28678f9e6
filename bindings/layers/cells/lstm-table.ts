// The LSTM kernels' argument structs (assembly/rnn/lstm.ts LstmForwardArgs, LstmBackwardArgs).
import { core } from "../../core.js";
import type { LSTM } from "../lstm.js";
import { cellKernel, CELL_FIELDS, GATE_CODES, PACKED_INPUT_WEIGHTS, PACKED_STATE_WEIGHTS, type CallSizes } from "./table.js";

const kernel = cellKernel<LSTM>();
const peephole = (l: LSTM): boolean => l.peephole;
const states = ({ T, B, H }: CallSizes): number => (T + 1) * B * H;

/** The fields both kernels read, in the order of LstmArgs. */
const SHARED = {
  ...CELL_FIELDS, ...GATE_CODES,
  wih: { param: "weight_ih" }, whh: { param: "weight_hh" },
  pi: { param: "peephole_i", when: peephole }, pf: { param: "peephole_f", when: peephole }, po: { param: "peephole_o", when: peephole },
  /** Activated gates i, f, g, o [T, B, 4H]; the backward overwrites them with their gradients. */
  gates: { floats: ({ T, B, H }) => T * B * 4 * H },
  hs: { floats: states }, cs: { floats: states },
  /** φ(c_t) [T, B, H]. */
  acs: { floats: ({ T, B, H }) => T * B * H },
  pack: { floats: ({ H }) => core().gemmPackedSize(4 * H, H) },
} as const satisfies Parameters<typeof kernel>[2];

export const LSTM_FORWARD = kernel("lstmForward", "LstmForwardArgs", {
  ...SHARED, ...PACKED_STATE_WEIGHTS,
  h0: "io", c0: "io", bih: { param: "bias_ih" }, bhh: { param: "bias_hh" }, zAdd: "io", ...PACKED_INPUT_WEIGHTS,
});

export const LSTM_BACKWARD = kernel("lstmBackward", "LstmBackwardArgs", {
  ...SHARED,
  dOut: "io", dhT: "io", dcT: "io",
  dGates: { floats: SHARED.gates.floats, block: "gates" },
  dx: "io", dh0: "io", dc0: "io",
  dwih: { grad: "weight_ih" }, dwhh: { grad: "weight_hh" }, dbih: { grad: "bias_ih" }, dbhh: { grad: "bias_hh" },
  dpi: { grad: "peephole_i", when: peephole }, dpf: { grad: "peephole_f", when: peephole }, dpo: { grad: "peephole_o", when: peephole },
});
