/**
 * Recurrent-cell exports of the wasm core (assembly/rnn/): every cell kernel takes ONE pointer to
 * its argument struct, laid out by `layOutArgs` from the cell's table (bindings/layers/cells/),
 * whose fields the AS file declares in the same order (test/cell-tables.test.ts checks both).
 * All arrays are pointers, time-major. tokens: x holds ids i32 [T, B] in [0, D), read as one-hot
 * rows (the input projection is a column gather of weight_ih, its gradient a scatter-add; dx is
 * still [T, B, D]). lengths: i32 [B] (padded steps hold the state) or 0; zAdd [B, gates·H] added
 * to every step's input projection, or 0.
 *
 * One time step at a time (a decoder fed its own output, an attentional decoder): a kernel runs
 * any T, and every sequence buffer is a plain pointer, so step t of whole-sequence buffers is a
 * call with T = 1 and each per-step pointer moved to step t. With `layOutArgs(kernel, call,
 * given)`, pass them in `given`, e.g. for an LSTM forward at step t (B rows, D inputs, H units):
 *   { T: 1, h0: hs + t·B·H·4, c0: cs + t·B·H·4, x: x + t·B·D·4, gates: gates + t·B·4H·4,
 *     hs: hs + t·B·H·4, cs: cs + t·B·H·4, acs: acs + t·B·H·4 }
 * (the kernel copies h0, c0 into hs[0], cs[0], here the same place, then writes hs[1], cs[1]:
 * step t+1 of the whole buffers). The backward of step t likewise, from t = T-1 down to 0, with
 * dhT, dcT the gradients carried from step t+1 and dh0, dc0 receiving those for step t-1.
 */

/** The cell kernels, one forward and one backward per cell: the registry of the core's cells. */
export const CELL_KERNELS = [
  "simpleRnnForward", "simpleRnnBackward",
  "jordanForward", "jordanBackward",
  "lstmForward", "lstmBackward",
  "gruResetAfterForward", "gruResetAfterBackward",
  "gruResetBeforeForward", "gruResetBeforeBackward",
  "mguForward", "mguBackward",
] as const;

/** The name of a cell kernel export. */
export type CellKernelName = (typeof CELL_KERNELS)[number];

/** Each cell kernel runs a whole sequence (or T = 1 step of one) from the struct at `args`. */
export type RnnExports = { [K in CellKernelName]: (args: number) => void } & {
  /** Floats of the [D, G] table a cell reading token ids allocates in the core for each input projection (freed before the kernel returns). */
  tokenTableSize(D: number, G: number): number;
};
