// The sequence contract shared by every recurrent layer:
//   forward(x [T, B, D], { initialState, lengths, context }) -> { output [T, B, F] or [B, F], state }
//   backward(dOutput, dFinalState?) -> { dInput [T, B, D], dInitialState, dContext? }
// A layer is numLayers x (1 or 2 directions) cells, as PyTorch's nn.RNN/LSTM/GRU: cell (l, d) has
// parameters named "..._l{l}" or "..._l{l}_reverse". States are [numLayers * dirs, B, size] as
// PyTorch's h_n / c_n. The layer keeps what BPTT needs from its last forward; backward
// accumulates parameter gradients (read them with gradDict()).
import { core, copyOut } from "../core.js";
import { Workspace } from "../buffer.js";
import type { ParameterSpec } from "../arena.js";
import { Rng } from "../random.js";
import { Layer, defaultSeed, type BatchBlock, type SequencePointers } from "./layer.js";
import { toTensor, toIntTensor, expectShape, stageF32, stageIds, stageLengths, type Tensor, type TensorLike, type IntTensorLike } from "../tensor.js";
import { checkOptionKeys, checkInt, checkBoolean, checkChoice, checkNumber, checkInEffect, checkSeed } from "../validate.js";
import { checkAllocation, checkLayerCount } from "../sizes.js";
import type { CellCall } from "./cells/table.js";

/** States by name ("h" for Elman and GRU; "h", "c" for LSTM; "y", "h" for Jordan), each [layers * dirs, B, size]. */
export type RecurrentState = Record<string, Tensor>;

/** How the two directions of a bidirectional layer are combined at every step. */
export type MergeMode = "concat" | "sum" | "mul" | "ave";
const MERGE_CODES: Record<MergeMode, number> = { concat: 0, sum: 1, mul: 2, ave: 3 };

/** What a layer with returnSequences false outputs: the last valid step, or the mean over valid steps. */
export type Pooling = "last" | "mean";

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
  /** Output every step [T, B, F] (default true) or one vector per sequence [B, F] (many-to-one). */
  returnSequences?: boolean;
  /** With returnSequences false (only): "last" (default) valid step, or "mean" over the valid steps. */
  pooling?: Pooling;
  /** Stacked layers (default 1, at most 64); layer l > 0 reads layer l-1's output. */
  numLayers?: number;
  /** Add a second network over the reversed sequences (each reversed within its own length). */
  bidirectional?: boolean;
  /** With bidirectional (only), how the directions combine: "concat" (default), "sum", "mul", "ave". */
  mergeMode?: MergeMode;
  /** Dropout probability on the outputs of every stacked layer but the last, when training (default 0; above 0 needs numLayers >= 2). */
  dropout?: number;
  /** Size C of a per-sequence context vector fed to every step of the first layer (weight_ch_l0 [gates·H, C]). */
  contextSize?: number;
  /**
   * The input is token ids [T, B] in [0, inputSize), read as one-hot vectors (default false): the
   * first layer's input product is a gather of weight_ih's columns and its gradient a scatter-add,
   * instead of a matrix product over inputSize zeros and a one. `backward` still gives dInput
   * [T, B, inputSize], the gradient with respect to the one-hot vectors (a Model never asks for it).
   */
  tokenInput?: boolean;
  /** Seed of the initialisation and of the dropout masks (default: 0, 1, 2, ... in construction order). */
  seed?: number;
}

/** The keys of RecurrentOptions, for option checks. */
export const RECURRENT_OPTION_KEYS = [
  "units", "inputSize", "returnSequences", "pooling", "numLayers", "bidirectional", "mergeMode", "dropout", "contextSize", "tokenInput", "seed",
] as const;

/**
 * Recurrent options without those that have no effect (pooling with returnSequences true,
 * mergeMode without bidirectional, dropout with numLayers 1), which the constructor refuses. For
 * options that describe a layer completely, where dropping them changes nothing: saved configs
 * (files written before this was an error hold them) and the importers' layer descriptions.
 */
export function withoutIneffectiveOptions<T extends object>(options: T): T {
  const { pooling, mergeMode, dropout, ...rest } = options as Record<string, unknown>;
  const o = options as Record<string, unknown>;
  return {
    ...rest,
    ...(o.returnSequences === false ? { pooling } : {}),
    ...(o.bidirectional === true ? { mergeMode } : {}),
    ...(typeof o.numLayers === "number" && o.numLayers > 1 ? { dropout } : {}),
  } as T;
}

/** Activation φ of a gated cell's candidate and output (Keras' `activation`). */
export type CellActivation = "tanh" | "linear" | "relu" | "sigmoid";
/** Gate activation σ (Keras' `recurrentActivation`); hardSigmoid is clip(0.2x + 0.5, 0, 1). */
export type GateActivation = "sigmoid" | "hardSigmoid";
export const CELL_ACTIVATIONS: readonly CellActivation[] = ["tanh", "linear", "relu", "sigmoid"];
export const GATE_ACTIVATIONS: readonly GateActivation[] = ["sigmoid", "hardSigmoid"];

/** One direction of one stacked layer: its parameter-name suffix, input width and workspace. */
export interface Cell {
  /** l * dirs + d: its block in [layers * dirs, B, size] states. */
  index: number;
  layer: number;
  reverse: boolean;
  /** "_l0", "_l1_reverse", ... */
  suffix: string;
  inputSize: number;
  /** The cell reads token ids [T, B] in [0, inputSize) (first layer of a tokenInput layer). */
  tokens: boolean;
  ws: Workspace;
}

/** PyTorch's parameters of one cell with `gates` blocks: weight_ih [gates·H, D], weight_hh [gates·H, H], bias_ih, bias_hh [gates·H]. */
export function torchRecurrentParams(gates: number, H: number, D: number, suffix: string): ParameterSpec[] {
  return [
    { name: `weight_ih${suffix}`, shape: [gates * H, D] },
    { name: `weight_hh${suffix}`, shape: [gates * H, H] },
    { name: `bias_ih${suffix}`, shape: [gates * H] },
    { name: `bias_hh${suffix}`, shape: [gates * H] },
  ];
}

interface LastForward {
  T: number;
  B: number;
  x: number;
  lengths: number;
  context: number;
  training: boolean;
}

export abstract class RecurrentLayer extends Layer {
  /** Hidden units H. */
  readonly units: number;
  readonly returnSequences: boolean;
  readonly pooling: Pooling;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly mergeMode: MergeMode;
  readonly dropout: number;
  /** Size of the per-sequence context (0: none). */
  readonly contextSize: number;
  /** Inputs are token ids [T, B] read as one-hot vectors of inputSize. */
  readonly tokenInput: boolean;
  /** The initialisation seed. */
  protected readonly seed: number;
  protected readonly ws = new Workspace();
  private cellList: Cell[] | null = null;
  private last: LastForward | null = null;
  /** The last forward's gate buffers hold gradients after a backward: another backward needs a new forward. */
  private consumed = false;
  private initialGiven = false;
  private dropoutRng: Rng | null = null;

  /** Validates the shared options; `keys` lists every option the subclass accepts. */
  protected constructor(where: string, options: RecurrentOptions | undefined, keys: readonly string[]) {
    checkOptionKeys(where, options, keys);
    if (options === undefined) throw new TypeError(`${where}: options { units, inputSize } are required`);
    super(checkInt(where, "inputSize", options.inputSize));
    this.units = checkInt(where, "units", options.units);
    this.returnSequences = checkBoolean(where, "returnSequences", options.returnSequences ?? true);
    this.pooling = checkChoice(where, "pooling", options.pooling ?? "last", ["last", "mean"] as const);
    checkInEffect(where, "pooling", options.pooling, !this.returnSequences, "with returnSequences true (it picks the one vector per sequence of returnSequences false)");
    this.numLayers = checkLayerCount(where, "numLayers", options.numLayers ?? 1);
    this.bidirectional = checkBoolean(where, "bidirectional", options.bidirectional ?? false);
    this.mergeMode = checkChoice(where, "mergeMode", options.mergeMode ?? "concat", ["concat", "sum", "mul", "ave"] as const);
    checkInEffect(where, "mergeMode", options.mergeMode, this.bidirectional, "without bidirectional: true (it combines the two directions)");
    this.dropout = checkNumber(where, "dropout", options.dropout ?? 0, 0, 0.999);
    checkInEffect(where, "dropout", this.dropout > 0 ? this.dropout : undefined, this.numLayers > 1, "with numLayers 1 (it drops outputs between stacked layers)");
    this.contextSize = checkInt(where, "contextSize", options.contextSize ?? 0, 0);
    this.tokenInput = checkBoolean(where, "tokenInput", options.tokenInput ?? false);
    this.seed = checkSeed(where, options.seed ?? defaultSeed());
  }

  /** The states one cell carries between steps; its output is the first one at every step. */
  protected abstract get carried(): readonly CarriedState[];
  /** Width of a cell's input-side pre-activations (gates · H), which the context projection adds to. */
  protected abstract get gateWidth(): number;
  /** Parameters of one cell, names ending in cell.suffix. */
  protected abstract cellParams(cell: Cell): ParameterSpec[];

  /**
   * Runs one cell forward over x [T, B, cell.inputSize] from its initial states (pointers [B, size]
   * in `carried` order); lengths as in SequencePointers; zAdd [B, gateWidth] (or 0) is added to the
   * input projection of every step. Padded steps keep the state.
   */
  protected abstract cellForward(cell: Cell, x: number, T: number, B: number, initial: readonly number[], lengths: number, zAdd: number): void;

  /** The output sequence [T, B, size] a cell kept from its last forward (in its own time order). */
  protected abstract cellKeptOutput(cell: Cell, T: number, B: number): number;

  /**
   * BPTT through the cell's last forward: dOut [T, B, size] (0: none), dFinal per carried state
   * and then per extra state (0: none); writes dx (0: skip) and dInitial; accumulates parameter
   * gradients. Returns the gradient of the input-side pre-activations [T, B, gateWidth] (for the
   * context weights).
   */
  protected abstract cellBackward(cell: Cell, x: number, T: number, B: number, dOut: number, dFinal: readonly number[], dx: number, dInitial: readonly number[], lengths: number): number;

  /** One kernel call on `cell` as the cell tables see it (cells/table.ts). */
  protected cellCall(cell: Cell, T: number, B: number): CellCall<this> {
    return {
      layer: this, sizes: { T, B, D: cell.inputSize, H: this.units }, tokens: cell.tokens, ws: cell.ws,
      param: (base, grad) => (grad ? this.gradPtr(this.cellParamName(base, cell)) : this.paramPtr(this.cellParamName(base, cell))),
    };
  }

  /** A cell's name of its parameter `base` (weight_ih, ...). */
  protected cellParamName(base: string, cell: Cell): string {
    return `${base}${cell.suffix}`;
  }

  /** Pointers to a cell's final carried states; by default the output state at the last step it kept. */
  protected cellFinalStates(cell: Cell, T: number, B: number): number[] {
    return [this.cellKeptOutput(cell, T, B) + (T - 1) * B * this.cellOutputSize * 4];
  }

  /**
   * Final states beyond the carried ones (Jordan's last hidden layer h): forward returns them,
   * backward takes their gradients in dFinalState, and initialState accepts (and ignores) them so
   * a final state can be fed back.
   */
  protected get extraStates(): readonly CarriedState[] {
    return [];
  }

  /** Pointers to a cell's final extra states [B, size], in extraStates order. */
  protected cellExtraStates(_cell: Cell, _T: number, _B: number): number[] {
    return [];
  }

  /** Every final state forward returns: the carried ones, then the extra ones. */
  private get finalStates(): readonly CarriedState[] {
    return [...this.carried, ...this.extraStates];
  }

  /** Features per step of one direction. */
  protected get cellOutputSize(): number {
    return this.carried[0]!.size;
  }

  get outputSize(): number {
    return this.bidirectional && this.mergeMode === "concat" ? 2 * this.cellOutputSize : this.cellOutputSize;
  }

  private get dirs(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** The cells, layer-major and direction-minor as PyTorch orders h_n. */
  protected get cells(): readonly Cell[] {
    if (this.cellList === null) {
      const list: Cell[] = [];
      for (let l = 0; l < this.numLayers; l++) {
        for (let d = 0; d < this.dirs; d++) {
          list.push({
            index: list.length, layer: l, reverse: d === 1, suffix: `_l${l}${d === 1 ? "_reverse" : ""}`,
            inputSize: l === 0 ? this.inputSize : this.outputSize, tokens: l === 0 && this.tokenInput, ws: new Workspace(),
          });
        }
      }
      this.cellList = list;
    }
    return this.cellList;
  }

  /** PyTorch's initialisation of recurrent layers: every parameter uniform in ±1/√units. */
  protected initParams(rng: Rng): void {
    this.initUniform(rng, 1 / Math.sqrt(this.units));
  }

  paramSpecs(): ParameterSpec[] {
    const specs = this.cells.flatMap((cell) => this.cellParams(cell));
    if (this.contextSize > 0) {
      for (const cell of this.cells) {
        if (cell.layer === 0) specs.push({ name: `weight_ch${cell.suffix}`, shape: [this.gateWidth, this.contextSize] });
      }
    }
    return specs;
  }

  /** The options shared by every recurrent layer, for config(): pooling and mergeMode only where they have an effect. */
  protected recurrentConfig(): Record<string, unknown> {
    return {
      units: this.units, inputSize: this.inputSize, returnSequences: this.returnSequences,
      ...(this.returnSequences ? {} : { pooling: this.pooling }),
      numLayers: this.numLayers, bidirectional: this.bidirectional,
      ...(this.bidirectional ? { mergeMode: this.mergeMode } : {}),
      dropout: this.dropout, contextSize: this.contextSize, tokenInput: this.tokenInput, seed: this.seed,
    };
  }

  /** Block [layers * dirs, B, size] of carried state `name` under `prefix` in the layer workspace. */
  private stateBlock(prefix: string, name: string, size: number, B: number): number {
    return this.ws.ptr(`${prefix}.${name}`, this.cells.length * B * size);
  }

  /** Per cell, pointers to its [B, size] slices of the state blocks under `prefix`. */
  private cellStates(prefix: string, B: number): number[][] {
    const blocks = this.carried.map(({ name, size }) => ({ ptr: this.stateBlock(prefix, name, size, B), size }));
    return this.cells.map((cell) => blocks.map(({ ptr, size }) => ptr + cell.index * B * size * 4));
  }

  /** Zeroes the initial states used by the next pointer-level forward (a new sequence). */
  resetState(B: number): void {
    for (const { name, size } of this.carried) core().fillF32(this.stateBlock("initialState", name, size, B), this.cells.length * B * size, 0);
    this.initialGiven = false;
  }

  /** Copies the last forward's final states into the initial states (truncated BPTT). */
  carryState(): void {
    const { B } = this.requireLast("carryState");
    if (this.bidirectional) throw new Error(`${this.constructor.name}: a bidirectional layer cannot carry its state to a next chunk`);
    this.finalStatesInto(this.carried.map(({ name, size }) => this.stateBlock("initialState", name, size, B)));
    this.initialGiven = true;
  }

  /** Floats of each carried state's [layers * dirs, B, size] block, for state kept outside the layer. */
  stateBlockSizes(B: number): number[] {
    return this.carried.map(({ size }) => this.cells.length * B * size);
  }

  /** Uses the blocks (one per carried state, [layers * dirs, B, size]) as the next forward's initial states. */
  setInitialStates(blocks: readonly number[], B: number): void {
    this.carried.forEach(({ name, size }, i) => core().copyF32(this.stateBlock("initialState", name, size, B), blocks[i]!, this.cells.length * B * size));
    this.initialGiven = true;
  }

  /** Copies the last forward's final states into the blocks (one per carried state). */
  finalStatesInto(blocks: readonly number[]): void {
    const { T, B } = this.requireLast("finalStatesInto");
    for (const cell of this.cells) {
      const finals = this.cellFinalStates(cell, T, B);
      this.carried.forEach(({ size }, i) => core().copyF32(blocks[i]! + cell.index * B * size * 4, finals[i]!, B * size));
    }
  }

  /** Values per step and sequence of a cell's input: 1 id, or inputSize floats. */
  private cellInputWidth(cell: Cell): number {
    return cell.tokens ? 1 : cell.inputSize;
  }

  private cellInput(cell: Cell, layerInput: number, T: number, B: number, lengths: number): number {
    if (!cell.reverse) return layerInput;
    const W = this.cellInputWidth(cell);
    const xr = cell.ws.ptr("xReversed", T * B * W);
    core().reverseWithinLengths(xr, layerInput, lengths, T, B, W); // 4-byte elements: ids or floats
    return xr;
  }

  /** Writes a cell's output in the layer's time order, padded steps zeroed (forward only); returns it. */
  private cellOutput(cell: Cell, T: number, B: number, lengths: number): number {
    const out = this.cellKeptOutput(cell, T, B);
    if (!cell.reverse && lengths === 0) return out;
    const dst = this.cellOutputBlock(cell, T, B);
    if (cell.reverse) core().reverseWithinLengths(dst, out, lengths, T, B, this.cellOutputSize);
    else core().maskPaddedSteps(dst, out, lengths, T, B, this.cellOutputSize);
    return dst;
  }

  /** What cellOutput wrote in the last forward (for backward: nothing has overwritten it since). */
  private lastCellOutput(cell: Cell, T: number, B: number, lengths: number): number {
    return !cell.reverse && lengths === 0 ? this.cellKeptOutput(cell, T, B) : this.cellOutputBlock(cell, T, B);
  }

  private cellOutputBlock(cell: Cell, T: number, B: number): number {
    return cell.ws.ptr("output", T * B * this.cellOutputSize);
  }

  /** zAdd [B, gateWidth] = context [B, C] · weight_ch^T for the first layer's cells. */
  private contextProjection(cell: Cell, context: number, B: number): number {
    if (cell.layer !== 0 || this.contextSize === 0) return 0;
    const GW = this.gateWidth;
    const C = this.contextSize;
    const z = cell.ws.ptr("contextProjection", B * GW);
    core().gemm(B, GW, C, context, C, 1, this.paramPtr(`weight_ch${cell.suffix}`), 1, C, z, GW, 0);
    return z;
  }

  protected largestBatchBlock(T: number, B: number): BatchBlock {
    const G = this.gateWidth;
    const F = this.cellOutputSize;
    const S = Math.max(...this.finalStates.map((s) => s.size));
    const D = this.tokenInput ? 1 : this.inputSize;
    const blocks: BatchBlock[] = [
      { name: `gates [${T}, ${B}, ${G}]`, values: T * B * G },
      { name: `states [${T + 1}, ${B}, ${S}]`, values: (T + 1) * B * S },
      { name: `outputs [${T}, ${B}, ${this.outputSize}]`, values: T * B * this.outputSize },
      { name: `inputs [${T}, ${B}, ${D}]`, values: T * B * D },
      { name: `context [${B}, ${this.contextSize}]`, values: B * this.contextSize },
      // the recurrent weights [G, F] packed for the matrix products, both ways (gemmPackedSize rounds to 8 columns)
      { name: `packed recurrent weights [${G}, ${F}]`, values: Math.max((G + 7) * F, (F + 7) * G) },
    ];
    return blocks.reduce((a, b) => (b.values > a.values ? b : a));
  }

  forwardPointers(input: SequencePointers): SequencePointers {
    this.checkPointerBatch(input);
    const { x, T, B } = input;
    const lengths = input.lengths ?? 0;
    const context = input.context ?? 0;
    const training = input.training ?? false;
    if (this.contextSize > 0 && context === 0) throw new RangeError(`${this.constructor.name}: the layer was built with contextSize ${this.contextSize}; pass a context [B, ${this.contextSize}]`);
    if (!this.initialGiven) this.resetState(B);
    const initial = this.cellStates("initialState", B);
    const c = core();
    const F = this.cellOutputSize;
    const outW = this.outputSize;
    let layerInput = x;
    for (let l = 0; l < this.numLayers; l++) {
      const outs = this.cells.filter((cell) => cell.layer === l).map((cell) => {
        const xin = this.cellInput(cell, layerInput, T, B, lengths);
        this.cellForward(cell, xin, T, B, initial[cell.index]!, lengths, this.contextProjection(cell, context, B));
        return this.cellOutput(cell, T, B, lengths);
      });
      let layerOut = outs[0]!;
      if (this.bidirectional) {
        layerOut = this.ws.ptr(`layer${l}.output`, T * B * outW);
        c.mergeForward(MERGE_CODES[this.mergeMode], outs[0]!, outs[1]!, layerOut, T * B, F);
      }
      if (training && this.dropout > 0 && l < this.numLayers - 1) {
        const mask = this.ws.ptr(`layer${l}.dropout`, T * B * outW);
        this.dropoutRng ??= new Rng(this.seed);
        this.dropoutRng.fillDropoutMask(mask, T * B * outW, 1 - this.dropout);
        if (layerOut === outs[0]) {
          const copy = this.ws.ptr(`layer${l}.output`, T * B * outW);
          c.copyF32(copy, layerOut, T * B * outW);
          layerOut = copy;
        }
        c.mulInPlace(layerOut, mask, T * B * outW);
      }
      layerInput = layerOut;
    }
    this.last = { T, B, x, lengths, context, training };
    this.consumed = false;
    this.initialGiven = false;
    if (this.returnSequences) return { ...input, x: layerInput };
    return { ...input, x: this.pooled(layerInput, T, B), T: 1, lengths: 0 };
  }

  /** [B, outputSize] per sequence: the last layer's final states (merged), or the mean over valid steps. */
  private pooled(sequence: number, T: number, B: number): number {
    const outW = this.outputSize;
    const dst = this.ws.ptr("pooled", B * outW);
    const { lengths } = this.last!;
    if (this.pooling === "mean") {
      core().meanOverValidSteps(dst, sequence, lengths, T, B, outW);
      return dst;
    }
    const top = this.cells.filter((cell) => cell.layer === this.numLayers - 1);
    const finals = top.map((cell) => this.cellFinalStates(cell, T, B)[0]!);
    if (!this.bidirectional) return finals[0]!;
    core().mergeForward(MERGE_CODES[this.mergeMode], finals[0]!, finals[1]!, dst, B, this.cellOutputSize);
    return dst;
  }

  /**
   * dFinal (optional): gradients of the final states, one [layers * dirs, B, size] block per
   * final state (0: none), e.g. a decoder's dInitialStatePointers() handed to its encoder.
   */
  backwardPointers(dOut: number, needInputGrad = true, dFinal: readonly number[] | null = null): number {
    return this.backwardWith(dOut, dFinal, needInputGrad);
  }

  /** The last backward's dLoss/dInitialState, one [layers * dirs, B, size] block per carried state. */
  dInitialStatePointers(): number[] {
    const { B } = this.requireLast("dInitialStatePointers");
    return this.carried.map(({ name, size }) => this.stateBlock("dInitialState", name, size, B));
  }

  /**
   * BPTT through all cells, top layer first. dOut has the output's shape; dFinal (optional)
   * holds [layers * dirs, B, size] blocks per carried state. Returns dInput's pointer (0 if skipped).
   */
  private backwardWith(dOut: number, dFinal: readonly number[] | null, needInputGrad: boolean): number {
    const { T, B, x, lengths, context, training } = this.requireLast("backward");
    if (this.consumed) throw new Error(`${this.constructor.name}.backward: already run for this forward (its gate buffers now hold gradients); call forward again`);
    this.consumed = true;
    const c = core();
    const F = this.cellOutputSize;
    const outW = this.outputSize;
    const dInitial = this.cellStates("dInitialState", B);
    const finalGrads = this.cells.map((cell) => this.finalStates.map(({ size }, i) => (dFinal !== null && dFinal[i] !== 0 ? dFinal[i]! + cell.index * B * size * 4 : 0)));
    let dLayerOut = dOut;
    if (!this.returnSequences) dLayerOut = this.unpool(dOut, T, B, finalGrads);
    if (this.contextSize > 0) c.fillF32(this.ws.ptr("dContext", B * this.contextSize), B * this.contextSize, 0);
    let dx = 0;
    for (let l = this.numLayers - 1; l >= 0; l--) {
      const layerCells = this.cells.filter((cell) => cell.layer === l);
      const layerInput = l === 0 ? x : this.layerOutput(l - 1, T, B);
      const dCellOuts = layerCells.map((cell) => (dLayerOut === 0 ? 0 : cell.ws.ptr("dOutput", T * B * F)));
      if (dLayerOut !== 0) {
        if (this.bidirectional) {
          const [a, b] = layerCells.map((cell) => this.lastCellOutput(cell, T, B, lengths));
          c.mergeBackward(MERGE_CODES[this.mergeMode], a!, b!, dLayerOut, dCellOuts[0]!, dCellOuts[1]!, T * B, F);
        } else {
          c.copyF32(dCellOuts[0]!, dLayerOut, T * B * F);
        }
      }
      const D = layerCells[0]!.inputSize;
      const needDx = l > 0 || needInputGrad;
      const dxLayer = needDx ? this.ws.ptr(`layer${l}.dInput`, T * B * D) : 0;
      layerCells.forEach((cell, d) => {
        let dCellOut = dCellOuts[d]!;
        if (dCellOut !== 0 && (cell.reverse || lengths !== 0)) {
          const tmp = cell.ws.ptr("dOutputCellOrder", T * B * F);
          if (cell.reverse) c.reverseWithinLengths(tmp, dCellOut, lengths, T, B, F);
          else c.maskPaddedSteps(tmp, dCellOut, lengths, T, B, F);
          dCellOut = tmp;
        }
        const xin = cell.reverse ? cell.ws.ptr("xReversed", T * B * this.cellInputWidth(cell)) : layerInput;
        const dxCell = needDx ? cell.ws.ptr("dInput", T * B * D) : 0;
        const dZ = this.cellBackward(cell, xin, T, B, dCellOut, finalGrads[cell.index]!, dxCell, dInitial[cell.index]!, lengths);
        if (cell.layer === 0 && this.contextSize > 0) this.contextBackward(cell, dZ, context, T, B);
        if (!needDx) return;
        if (cell.reverse) {
          const tmp = cell.ws.ptr("dInputLayerOrder", T * B * D);
          c.reverseWithinLengths(tmp, dxCell, lengths, T, B, D);
          c.addInPlace(dxLayer, tmp, T * B * D);
        } else {
          c.copyF32(dxLayer, dxCell, T * B * D);
        }
      });
      if (l > 0 && training && this.dropout > 0) c.mulInPlace(dxLayer, this.ws.ptr(`layer${l - 1}.dropout`, T * B * outW), T * B * outW);
      dLayerOut = dxLayer;
      dx = dxLayer;
    }
    return needInputGrad ? dx : 0;
  }

  /** The (dropped-out) output of stacked layer l, the input of layer l + 1. */
  private layerOutput(l: number, T: number, B: number): number {
    const cells = this.cells.filter((cell) => cell.layer === l);
    const { lengths, training } = this.last!;
    if (this.bidirectional || (training && this.dropout > 0)) return this.ws.ptr(`layer${l}.output`, T * B * this.outputSize);
    return this.lastCellOutput(cells[0]!, T, B, lengths);
  }

  /** Turns dLoss/dPooled [B, F] into a sequence gradient (mean) or final-state gradients (last). */
  private unpool(dPooled: number, T: number, B: number, finalGrads: number[][]): number {
    const c = core();
    const outW = this.outputSize;
    const { lengths } = this.last!;
    if (this.pooling === "mean") {
      const dSeq = this.ws.ptr("dPooledSequence", T * B * outW);
      c.meanOverValidStepsBackward(dSeq, dPooled, lengths, T, B, outW);
      return dSeq;
    }
    const F = this.cellOutputSize;
    const top = this.cells.filter((cell) => cell.layer === this.numLayers - 1);
    const parts = top.map((cell) => cell.ws.ptr("dFinalOutput", B * F));
    if (this.bidirectional) {
      const finals = top.map((cell) => this.cellFinalStates(cell, T, B)[0]!);
      c.mergeBackward(MERGE_CODES[this.mergeMode], finals[0]!, finals[1]!, dPooled, parts[0]!, parts[1]!, B, F);
    } else {
      c.copyF32(parts[0]!, dPooled, B * F);
    }
    top.forEach((cell, d) => {
      const given = finalGrads[cell.index]![0]!;
      if (given !== 0) c.addInPlace(parts[d]!, given, B * F);
      finalGrads[cell.index]![0] = parts[d]!;
    });
    return 0;
  }

  /** dW_ch += (Σ_t dZ_t)^T context; dContext += (Σ_t dZ_t) W_ch. */
  private contextBackward(cell: Cell, dZ: number, context: number, T: number, B: number): void {
    const c = core();
    const GW = this.gateWidth;
    const C = this.contextSize;
    const sum = cell.ws.ptr("dZSum", B * GW);
    c.sumSteps(sum, dZ, T, B * GW);
    const name = `weight_ch${cell.suffix}`;
    c.gemm(GW, C, B, sum, 1, GW, context, C, 1, this.gradPtr(name), C, 1);
    c.gemm(B, C, GW, sum, GW, 1, this.paramPtr(name), C, 1, this.ws.ptr("dContext", B * C), C, 1);
  }

  private requireLast(what: string): LastForward {
    if (this.last === null) throw new Error(`${this.constructor.name}.${what}: call forward first`);
    return this.last;
  }

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
    checkOptionKeys(where, options, ["initialState", "lengths", "context", "training"]);
    const xt = this.tokenInput ? toIntTensor(where, "x", x) : toTensor(where, "x", x);
    if (this.tokenInput) expectShape(where, "x", xt.shape, [null, null], ["T", "B"]);
    else expectShape(where, "x", xt.shape, [null, null, this.inputSize], ["T", "B", String(this.inputSize)]);
    const [T, B] = xt.shape as [number, number];
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
    const xBuffer = this.ws.get("x", xt.data.length);
    const xPtr = xt.data instanceof Int32Array ? stageIds(where, "x", xt.data, this.inputSize, xBuffer) : stageF32(where, "x", xt.data, xBuffer);
    const L = this.cells.length;
    this.carried.forEach(({ name, size }, i) => {
      const block = this.stateBlock("initialState", name, size, B);
      if (staged[i] !== 0) core().copyF32(block, staged[i]!, L * B * size);
      else core().fillF32(block, L * B * size, 0);
    });
    this.initialGiven = true;
    const out = this.forwardPointers({ x: xPtr, T, B, lengths, context, training });
    const outW = this.outputSize;
    const output: Tensor = this.returnSequences
      ? { shape: [T, B, outW], data: copyOut(out.x, T * B * outW) }
      : { shape: [B, outW], data: copyOut(out.x, B * outW) };
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
    const { T, B, context } = this.requireLast("backward");
    const D = this.inputSize;
    checkAllocation(where, `dInput [${T}, ${B}, ${D}]`, T * B * D);
    const outW = this.outputSize;
    let dOut = 0;
    if (dOutput !== null) {
      const d = toTensor(where, "dOutput", dOutput);
      expectShape(where, "dOutput", d.shape, this.returnSequences ? [T, B, outW] : [B, outW]);
      dOut = stageF32(where, "dOutput", d.data, this.ws.get("dOutput", d.data.length));
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
    const result: RecurrentBackwardResult = { dInput: { shape: [T, B, D], data: copyOut(dx, T * B * D) }, dInitialState };
    if (context !== 0) result.dContext = { shape: [B, this.contextSize], data: copyOut(this.ws.ptr("dContext", B * this.contextSize), B * this.contextSize) };
    return result;
  }

  protected freeWorkspace(): void {
    this.ws.free();
    for (const cell of this.cellList ?? []) cell.ws.free();
    this.dropoutRng?.dispose();
    this.dropoutRng = null;
    this.last = null;
  }
}
