// Elman network: s_t = f(W_ih x_t + b_ih + W_hh s_{t-1} + b_hh), PyTorch's nn.RNN (one layer).
import { core } from "../core.js";
import type { ParameterSpec } from "../arena.js";
import type { Rng } from "../random.js";
import { RecurrentLayer, RECURRENT_OPTION_KEYS, torchRecurrentParams, type CarriedState, type RecurrentOptions } from "./recurrent.js";
import type { LayerConfig } from "./layer.js";
import { ACTIVATION_CODES } from "../kernels/activations.js";
import { checkChoice } from "../validate.js";

/** Activations an Elman layer may use, as PyTorch's nn.RNN nonlinearity (plus linear). */
export type SimpleRNNActivation = "tanh" | "relu" | "linear";

/** Options of `new SimpleRNN(...)`, in the style of tfjs-layers. */
export interface SimpleRNNOptions extends RecurrentOptions {
  /** f in s_t = f(...): "tanh" (default), "relu" or "linear". */
  activation?: SimpleRNNActivation;
}

const OPTION_KEYS = [...RECURRENT_OPTION_KEYS, "activation"] as const;

/**
 * Elman recurrent layer over time-major batches. Parameters (PyTorch names): weight_ih_l0 [H, D],
 * weight_hh_l0 [H, H], bias_ih_l0 [H], bias_hh_l0 [H]. State { h: [1, B, H] }.
 */
export class SimpleRNN extends RecurrentLayer {
  readonly activation: SimpleRNNActivation;

  constructor(options: SimpleRNNOptions) {
    super("SimpleRNN", options, OPTION_KEYS);
    const where = "SimpleRNN";
    this.activation = checkChoice(where, "activation", options.activation ?? "tanh", ["tanh", "relu", "linear"] as const);
    this.buildOwn(this.seed);
  }

  protected get carried(): readonly CarriedState[] {
    return [{ name: "h", size: this.units }];
  }

  paramSpecs(): ParameterSpec[] {
    return torchRecurrentParams(1, this.units, this.inputSize);
  }

  protected initParams(rng: Rng): void {
    this.initUniform(rng, 1 / Math.sqrt(this.units));
  }

  config(): LayerConfig {
    return {
      type: "SimpleRNN",
      options: { units: this.units, inputSize: this.inputSize, activation: this.activation, returnSequences: this.returnSequences, seed: this.seed },
    };
  }

  protected sequenceForward(x: number, T: number, B: number, [h0]: readonly number[]): void {
    const H = this.units;
    const pack = this.ws.ptr("pack", core().gemmPackedSize(H, H));
    core().simpleRnnForward(T, B, this.inputSize, H, ACTIVATION_CODES[this.activation], x, h0!,
      this.paramPtr("weight_ih_l0"), this.paramPtr("weight_hh_l0"), this.paramPtr("bias_ih_l0"), this.paramPtr("bias_hh_l0"),
      this.hs(T, B), pack);
  }

  /** h_0..h_T [T+1, B, H]. */
  private hs(T: number, B: number): number {
    return this.ws.ptr("hs", (T + 1) * B * this.units);
  }

  protected outputSequence(T: number, B: number): number {
    return this.hs(T, B) + B * this.units * 4;
  }

  protected sequenceBackward(x: number, T: number, B: number, dOut: number, [dhT]: readonly number[], dx: number, [dh0]: readonly number[]): void {
    const H = this.units;
    const dz = this.ws.ptr("dz", T * B * H);
    const pack = this.ws.ptr("pack", core().gemmPackedSize(H, H));
    core().simpleRnnBackward(T, B, this.inputSize, H, ACTIVATION_CODES[this.activation],
      x, this.hs(T, B), this.paramPtr("weight_ih_l0"), this.paramPtr("weight_hh_l0"),
      dOut, dhT!, dz, dx, dh0!,
      this.gradPtr("weight_ih_l0"), this.gradPtr("weight_hh_l0"), this.gradPtr("bias_ih_l0"), this.gradPtr("bias_hh_l0"), pack);
  }
}
