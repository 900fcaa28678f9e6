// GRU (gate order r, z, n): PyTorch's nn.GRU convention (reset after the recurrent product) or
// the original one (reset before it), selectable.
import type { ParameterSpec } from "../arena.js";
import { RecurrentLayer, RECURRENT_OPTIONS, torchRecurrentParams, type Cell, CELL_ACTIVATIONS, GATE_ACTIVATIONS, type CarriedState, type CellActivation, type GateActivation } from "./recurrent.js";
import { optionSchema, defaulted, choice, boolean, type OptionsOf } from "./options.js";
import { cellBlocks, runKernel, workspaceBlock } from "./cells/table.js";
import type { BlockRef } from "../buffer.js";
import { GRU_RESET_AFTER_FORWARD, GRU_RESET_AFTER_BACKWARD, GRU_RESET_BEFORE_FORWARD, GRU_RESET_BEFORE_BACKWARD } from "./cells/gru-table.js";

/** The options of `new GRU(...)`. */
export const GRU_OPTIONS = optionSchema({
  ...RECURRENT_OPTIONS.fields,
  /**
   * true (default, PyTorch and Keras): n = φ(W_in x + b_in + r ⊙ (W_hn h + b_hn));
   * false (the original GRU): n = φ(W_in x + b_in + W_hn (r ⊙ h) + b_hn).
   */
  resetAfter: defaulted(boolean, true),
  /** φ for the candidate n: "tanh" (default), "linear", "relu" or "sigmoid". */
  activation: defaulted(choice(CELL_ACTIVATIONS), "tanh"),
  /** σ for the gates r, z: "sigmoid" (default) or "hardSigmoid". */
  recurrentActivation: defaulted(choice(GATE_ACTIVATIONS), "sigmoid"),
});

/** Options of `new GRU(...)`. */
export type GRUOptions = OptionsOf<typeof GRU_OPTIONS>;

/**
 * GRU layer over time-major batches: h_t = (1 - z) n + z h_{t-1}. Parameters (PyTorch names):
 * weight_ih_l0 [3H, D], weight_hh_l0 [3H, H], bias_ih_l0 [3H], bias_hh_l0 [3H] (then _l1, ...,
 * _reverse likewise). State { h: [layers * dirs, B, H] }.
 */
export class GRU extends RecurrentLayer {
  readonly resetAfter: boolean;
  readonly activation: CellActivation;
  readonly recurrentActivation: GateActivation;

  constructor(options: GRUOptions) {
    const o = GRU_OPTIONS.parse("GRU", options);
    super(o, { type: "GRU", options: (inputSize) => GRU_OPTIONS.config({ ...o, inputSize }) });
    this.resetAfter = o.resetAfter;
    this.activation = o.activation;
    this.recurrentActivation = o.recurrentActivation;
    this.buildOwn(this.seed);
  }

  protected get carried(): readonly CarriedState[] {
    return [{ name: "h", size: this.units }];
  }

  protected get gateWidth(): number {
    return 3 * this.units;
  }

  protected cellBlocks(cell: Cell, T: number, B: number, training: boolean): BlockRef[] {
    const call = this.cellCall(cell, T, B);
    return this.resetAfter
      ? cellBlocks(GRU_RESET_AFTER_FORWARD, GRU_RESET_AFTER_BACKWARD, call, training)
      : cellBlocks(GRU_RESET_BEFORE_FORWARD, GRU_RESET_BEFORE_BACKWARD, call, training);
  }

  protected cellParams(cell: Cell): ParameterSpec[] {
    return torchRecurrentParams(3, this.units, cell.inputSize, cell.suffix);
  }

  protected cellForward(cell: Cell, x: number, T: number, B: number, [h0]: readonly number[], lengths: number, zAdd: number): void {
    const call = this.cellCall(cell, T, B);
    const given = { x, lengths, h0: h0!, zAdd };
    if (this.resetAfter) runKernel(GRU_RESET_AFTER_FORWARD, call, given);
    else runKernel(GRU_RESET_BEFORE_FORWARD, call, given);
  }

  protected cellKeptOutput(cell: Cell, T: number, B: number): number {
    // hs and gates are the same blocks in both conventions' tables
    return workspaceBlock(GRU_RESET_AFTER_FORWARD, "hs", this.cellCall(cell, T, B)) + B * this.units * 4;
  }

  protected cellBackward(cell: Cell, x: number, T: number, B: number, dOut: number, [dhT]: readonly number[], dx: number, [dh0]: readonly number[], lengths: number): number {
    const call = this.cellCall(cell, T, B);
    const given = { x, lengths, dOut, dhT: dhT!, dx, dh0: dh0! };
    // each step's gradients overwrite its gates (and, reset after, its W_hh h + b_hh)
    if (this.resetAfter) runKernel(GRU_RESET_AFTER_BACKWARD, call, given);
    else runKernel(GRU_RESET_BEFORE_BACKWARD, call, given);
    return workspaceBlock(GRU_RESET_AFTER_BACKWARD, "dA", call);
  }
}
