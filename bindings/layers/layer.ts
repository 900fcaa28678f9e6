// What every layer shares: PyTorch-named parameters in a ParameterArena, state dicts, and the
// pointer-level sequence contract the Model chains without copying through JavaScript.
import { ParameterArena, type ParameterSpec } from "../arena.js";
import { Rng } from "../random.js";
import type { EmbeddedInput } from "./recurrent/embedded-input.js";
import { toTensor, expectShape, sizeOf, toNestedArray, type Tensor, type TensorLike, type NestedArray } from "../tensor.js";
import { core, copyOut } from "../core.js";
import { shapeString, checkOptionKeys, checkBoolean, checkChoice, checkInt, describe } from "../validate.js";
import { planBytes, type BlockRef } from "../buffer.js";
import { checkNotOwned, guardDisposal, isDisposed, markDisposed, releaseOwner, setOwner } from "../disposal.js";
import { checkAllocation, checkParameterBlock } from "../sizes.js";
import { checkLoadOptions, finishLoad, keysUnderPrefix, stateDictTensors, type LayerLoadOptions, type LoadResult, type StateDictSource } from "../state-dict.js";

let seedCounter = 0;

/**
 * The next default initialisation seed: layers built without `seed` take 0, 1, 2, ... in
 * construction order, so the same program builds bit-identical models.
 */
export function defaultSeed(): number {
  return seedCounter++;
}

/** "LSTM.stateDict: inputSize is unknown until ..." for a layer built without inputSize. */
function unbuiltError(layer: Layer, method: string): Error {
  return new Error(`${layer.constructor.name}.${method}: inputSize is unknown until the layer is in a Model (which builds it from the previous layer's output) or built with layer.build(inputSize); or give the layer inputSize`);
}

/** The options that set a layer's sizes, named in the messages of size checks. */
const SIZE_OPTIONS = ["units", "inputSize", "outputUnits", "contextSize", "numLayers"] as const;

/** The largest block of wasm memory a layer allocates for some batch, named for messages. */
export interface BatchBlock {
  /** What it holds and its shape, e.g. "gates [T, B, 4H] = [100, 32, 512]". */
  name: string;
  /** Its size in 4-byte values. */
  values: number;
}

/** The call a layer's workspace is sized for (`workspaceSize`). */
export interface WorkspaceShape {
  /** Steps of the sequences. */
  T: number;
  /** Sequences in the batch. */
  B: number;
  /** The forward is followed by a backward (default true); false: a forward alone (inference). */
  training?: boolean;
  /** The backward computes the gradient of the layer's input (default true; a Model's first layer does not). */
  inputGradient?: boolean;
  /** The call passes sequence lengths (default false). */
  lengths?: boolean;
  /** For an Attention layer: the steps S of the memory it attends over (default T). */
  memorySteps?: number;
}

/** What a call of a layer takes of wasm memory: its workspace blocks, and the core's own scratch for its kernels. */
export interface WorkspacePlan {
  blocks: BlockRef[];
  /** Bytes of the packing scratch the core's gemm keeps for the call's products (one buffer for every layer). */
  gemmScratch: number;
  /** Bytes of the table the core allocates during an input projection of token ids (0: none). */
  tokenTable: number;
}

/** `shape` checked, with its defaults, for `where`. */
function checkWorkspaceShape(where: string, shape: unknown): Required<WorkspaceShape> {
  if (shape === null || typeof shape !== "object") throw new TypeError(`${where}: shape must be an object { T, B, training?, inputGradient?, lengths? }; got ${describe(shape)}`);
  checkOptionKeys(where, shape, ["T", "B", "training", "inputGradient", "lengths", "memorySteps"]);
  const s = shape as WorkspaceShape;
  const T = checkInt(where, "T", s.T);
  return {
    T,
    memorySteps: checkInt(where, "memorySteps", s.memorySteps ?? T),
    B: checkInt(where, "B", s.B),
    training: checkBoolean(where, "training", s.training ?? true),
    inputGradient: checkBoolean(where, "inputGradient", s.inputGradient ?? true),
    lengths: checkBoolean(where, "lengths", s.lengths ?? false),
  };
}

/** A serializable description of a layer: its class and constructor options. */
export interface LayerConfig {
  type: string;
  options: Record<string, unknown>;
}

/** Pointers the Model passes along a chain of layers (all in wasm memory). */
export interface SequencePointers {
  /** Input [T, B, inputSize] floats (or [T, B] i32 ids for an Embedding). */
  x: number;
  T: number;
  B: number;
  /** Sequence lengths i32 [B], each in [1, T]; 0 when every sequence has all T steps. */
  lengths?: number;
  /** A per-sequence context vector [B, C] for layers built with contextSize; 0 when none. */
  context?: number;
  /** Training pass (dropout active). */
  training?: boolean;
  /** x holds ids [T, B] for this layer to look up in an Embedding's table itself (recurrent layers only; see recurrent/embedded-input.ts). */
  embedded?: EmbeddedInput;
}

/**
 * Base of all layers. Parameters live in a ParameterArena: the layer's own until a Model adopts
 * the layer (then the model's one block, names prefixed with the layer's index as in
 * torch.nn.Sequential: "0.weight_ih_l0").
 */
export abstract class Layer {
  /** The input width: given to the constructor, or by `build` (null until then). */
  private width: number | null;
  /** The initialisation seed of a layer built without inputSize, until `build` uses it (null: built). */
  private unbuiltSeed: number | null = null;
  private arena: ParameterArena | null = null;
  private prefix = "";
  private ownsArena = false;

  /** `inputSize` undefined: the layer is unbuilt until `build` (a Model builds its layers after the first). */
  protected constructor(inputSize: number | undefined) {
    this.width = inputSize ?? null;
    guardDisposal(this, Layer, "layer");
  }

  /** Features per step of the input (for Embedding: the vocabulary size). */
  get inputSize(): number {
    return this.inputSizeFor("inputSize");
  }

  /** Whether the layer has its parameters: built with inputSize, or given it by `build` (a Model). */
  get built(): boolean {
    return this.unbuiltSeed === null;
  }

  /** The input width, or an Error naming `method` while it is unknown (no inputSize, not yet in a Model). */
  protected inputSizeFor(method: string): number {
    if (this.width === null) throw unbuiltError(this, method);
    return this.width;
  }

  /** Throws an Error naming `method` while the layer is unbuilt: its parameters do not exist yet. */
  protected checkBuilt(method: string): void {
    if (!this.built) throw unbuiltError(this, method);
  }

  /**
   * Gives a layer built without inputSize its input width and creates its parameters, initialised
   * from the seed it took at construction (exactly as if it had been given this inputSize), as
   * Keras' `layer.build(inputShape)`. A Model does it for each unbuilt layer after the first, from
   * the previous layer's outputSize. On a built layer: nothing when `inputSize` is its own, else a RangeError.
   */
  build(inputSize: number): void {
    const where = `${this.constructor.name}.build`;
    const width = checkInt(where, "inputSize", inputSize);
    const seed = this.unbuiltSeed;
    if (seed === null) {
      if (width !== this.width) throw new RangeError(`${where}: the layer is built with inputSize ${this.width}; got inputSize ${width}`);
      return;
    }
    this.width = width;
    try {
      this.unbuiltSeed = null;
      this.buildOwn(seed);
    } catch (e) {
      this.width = null;
      this.unbuiltSeed = seed;
      throw e;
    }
  }

  /** Features per step of the output. */
  abstract get outputSize(): number;
  /** PyTorch names and shapes of this layer's parameters. */
  abstract paramSpecs(): ParameterSpec[];
  /** The options that rebuild this layer (for save/load). */
  abstract config(): LayerConfig;
  /** Fills freshly allocated parameters (PyTorch's default initialisation). */
  protected abstract initParams(rng: Rng): void;

  /** Pointer-level forward over a whole sequence; returns the output pointer [T', B, outputSize]. */
  abstract forwardPointers(input: SequencePointers): SequencePointers;
  /**
   * Pointer-level backward of the last forward given dOut (the output's shape); accumulates the
   * parameter gradients and returns dInput's pointer (0 when needInputGrad is false or ids).
   */
  abstract backwardPointers(dOut: number, needInputGrad?: boolean): number;
  /** Frees this layer's workspaces (not its parameters). */
  protected abstract freeWorkspace(): void;
  /** The largest block of wasm memory a forward and backward over T steps of B sequences allocate. */
  protected abstract largestBatchBlock(T: number, B: number): BatchBlock;
  /**
   * The blocks a pointer-level forward of `shape` (and its backward, when training) takes from the
   * layer's workspaces, the same descriptions the calls take them by, and the core's scratch for them.
   */
  abstract workspacePlan(shape: Required<WorkspaceShape>): WorkspacePlan;

  /**
   * Bytes of wasm memory the layer's workspaces hold after a pointer-level forward of T steps of B
   * sequences and, when training (the default), its backward: what a Model's step allocates for
   * this layer beyond its parameters, as cuDNN's workspace-size queries tell it. The tensor-level
   * `forward` and `backward` stage their tensors (input, states, output gradient) on top of it.
   */
  workspaceSize(shape: WorkspaceShape): number {
    this.checkBuilt("workspaceSize");
    return planBytes(this.workspacePlan(checkWorkspaceShape(`${this.constructor.name}.workspaceSize`, shape)).blocks);
  }

  /** The options that set this layer's sizes, as "units 64, inputSize 10" (from its config). */
  sizeOptions(): string {
    const { options } = this.config();
    const sizes = SIZE_OPTIONS.filter((k) => typeof options[k] === "number" && options[k] !== 0).map((k) => `${k} ${options[k]}`);
    return options.bidirectional === true ? [...sizes, "bidirectional"].join(", ") : sizes.join(", ");
  }

  /**
   * Throws a RangeError `${where}: ${batch} (...) would need N bytes ...` when T steps of B sequences
   * would need a block of wasm memory larger than the core allocates; called before anything is
   * allocated for them. `batch` names what the user passed, e.g. "x [500, 64, 8]".
   */
  checkBatch(where: string, batch: string, T: number, B: number): void {
    const block = this.largestBatchBlock(T, B);
    checkAllocation(where, `${batch} (${this.constructor.name} ${block.name})`, block.values);
  }

  /** checkBatch for the pointer-level forward, which a Model or Seq2Seq runs batch by batch. */
  protected checkPointerBatch(input: SequencePointers): void {
    this.checkBatch(this.constructor.name, `a batch of ${input.T} steps and ${input.B} sequences`, input.T, input.B);
  }

  /**
   * Creates this layer's own arena and initialises it from `seed`, after checking that its
   * parameters fit; without an inputSize, keeps `seed` for `build`.
   */
  protected buildOwn(seed: number): void {
    if (this.width === null) {
      this.unbuiltSeed = seed;
      return;
    }
    checkParameterBlock(this.constructor.name, this.sizeOptions(), this.paramSpecs());
    this.arena = new ParameterArena(this.paramSpecs());
    this.ownsArena = true;
    setOwner(this.arena, this);
    this.initialise(seed);
  }

  /** Fills the freshly created parameters from `seed` (initParams with its generator). */
  protected initialise(seed: number): void {
    const rng = new Rng(seed);
    try {
      this.initParams(rng);
      this.params.markChanged();
    } finally {
      rng.dispose();
    }
  }

  /** Fills every parameter with uniform(-bound, bound), PyTorch's default for RNN and Linear layers. */
  protected initUniform(rng: Rng, bound: number): void {
    for (const { name } of this.paramSpecs()) rng.fillUniform(this.paramPtr(name), this.params.entry(this.prefix + name).size, -bound, bound);
  }

  /**
   * Moves the parameters into a Model's `arena` under `prefix` (copying their values and freeing
   * the layer's own arena). A layer belongs to at most one model.
   */
  adopt(arena: ParameterArena, prefix: string): void {
    const old = this.params;
    if (!this.ownsArena) throw new Error(`${this.constructor.name}: the layer already belongs to a model`);
    for (const { name } of this.paramSpecs()) {
      core().copyF32(arena.paramPtr(prefix + name), old.paramPtr(this.prefix + name), old.entry(this.prefix + name).size);
    }
    arena.markChanged();
    this.shareArena(arena, prefix);
  }

  /**
   * Uses the parameters in `arena` under `prefix` as they are, freeing the layer's own arena: what
   * `adopt` does after copying, and how a batch slice's replica of a model's layer reads the
   * model's parameters (bindings/threads/slices.ts).
   */
  shareArena(arena: ParameterArena, prefix: string): void {
    const old = this.params;
    if (!this.ownsArena) throw new Error(`${this.constructor.name}: the layer already belongs to a model`);
    releaseOwner(old);
    old.dispose();
    this.arena = arena;
    this.prefix = prefix;
    this.ownsArena = false;
  }

  /**
   * The arena holding this layer's parameters and gradients, for `optimizer.step(layer.parameters)`
   * in a custom loop (once a Model adopts the layer, it is the model's whole arena).
   */
  get parameters(): ParameterArena {
    this.checkBuilt("parameters");
    return this.params;
  }

  /** The arena holding this layer's parameters. */
  protected get params(): ParameterArena {
    this.checkBuilt("params");
    if (this.arena === null) throw new Error(`${this.constructor.name}: the layer has been disposed`);
    return this.arena;
  }

  /** Byte address of parameter `name` (unprefixed PyTorch name). */
  protected paramPtr(name: string): number {
    return this.params.paramPtr(this.prefix + name);
  }

  /** The name of parameter `name` (unprefixed PyTorch name) in the arena. */
  protected prefixed(name: string): string {
    return this.prefix + name;
  }

  /** Weight `name` [rows, K] transposed and packed for the core's matrix products (ParameterArena.packs). */
  protected packedWeight(name: string): number {
    return this.params.packs.rows(this.prefix + name);
  }

  /** The block of the packs that `packedWeight(name)` takes, for the layer's memory plan. */
  protected packedWeightBlock(name: string): BlockRef {
    return this.params.packs.block(this.prefix + name);
  }

  /** Byte address of the gradient of parameter `name`. */
  protected gradPtr(name: string): number {
    return this.params.gradPtr(this.prefix + name);
  }

  /**
   * A live view of parameter `name` (PyTorch name) in wasm memory, like `param.data` in
   * PyTorch: writes change the parameter. Re-get it after any call into the library
   * (memory growth detaches old views; taking a view marks the parameters changed, so the packed
   * weights follow writes made before the next call).
   */
  paramView(name: string): Float32Array {
    this.checkBuilt("paramView");
    checkChoice(`${this.constructor.name}.paramView`, "name", name, this.paramSpecs().map((s) => s.name));
    return this.params.paramView(this.prefix + name);
  }

  /**
   * Copies of the parameters under PyTorch names, as `module.state_dict()`: { shape, data } tensors,
   * or with { nested: true } nested number arrays as `tensor.tolist()` gives (JSON for PyTorch).
   */
  stateDict(): Record<string, Tensor>;
  stateDict(options: { nested: true }): Record<string, NestedArray>;
  stateDict(options?: { nested?: boolean }): Record<string, Tensor | NestedArray> {
    const where = `${this.constructor.name}.stateDict`;
    this.checkBuilt("stateDict");
    checkOptionKeys(where, options, ["nested"]);
    const nested = checkBoolean(where, "nested", options?.nested ?? false);
    const out: Record<string, Tensor | NestedArray> = {};
    for (const { name, shape } of this.paramSpecs()) {
      const t = { shape: [...shape], data: copyOut(this.paramPtr(name), sizeOf(shape)) };
      out[name] = nested ? toNestedArray(t) : t;
    }
    return out;
  }

  /** Copies of the accumulated gradients under the same names. */
  gradDict(): Record<string, Tensor> {
    this.checkBuilt("gradDict");
    const out: Record<string, Tensor> = {};
    for (const { name, shape } of this.paramSpecs()) {
      out[name] = { shape: [...shape], data: this.params.gradView(this.prefix + name).slice() };
    }
    return out;
  }

  /** Sets this layer's gradients to zero. */
  zeroGrad(): void {
    this.checkBuilt("zeroGrad");
    for (const { name } of this.paramSpecs()) this.params.gradView(this.prefix + name).fill(0);
  }

  /**
   * Loads parameters by PyTorch name: a dict of { shape, data } tensors or nested arrays, or what
   * `readSafetensors` / `readTorchStateDict` return. With `prefix`, only keys under it count (e.g.
   * "lstm." for one submodule of a PyTorch module). Strict by default: every name present with its
   * exact shape and finite values, nothing else; nothing changes when any check fails.
   */
  loadStateDict(dict: StateDictSource, options?: LayerLoadOptions): LoadResult {
    const where = `${this.constructor.name}.loadStateDict`;
    this.checkBuilt("loadStateDict");
    const { prefix, strict } = checkLoadOptions(where, options, ["prefix", "strict"]);
    const tensors = stateDictTensors(where, dict);
    const result: LoadResult = { missingKeys: [], unexpectedKeys: [] };
    const values = this.matchStateDict(where, tensors, keysUnderPrefix(tensors, prefix, result.unexpectedKeys), prefix, strict, result);
    finishLoad(where, strict, result, () => this.paramSpecs().map((s) => prefix + s.name));
    this.writeParams(values);
    return result;
  }

  /**
   * Matches a state dict against paramSpecs: `names` maps a parameter name to its key in `tensors`
   * (missing keys are reported as `keyPrefix` + name). Names the layer does not have go to
   * result.unexpectedKeys; absent parameters throw (strict) or go to result.missingKeys (null value).
   * Returns the validated values in spec order.
   */
  matchStateDict(where: string, tensors: Record<string, TensorLike>, names: ReadonlyMap<string, string>, keyPrefix: string, strict: boolean,
    result: LoadResult): (Float32Array | null)[] {
    const specs = this.paramSpecs();
    for (const [name, key] of names) if (!specs.some((s) => s.name === name)) result.unexpectedKeys.push(key);
    return specs.map(({ name, shape }) => {
      const key = names.get(name);
      if (key === undefined) {
        if (strict) throw new RangeError(`${where}: missing key "${keyPrefix}${name}" (shape ${shapeString(shape)})`);
        result.missingKeys.push(keyPrefix + name);
        return null;
      }
      const label = `dict["${key}"]`;
      const t = toTensor(where, label, tensors[key]);
      expectShape(where, label, t.shape, shape);
      const bad = t.data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new RangeError(`${where}: ${label} must be finite; got ${t.data[bad]} at flat index ${bad}`);
      return t.data;
    });
  }

  /** Copies values (in paramSpecs order, already validated; null keeps a parameter) into the parameters. */
  writeParams(values: readonly (Float32Array | null)[]): void {
    this.paramSpecs().forEach(({ name }, i) => {
      const v = values[i];
      if (v !== null && v !== undefined) this.params.paramView(this.prefix + name).set(v);
    });
  }

  /** Number of trainable parameters. */
  get parameterCount(): number {
    this.checkBuilt("parameterCount");
    return this.paramSpecs().reduce((n, s) => n + sizeOf(s.shape), 0);
  }

  /**
   * Frees the workspaces, and the parameters when the layer owns them. A layer given to a Model
   * (or built by a Seq2Seq) is disposed with it and cannot be disposed alone. Afterwards every
   * method and accessor throws; a second dispose does nothing.
   */
  dispose(): void {
    if (isDisposed(this)) return;
    checkNotOwned(this, "layer");
    this.freeWorkspace();
    markDisposed(this);
    if (this.arena !== null && this.ownsArena) this.arena.dispose();
    this.arena = null;
  }
}
