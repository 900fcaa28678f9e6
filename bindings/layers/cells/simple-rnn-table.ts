// The Elman kernels' argument structs (assembly/rnn/simple.ts SimpleRnnForwardArgs, SimpleRnnBackwardArgs).
import { core } from "../../core.js";
import { ACTIVATION_CODES } from "../../kernels/activations.js";
import type { SimpleRNN } from "../simple-rnn.js";
import { cellKernel, CELL_FIELDS, PACKED_INPUT_WEIGHTS, PACKED_STATE_WEIGHTS } from "./table.js";

const kernel = cellKernel<SimpleRNN>();

/** The fields both kernels read, in the order of SimpleRnnArgs. */
const SHARED = {
  ...CELL_FIELDS,
  act: { option: (l) => ACTIVATION_CODES[l.activation] },
  wih: { param: "weight_ih" }, whh: { param: "weight_hh" },
  /** h_0..h_T [T+1, B, H]. */
  hs: { floats: ({ T, B, H }) => (T + 1) * B * H },
  pack: { floats: ({ H }) => core().gemmPackedSize(H, H) },
} as const satisfies Parameters<typeof kernel>[2];

export const SIMPLE_RNN_FORWARD = kernel("simpleRnnForward", "SimpleRnnForwardArgs", {
  ...SHARED, ...PACKED_STATE_WEIGHTS,
  h0: "io", bih: { param: "bias_ih" }, bhh: { param: "bias_hh" }, zAdd: "io", ...PACKED_INPUT_WEIGHTS,
});

export const SIMPLE_RNN_BACKWARD = kernel("simpleRnnBackward", "SimpleRnnBackwardArgs", {
  ...SHARED,
  dOut: "io", dhT: "io",
  /** dz [T, B, H], the pre-activation gradients. */
  dz: { floats: ({ T, B, H }) => T * B * H },
  dx: "io", dh0: "io",
  dwih: { grad: "weight_ih" }, dwhh: { grad: "weight_hh" }, dbih: { grad: "bias_ih" }, dbhh: { grad: "bias_hh" },
});
