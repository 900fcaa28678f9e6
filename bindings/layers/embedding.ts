// Embedding: a lookup table of vectors, one row per token id (PyTorch nn.Embedding).
import { core, copyOut } from "../core.js";
import { Workspace, blockPtr, type BlockRef } from "../buffer.js";
import type { ParameterSpec } from "../arena.js";
import type { Rng } from "../random.js";
import { Layer, defaultSeed, type BatchBlock, type LayerConfig, type SequencePointers, type WorkspacePlan, type WorkspaceShape } from "./layer.js";
import { toIntTensor, stageIds, toTensor, stageF32, type Tensor, type IntTensorLike, type TensorLike } from "../tensor.js";
import { shapeString } from "../validate.js";
import { optionSchema, required, defaulted, int, seed, type OptionsOf } from "./options.js";

/** The options of `new Embedding(...)`. */
export const EMBEDDING_OPTIONS = optionSchema({
  /** Vocabulary size V: ids must lie in [0, V). */
  inputSize: required(int()),
  /** Vector size E. */
  units: required(int()),
  /** Seed of the N(0, 1) initialisation, as nn.Embedding (default: a per-process counter). */
  seed: defaulted(seed, defaultSeed),
});

/** What backward needs of the last forward: the ids, their count, the tensor shape, and whether a next layer looked them up itself. */
interface LastLookup {
  ids: number;
  M: number;
  shape: number[];
  deferred: boolean;
}

/** Options of `new Embedding(...)`. */
export type EmbeddingOptions = OptionsOf<typeof EMBEDDING_OPTIONS>;

/** Embedding layer. Parameter: weight [V, E]. Input ids [...] (int) -> output [..., E]. */
export class Embedding extends Layer {
  readonly units: number;
  private readonly saved: Record<string, unknown>;
  private readonly ws = new Workspace();
  private last: LastLookup | null = null;

  constructor(options: EmbeddingOptions) {
    const o = EMBEDDING_OPTIONS.parse("Embedding", options);
    super(o.inputSize);
    this.units = o.units;
    this.saved = EMBEDDING_OPTIONS.config(o);
    this.buildOwn(o.seed);
  }

  get outputSize(): number {
    return this.units;
  }

  paramSpecs(): ParameterSpec[] {
    return [{ name: "weight", shape: [this.inputSize, this.units] }];
  }

  protected initParams(rng: Rng): void {
    rng.fillNormal(this.paramPtr("weight"), this.inputSize * this.units, 0, 1);
  }

  config(): LayerConfig {
    return { type: "Embedding", options: { ...this.saved } };
  }

  protected largestBatchBlock(T: number, B: number): BatchBlock {
    return { name: `outputs [${T * B}, ${this.units}]`, values: T * B * this.units };
  }

  /** The looked-up vectors [M, E] of M ids. */
  private outputBlock(M: number): BlockRef {
    return { ws: this.ws, name: "y", length: M * this.units };
  }

  /** The looked-up vectors; the backward takes nothing (it scatters dOut into the weight gradient). */
  workspacePlan({ T, B }: Required<WorkspaceShape>): WorkspacePlan {
    return { blocks: [this.outputBlock(T * B)], gemmScratch: 0, tokenTable: 0 };
  }

  forwardPointers(input: SequencePointers): SequencePointers {
    this.checkPointerBatch(input);
    const M = input.T * input.B;
    const y = blockPtr(this.outputBlock(M));
    core().gatherRows(y, this.paramPtr("weight"), input.x, M, this.units);
    this.last = { ids: input.x, M, shape: [], deferred: false };
    return { ...input, x: y };
  }

  /**
   * forwardPointers for a next recurrent layer that looks the ids up in this table itself, inside
   * its input projection (recurrent/embedded-input.ts): the ids pass through with the table, and
   * the next backward has nothing to add here (that layer adds into this table's gradient).
   */
  deferLookup(input: SequencePointers): SequencePointers {
    this.checkPointerBatch(input);
    this.last = { ids: input.x, M: input.T * input.B, shape: [], deferred: true };
    return { ...input, embedded: { weight: this.paramPtr("weight"), grad: this.gradPtr("weight"), V: this.inputSize, E: this.units } };
  }

  /** Adds dOut's rows into the rows of the ids looked up; ids carry no gradient (returns 0). */
  backwardPointers(dOut: number): number {
    const { ids, M, deferred } = this.requireLast();
    if (deferred) return 0;
    core().scatterAddRows(this.gradPtr("weight"), dOut, ids, M, this.units);
    return 0;
  }

  private requireLast(): LastLookup {
    if (this.last === null) throw new Error("Embedding.backward: call forward first");
    return this.last;
  }

  /** Looks up ids of any shape [...] (e.g. time-major [T, B]); returns [..., units]. */
  forward(ids: IntTensorLike): Tensor {
    const where = "Embedding.forward";
    const t = toIntTensor(where, "ids", ids);
    if (t.data.length === 0) throw new RangeError(`${where}: ids must hold at least one id; got shape ${shapeString(t.shape)}`);
    this.checkBatch(where, `ids ${shapeString(t.shape)}`, t.data.length, 1);
    const ptr = stageIds(where, "ids", t.data, this.inputSize, this.ws.get("ids", t.data.length));
    const out = this.forwardPointers({ x: ptr, T: t.data.length, B: 1 });
    this.last!.shape = t.shape;
    return { shape: [...t.shape, this.units], data: copyOut(out.x, t.data.length * this.units) };
  }

  /** Accumulates dOutput [..., units] into the weight gradient. */
  backward(dOutput: TensorLike): void {
    const where = "Embedding.backward";
    const { M, shape } = this.requireLast();
    const d = toTensor(where, "dOutput", dOutput);
    const want = [...shape, this.units];
    if (shapeString(d.shape) !== shapeString(want)) throw new RangeError(`${where}: dOutput must have shape ${shapeString(want)}; got ${shapeString(d.shape)}`);
    this.backwardPointers(stageF32(where, "dOutput", d.data, this.ws.get("dOutput", M * this.units)));
  }

  protected freeWorkspace(): void {
    this.ws.free();
    this.last = null;
  }
}
