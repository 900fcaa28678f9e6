// The tensor-level sequence contract shared by every recurrent layer:
//   forward(x [T, B, D], { initialState, lengths, context }) -> { output [T, B, F] or [B, F], state }
//   backward(dOutput, dFinalState?) -> { dInput [T, B, D], dInitialState, dContext? }
// With { batchFirst: true }, x, output, dOutput and dInput are [B, T, ...] instead, reordered by the core.
// Tensors are checked and staged into the layer's workspace, run by the pointer-level stack, and
// the results copied out.
import { core, copyOut } from "../../core.js";
import { toTensor, toIntTensor, expectShape, stageF32, stageIds, stageLengths, type Tensor, type TensorLike, type IntTensorLike } from "../../tensor.js";
import { checkOptionKeys, checkBoolean } from "../../validate.js";
import { checkAllocation } from "../../sizes.js";
import { RecurrentStack } from "./stack.js";
import type { Cell, CarriedState } from "./cells.js";

/** States by name ("h" for Elman and GRU; "h", "c" for LSTM; "y", "h" for Jordan), each [layers * dirs, B, size]. */
export type RecurrentState = Record<string, Tensor>;

/** Options of a recurrent layer's `forward`. */
export interface RecurrentForwardOptions {
  /** Initial states, e.g. { h: [layers * dirs, B, H], c: ... } (zeros when absent). */
  initialState?: Record<string, TensorLike>;
  /** Length of each sequence, [B] ints in [1, T]: padded steps give zero outputs and keep the state. */
  lengths?: IntTensorLike;
  /** Per-sequence context [B, contextSize], fed to every step of the first layer. */
  context?: TensorLike;
  /** Dropout between stacked layers is active only when training (default false). */
  training?: boolean;
  /**
   * x [B, T, D] (ids [B, T]) and the output [B, T, F], as PyTorch's batch_first=True (default false:
   * time-major); the next `backward` then takes dOutput and returns dInput batch-first too.
   */
  batchFirst?: boolean;
}

/** What a recurrent layer's `forward` returns. */
export interface RecurrentForwardResult {
  /** [T, B, F] when returnSequences, else [B, F] (F = units, or 2 units for a concat-merged bidirectional layer). */
  output: Tensor;
  /** Final states, each [layers * dirs, B, size]: for every sequence, the state at its own last step. */
  state: RecurrentState;
}

/** What a recurrent layer's `backward` returns. */
export interface RecurrentBackwardResult {
  /** dLoss/dInput [T, B, D] (with tokenInput: with respect to the one-hot vectors the ids stand for). */
  dInput: Tensor;
  /** dLoss/dInitialState for every carried state, each [layers * dirs, B, size]. */
  dInitialState: RecurrentState;
  /** dLoss/dContext [B, contextSize], when the forward had a context. */
  dContext?: Tensor;
}

export abstract class RecurrentLayer extends RecurrentStack {


  /**
   * Validates optional state tensors { name: [layers * dirs, B, size] } of the `staged` states and
   * stages them under `prefix` (0 for absent ones); names in `ignored` are accepted and not read.
   */
  private stageStates(where: string, what: string, states: Record<string, TensorLike> | undefined, B: number, prefix: string,
    staged: readonly CarriedState[], ignored: readonly string[] = []): number[] {
    checkOptionKeys(`${where}: ${what}`, states, [...staged.map((s) => s.name), ...ignored]);
    const L = this.cells.length;
    return staged.map(({ name, size }) => {
      const value = states?.[name];
      if (value === undefined) return 0;
      const t = toTensor(where, `${what}.${name}`, value);
      expectShape(where, `${what}.${name}`, t.shape, [L, B, size]);
      return stageF32(where, `${what}.${name}`, t.data, this.ws.get(`${prefix}.${name}`, L * B * size));
    });
  }

  /**
   * Runs the whole sequence x [T, B, inputSize] (time-major; ids [T, B] with tokenInput) and returns
   * the output and the final states. The layer keeps what `backward` needs.
   */
  forward(x: TensorLike | IntTensorLike, options?: RecurrentForwardOptions): RecurrentForwardResult {
    const where = `${this.constructor.name}.forward`;
    this.checkBuilt("forward");
    checkOptionKeys(where, options, ["initialState", "lengths", "context", "training", "batchFirst"]);
    const batchFirst = checkBoolean(where, "batchFirst", options?.batchFirst ?? false);
    const xt = this.tokenInput ? toIntTensor(where, "x", x) : toTensor(where, "x", x);
    const steps = batchFirst ? ["B", "T"] : ["T", "B"];
    if (this.tokenInput) expectShape(where, "x", xt.shape, [null, null], steps);
    else expectShape(where, "x", xt.shape, [null, null, this.inputSize], [...steps, String(this.inputSize)]);
    const [T, B] = (batchFirst ? [xt.shape[1], xt.shape[0]] : xt.shape) as [number, number];
    if (T === 0 || B === 0) throw new RangeError(`${where}: x must hold at least one step and one sequence; got shape [${xt.shape.join(", ")}]`);
    this.checkBatch(where, `x [${xt.shape.join(", ")}]`, T, B);
    const training = checkBoolean(where, "training", options?.training ?? false);
    const staged = this.stageStates(where, "initialState", options?.initialState, B, "pendingState", this.carried, this.extraStates.map((s) => s.name));
    const lengths = options?.lengths === undefined ? 0 : stageLengths(where, options.lengths, T, B, this.ws.get("lengths", B));
    let context = 0;
    if (options?.context !== undefined || this.contextSize > 0) {
      if (this.contextSize === 0) throw new RangeError(`${where}: context given, but the layer was built without contextSize`);
      if (options?.context === undefined) throw new RangeError(`${where}: context [B, ${this.contextSize}] is required (the layer was built with contextSize)`);
      const ct = toTensor(where, "context", options.context);
      expectShape(where, "context", ct.shape, [B, this.contextSize]);
      context = stageF32(where, "context", ct.data, this.ws.get("context", ct.data.length));
    }
    const xBuffer = this.ws.get(batchFirst ? "xBatchFirst" : "x", xt.data.length);
    const given = xt.data instanceof Int32Array ? stageIds(where, "x", xt.data, this.inputSize, xBuffer) : stageF32(where, "x", xt.data, xBuffer);
    const xPtr = batchFirst ? this.ws.swapped("x", given, B, T, xt.data.length / (T * B)) : given;
    this.setInitialStates(staged, B);
    const out = this.forwardPointers({ x: xPtr, T, B, lengths, context, training });
    this.requireLast("forward").batchFirst = batchFirst;
    const outW = this.outputSize;
    const output: Tensor = !this.returnSequences
      ? { shape: [B, outW], data: copyOut(out.x, B * outW) }
      : batchFirst
        ? { shape: [B, T, outW], data: copyOut(this.ws.swapped("outputBatchFirst", out.x, T, B, outW), T * B * outW) }
        : { shape: [T, B, outW], data: copyOut(out.x, T * B * outW) };
    return { output, state: this.finalStateTensors(T, B) };
  }

  /** The final states of every cell as [layers * dirs, B, size] tensors. */
  private finalStateTensors(T: number, B: number): RecurrentState {
    const state: RecurrentState = {};
    const L = this.cells.length;
    const gather = (name: string, size: number, ptrOf: (cell: Cell) => number): void => {
      const data = new Float32Array(L * B * size);
      for (const cell of this.cells) data.set(copyOut(ptrOf(cell), B * size), cell.index * B * size);
      state[name] = { shape: [L, B, size], data };
    };
    this.carried.forEach(({ name, size }, i) => gather(name, size, (cell) => this.cellFinalStates(cell, T, B)[i]!));
    this.extraStates.forEach(({ name, size }, i) => gather(name, size, (cell) => this.cellExtraStates(cell, T, B)[i]!));
    return state;
  }

  /**
   * Backpropagates through the last forward: dOutput has the output's shape (null: no gradient
   * from the outputs); dFinalState optionally holds gradients of any of the final states forward
   * returned, each [layers * dirs, B, size]. Parameter gradients are added to the accumulated ones
   * (zeroGrad() clears them).
   */
  backward(dOutput: TensorLike | null, dFinalState?: Record<string, TensorLike>): RecurrentBackwardResult {
    const where = `${this.constructor.name}.backward`;
    this.checkBuilt("backward");
    const { T, B, context, batchFirst: lastBatchFirst } = this.requireLast("backward");
    const D = this.inputSize;
    checkAllocation(where, `dInput [${T}, ${B}, ${D}]`, T * B * D);
    const outW = this.outputSize;
    const batchFirst = lastBatchFirst && this.returnSequences;
    let dOut = 0;
    if (dOutput !== null) {
      const d = toTensor(where, "dOutput", dOutput);
      expectShape(where, "dOutput", d.shape, !this.returnSequences ? [B, outW] : batchFirst ? [B, T, outW] : [T, B, outW]);
      dOut = stageF32(where, "dOutput", d.data, this.ws.get(batchFirst ? "dOutputBatchFirst" : "dOutput", d.data.length));
      if (batchFirst) dOut = this.ws.swapped("dOutput", dOut, B, T, outW);
    } else if (!this.returnSequences) {
      dOut = this.ws.ptr("dOutput", B * outW);
      core().fillF32(dOut, B * outW, 0);
    }
    const dFinal = this.stageStates(where, "dFinalState", dFinalState, B, "dFinalState", this.finalStates);
    const dx = this.backwardWith(dOut, dFinal, true);
    const L = this.cells.length;
    const dInitialState: RecurrentState = {};
    this.carried.forEach(({ name, size }) => {
      dInitialState[name] = { shape: [L, B, size], data: copyOut(this.stateBlock("dInitialState", name, size, B), L * B * size) };
    });
    const dInput: Tensor = lastBatchFirst
      ? { shape: [B, T, D], data: copyOut(this.ws.swapped("dInputBatchFirst", dx, T, B, D), T * B * D) }
      : { shape: [T, B, D], data: copyOut(dx, T * B * D) };
    const result: RecurrentBackwardResult = { dInput, dInitialState };
    if (context !== 0) result.dContext = { shape: [B, this.contextSize], data: copyOut(this.ws.ptr("dContext", B * this.contextSize), B * this.contextSize) };
    return result;
  }
}
