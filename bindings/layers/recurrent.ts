// The sequence contract shared by every recurrent layer:
//   forward(x [T, B, D], { initialState }) -> { output [T, B, units] or [B, units], state }
//   backward(dOutput, dFinalState?)        -> { dInput [T, B, D], dInitialState }
// States are shaped [1, B, size] as PyTorch's h_n / c_n. The layer keeps what BPTT needs from
// its last forward; backward accumulates parameter gradients (read them with gradDict()).
import { core, copyOut } from "../core.js";
import { Workspace } from "../buffer.js";
import type { ParameterSpec } from "../arena.js";
import { Layer, defaultSeed, type SequencePointers } from "./layer.js";
import { toTensor, expectShape, stageF32, type Tensor, type TensorLike } from "../tensor.js";
import { checkOptionKeys, checkInt, checkBoolean } from "../validate.js";

/** States by name ("h" for Elman and GRU; "h", "c" for LSTM; "y", "h" for Jordan), each [1, B, size]. */
export type RecurrentState = Record<string, Tensor>;

/** Options of a recurrent layer's `forward`. */
export interface RecurrentForwardOptions {
  /** Initial carried states, e.g. { h: [1, B, H], c: [1, B, H] } (zeros when absent). */
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
  /** dLoss/dInitialState for every carried state, each [1, B, size]. */
  dInitialState: RecurrentState;
}

/** A state carried from step to step, and its size per batch row. */
export interface CarriedState {
  name: string;
  size: number;
}

/** Options every recurrent layer takes. */
export interface RecurrentOptions {
  /** Hidden units H. */
  units: number;
  /** Input features D per step. */
  inputSize: number;
  /** Output every step [T, B, size] (default true) or only the last [B, size] (many-to-one). */
  returnSequences?: boolean;
  /** Seed of the initialisation (default: 0, 1, 2, ... in construction order). */
  seed?: number;
}

/** Activation φ of a gated cell's candidate and output (Keras' `activation`). */
export type CellActivation = "tanh" | "linear" | "relu" | "sigmoid";
/** Gate activation σ (Keras' `recurrentActivation`); hardSigmoid is clip(0.2x + 0.5, 0, 1). */
export type GateActivation = "sigmoid" | "hardSigmoid";
export const CELL_ACTIVATIONS: readonly CellActivation[] = ["tanh", "linear", "relu", "sigmoid"];
export const GATE_ACTIVATIONS: readonly GateActivation[] = ["sigmoid", "hardSigmoid"];

/** PyTorch's parameters of one recurrent layer with `gates` blocks: weight_ih_l0 [gates·H, D], weight_hh_l0 [gates·H, H], bias_ih_l0, bias_hh_l0 [gates·H]. */
export function torchRecurrentParams(gates: number, H: number, D: number): ParameterSpec[] {
  return [
    { name: "weight_ih_l0", shape: [gates * H, D] },
    { name: "weight_hh_l0", shape: [gates * H, H] },
    { name: "bias_ih_l0", shape: [gates * H] },
    { name: "bias_hh_l0", shape: [gates * H] },
  ];
}

/** The keys of RecurrentOptions, for option checks. */
export const RECURRENT_OPTION_KEYS = ["units", "inputSize", "returnSequences", "seed"] as const;

interface LastForward {
  T: number;
  B: number;
  x: number;
}

export abstract class RecurrentLayer extends Layer {
  /** Hidden units H. */
  readonly units: number;
  /** True: output every step [T, B, size]; false: only the last step [B, size] (many-to-one). */
  readonly returnSequences: boolean;
  /** The initialisation seed. */
  protected readonly seed: number;
  protected readonly ws = new Workspace();
  private last: LastForward | null = null;
  private initialGiven = false;

  /** Validates the shared options; `keys` lists every option the subclass accepts. */
  protected constructor(where: string, options: RecurrentOptions | undefined, keys: readonly string[]) {
    checkOptionKeys(where, options, keys);
    if (options === undefined) throw new TypeError(`${where}: options { units, inputSize } are required`);
    super(checkInt(where, "inputSize", options.inputSize));
    this.units = checkInt(where, "units", options.units);
    this.returnSequences = checkBoolean(where, "returnSequences", options.returnSequences ?? true);
    this.seed = checkInt(where, "seed", options.seed ?? defaultSeed(), 0);
  }

  /** The states carried between steps; the output sequence is the first one at every step. */
  protected abstract get carried(): readonly CarriedState[];

  /** Runs the kernel forward from the initial states (pointers [B, size], in `carried` order). */
  protected abstract sequenceForward(x: number, T: number, B: number, initial: readonly number[]): void;

  /** The output sequence [T, B, carried[0].size] of the last forward. */
  protected abstract outputSequence(T: number, B: number): number;

  /**
   * Runs BPTT for the last forward: dOut [T, B, size] (0: none) and dFinal (one pointer per
   * carried state, 0: none); writes dx [T, B, D] (0: skip) and dInitial (one per carried state);
   * accumulates parameter gradients.
   */
  protected abstract sequenceBackward(x: number, T: number, B: number, dOut: number, dFinal: readonly number[], dx: number, dInitial: readonly number[]): void;

  /** Pointers to the final carried states of the last forward; by default only the output state. */
  protected finalStates(T: number, B: number): number[] {
    return [this.outputSequence(T, B) + (T - 1) * B * this.outputSize * 4];
  }

  /** Other final states than the carried ones (Jordan's last hidden layer), as pointer and size. */
  protected extraFinalStates(_T: number, _B: number): Record<string, { ptr: number; size: number }> {
    return {};
  }

  /** Names of extraFinalStates: accepted (and ignored) in initialState, so a final state can be fed back. */
  protected get extraStateNames(): readonly string[] {
    return [];
  }

  get outputSize(): number {
    return this.carried[0]!.size;
  }

  private statePtrs(prefix: string, B: number): number[] {
    return this.carried.map(({ name, size }) => this.ws.ptr(`${prefix}.${name}`, B * size));
  }

  /** Zeroes the initial states used by the next pointer-level forward (a new sequence). */
  resetState(B: number): void {
    for (const { name, size } of this.carried) this.ws.get(`initialState.${name}`, B * size).fill(0);
    this.initialGiven = false;
  }

  /** Copies the last forward's final states into the initial states (truncated BPTT). */
  carryState(): void {
    const { T, B } = this.requireLast("carryState");
    const finals = this.finalStates(T, B);
    this.statePtrs("initialState", B).forEach((ptr, i) => core().copyF32(ptr, finals[i]!, B * this.carried[i]!.size));
    this.initialGiven = true;
  }

  forwardPointers(input: SequencePointers): SequencePointers {
    const { x, T, B } = input;
    if (!this.initialGiven) this.resetState(B);
    this.sequenceForward(x, T, B, this.statePtrs("initialState", B));
    this.last = { T, B, x };
    this.initialGiven = false;
    if (this.returnSequences) return { x: this.outputSequence(T, B), T, B };
    return { x: this.finalStates(T, B)[0]!, T: 1, B };
  }

  backwardPointers(dOut: number, needInputGrad = true): number {
    const { T, B, x } = this.requireLast("backward");
    const dx = needInputGrad ? this.ws.ptr("dx", T * B * this.inputSize) : 0;
    const dFinal = this.carried.map((_, i) => (i === 0 && !this.returnSequences ? dOut : 0));
    this.sequenceBackward(x, T, B, this.returnSequences ? dOut : 0, dFinal, dx, this.statePtrs("dInitialState", B));
    return dx;
  }

  private requireLast(what: string): LastForward {
    if (this.last === null) throw new Error(`${this.constructor.name}.${what}: call forward first`);
    return this.last;
  }

  /** Validates optional per-state tensors { name: [1, B, size] } and stages them under `prefix`; 0 for absent ones. */
  private stageStates(where: string, what: string, states: Record<string, TensorLike> | undefined, B: number, prefix: string, ignored: readonly string[] = []): number[] {
    checkOptionKeys(`${where}: ${what}`, states, [...this.carried.map((c) => c.name), ...ignored]);
    return this.carried.map(({ name, size }) => {
      const value = states?.[name];
      if (value === undefined) return 0;
      const t = toTensor(where, `${what}.${name}`, value);
      expectShape(where, `${what}.${name}`, t.shape, [1, B, size]);
      return stageF32(where, `${what}.${name}`, t.data, this.ws.get(`${prefix}.${name}`, B * size));
    });
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
    const staged = this.stageStates(where, "initialState", options?.initialState, B, "pendingState", this.extraStateNames);
    const xPtr = stageF32(where, "x", xt.data, this.ws.get("x", xt.data.length));
    const initial = this.statePtrs("initialState", B);
    this.carried.forEach(({ size }, i) => {
      if (staged[i] !== 0) core().copyF32(initial[i]!, staged[i]!, B * size);
      else core().fillF32(initial[i]!, B * size, 0);
    });
    this.initialGiven = true;
    const out = this.forwardPointers({ x: xPtr, T, B });
    const size0 = this.outputSize;
    const output: Tensor = this.returnSequences
      ? { shape: [T, B, size0], data: copyOut(out.x, T * B * size0) }
      : { shape: [B, size0], data: copyOut(out.x, B * size0) };
    const state: RecurrentState = {};
    const finals = this.finalStates(T, B);
    this.carried.forEach(({ name, size }, i) => {
      state[name] = { shape: [1, B, size], data: copyOut(finals[i]!, B * size) };
    });
    for (const [extra, { ptr, size }] of Object.entries(this.extraFinalStates(T, B))) {
      state[extra] = { shape: [1, B, size], data: copyOut(ptr, B * size) };
    }
    return { output, state };
  }

  /**
   * Backpropagates through the last forward: dOutput has the output's shape (null: no gradient
   * from the outputs); dFinalState optionally holds gradients of the final carried states, each
   * [1, B, size]. Parameter gradients are added to the accumulated ones (zeroGrad() clears them).
   */
  backward(dOutput: TensorLike | null, dFinalState?: Record<string, TensorLike>): RecurrentBackwardResult {
    const where = `${this.constructor.name}.backward`;
    const { T, B, x } = this.requireLast("backward");
    const size0 = this.outputSize;
    let dOut = 0;
    if (dOutput !== null) {
      const d = toTensor(where, "dOutput", dOutput);
      expectShape(where, "dOutput", d.shape, this.returnSequences ? [T, B, size0] : [B, size0]);
      dOut = stageF32(where, "dOutput", d.data, this.ws.get("dOutput", d.data.length));
    }
    const dFinal = this.stageStates(where, "dFinalState", dFinalState, B, "dFinalState");
    if (!this.returnSequences && dOut !== 0) {
      if (dFinal[0] !== 0) core().addInPlace(dFinal[0]!, dOut, B * size0);
      else dFinal[0] = dOut;
      dOut = 0;
    }
    const dx = this.ws.ptr("dx", T * B * this.inputSize);
    const dInitial = this.statePtrs("dInitialState", B);
    this.sequenceBackward(x, T, B, dOut, dFinal, dx, dInitial);
    const dInitialState: RecurrentState = {};
    this.carried.forEach(({ name, size }, i) => {
      dInitialState[name] = { shape: [1, B, size], data: copyOut(dInitial[i]!, B * size) };
    });
    return { dInput: { shape: [T, B, this.inputSize], data: copyOut(dx, T * B * this.inputSize) }, dInitialState };
  }

  protected freeWorkspace(): void {
    this.ws.free();
    this.last = null;
  }
}
