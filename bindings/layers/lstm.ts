// LSTM, PyTorch's nn.LSTM (one layer, gate order i, f, g, o), with optional peepholes.
import type { ParameterSpec } from "../arena.js";
import type { Rng } from "../random.js";
import { RecurrentLayer, RECURRENT_OPTIONS, GATED_ACTIVATION_OPTIONS, torchRecurrentParams, type Cell, type CarriedState, type CellActivation, type GateActivation } from "./recurrent.js";
import { optionSchema, defaulted, absent, boolean, finite, type OptionsOf } from "./options.js";
import { cellBlocks, runKernel, workspaceBlock } from "./cells/table.js";
import type { BlockRef } from "../buffer.js";
import { LSTM_FORWARD, LSTM_BACKWARD } from "./cells/lstm-table.js";

/** The options of `new LSTM(...)`. */
export const LSTM_OPTIONS = optionSchema({
  ...RECURRENT_OPTIONS.fields,
  /** activation: φ for the cell input g and the output φ(c_t); recurrentActivation: σ for the gates i, f, o. */
  ...GATED_ACTIVATION_OPTIONS,
  /** Peephole connections: i and f see c_{t-1}, o sees c_t (weights peephole_{i,f,o}_l0 [H]). Default false. */
  peephole: defaulted(boolean, false),
  /** Initial forget-gate bias (finite in float32): bias_ih_l0[H:2H] = forgetBias and bias_hh_l0[H:2H] = 0 (e.g. 1.0). Default: PyTorch's uniform init. */
  forgetBias: absent(finite()),
});

/** Options of `new LSTM(...)`, in the style of tfjs-layers. */
export type LSTMOptions = OptionsOf<typeof LSTM_OPTIONS>;

const PEEPHOLE_GATES = ["i", "f", "o"] as const;

/**
 * LSTM layer over time-major batches: c_t = f c_{t-1} + i g, h_t = o φ(c_t). Parameters (PyTorch
 * names): weight_ih_l0 [4H, D], weight_hh_l0 [4H, H], bias_ih_l0 [4H], bias_hh_l0 [4H] and, with
 * peepholes, peephole_i_l0, peephole_f_l0, peephole_o_l0 [H] (then _l1, ..., _reverse likewise).
 * States { h, c }, each [layers * dirs, B, H].
 */
export class LSTM extends RecurrentLayer {
  readonly activation: CellActivation;
  readonly recurrentActivation: GateActivation;
  readonly peephole: boolean;
  readonly forgetBias: number | null;

  constructor(options: LSTMOptions) {
    const o = LSTM_OPTIONS.parse("LSTM", options);
    super(o, { type: "LSTM", schema: LSTM_OPTIONS });
    this.activation = o.activation;
    this.recurrentActivation = o.recurrentActivation;
    this.peephole = o.peephole;
    this.forgetBias = o.forgetBias ?? null;
    this.buildOwn(this.seed);
  }

  protected get carried(): readonly CarriedState[] {
    return [{ name: "h", size: this.units }, { name: "c", size: this.units }];
  }

  protected get gateWidth(): number {
    return 4 * this.units;
  }

  protected cellBlocks(cell: Cell, T: number, B: number, training: boolean): BlockRef[] {
    return cellBlocks(LSTM_FORWARD, LSTM_BACKWARD, this.cellCall(cell, T, B), training);
  }

  protected cellParams(cell: Cell): ParameterSpec[] {
    const specs = torchRecurrentParams(4, this.units, cell.inputSize, cell.suffix);
    if (this.peephole) for (const gate of PEEPHOLE_GATES) specs.push({ name: `peephole_${gate}${cell.suffix}`, shape: [this.units] });
    return specs;
  }

  protected override initParams(rng: Rng): void {
    super.initParams(rng);
    const H = this.units;
    if (this.forgetBias === null) return;
    for (const cell of this.cells) {
      this.paramView(`bias_ih${cell.suffix}`).fill(this.forgetBias, H, 2 * H);
      this.paramView(`bias_hh${cell.suffix}`).fill(0, H, 2 * H);
    }
  }

  protected cellForward(cell: Cell, x: number, T: number, B: number, [h0, c0]: readonly number[], lengths: number, zAdd: number): void {
    runKernel(LSTM_FORWARD, this.cellCall(cell, T, B), { x, lengths, h0: h0!, c0: c0!, zAdd });
  }

  protected cellKeptOutput(cell: Cell, T: number, B: number): number {
    return workspaceBlock(LSTM_FORWARD, "hs", this.cellCall(cell, T, B)) + B * this.units * 4;
  }

  protected override cellFinalStates(cell: Cell, T: number, B: number): number[] {
    const call = this.cellCall(cell, T, B);
    const offset = T * B * this.units * 4;
    return [workspaceBlock(LSTM_FORWARD, "hs", call) + offset, workspaceBlock(LSTM_FORWARD, "cs", call) + offset];
  }

  protected cellBackward(cell: Cell, x: number, T: number, B: number, dOut: number, [dhT, dcT]: readonly number[], dx: number, [dh0, dc0]: readonly number[], lengths: number): number {
    const call = this.cellCall(cell, T, B);
    runKernel(LSTM_BACKWARD, call, { x, lengths, dOut, dhT: dhT!, dcT: dcT!, dx, dh0: dh0!, dc0: dc0! });
    return workspaceBlock(LSTM_BACKWARD, "dGates", call);
  }
}
