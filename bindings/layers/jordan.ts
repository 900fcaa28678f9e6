// Jordan network: the memory holds the previous OUTPUT.
//   h_t = f(W_ih x_t + W_hy y_{t-1} + b),  y_t = g(W_o h_t + b_o),  y_0 = 0 or given.
import type { ParameterSpec } from "../arena.js";
import { RecurrentLayer, RECURRENT_OPTIONS, type Cell, type CarriedState } from "./recurrent.js";
import { optionSchema, required, defaulted, int, choice, type OptionsOf } from "./options.js";
import { cellBlocks, runKernel, workspaceBlock } from "./cells/table.js";
import type { BlockRef } from "../buffer.js";
import { JORDAN_FORWARD, JORDAN_BACKWARD } from "./cells/jordan-table.js";

/** Hidden-layer activations f of a Jordan network. */
export type JordanActivation = "tanh" | "relu" | "linear" | "sigmoid";
/** Output activations g of a Jordan network. */
export type JordanOutputActivation = "softmax" | "sigmoid" | "linear" | "tanh";

/** The options of `new Jordan(...)`. */
export const JORDAN_OPTIONS = optionSchema({
  ...RECURRENT_OPTIONS.fields,
  /** Output features O per step (the memory holds y_{t-1} [O]). */
  outputUnits: required(int()),
  /** f, default "tanh". */
  activation: defaulted(choice<JordanActivation>(["tanh", "relu", "linear", "sigmoid"]), "tanh"),
  /** g, default "linear"; "softmax" normalises each step's output over O (O >= 2). */
  outputActivation: defaulted(choice<JordanOutputActivation>(["softmax", "sigmoid", "linear", "tanh"]), "linear"),
});

/** Options of `new Jordan(...)`. */
export type JordanOptions = OptionsOf<typeof JORDAN_OPTIONS>;

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
    const o = JORDAN_OPTIONS.parse("Jordan", options);
    if (o.outputActivation === "softmax" && o.outputUnits === 1) {
      throw new RangeError(`Jordan: outputActivation "softmax" over outputUnits 1 always outputs 1; use "sigmoid" for one output, or outputUnits >= 2`);
    }
    super(o, { type: "Jordan", schema: JORDAN_OPTIONS });
    this.outputUnits = o.outputUnits;
    this.activation = o.activation;
    this.outputActivation = o.outputActivation;
    this.buildOwn(this.seed);
  }

  protected get carried(): readonly CarriedState[] {
    return [{ name: "y", size: this.outputUnits }];
  }

  protected get gateWidth(): number {
    return this.units;
  }

  protected cellBlocks(cell: Cell, T: number, B: number, training: boolean): BlockRef[] {
    return cellBlocks(JORDAN_FORWARD, JORDAN_BACKWARD, this.cellCall(cell, T, B), training);
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

  /** Parameter names of a cell: the first one keeps the plain names of issue 2 (weight_ih, ...). */
  private name(base: string, cell: Cell): string {
    return `${base}${cell.suffix.replace(/^_l0$/, "")}`;
  }

  protected override cellParamName(base: string, cell: Cell): string {
    return this.name(base, cell);
  }

  protected cellForward(cell: Cell, x: number, T: number, B: number, [y0]: readonly number[], lengths: number, zAdd: number): void {
    runKernel(JORDAN_FORWARD, this.cellCall(cell, T, B), { x, lengths, y0: y0!, zAdd });
  }

  protected cellKeptOutput(cell: Cell, T: number, B: number): number {
    return workspaceBlock(JORDAN_FORWARD, "ys", this.cellCall(cell, T, B)) + B * this.outputUnits * 4;
  }

  protected cellBackward(cell: Cell, x: number, T: number, B: number, dOut: number, [dyT, dhT]: readonly number[], dx: number, [dy0]: readonly number[], lengths: number): number {
    const call = this.cellCall(cell, T, B);
    runKernel(JORDAN_BACKWARD, call, { x, lengths, dOut, dyT: dyT!, dhT: dhT!, dx, dy0: dy0! });
    return workspaceBlock(JORDAN_BACKWARD, "dz", call);
  }

  protected override get extraStates(): readonly CarriedState[] {
    return [{ name: "h", size: this.units }];
  }

  protected override cellExtraStates(cell: Cell, T: number, B: number): number[] {
    return [workspaceBlock(JORDAN_FORWARD, "hs", this.cellCall(cell, T, B)) + (T - 1) * B * this.units * 4];
  }
}
