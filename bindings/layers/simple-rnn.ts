// Elman network: s_t = f(W_ih x_t + b_ih + W_hh s_{t-1} + b_hh), PyTorch's nn.RNN.
import { core } from "../core.js";
import type { ParameterSpec } from "../arena.js";
import { RecurrentLayer, RECURRENT_OPTIONS, torchRecurrentParams, type Cell, type CarriedState } from "./recurrent.js";
import { ACTIVATION_CODES } from "../kernels/activations.js";
import { optionSchema, defaulted, choice, type OptionsOf } from "./options.js";

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
    super(o, { type: "SimpleRNN", options: SIMPLE_RNN_OPTIONS.config(o) });
    this.activation = o.activation;
    this.buildOwn(this.seed);
  }

  protected get carried(): readonly CarriedState[] {
    return [{ name: "h", size: this.units }];
  }

  protected get gateWidth(): number {
    return this.units;
  }

  protected cellParams(cell: Cell): ParameterSpec[] {
    return torchRecurrentParams(1, this.units, cell.inputSize, cell.suffix);
  }

  /** h_0..h_T [T+1, B, H]. */
  private hs(cell: Cell, T: number, B: number): number {
    return cell.ws.ptr("hs", (T + 1) * B * this.units);
  }

  private pack(cell: Cell): number {
    return cell.ws.ptr("pack", core().gemmPackedSize(this.units, this.units));
  }

  protected cellForward(cell: Cell, x: number, T: number, B: number, [h0]: readonly number[], lengths: number, zAdd: number): void {
    const s = cell.suffix;
    core().simpleRnnForward(T, B, cell.inputSize, this.units, ACTIVATION_CODES[this.activation], x, cell.tokens, h0!,
      this.paramPtr(`weight_ih${s}`), this.paramPtr(`weight_hh${s}`), this.paramPtr(`bias_ih${s}`), this.paramPtr(`bias_hh${s}`),
      this.hs(cell, T, B), this.pack(cell), lengths, zAdd);
  }

  protected cellKeptOutput(cell: Cell, T: number, B: number): number {
    return this.hs(cell, T, B) + B * this.units * 4;
  }

  protected cellBackward(cell: Cell, x: number, T: number, B: number, dOut: number, [dhT]: readonly number[], dx: number, [dh0]: readonly number[], lengths: number): number {
    const H = this.units;
    const s = cell.suffix;
    const dz = cell.ws.ptr("dz", T * B * H);
    core().simpleRnnBackward(T, B, cell.inputSize, H, ACTIVATION_CODES[this.activation],
      x, cell.tokens, this.hs(cell, T, B), this.paramPtr(`weight_ih${s}`), this.paramPtr(`weight_hh${s}`),
      dOut, dhT!, dz, dx, dh0!,
      this.gradPtr(`weight_ih${s}`), this.gradPtr(`weight_hh${s}`), this.gradPtr(`bias_ih${s}`), this.gradPtr(`bias_hh${s}`), this.pack(cell), lengths);
    return dz;
  }
}
