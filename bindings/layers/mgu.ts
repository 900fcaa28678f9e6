// Minimal Gated Unit (Zhou et al. 2016; gate order f, n): one forget gate, applied after the
// recurrent product as PyTorch's GRU applies its reset gate. The worked example of the cell kit:
// the core's kernels are assembly/rnn/mgu.ts, their struct tables cells/mgu-table.ts.
import type { ParameterSpec } from "../arena.js";
import { RecurrentLayer, RECURRENT_OPTIONS, torchRecurrentParams, type Cell, CELL_ACTIVATIONS, GATE_ACTIVATIONS, type CarriedState, type CellActivation, type GateActivation } from "./recurrent.js";
import { optionSchema, defaulted, choice, type OptionsOf } from "./options.js";
import { cellBlocks, runKernel, workspaceBlock } from "./cells/table.js";
import type { BlockRef } from "../buffer.js";
import { MGU_FORWARD, MGU_BACKWARD } from "./cells/mgu-table.js";

/** The options of `new MGU(...)`. */
export const MGU_OPTIONS = optionSchema({
  ...RECURRENT_OPTIONS.fields,
  /** φ for the candidate n: "tanh" (default), "linear", "relu" or "sigmoid". */
  activation: defaulted(choice(CELL_ACTIVATIONS), "tanh"),
  /** σ for the forget gate f: "sigmoid" (default) or "hardSigmoid". */
  recurrentActivation: defaulted(choice(GATE_ACTIVATIONS), "sigmoid"),
});

/** Options of `new MGU(...)`. */
export type MGUOptions = OptionsOf<typeof MGU_OPTIONS>;

/**
 * MGU layer over time-major batches: f = σ(W_if x + b_if + W_hf h + b_hf),
 * n = φ(W_in x + b_in + f ⊙ (W_hn h + b_hn)), h_t = (1 - f) h_{t-1} + f n. Parameters (PyTorch
 * names): weight_ih_l0 [2H, D], weight_hh_l0 [2H, H], bias_ih_l0 [2H], bias_hh_l0 [2H] (then
 * _l1, ..., _reverse likewise). State { h: [layers * dirs, B, H] }.
 */
export class MGU extends RecurrentLayer {
  readonly activation: CellActivation;
  readonly recurrentActivation: GateActivation;

  constructor(options: MGUOptions) {
    const o = MGU_OPTIONS.parse("MGU", options);
    super(o, { type: "MGU", options: (inputSize) => MGU_OPTIONS.config({ ...o, inputSize }) });
    this.activation = o.activation;
    this.recurrentActivation = o.recurrentActivation;
    this.buildOwn(this.seed);
  }

  protected get carried(): readonly CarriedState[] {
    return [{ name: "h", size: this.units }];
  }

  protected get gateWidth(): number {
    return 2 * this.units;
  }

  protected cellBlocks(cell: Cell, T: number, B: number, training: boolean): BlockRef[] {
    return cellBlocks(MGU_FORWARD, MGU_BACKWARD, this.cellCall(cell, T, B), training);
  }

  protected cellParams(cell: Cell): ParameterSpec[] {
    return torchRecurrentParams(2, this.units, cell.inputSize, cell.suffix);
  }

  protected cellForward(cell: Cell, x: number, T: number, B: number, [h0]: readonly number[], lengths: number, zAdd: number): void {
    runKernel(MGU_FORWARD, this.cellCall(cell, T, B), { x, lengths, h0: h0!, zAdd });
  }

  protected cellKeptOutput(cell: Cell, T: number, B: number): number {
    return workspaceBlock(MGU_FORWARD, "hs", this.cellCall(cell, T, B)) + B * this.units * 4;
  }

  protected cellBackward(cell: Cell, x: number, T: number, B: number, dOut: number, [dhT]: readonly number[], dx: number, [dh0]: readonly number[], lengths: number): number {
    const call = this.cellCall(cell, T, B);
    // each step's gradients overwrite its gates and its W_hh h + b_hh
    runKernel(MGU_BACKWARD, call, { x, lengths, dOut, dhT: dhT!, dx, dh0: dh0! });
    return workspaceBlock(MGU_BACKWARD, "dA", call);
  }
}
