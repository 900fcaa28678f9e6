// The pointer-level recurrent layer: numLayers x (1 or 2 directions) cells, as PyTorch's
// nn.RNN/LSTM/GRU, run layer by layer over sequences in wasm memory (the contract a Model chains).
// Cell (l, d) has parameters named "..._l{l}" or "..._l{l}_reverse". States are
// [numLayers * dirs, B, size] as PyTorch's h_n / c_n. The layer keeps what BPTT needs from its
// last forward; backward accumulates parameter gradients.
import { core } from "../../core.js";
import { Workspace, blockPtr, type BlockRef } from "../../buffer.js";
import type { ParameterSpec } from "../../arena.js";
import { Rng } from "../../random.js";
import { Layer, type BatchBlock, type LayerConfig, type SequencePointers, type WorkspacePlan, type WorkspaceShape } from "../layer.js";
import type { RECURRENT_OPTIONS, MergeMode, Pooling } from "./options.js";
import type { Parsed } from "../options.js";
import { stackCells, type Cell, type CarriedState } from "./cells.js";
import { mergeDirections, mergeDirectionsBackward, inputInCellOrder, lastInputInCellOrder, outputInLayerOrder, lastOutputInLayerOrder, gradientInCellOrder, addReverseInputGradient } from "./directions.js";
import { pool, unpool, type PoolingInput } from "./pooling.js";
import { contextParams, contextForward, contextBackward } from "./context.js";
import type { CellCall } from "../cells/table.js";
import { embeddedWeight, embeddedWeightGrad, embeddedForward, embeddedBackward, type EmbeddedInput } from "./embedded-input.js";
import { largestStackBlock, stackPlan, carriedStateBlock, layerOutputBlock, dropoutMaskBlock, layerInputGradientBlock, contextGradientBlock, cellOutputGradientBlock, cellInputGradientBlock } from "./plan.js";

/** How a recurrent layer saves its config: its class name, and its options given its inputSize. */
export interface SavedConfig {
  /** The class name. */
  type: string;
  /** The cell's option schema, which writes the saved options from the parsed ones. */
  schema: { config(parsed: Parsed<typeof RECURRENT_OPTIONS>): Record<string, unknown> };
}

/** What backward needs of the last forward. */
export interface LastForward {
  T: number;
  B: number;
  x: number;
  lengths: number;
  context: number;
  training: boolean;
  /** The tensor-level forward took batch-first tensors (its backward takes and returns them too); false at pointer level. */
  batchFirst: boolean;
}

export abstract class RecurrentStack extends Layer {
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
  private readonly saved: SavedConfig;
  /** The options as the cell's schema parsed them (inputSize absent until built). */
  private readonly parsed: Parsed<typeof RECURRENT_OPTIONS>;
  private cellList: Cell[] | null = null;
  private last: LastForward | null = null;
  /** The last forward's gate buffers hold gradients after a backward: another backward needs a new forward. */
  private consumed = false;
  private initialGiven = false;
  /** The dropout masks' generator, made with the parameters (null without dropout). */
  private dropoutRng: Rng | null = null;
  /** The last forward's ids looked up in an Embedding's table by the first layer's cells (null: none). */
  private embedded: EmbeddedInput | null = null;

  /**
   * Takes the options as the cell's schema parsed them and the layer's saved config: its class name
   * and that schema, which writes the options config() saves (with the given or built inputSize).
   */
  protected constructor(options: Parsed<typeof RECURRENT_OPTIONS>, config: SavedConfig) {
    if (options.tokenInput && options.inputSize === undefined) {
      throw new TypeError(`${config.type}: inputSize (the vocabulary size) is required with tokenInput true; got undefined`);
    }
    super(options.inputSize);
    this.units = options.units;
    this.returnSequences = options.returnSequences;
    this.pooling = options.pooling;
    this.numLayers = options.numLayers;
    this.bidirectional = options.bidirectional;
    this.mergeMode = options.mergeMode;
    this.dropout = options.dropout;
    this.contextSize = options.contextSize;
    this.tokenInput = options.tokenInput;
    this.seed = options.seed;
    this.saved = config;
    this.parsed = options;
  }

  /** The states one cell carries between steps; its output is the first one at every step. */
  protected abstract get carried(): readonly CarriedState[];
  /** Width of a cell's input-side pre-activations (gates · H), which the context projection adds to. */
  protected abstract get gateWidth(): number;
  /** The blocks a cell's forward kernel (and, training, its backward kernel) takes over T steps of B sequences, from its cell table. */
  protected abstract cellBlocks(cell: Cell, T: number, B: number, training: boolean): BlockRef[];
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
      param: (base, grad) => {
        if (base === "weight_ih" && cell.layer === 0 && this.embedded !== null) return (grad ? embeddedWeightGrad : embeddedWeight)(cell, this.embedded, this.gateWidth);
        return grad ? this.gradPtr(this.cellParamName(base, cell)) : this.paramPtr(this.cellParamName(base, cell));
      },
      packs: this.params.packs,
      packedName: (base) => this.prefixed(this.cellParamName(base, cell)),
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
  protected get finalStates(): readonly CarriedState[] {
    return [...this.carried, ...this.extraStates];
  }

  /** Features per step of one direction. */
  protected get cellOutputSize(): number {
    return this.carried[0]!.size;
  }

  get outputSize(): number {
    return this.bidirectional && this.mergeMode === "concat" ? 2 * this.cellOutputSize : this.cellOutputSize;
  }

  /** The cells, layer-major and direction-minor as PyTorch orders h_n. */
  protected get cells(): readonly Cell[] {
    this.cellList ??= stackCells(this);
    return this.cellList;
  }

  /** The cells of stacked layer l; with an embedded input, the first layer's read ids of the table's vocabulary. */
  private layerCells(l: number): Cell[] {
    const cells = this.cells.filter((cell) => cell.layer === l);
    const embedded = this.embedded;
    return l === 0 && embedded !== null ? cells.map((cell) => ({ ...cell, tokens: true, inputSize: embedded.V })) : cells;
  }

  /** The merge of the directions; null for one direction. */
  private get merge(): MergeMode | null {
    return this.bidirectional ? this.mergeMode : null;
  }

  /** Initialises the parameters as every layer does, then makes the dropout generator (so that it is made only when they could be). */
  protected override initialise(seed: number): void {
    super.initialise(seed);
    if (this.dropout > 0) this.dropoutRng = new Rng(this.seed);
  }

  workspacePlan(shape: Required<WorkspaceShape>): WorkspacePlan {
    return stackPlan({
      ws: this.ws, cells: this.cells, numLayers: this.numLayers, carried: this.carried, merge: this.merge,
      returnSequences: this.returnSequences, pooling: this.pooling, dropout: this.dropout, contextSize: this.contextSize,
      gateWidth: this.gateWidth, F: this.cellOutputSize, outW: this.outputSize,
      cellBlocks: (cell, T, B, training) => this.cellBlocks(cell, T, B, training),
    }, shape);
  }

  /** PyTorch's initialisation of recurrent layers: every parameter uniform in ±1/√units. */
  protected initParams(rng: Rng): void {
    this.initUniform(rng, 1 / Math.sqrt(this.units));
  }

  paramSpecs(): ParameterSpec[] {
    const specs = this.cells.flatMap((cell) => this.cellParams(cell));
    return this.contextSize > 0 ? [...specs, ...contextParams(this.cells, this.gateWidth, this.contextSize)] : specs;
  }

  config(): LayerConfig {
    return { type: this.saved.type, options: this.saved.schema.config({ ...this.parsed, inputSize: this.inputSizeFor("config") }) };
  }

  /** Block [layers * dirs, B, size] of carried state `name` under `prefix` in the layer workspace. */
  protected stateBlock(prefix: string, name: string, size: number, B: number): number {
    return blockPtr(carriedStateBlock(this.ws, this.cells.length, prefix, name, size, B));
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
    return this.carried.map(({ name, size }) => carriedStateBlock(this.ws, this.cells.length, "initialState", name, size, B).length);
  }

  /** Uses the blocks (one per carried state, [layers * dirs, B, size]; 0: zeros) as the next forward's initial states. */
  setInitialStates(blocks: readonly number[], B: number): void {
    this.carried.forEach(({ name, size }, i) => {
      const block = this.stateBlock("initialState", name, size, B);
      if (blocks[i] !== 0) core().copyF32(block, blocks[i]!, this.cells.length * B * size);
      else core().fillF32(block, this.cells.length * B * size, 0);
    });
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

  protected largestBatchBlock(T: number, B: number): BatchBlock {
    const { gateWidth, cellOutputSize, outputSize, contextSize } = this;
    const D = this.tokenInput ? 1 : this.inputSize;
    return largestStackBlock({ gateWidth, cellOutputSize, outputSize, contextSize, stepInput: D, stateSize: Math.max(...this.finalStates.map((s) => s.size)) }, T, B);
  }

  /** The top layer's final outputs and what pooling reads of the last forward. */
  private poolingInput(T: number, B: number): PoolingInput {
    const top = this.layerCells(this.numLayers - 1);
    const finals = top.map((cell) => this.cellFinalStates(cell, T, B)[0]!);
    return { pooling: this.pooling, merge: this.merge, ws: this.ws, top, finals, lengths: this.last!.lengths, T, B, F: this.cellOutputSize };
  }

  forwardPointers(input: SequencePointers): SequencePointers {
    this.checkPointerBatch(input);
    const { x, T, B } = input;
    const lengths = input.lengths ?? 0;
    const context = input.context ?? 0;
    const training = input.training ?? false;
    if (this.contextSize > 0 && context === 0) throw new RangeError(`${this.constructor.name}: the layer was built with contextSize ${this.contextSize}; pass a context [B, ${this.contextSize}]`);
    this.embedded = input.embedded ?? null;
    if (!this.initialGiven) this.resetState(B);
    const initial = this.cellStates("initialState", B);
    const c = core();
    const F = this.cellOutputSize;
    const outW = this.outputSize;
    let layerInput = x;
    for (let l = 0; l < this.numLayers; l++) {
      const outs = this.layerCells(l).map((cell) => {
        if (l === 0 && this.embedded !== null) embeddedForward(cell, this.embedded, this.paramPtr(this.cellParamName("weight_ih", cell)), this.gateWidth);
        const zAdd = l === 0 && this.contextSize > 0 ? contextForward(cell, context, this.paramPtr(`weight_ch${cell.suffix}`), B, this.gateWidth, this.contextSize) : 0;
        this.cellForward(cell, inputInCellOrder(cell, layerInput, T, B, lengths), T, B, initial[cell.index]!, lengths, zAdd);
        return outputInLayerOrder(cell, this.cellKeptOutput(cell, T, B), T, B, F, lengths);
      });
      let layerOut = outs[0]!;
      if (this.merge !== null) {
        layerOut = blockPtr(layerOutputBlock(this.ws, l, T, B, outW));
        mergeDirections(this.merge, outs[0]!, outs[1]!, layerOut, T * B, F);
      }
      if (training && this.dropout > 0 && l < this.numLayers - 1) {
        const mask = blockPtr(dropoutMaskBlock(this.ws, l, T, B, outW));
        this.dropoutRng!.fillDropoutMask(mask, T * B * outW, 1 - this.dropout);
        if (layerOut === outs[0]) {
          const copy = blockPtr(layerOutputBlock(this.ws, l, T, B, outW));
          c.copyF32(copy, layerOut, T * B * outW);
          layerOut = copy;
        }
        c.mulInPlace(layerOut, mask, T * B * outW);
      }
      layerInput = layerOut;
    }
    this.last = { T, B, x, lengths, context, training, batchFirst: false };
    this.consumed = false;
    this.initialGiven = false;
    const { embedded: _lookedUp, ...passed } = input;
    if (this.returnSequences) return { ...passed, x: layerInput };
    return { ...passed, x: pool(this.poolingInput(T, B), layerInput), T: 1, lengths: 0 };
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
   * holds [layers * dirs, B, size] blocks per final state. Returns dInput's pointer (0 if skipped).
   */
  protected backwardWith(dOut: number, dFinal: readonly number[] | null, needInputGrad: boolean): number {
    const { T, B, x, lengths, context, training } = this.requireLast("backward");
    if (this.consumed) throw new Error(`${this.constructor.name}.backward: already run for this forward (its gate buffers now hold gradients); call forward again`);
    this.consumed = true;
    const c = core();
    const F = this.cellOutputSize;
    const outW = this.outputSize;
    const GW = this.gateWidth;
    const C = this.contextSize;
    const dInitial = this.cellStates("dInitialState", B);
    const finalGrads = this.cells.map((cell) => this.finalStates.map(({ size }, i) => (dFinal !== null && dFinal[i] !== 0 ? dFinal[i]! + cell.index * B * size * 4 : 0)));
    let dLayerOut = dOut;
    if (!this.returnSequences) {
      const top = this.layerCells(this.numLayers - 1);
      const topGrads = top.map((cell) => finalGrads[cell.index]![0]!);
      dLayerOut = unpool(this.poolingInput(T, B), dOut, topGrads);
      top.forEach((cell, d) => { finalGrads[cell.index]![0] = topGrads[d]!; });
    }
    const dContext = C > 0 ? blockPtr(contextGradientBlock(this.ws, B, C)) : 0;
    if (C > 0) c.fillF32(dContext, B * C, 0);
    let dx = 0;
    for (let l = this.numLayers - 1; l >= 0; l--) {
      const layerCells = this.layerCells(l);
      const layerInput = l === 0 ? x : this.layerOutput(l - 1, T, B);
      // one direction reads the layer's output gradient as it is (the kernels only read dOut)
      let dCellOuts = layerCells.map(() => dLayerOut);
      if (dLayerOut !== 0 && this.merge !== null) {
        dCellOuts = layerCells.map((cell) => blockPtr(cellOutputGradientBlock(cell, T, B, F)));
        const [a, b] = layerCells.map((cell) => lastOutputInLayerOrder(cell, this.cellKeptOutput(cell, T, B), T, B, F, lengths));
        mergeDirectionsBackward(this.merge, a!, b!, dLayerOut, dCellOuts[0]!, dCellOuts[1]!, T * B, F);
      }
      const D = layerCells[0]!.inputSize;
      const embedded = l === 0 ? this.embedded : null;
      const needDx = l > 0 || (needInputGrad && embedded === null);
      const dxLayer = needDx ? blockPtr(layerInputGradientBlock(this.ws, l, T, B, D)) : 0;
      layerCells.forEach((cell, d) => {
        const dCellOut = gradientInCellOrder(cell, dCellOuts[d]!, T, B, F, lengths);
        // the forward cell writes dInput (a whole overwrite) into the layer's; the reverse cell's is added in after
        const dxCell = !needDx ? 0 : cell.reverse ? blockPtr(cellInputGradientBlock(cell, T, B, D)) : dxLayer;
        const dZ = this.cellBackward(cell, lastInputInCellOrder(cell, layerInput, T, B), T, B, dCellOut, finalGrads[cell.index]!, dxCell, dInitial[cell.index]!, lengths);
        if (l === 0 && C > 0) {
          const name = `weight_ch${cell.suffix}`;
          contextBackward(cell, dZ, context, this.paramPtr(name), this.gradPtr(name), dContext, T, B, GW, C);
        }
        if (embedded !== null) {
          const name = this.cellParamName("weight_ih", cell);
          embeddedBackward(cell, embedded, this.paramPtr(name), this.gradPtr(name), GW);
        }
        if (needDx && cell.reverse) addReverseInputGradient(cell, dxLayer, dxCell, T, B, D, lengths);
      });
      if (l > 0 && training && this.dropout > 0) c.mulInPlace(dxLayer, blockPtr(dropoutMaskBlock(this.ws, l - 1, T, B, outW)), T * B * outW);
      dLayerOut = dxLayer;
      dx = dxLayer;
    }
    return needInputGrad ? dx : 0;
  }

  /** The (dropped-out) output of stacked layer l, the input of layer l + 1. */
  private layerOutput(l: number, T: number, B: number): number {
    const { lengths, training } = this.last!;
    if (this.bidirectional || (training && this.dropout > 0)) return blockPtr(layerOutputBlock(this.ws, l, T, B, this.outputSize));
    const cell = this.layerCells(l)[0]!;
    return lastOutputInLayerOrder(cell, this.cellKeptOutput(cell, T, B), T, B, this.cellOutputSize, lengths);
  }

  protected requireLast(what: string): LastForward {
    if (this.last === null) throw new Error(`${this.constructor.name}.${what}: call forward first`);
    return this.last;
  }

  protected freeWorkspace(): void {
    this.ws.free();
    for (const cell of this.cellList ?? []) cell.ws.free();
    this.dropoutRng?.dispose();
    this.last = null;
  }
}
