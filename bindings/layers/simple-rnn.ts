// Elman network: s_t = f(W_ih x_t + b_ih + W_hh s_{t-1} + b_hh), PyTorch's nn.RNN.
import type { ParameterSpec } from "../arena.js";
import { RecurrentLayer, RECURRENT_OPTIONS, torchRecurrentParams, type Cell, type CarriedState } from "./recurrent.js";
import { optionSchema, defaulted, choice, type OptionsOf } from "./options.js";
import { cellBlocks, runKernel, workspaceBlock } from "./cells/table.js";
import type { BlockRef } from "../buffer.js";
import { SIMPLE_RNN_FORWARD, SIMPLE_RNN_BACKWARD } from "./cells/simple-rnn-table.js";

/** Activations an Elman layer may use, as PyTorch's nn.RNN nonlinearity (plus linear). */
export type SimpleRNNActivation = "tanh" | "relu" | "linear";
export const SIMPLE_RNN_ACTIVATIONS: readonly SimpleRNNActivation[] = ["tanh", "relu", "linear"];

/** The options of `new SimpleRNN(...)`. */
export const SIMPLE_RNN_OPTIONS = optionSchema({
  ...RECURRENT_OPTIONS.fields,
  /** f in s_t = f(...): "tanh" (default), "relu" or "linear". */
  activation: defaulted(choice(SIMPLE_RNN_ACTIVATIONS), "tanh"),
});

/** Options of `new SimpleRNN(...)`, in the style of tfjs-layers. */
export type SimpleRNNOptions = OptionsOf<typeof SIMPLE_RNN_OPTIONS>;

/**
 * Elman recurrent layer over time-major batches. Parameters (PyTorch names): weight_ih_l0 [H, D],
 * weight_hh_l0 [H, H], bias_ih_l0 [H], bias_hh_l0 [H] (and _l1..., _reverse). State { h }.
 */
export class SimpleRNN extends RecurrentLayer {
  readonly activation: SimpleRNNActivation;

  constructor(options: SimpleRNNOptions) {
    const o = SIMPLE_RNN_OPTIONS.parse("SimpleRNN", options);
    super(o, { type: "SimpleRNN", options: (inputSize) => SIMPLE_RNN_OPTIONS.config({ ...o, inputSize }) });
    this.activation = o.activation;
    this.buildOwn(this.seed);
  }

  protected get carried(): readonly CarriedState[] {
    return [{ name: "h", size: this.units }];
  }

  protected get gateWidth(): number {
    return this.units;
  }

  protected cellBlocks(cell: Cell, T: number, B: number, training: boolean): BlockRef[] {
    return cellBlocks(SIMPLE_RNN_FORWARD, SIMPLE_RNN_BACKWARD, this.cellCall(cell, T, B), training);
  }

  protected cellParams(cell: Cell): ParameterSpec[] {
    return torchRecurrentParams(1, this.units, cell.inputSize, cell.suffix);
  }

  protected cellForward(cell: Cell, x: number, T: number, B: number, [h0]: readonly number[], lengths: number, zAdd: number): void {
    runKernel(SIMPLE_RNN_FORWARD, this.cellCall(cell, T, B), { x, lengths, h0: h0!, zAdd });
  }

  protected cellKeptOutput(cell: Cell, T: number, B: number): number {
    return workspaceBlock(SIMPLE_RNN_FORWARD, "hs", this.cellCall(cell, T, B)) + B * this.units * 4;
  }

  protected cellBackward(cell: Cell, x: number, T: number, B: number, dOut: number, [dhT]: readonly number[], dx: number, [dh0]: readonly number[], lengths: number): number {
    const call = this.cellCall(cell, T, B);
    runKernel(SIMPLE_RNN_BACKWARD, call, { x, lengths, dOut, dhT: dhT!, dx, dh0: dh0! });
    return workspaceBlock(SIMPLE_RNN_BACKWARD, "dz", call);
  }
}
