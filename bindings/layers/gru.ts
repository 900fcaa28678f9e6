// GRU (gate order r, z, n): PyTorch's nn.GRU convention (reset after the recurrent product) or
// the original one (reset before it), selectable.
import { core } from "../core.js";
import type { ParameterSpec } from "../arena.js";
import { RecurrentLayer, RECURRENT_OPTIONS, torchRecurrentParams, type Cell, CELL_ACTIVATIONS, GATE_ACTIVATIONS, type CarriedState, type CellActivation, type GateActivation } from "./recurrent.js";
import { ACTIVATION_CODES } from "../kernels/activations.js";
import { optionSchema, defaulted, choice, boolean, type OptionsOf } from "./options.js";

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
    super(o, { type: "GRU", options: GRU_OPTIONS.config(o) });
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

  protected cellParams(cell: Cell): ParameterSpec[] {
    return torchRecurrentParams(3, this.units, cell.inputSize, cell.suffix);
  }

  private hs(cell: Cell, T: number, B: number): number {
    return cell.ws.ptr("hs", (T + 1) * B * this.units);
  }

  /** Per step W_hh h + b_hh [T, B, 3H] (resetAfter) or r ⊙ h_{t-1} [T, B, H]. */
  private aux(cell: Cell, T: number, B: number): number {
    return cell.ws.ptr("aux", T * B * (this.resetAfter ? 3 : 1) * this.units);
  }

  /** Two pack buffers large enough for the forward and the transposed backward layouts. */
  private packs(cell: Cell): [number, number] {
    const H = this.units;
    const c = core();
    const size1 = this.resetAfter
      ? Math.max(c.gemmPackedSize(H, 3 * H), c.gemmPackedSize(3 * H, H))
      : Math.max(c.gemmPackedSize(H, 2 * H), c.gemmPackedSize(2 * H, H));
    return [cell.ws.ptr("pack1", size1), cell.ws.ptr("pack2", this.resetAfter ? 0 : c.gemmPackedSize(H, H))];
  }

  private get codes(): [number, number] {
    return [ACTIVATION_CODES[this.activation], ACTIVATION_CODES[this.recurrentActivation]];
  }

  protected cellForward(cell: Cell, x: number, T: number, B: number, [h0]: readonly number[], lengths: number, zAdd: number): void {
    const H = this.units;
    const s = cell.suffix;
    const [act, ract] = this.codes;
    const [pack1, pack2] = this.packs(cell);
    core().gruForward(T, B, cell.inputSize, H, act, ract, this.resetAfter ? 1 : 0, x, cell.tokens, h0!,
      this.paramPtr(`weight_ih${s}`), this.paramPtr(`weight_hh${s}`), this.paramPtr(`bias_ih${s}`), this.paramPtr(`bias_hh${s}`),
      cell.ws.ptr("gates", T * B * 3 * H), this.hs(cell, T, B), this.aux(cell, T, B), pack1, pack2, lengths, zAdd);
  }

  protected cellKeptOutput(cell: Cell, T: number, B: number): number {
    return this.hs(cell, T, B) + B * this.units * 4;
  }

  protected cellBackward(cell: Cell, x: number, T: number, B: number, dOut: number, [dhT]: readonly number[], dx: number, [dh0]: readonly number[], lengths: number): number {
    const H = this.units;
    const s = cell.suffix;
    const [act, ract] = this.codes;
    const [pack1, pack2] = this.packs(cell);
    // each step's gradients overwrite its gates (and, reset after, its W_hh h + b_hh)
    const dA = cell.ws.ptr("gates", T * B * 3 * H);
    const dHh = this.resetAfter ? this.aux(cell, T, B) : cell.ws.ptr("dRh", B * H);
    core().gruBackward(T, B, cell.inputSize, H, act, ract, this.resetAfter ? 1 : 0,
      x, cell.tokens, cell.ws.ptr("gates", T * B * 3 * H), this.hs(cell, T, B), this.aux(cell, T, B),
      this.paramPtr(`weight_ih${s}`), this.paramPtr(`weight_hh${s}`),
      dOut, dhT!, dA, dHh, dx, dh0!,
      this.gradPtr(`weight_ih${s}`), this.gradPtr(`weight_hh${s}`), this.gradPtr(`bias_ih${s}`), this.gradPtr(`bias_hh${s}`), pack1, pack2, lengths);
    return dA;
  }
}
