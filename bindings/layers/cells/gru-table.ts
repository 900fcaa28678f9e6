// The GRU kernels' argument structs, one pair per convention (assembly/rnn/gru-reset-after.ts
// GruResetAfter*Args, assembly/rnn/gru-reset-before.ts GruResetBefore*Args).
import { core } from "../../core.js";
import type { GRU } from "../gru.js";
import { cellKernel, CELL_FIELDS, GATE_CODES, PACKED_INPUT_WEIGHTS, PACKED_STATE_WEIGHTS, type CallSizes } from "./table.js";

const kernel = cellKernel<GRU>();
const gates = ({ T, B, H }: CallSizes): number => T * B * 3 * H;

/** The fields every GRU kernel starts with (assembly/rnn/gru-shared.ts GruArgs). */
const SHARED = {
  ...CELL_FIELDS, ...GATE_CODES,
  wih: { param: "weight_ih" }, whh: { param: "weight_hh" },
  /** Activated r, z, n [T, B, 3H]; the backward overwrites them with dA. */
  gates: { floats: gates },
  hs: { floats: ({ T, B, H }) => (T + 1) * B * H },
} as const satisfies Parameters<typeof kernel>[2];

/** The forward's fields of both conventions (GruForwardArgs), and the backward's (GruBackwardArgs). */
const FORWARD = { ...SHARED, h0: "io", bih: { param: "bias_ih" }, bhh: { param: "bias_hh" }, zAdd: "io" } as const;
const BACKWARD = {
  ...SHARED, dOut: "io", dhT: "io", dA: { floats: gates, block: "gates" }, dx: "io", dh0: "io",
  dwih: { grad: "weight_ih" }, dwhh: { grad: "weight_hh" }, dbih: { grad: "bias_ih" }, dbhh: { grad: "bias_hh" },
} as const;

/** Reset after: hh [T, B, 3H] = W_hh h_{t-1} + b_hh per step (overwritten by dHh in the backward). */
const RESET_AFTER = {
  hh: { floats: gates },
  pack: { floats: ({ H }) => core().gemmPackedSize(3 * H, H) },
} as const satisfies Parameters<typeof kernel>[2];

export const GRU_RESET_AFTER_FORWARD = kernel("gruResetAfterForward", "GruResetAfterForwardArgs", { ...FORWARD, ...RESET_AFTER, ...PACKED_STATE_WEIGHTS, ...PACKED_INPUT_WEIGHTS });
export const GRU_RESET_AFTER_BACKWARD = kernel("gruResetAfterBackward", "GruResetAfterBackwardArgs", {
  ...BACKWARD, ...RESET_AFTER, dHh: { floats: gates, block: "hh" },
});

/** Reset before: rh [T, B, H] = r ⊙ h_{t-1} per step; W_h{r,z} and W_hn packed apart. */
const RESET_BEFORE = {
  rh: { floats: ({ T, B, H }) => T * B * H },
  packRz: { floats: ({ H }) => core().gemmPackedSize(2 * H, H) },
  packN: { floats: ({ H }) => core().gemmPackedSize(H, H) },
} as const satisfies Parameters<typeof kernel>[2];

export const GRU_RESET_BEFORE_FORWARD = kernel("gruResetBeforeForward", "GruResetBeforeForwardArgs", {
  ...FORWARD, ...RESET_BEFORE,
  packRz: { packed: "weight_hh", rows: ({ H }) => [0, 2 * H] }, packN: { packed: "weight_hh", rows: ({ H }) => [2 * H, H] }, ...PACKED_INPUT_WEIGHTS,
});
export const GRU_RESET_BEFORE_BACKWARD = kernel("gruResetBeforeBackward", "GruResetBeforeBackwardArgs", {
  ...BACKWARD, ...RESET_BEFORE, dRh: { floats: ({ B, H }) => B * H },
});
