// The GRU kernels' argument structs, one pair per convention (assembly/rnn/gru-reset-after.ts
// GruResetAfter*Args, assembly/rnn/gru-reset-before.ts GruResetBefore*Args).
import { core } from "../../core.js";
import { ACTIVATION_CODES } from "../../kernels/activations.js";
import type { GRU } from "../gru.js";
import { cellKernel, type CallSizes } from "./table.js";

const kernel = cellKernel<GRU>();
const gates = ({ T, B, H }: CallSizes): number => T * B * 3 * H;

/** The fields every GRU kernel starts with, up to its gates and states. */
const SHARED = {
  T: "T", B: "B", D: "D",
  H: { option: (l) => l.units },
  act: { option: (l) => ACTIVATION_CODES[l.activation] },
  ract: { option: (l) => ACTIVATION_CODES[l.recurrentActivation] },
  tokens: "tokens", x: "io", lengths: "io",
  wih: { param: "weight_ih" }, whh: { param: "weight_hh" },
  /** Activated r, z, n [T, B, 3H]; the backward overwrites them with dA. */
  gates: { floats: gates },
  hs: { floats: ({ T, B, H }) => (T + 1) * B * H },
} as const satisfies Parameters<typeof kernel>[2];

const FORWARD_IO = { h0: "io", bih: { param: "bias_ih" }, bhh: { param: "bias_hh" }, zAdd: "io" } as const;
const BACKWARD_IO = { dOut: "io", dhT: "io", dA: { floats: gates, block: "gates" } } as const;
const BACKWARD_GRADS = {
  dx: "io", dh0: "io",
  dwih: { grad: "weight_ih" }, dwhh: { grad: "weight_hh" }, dbih: { grad: "bias_ih" }, dbhh: { grad: "bias_hh" },
} as const;

/** Reset after: hh [T, B, 3H] = W_hh h_{t-1} + b_hh per step (overwritten by dHh in the backward). */
const RESET_AFTER = {
  ...SHARED,
  hh: { floats: gates },
  pack: { floats: ({ H }) => Math.max(core().gemmPackedSize(H, 3 * H), core().gemmPackedSize(3 * H, H)) },
} as const satisfies Parameters<typeof kernel>[2];

export const GRU_RESET_AFTER_FORWARD = kernel("gruResetAfterForward", "GruResetAfterForwardArgs", { ...RESET_AFTER, ...FORWARD_IO });
export const GRU_RESET_AFTER_BACKWARD = kernel("gruResetAfterBackward", "GruResetAfterBackwardArgs", {
  ...RESET_AFTER, ...BACKWARD_IO, dHh: { floats: gates, block: "hh" }, ...BACKWARD_GRADS,
});

/** Reset before: rh [T, B, H] = r ⊙ h_{t-1} per step; W_h{r,z} and W_hn packed apart. */
const RESET_BEFORE = {
  ...SHARED,
  rh: { floats: ({ T, B, H }) => T * B * H },
  packRz: { floats: ({ H }) => Math.max(core().gemmPackedSize(H, 2 * H), core().gemmPackedSize(2 * H, H)) },
  packN: { floats: ({ H }) => core().gemmPackedSize(H, H) },
} as const satisfies Parameters<typeof kernel>[2];

export const GRU_RESET_BEFORE_FORWARD = kernel("gruResetBeforeForward", "GruResetBeforeForwardArgs", { ...RESET_BEFORE, ...FORWARD_IO });
export const GRU_RESET_BEFORE_BACKWARD = kernel("gruResetBeforeBackward", "GruResetBeforeBackwardArgs", {
  ...RESET_BEFORE, ...BACKWARD_IO, dRh: { floats: ({ B, H }) => B * H }, ...BACKWARD_GRADS,
});

