// GRU (gate order r, z, n): PyTorch's nn.GRU convention (reset after the recurrent product) or
// the original one (reset before it), selectable.
import { RECURRENT_OPTIONS, GATED_ACTIVATION_OPTIONS, type CellActivation, type GateActivation } from "./recurrent.js";
import { optionSchema, defaulted, boolean, type OptionsOf } from "./options.js";
import { HiddenStateLayer, type HiddenStateKernels } from "./hidden-state-layer.js";
import { GRU_RESET_AFTER_FORWARD, GRU_RESET_AFTER_BACKWARD, GRU_RESET_BEFORE_FORWARD, GRU_RESET_BEFORE_BACKWARD } from "./cells/gru-table.js";

/** The options of `new GRU(...)`. */
export const GRU_OPTIONS = optionSchema({
  ...RECURRENT_OPTIONS.fields,
  /**
   * true (default, PyTorch and Keras): n = φ(W_in x + b_in + r ⊙ (W_hn h + b_hn));
   * false (the original GRU): n = φ(W_in x + b_in + W_hn (r ⊙ h) + b_hn).
   */
  resetAfter: defaulted(boolean, true),
  /** activation: φ for the candidate n; recurrentActivation: σ for the gates r, z. */
  ...GATED_ACTIVATION_OPTIONS,
});

/** Options of `new GRU(...)`. */
export type GRUOptions = OptionsOf<typeof GRU_OPTIONS>;

/**
 * GRU layer over time-major batches: h_t = (1 - z) n + z h_{t-1}. Parameters (PyTorch names):
 * weight_ih_l0 [3H, D], weight_hh_l0 [3H, H], bias_ih_l0 [3H], bias_hh_l0 [3H] (then _l1, ...,
 * _reverse likewise). State { h: [layers * dirs, B, H] }.
 */
export class GRU extends HiddenStateLayer {
  readonly resetAfter: boolean;
  readonly activation: CellActivation;
  readonly recurrentActivation: GateActivation;

  constructor(options: GRUOptions) {
    const o = GRU_OPTIONS.parse("GRU", options);
    super(o, { type: "GRU", schema: GRU_OPTIONS });
    this.resetAfter = o.resetAfter;
    this.activation = o.activation;
    this.recurrentActivation = o.recurrentActivation;
    this.buildOwn(this.seed);
  }

  protected get gates(): number {
    return 3;
  }

  // each backward step's gradients overwrite its gates (and, reset after, its W_hh h + b_hh); hs,
  // gates and dA are the same blocks in both conventions' tables
  protected get kernels(): HiddenStateKernels<this> {
    return this.resetAfter
      ? { forward: GRU_RESET_AFTER_FORWARD, backward: GRU_RESET_AFTER_BACKWARD, gateGradient: "dA" }
      : { forward: GRU_RESET_BEFORE_FORWARD, backward: GRU_RESET_BEFORE_BACKWARD, gateGradient: "dA" };
  }
}
