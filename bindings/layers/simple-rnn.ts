// Elman network: s_t = f(W_ih x_t + b_ih + W_hh s_{t-1} + b_hh), PyTorch's nn.RNN.
import { RECURRENT_OPTIONS } from "./recurrent.js";
import { optionSchema, defaulted, choice, type OptionsOf } from "./options.js";
import { HiddenStateLayer, type HiddenStateKernels } from "./hidden-state-layer.js";
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
export class SimpleRNN extends HiddenStateLayer {
  readonly activation: SimpleRNNActivation;

  constructor(options: SimpleRNNOptions) {
    const o = SIMPLE_RNN_OPTIONS.parse("SimpleRNN", options);
    super(o, { type: "SimpleRNN", schema: SIMPLE_RNN_OPTIONS });
    this.activation = o.activation;
    this.buildOwn(this.seed);
  }

  protected get gates(): number {
    return 1;
  }

  protected get kernels(): HiddenStateKernels<this> {
    return { forward: SIMPLE_RNN_FORWARD, backward: SIMPLE_RNN_BACKWARD, gateGradient: "dz" };
  }
}
