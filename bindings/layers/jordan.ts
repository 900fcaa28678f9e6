// Jordan network: the memory holds the previous OUTPUT.
//   h_t = f(W_ih x_t + W_hy y_{t-1} + b),  y_t = g(W_o h_t + b_o),  y_0 = 0 or given.
import { core } from "../core.js";
import type { ParameterSpec } from "../arena.js";
import { RecurrentLayer, RECURRENT_OPTION_KEYS, type Cell, type CarriedState, type RecurrentOptions } from "./recurrent.js";
import type { LayerConfig } from "./layer.js";
import { ACTIVATION_CODES, OUTPUT_CODES } from "../kernels/activations.js";
import { checkChoice, checkInt } from "../validate.js";

/** Hidden-layer activations f of a Jordan network. */
export type JordanActivation = "tanh" | "relu" | "linear" | "sigmoid";
/** Output activations g of a Jordan network. */
export type JordanOutputActivation = "softmax" | "sigmoid" | "linear" | "tanh";

/** Options of `new Jordan(...)`. */
export interface JordanOptions extends RecurrentOptions {
  /** Output features O per step (the memory holds y_{t-1} [O]). */
  outputUnits: number;
  /** f, default "tanh". */
  activation?: JordanActivation;
  /** g, default "linear"; "softmax" normalises each step's output over O (O >= 2). */
  outputActivation?: JordanOutputActivation;
}

const OPTION_KEYS = [...RECURRENT_OPTION_KEYS, "outputUnits", "activation", "outputActivation"] as const;

/**
 * Jordan recurrent layer. Parameters: weight_ih [H, D], weight_hy [H, O], bias [H],
 * weight_o [O, H], bias_o [O] (further stacked layers and directions: weight_ih_l1, ..._l0_reverse).
 * Initial state { y: [layers * dirs, B, O] }; final state { y, h: [layers * dirs, B, H] }, and
 * `backward(dOutput, { y, h })` takes gradients of both.
 */
export class Jordan extends RecurrentLayer {
  readonly outputUnits: number;
  readonly activation: JordanActivation;
  readonly outputActivation: JordanOutputActivation;

  constructor(options: JordanOptions) {
    super("Jordan", options, OPTION_KEYS);
    const where = "Jordan";
    this.outputUnits = checkInt(where, "outputUnits", options.outputUnits);
    this.activation = checkChoice(where, "activation", options.activation ?? "tanh", ["tanh", "relu", "linear", "sigmoid"] as const);
    this.outputActivation = checkChoice(where, "outputActivation", options.outputActivation ?? "linear", ["softmax", "sigmoid", "linear", "tanh"] as const);
    if (this.outputActivation === "softmax" && this.outputUnits === 1) {
      throw new RangeError(`${where}: outputActivation "softmax" over outputUnits 1 always outputs 1; use "sigmoid" for one output, or outputUnits >= 2`);
    }
    this.buildOwn(this.seed);
  }

  protected get carried(): readonly CarriedState[] {
    return [{ name: "y", size: this.outputUnits }];
  }

  protected get gateWidth(): number {
    return this.units;
  }

  protected cellParams(cell: Cell): ParameterSpec[] {
    const H = this.units;
    const O = this.outputUnits;
    return [
      { name: this.name("weight_ih", cell), shape: [H, cell.inputSize] },
      { name: this.name("weight_hy", cell), shape: [H, O] },
      { name: this.name("bias", cell), shape: [H] },
      { name: this.name("weight_o", cell), shape: [O, H] },
      { name: this.name("bias_o", cell), shape: [O] },
    ];
  }

  config(): LayerConfig {
    return {
      type: "Jordan",
      options: { ...this.recurrentConfig(), outputUnits: this.outputUnits, activation: this.activation, outputActivation: this.outputActivation },
    };
  }

  private get codes(): [number, number] {
    const g = this.outputActivation === "softmax" ? OUTPUT_CODES.softmax : ACTIVATION_CODES[this.outputActivation];
    return [ACTIVATION_CODES[this.activation], g];
  }

  private packs(cell: Cell): [number, number] {
    const H = this.units;
    const O = this.outputUnits;
    const size = Math.max(core().gemmPackedSize(H, O), core().gemmPackedSize(O, H));
    return [cell.ws.ptr("packHy", size), cell.ws.ptr("packO", size)];
  }

  /** Parameter names of a cell: the first one keeps the plain names of issue 2 (weight_ih, ...). */
  private name(base: string, cell: Cell): string {
    return `${base}${cell.suffix.replace(/^_l0$/, "")}`;
  }

  /** Hidden layers h_1..h_T [T, B, H]. */
  private hs(cell: Cell, T: number, B: number): number {
    return cell.ws.ptr("hs", T * B * this.units);
  }

  /** Outputs y_0..y_T [T+1, B, O]. */
  private ys(cell: Cell, T: number, B: number): number {
    return cell.ws.ptr("ys", (T + 1) * B * this.outputUnits);
  }

  protected cellForward(cell: Cell, x: number, T: number, B: number, [y0]: readonly number[], lengths: number, zAdd: number): void {
    const [f, g] = this.codes;
    const p = (n: string): number => this.paramPtr(this.name(n, cell));
    const [packHy, packO] = this.packs(cell);
    core().jordanForward(T, B, cell.inputSize, this.units, this.outputUnits, f, g, x, cell.tokens, y0!,
      p("weight_ih"), p("weight_hy"), p("bias"), p("weight_o"), p("bias_o"),
      this.hs(cell, T, B), this.ys(cell, T, B), packHy, packO, lengths, zAdd);
  }

  protected cellKeptOutput(cell: Cell, T: number, B: number): number {
    return this.ys(cell, T, B) + B * this.outputUnits * 4;
  }

  protected cellBackward(cell: Cell, x: number, T: number, B: number, dOut: number, [dyT, dhT]: readonly number[], dx: number, [dy0]: readonly number[], lengths: number): number {
    const H = this.units;
    const O = this.outputUnits;
    const [f, g] = this.codes;
    const p = (n: string): number => this.paramPtr(this.name(n, cell));
    const gr = (n: string): number => this.gradPtr(this.name(n, cell));
    const [packHy, packO] = this.packs(cell);
    const dz = cell.ws.ptr("dz", T * B * H);
    const dhCarry = dhT === 0 ? 0 : cell.ws.ptr("dhCarry", B * H);
    core().jordanBackward(T, B, cell.inputSize, H, O, f, g,
      x, cell.tokens, this.hs(cell, T, B), this.ys(cell, T, B), p("weight_ih"), p("weight_hy"), p("weight_o"),
      dOut, dyT!, cell.ws.ptr("dOs", T * B * O), dz, cell.ws.ptr("dh", B * H), dx, dy0!,
      gr("weight_ih"), gr("weight_hy"), gr("bias"), gr("weight_o"), gr("bias_o"), packHy, packO, lengths, dhT!, dhCarry);
    return dz;
  }

  protected override get extraStates(): readonly CarriedState[] {
    return [{ name: "h", size: this.units }];
  }

  protected override cellExtraStates(cell: Cell, T: number, B: number): number[] {
    return [this.hs(cell, T, B) + (T - 1) * B * this.units * 4];
  }
}
