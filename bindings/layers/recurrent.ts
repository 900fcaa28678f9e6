// The sequence contract shared by every recurrent layer:
//   forward(x [T, B, D], { initialState }) -> { output [T, B, units] or [B, units], state }
//   backward(dOutput, dFinalState?)        -> { dInput [T, B, D], dInitialState }
// States are shaped [1, B, size] as PyTorch's h_n. The layer keeps what BPTT needs from its
// last forward; backward accumulates parameter gradients (read them with gradDict()).
import { core, copyOut } from "../core.js";
import { Workspace } from "../buffer.js";
import { Layer, type SequencePointers } from "./layer.js";
import { toTensor, expectShape, stageF32, type Tensor, type TensorLike } from "../tensor.js";
import { checkOptionKeys } from "../validate.js";

/** States by name ("h" for Elman layers; "y" and "h" for Jordan), each [1, B, size]. */
export type RecurrentState = Record<string, Tensor>;

/** Options of a recurrent layer's `forward`. */
export interface RecurrentForwardOptions {
  /** Initial carried state, e.g. { h: [1, B, H] } (zeros when absent). */
  initialState?: Record<string, TensorLike>;
}

/** What a recurrent layer's `forward` returns. */
export interface RecurrentForwardResult {
  /** [T, B, size] when returnSequences, else the last step [B, size]. */
  output: Tensor;
  /** Final states, each [1, B, size]. */
  state: RecurrentState;
}

/** What a recurrent layer's `backward` returns. */
export interface RecurrentBackwardResult {
  /** dLoss/dInput [T, B, D]. */
  dInput: Tensor;
  /** dLoss/dInitialState for the carried state, [1, B, size]. */
  dInitialState: RecurrentState;
}

/** The state a layer carries from step to step, and its size per batch row. */
export interface CarriedState {
  name: string;
  size: number;
}

export abstract class RecurrentLayer extends Layer {
  /** True: output every step [T, B, size]; false: only the last step [B, size] (many-to-one). */
  readonly returnSequences: boolean;
  protected readonly ws = new Workspace();
  private last: { T: number; B: number; x: number } | null = null;
  private initialGiven = false;

  protected constructor(inputSize: number, returnSequences: boolean) {
    super(inputSize);
    this.returnSequences = returnSequences;
  }

  /** The state carried between steps; the output sequence is this state at every step. */
  protected abstract get carried(): CarriedState;

  /** Runs the kernel forward from initial state h0 [B, size]; returns the output sequence [T, B, size]. */
  protected abstract sequenceForward(x: number, T: number, B: number, h0: number): number;

  /**
   * Runs BPTT for the last forward: dOut [T, B, size] (0: none), dCarryT [B, size] (0: none);
   * writes dx [T, B, D] (0: skip) and dCarry0 [B, size]; accumulates parameter gradients.
   */
  protected abstract sequenceBackward(x: number, T: number, B: number, dOut: number, dCarryT: number, dx: number, dCarry0: number): void;

  /** Other final states than the carried one (Jordan's last hidden layer), as pointer and size. */
  protected extraFinalStates(): Record<string, { ptr: number; size: number }> {
    return {};
  }

  get outputSize(): number {
    return this.carried.size;
  }

  private initialStatePtr(B: number): number {
    return this.ws.ptr("initialState", B * this.carried.size);
  }

  /** Zeroes the initial state used by the next pointer-level forward (a new sequence). */
  resetState(B: number): void {
    this.ws.get("initialState", B * this.carried.size).fill(0);
    this.initialGiven = false;
  }

  /** Copies the last forward's final carried state into the initial state (truncated BPTT). */
  carryState(): void {
    const last = this.requireLast("carryState");
    const size = last.B * this.carried.size;
    core().copyF32(this.initialStatePtr(last.B), this.finalCarryPtr(last), size);
    this.initialGiven = true;
  }

  private finalCarryPtr(last: { T: number; B: number }): number {
    return this.outputSeq + (last.T - 1) * last.B * this.carried.size * 4;
  }

  private outputSeq = 0;

  forwardPointers(input: SequencePointers): SequencePointers {
    const { x, T, B } = input;
    if (!this.initialGiven) this.resetState(B);
    this.outputSeq = this.sequenceForward(x, T, B, this.initialStatePtr(B));
    this.last = { T, B, x };
    this.initialGiven = false;
    if (this.returnSequences) return { x: this.outputSeq, T, B };
    return { x: this.finalCarryPtr(this.last), T: 1, B };
  }

  backwardPointers(dOut: number, needInputGrad = true): number {
    const { T, B, x } = this.requireLast("backward");
    const dx = needInputGrad ? this.ws.ptr("dx", T * B * this.inputSize) : 0;
    const dCarry0 = this.ws.ptr("dInitialState", B * this.carried.size);
    if (this.returnSequences) this.sequenceBackward(x, T, B, dOut, 0, dx, dCarry0);
    else this.sequenceBackward(x, T, B, 0, dOut, dx, dCarry0);
    return dx;
  }

  private requireLast(what: string): { T: number; B: number; x: number } {
    if (this.last === null) throw new Error(`${this.constructor.name}.${what}: call forward first`);
    return this.last;
  }

  /**
   * Runs the whole sequence x [T, B, inputSize] (time-major) and returns the output and the
   * final states. The layer keeps what `backward` needs.
   */
  forward(x: TensorLike, options?: RecurrentForwardOptions): RecurrentForwardResult {
    const where = `${this.constructor.name}.forward`;
    checkOptionKeys(where, options, ["initialState"]);
    const xt = toTensor(where, "x", x);
    expectShape(where, "x", xt.shape, [null, null, this.inputSize], ["T", "B", String(this.inputSize)]);
    const [T, B] = xt.shape as [number, number];
    if (T === 0 || B === 0) throw new RangeError(`${where}: x must hold at least one step and one sequence; got shape [${xt.shape.join(", ")}]`);
    const { name, size } = this.carried;
    const init = options?.initialState;
    let initData: Float32Array | null = null;
    if (init !== undefined) {
      checkOptionKeys(`${where}: initialState`, init, [name]);
      if (init[name] !== undefined) {
        const s = toTensor(where, `initialState.${name}`, init[name]);
        expectShape(where, `initialState.${name}`, s.shape, [1, B, size]);
        initData = s.data;
      }
    }
    const xPtr = stageF32(where, "x", xt.data, this.ws.get("x", xt.data.length));
    if (initData !== null) {
      stageF32(where, `initialState.${name}`, initData, this.ws.get("initialState", B * size));
      this.initialGiven = true;
    } else {
      this.resetState(B);
    }
    const out = this.forwardPointers({ x: xPtr, T, B });
    const output: Tensor = this.returnSequences
      ? { shape: [T, B, size], data: copyOut(out.x, T * B * size) }
      : { shape: [B, size], data: copyOut(out.x, B * size) };
    const state: RecurrentState = { [name]: { shape: [1, B, size], data: copyOut(this.finalCarryPtr({ T, B }), B * size) } };
    for (const [extra, { ptr, size: n }] of Object.entries(this.extraFinalStates())) {
      state[extra] = { shape: [1, B, n], data: copyOut(ptr, B * n) };
    }
    return { output, state };
  }

  /**
   * Backpropagates through the last forward: dOutput has the output's shape; dFinalState
   * optionally holds the gradient of the final carried state [1, B, size]. Parameter
   * gradients are added to the accumulated ones (zeroGrad() clears them).
   */
  backward(dOutput: TensorLike | null, dFinalState?: Record<string, TensorLike>): RecurrentBackwardResult {
    const where = `${this.constructor.name}.backward`;
    const { T, B, x } = this.requireLast("backward");
    const { name, size } = this.carried;
    let dOut = 0;
    if (dOutput !== null) {
      const d = toTensor(where, "dOutput", dOutput);
      expectShape(where, "dOutput", d.shape, this.returnSequences ? [T, B, size] : [B, size]);
      dOut = stageF32(where, "dOutput", d.data, this.ws.get("dOutput", d.data.length));
    }
    let dCarryT = 0;
    if (dFinalState !== undefined) {
      checkOptionKeys(`${where}: dFinalState`, dFinalState, [name]);
      if (dFinalState[name] !== undefined) {
        const d = toTensor(where, `dFinalState.${name}`, dFinalState[name]);
        expectShape(where, `dFinalState.${name}`, d.shape, [1, B, size]);
        dCarryT = stageF32(where, `dFinalState.${name}`, d.data, this.ws.get("dFinalState", B * size));
      }
    }
    if (!this.returnSequences && dOut !== 0) {
      if (dCarryT !== 0) core().addInPlace(dCarryT, dOut, B * size);
      else dCarryT = dOut;
      dOut = 0;
    }
    const dx = this.ws.ptr("dx", T * B * this.inputSize);
    const dCarry0 = this.ws.ptr("dInitialState", B * size);
    this.sequenceBackward(x, T, B, dOut, dCarryT, dx, dCarry0);
    return {
      dInput: { shape: [T, B, this.inputSize], data: copyOut(dx, T * B * this.inputSize) },
      dInitialState: { [name]: { shape: [1, B, size], data: copyOut(dCarry0, B * size) } },
    };
  }

  protected freeWorkspace(): void {
    this.ws.free();
    this.last = null;
  }
}
