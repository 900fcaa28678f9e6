// Jordan network: the memory holds the previous OUTPUT.
//   h_t = f(W_ih x_t + W_hy y_{t-1} + b),  y_t = g(W_o h_t + b_o),  y_0 = 0 or given.
import { core } from "../core.js";
import type { ParameterSpec } from "../arena.js";
import type { Rng } from "../random.js";
import { RecurrentLayer, RECURRENT_OPTION_KEYS, type CarriedState, type RecurrentOptions } from "./recurrent.js";
import type { LayerConfig } from "./layer.js";
import { ACTIVATION_CODES } from "../kernels/activations.js";
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
  /** g, default "linear"; "softmax" normalises each step's output over O. */
  outputActivation?: JordanOutputActivation;
}

const OPTION_KEYS = [...RECURRENT_OPTION_KEYS, "outputUnits", "activation", "outputActivation"] as const;
/** The core's code for a row-wise softmax output (assembly/rnn/jordan.ts OUT_SOFTMAX). */
const OUT_SOFTMAX = 5;

/**
 * Jordan recurrent layer. Parameters: weight_ih [H, D], weight_hy [H, O], bias [H],
 * weight_o [O, H], bias_o [O]. Initial state { y: [1, B, O] }; final state { y, h: [1, B, H] }.
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
    this.buildOwn(this.seed);
  }

  protected get carried(): readonly CarriedState[] {
    return [{ name: "y", size: this.outputUnits }];
  }

  paramSpecs(): ParameterSpec[] {
    const H = this.units;
    const O = this.outputUnits;
    return [
      { name: "weight_ih", shape: [H, this.inputSize] },
      { name: "weight_hy", shape: [H, O] },
      { name: "bias", shape: [H] },
      { name: "weight_o", shape: [O, H] },
      { name: "bias_o", shape: [O] },
    ];
  }

  protected initParams(rng: Rng): void {
    this.initUniform(rng, 1 / Math.sqrt(this.units));
  }

  config(): LayerConfig {
    return {
      type: "Jordan",
      options: {
        units: this.units, inputSize: this.inputSize, outputUnits: this.outputUnits, activation: this.activation,
        outputActivation: this.outputActivation, returnSequences: this.returnSequences, seed: this.seed,
      },
    };
  }

  private get codes(): [number, number] {
    const g = this.outputActivation === "softmax" ? OUT_SOFTMAX : ACTIVATION_CODES[this.outputActivation];
    return [ACTIVATION_CODES[this.activation], g];
  }

  private packSize(): number {
    const H = this.units;
    const O = this.outputUnits;
    return Math.max(core().gemmPackedSize(H, O), core().gemmPackedSize(O, H));
  }

  /** Hidden layers h_1..h_T [T, B, H]. */
  private hs(T: number, B: number): number {
    return this.ws.ptr("hs", T * B * this.units);
  }

  /** Outputs y_0..y_T [T+1, B, O]. */
  private ys(T: number, B: number): number {
    return this.ws.ptr("ys", (T + 1) * B * this.outputUnits);
  }

  protected sequenceForward(x: number, T: number, B: number, [y0]: readonly number[]): void {
    const [f, g] = this.codes;
    core().jordanForward(T, B, this.inputSize, this.units, this.outputUnits, f, g, x, y0!,
      this.paramPtr("weight_ih"), this.paramPtr("weight_hy"), this.paramPtr("bias"), this.paramPtr("weight_o"), this.paramPtr("bias_o"),
      this.hs(T, B), this.ys(T, B), this.ws.ptr("packHy", this.packSize()), this.ws.ptr("packO", this.packSize()));
  }

  protected outputSequence(T: number, B: number): number {
    return this.ys(T, B) + B * this.outputUnits * 4;
  }

  protected sequenceBackward(x: number, T: number, B: number, dOut: number, [dyT]: readonly number[], dx: number, [dy0]: readonly number[]): void {
    const H = this.units;
    const O = this.outputUnits;
    const [f, g] = this.codes;
    core().jordanBackward(T, B, this.inputSize, H, O, f, g,
      x, this.hs(T, B), this.ys(T, B),
      this.paramPtr("weight_ih"), this.paramPtr("weight_hy"), this.paramPtr("weight_o"),
      dOut, dyT!, this.ws.ptr("dOs", T * B * O), this.ws.ptr("dz", T * B * H), this.ws.ptr("dh", B * H), dx, dy0!,
      this.gradPtr("weight_ih"), this.gradPtr("weight_hy"), this.gradPtr("bias"), this.gradPtr("weight_o"), this.gradPtr("bias_o"),
      this.ws.ptr("packHy", this.packSize()), this.ws.ptr("packO", this.packSize()));
  }

  protected override get extraStateNames(): readonly string[] {
    return ["h"];
  }

  protected override extraFinalStates(T: number, B: number): Record<string, { ptr: number; size: number }> {
    const H = this.units;
    return { h: { ptr: this.hs(T, B) + (T - 1) * B * H * 4, size: H } };
  }
}
