// LSTM, PyTorch's nn.LSTM (one layer, gate order i, f, g, o), with optional peepholes.
import { core } from "../core.js";
import type { ParameterSpec } from "../arena.js";
import type { Rng } from "../random.js";
import { RecurrentLayer, RECURRENT_OPTIONS, torchRecurrentParams, type Cell, CELL_ACTIVATIONS, GATE_ACTIVATIONS, type CarriedState, type CellActivation, type GateActivation } from "./recurrent.js";
import { ACTIVATION_CODES } from "../kernels/activations.js";
import { optionSchema, defaulted, absent, choice, boolean, finite, type OptionsOf } from "./options.js";

/** The options of `new LSTM(...)`. */
export const LSTM_OPTIONS = optionSchema({
  ...RECURRENT_OPTIONS.fields,
  /** φ for the cell input g and the output φ(c_t): "tanh" (default), "linear", "relu" or "sigmoid". */
  activation: defaulted(choice(CELL_ACTIVATIONS), "tanh"),
  /** σ for the gates i, f, o: "sigmoid" (default) or "hardSigmoid" (clip(0.2x + 0.5, 0, 1), as tfjs/Keras). */
  recurrentActivation: defaulted(choice(GATE_ACTIVATIONS), "sigmoid"),
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
    super(o, { type: "LSTM", options: LSTM_OPTIONS.config(o) });
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

  private state(cell: Cell, name: "hs" | "cs", T: number, B: number): number {
    return cell.ws.ptr(name, (T + 1) * B * this.units);
  }

  private get codes(): [number, number] {
    return [ACTIVATION_CODES[this.activation], ACTIVATION_CODES[this.recurrentActivation]];
  }

  /** Peephole weight (or gradient) pointers of a cell, or zeros without peepholes. */
  private peepholePtrs(cell: Cell, grad: boolean): [number, number, number] {
    if (!this.peephole) return [0, 0, 0];
    return PEEPHOLE_GATES.map((gate) => (grad ? this.gradPtr : this.paramPtr).call(this, `peephole_${gate}${cell.suffix}`)) as [number, number, number];
  }

  private pack(cell: Cell): number {
    const H = this.units;
    return cell.ws.ptr("pack", Math.max(core().gemmPackedSize(H, 4 * H), core().gemmPackedSize(4 * H, H)));
  }

  protected cellForward(cell: Cell, x: number, T: number, B: number, [h0, c0]: readonly number[], lengths: number, zAdd: number): void {
    const H = this.units;
    const s = cell.suffix;
    const [act, ract] = this.codes;
    const [pi, pf, po] = this.peepholePtrs(cell, false);
    core().lstmForward(T, B, cell.inputSize, H, act, ract, x, cell.tokens, h0!, c0!,
      this.paramPtr(`weight_ih${s}`), this.paramPtr(`weight_hh${s}`), this.paramPtr(`bias_ih${s}`), this.paramPtr(`bias_hh${s}`), pi, pf, po,
      cell.ws.ptr("gates", T * B * 4 * H), this.state(cell, "hs", T, B), this.state(cell, "cs", T, B), cell.ws.ptr("acs", T * B * H),
      this.pack(cell), lengths, zAdd);
  }

  protected cellKeptOutput(cell: Cell, T: number, B: number): number {
    return this.state(cell, "hs", T, B) + B * this.units * 4;
  }

  protected override cellFinalStates(cell: Cell, T: number, B: number): number[] {
    const offset = T * B * this.units * 4;
    return [this.state(cell, "hs", T, B) + offset, this.state(cell, "cs", T, B) + offset];
  }

  protected cellBackward(cell: Cell, x: number, T: number, B: number, dOut: number, [dhT, dcT]: readonly number[], dx: number, [dh0, dc0]: readonly number[], lengths: number): number {
    const H = this.units;
    const s = cell.suffix;
    const [act, ract] = this.codes;
    const [pi, pf, po] = this.peepholePtrs(cell, false);
    const [dpi, dpf, dpo] = this.peepholePtrs(cell, true);
    const dGates = cell.ws.ptr("gates", T * B * 4 * H); // each step's gate gradients overwrite its gates
    core().lstmBackward(T, B, cell.inputSize, H, act, ract,
      x, cell.tokens, cell.ws.ptr("gates", T * B * 4 * H), this.state(cell, "hs", T, B), this.state(cell, "cs", T, B), cell.ws.ptr("acs", T * B * H),
      this.paramPtr(`weight_ih${s}`), this.paramPtr(`weight_hh${s}`), pi, pf, po,
      dOut, dhT!, dcT!, dGates, dx, dh0!, dc0!,
      this.gradPtr(`weight_ih${s}`), this.gradPtr(`weight_hh${s}`), this.gradPtr(`bias_ih${s}`), this.gradPtr(`bias_hh${s}`), dpi, dpf, dpo,
      this.pack(cell), lengths);
    return dGates;
  }
}
