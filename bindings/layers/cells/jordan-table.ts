// The Jordan kernels' argument structs (assembly/rnn/jordan.ts JordanForwardArgs, JordanBackwardArgs).
import { core } from "../../core.js";
import { ACTIVATION_CODES, OUTPUT_CODES } from "../../kernels/activations.js";
import type { Jordan } from "../jordan.js";
import { cellKernel, CELL_FIELDS, PACKED_INPUT_WEIGHTS } from "./table.js";

const kernel = cellKernel<Jordan>();

/** The fields both kernels read, in the order of JordanArgs. */
const SHARED = {
  ...CELL_FIELDS,
  O: { option: (l) => l.outputUnits },
  f: { option: (l) => ACTIVATION_CODES[l.activation] },
  g: { option: (l) => (l.outputActivation === "softmax" ? OUTPUT_CODES.softmax : ACTIVATION_CODES[l.outputActivation]) },
  wih: { param: "weight_ih" }, why: { param: "weight_hy" }, wo: { param: "weight_o" },
  /** Hidden layers h_1..h_T [T, B, H]. */
  hs: { floats: ({ T, B, H }) => T * B * H },
  /** Outputs y_0..y_T [T+1, B, O]. */
  ys: { floats: ({ T, B }, l) => (T + 1) * B * l.outputUnits },
  /** The backward's scratch for W_hy [H, O] and W_o [O, H] packed as right operands (the forward reads the arena's packs). */
  packHy: { floats: ({ H }, l) => core().gemmPackedSize(H, l.outputUnits) },
  packO: { floats: ({ H }, l) => core().gemmPackedSize(l.outputUnits, H) },
} as const satisfies Parameters<typeof kernel>[2];

export const JORDAN_FORWARD = kernel("jordanForward", "JordanForwardArgs", {
  ...SHARED, packHy: { packed: "weight_hy" }, packO: { packed: "weight_o" },
  y0: "io", b: { param: "bias" }, bo: { param: "bias_o" }, zAdd: "io", ...PACKED_INPUT_WEIGHTS,
});

export const JORDAN_BACKWARD = kernel("jordanBackward", "JordanBackwardArgs", {
  ...SHARED,
  dOut: "io", dyT: "io", dhT: "io",
  dOs: { floats: ({ T, B }, l) => T * B * l.outputUnits },
  dz: { floats: ({ T, B, H }) => T * B * H },
  dh: { floats: ({ B, H }) => B * H },
  dhCarry: { floats: ({ B, H }) => B * H },
  dx: "io", dy0: "io",
  dwih: { grad: "weight_ih" }, dwhy: { grad: "weight_hy" }, db: { grad: "bias" }, dwo: { grad: "weight_o" }, dbo: { grad: "bias_o" },
});
