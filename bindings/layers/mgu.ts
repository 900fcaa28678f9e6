// Minimal Gated Unit (Zhou et al. 2016; gate order f, n): one forget gate, applied after the
// recurrent product as PyTorch's GRU applies its reset gate. The worked example of the cell kit:
// the core's kernels are assembly/rnn/mgu.ts, their struct tables cells/mgu-table.ts.
import { RECURRENT_OPTIONS, GATED_ACTIVATION_OPTIONS, type CellActivation, type GateActivation } from "./recurrent.js";
import { optionSchema, type OptionsOf } from "./options.js";
import { HiddenStateLayer, type HiddenStateKernels } from "./hidden-state-layer.js";
import { MGU_FORWARD, MGU_BACKWARD } from "./cells/mgu-table.js";

/** The options of `new MGU(...)`. */
export const MGU_OPTIONS = optionSchema({
  ...RECURRENT_OPTIONS.fields,
  /** activation: φ for the candidate n; recurrentActivation: σ for the forget gate f. */
  ...GATED_ACTIVATION_OPTIONS,
});

/** Options of `new MGU(...)`. */
export type MGUOptions = OptionsOf<typeof MGU_OPTIONS>;

/**
 * MGU layer over time-major batches: f = σ(W_if x + b_if + W_hf h + b_hf),
 * n = φ(W_in x + b_in + f ⊙ (W_hn h + b_hn)), h_t = (1 - f) h_{t-1} + f n. Parameters (PyTorch
 * names): weight_ih_l0 [2H, D], weight_hh_l0 [2H, H], bias_ih_l0 [2H], bias_hh_l0 [2H] (then
 * _l1, ..., _reverse likewise). State { h: [layers * dirs, B, H] }.
 */
export class MGU extends HiddenStateLayer {
  readonly activation: CellActivation;
  readonly recurrentActivation: GateActivation;

  constructor(options: MGUOptions) {
    const o = MGU_OPTIONS.parse("MGU", options);
    super(o, { type: "MGU", schema: MGU_OPTIONS });
    this.activation = o.activation;
    this.recurrentActivation = o.recurrentActivation;
    this.buildOwn(this.seed);
  }

  protected get gates(): number {
    return 2;
  }

  // each backward step's gradients overwrite its gates and its W_hh h + b_hh
  protected get kernels(): HiddenStateKernels<this> {
    return { forward: MGU_FORWARD, backward: MGU_BACKWARD, gateGradient: "dA" };
  }
}
