// Attention of a decoder query over a second input, the memory: the encoder outputs [S, B, F] with
// source lengths (Luong et al. 2015; Bahdanau et al. 2015), for one decoder step of B sequences:
//   scores    luong         e[b, s] = h[b] · m[s, b]                         (querySize = memorySize)
//             luongGeneral  e[b, s] = (h[b] W_in^T) · m[s, b]                linear_in.weight [F, H]
//             bahdanau      e[b, s] = v · tanh(W_q h[b] + b_q + W_k m[s, b])
//                           linear_query.weight [A, H], linear_query.bias [A], linear_context.weight [A, F], v.weight [1, A];
//                           the keys W_k m [S, B, A] are computed once per memory (setMemory)
//   weights   a[b, :] = softmax of e[b, :] over the real source steps; 0 exactly at padded ones
//   context   c[b] = Σ_s a[b, s] m[s, b]                                    [B, F]
// Parameter names follow OpenNMT-py's GlobalAttention. The core kernels are assembly/attention/.
import { core, copyOut } from "../core.js";
import { Workspace, blockPtr, type BlockRef } from "../buffer.js";
import type { ParameterSpec } from "../arena.js";
import type { Rng } from "../random.js";
import { Layer, defaultSeed, type BatchBlock, type LayerConfig, type SequencePointers, type WorkspacePlan, type WorkspaceShape } from "../layers/layer.js";
import { ACTIVATION_CODES } from "../kernels/activations.js";
import { toTensor, expectShape, stageF32, stageLengths, type Tensor, type TensorLike, type IntTensorLike } from "../tensor.js";
import { checkOptionKeys, checkInt, checkChoice, checkSeed, checkInEffect } from "../validate.js";

/** The score function: Luong dot, Luong general (bilinear) or Bahdanau additive (concat / mlp). */
export type AttentionKind = "luong" | "luongGeneral" | "bahdanau";
export const ATTENTION_KINDS: readonly AttentionKind[] = ["luong", "luongGeneral", "bahdanau"];

/** Options of `new Attention(...)`. */
export interface AttentionOptions {
  kind: AttentionKind;
  /** Features H of the query (the decoder state). */
  querySize: number;
  /** Features F per memory step (the encoder output); "luong" needs F = H. */
  memorySize: number;
  /** With "bahdanau" (only): the hidden size A of the additive score (default querySize). */
  attentionSize?: number;
  /** Seed of nn.Linear's uniform(-1/sqrt(in), 1/sqrt(in)) initialisation (default: a per-process counter). */
  seed?: number;
}

const OPTION_KEYS = ["kind", "querySize", "memorySize", "attentionSize", "seed"] as const;

/** The memory the steps attend over: pointers into wasm memory, valid until the next setMemory. */
interface Memory {
  memory: number;
  S: number;
  B: number;
  /** i32 [B] in [1, S], or 0: every source has S steps. */
  lengths: number;
  /** Steps the workspaces hold. */
  T: number;
  /** The next backward step starts a new backward pass (zeroes the memory gradients). */
  freshBackward: boolean;
}

/**
 * Attention layer. Pointer level (what a decoder calls): `setMemory` once per batch, then
 * `forwardStep(t, query)` per decoder step and, after the forward, `backwardStep` from the last step
 * to the first and `memoryGradient()`. `forwardPointers` attends with T queries [T, B, H] at once.
 * Tensor level: `forward(query [B, H], { memory, lengths })` and `backward(dContext, dWeights?)`.
 */
export class Attention extends Layer {
  readonly kind: AttentionKind;
  readonly querySize: number;
  readonly memorySize: number;
  /** A of the additive score (0 unless "bahdanau"). */
  readonly attentionSize: number;
  private readonly seed: number;
  private readonly ws = new Workspace();
  private mem: Memory | null = null;
  private lastQueries = 0;

  constructor(options: AttentionOptions) {
    const where = "Attention";
    checkOptionKeys(where, options, OPTION_KEYS);
    if (options === undefined) throw new TypeError(`${where}: options { kind, querySize, memorySize } are required`);
    super(checkInt(where, "querySize", options.querySize));
    this.kind = checkChoice(where, "kind", options.kind, ATTENTION_KINDS);
    this.querySize = this.inputSize;
    this.memorySize = checkInt(where, "memorySize", options.memorySize);
    if (this.kind === "luong" && this.memorySize !== this.querySize) {
      throw new RangeError(`${where}: kind "luong" (dot) needs memorySize = querySize; got memorySize ${this.memorySize}, querySize ${this.querySize} (use "luongGeneral")`);
    }
    checkInEffect(where, "attentionSize", options.attentionSize, this.kind === "bahdanau", `with kind "${this.kind}" (it sizes the additive score)`);
    this.attentionSize = this.kind === "bahdanau" ? checkInt(where, "attentionSize", options.attentionSize ?? this.querySize) : 0;
    this.seed = checkSeed(where, options.seed ?? defaultSeed());
    this.buildOwn(this.seed);
  }

  /** Features of the context. */
  get outputSize(): number {
    return this.memorySize;
  }

  paramSpecs(): ParameterSpec[] {
    const { querySize: H, memorySize: F, attentionSize: A } = this;
    if (this.kind === "luong") return [];
    if (this.kind === "luongGeneral") return [{ name: "linear_in.weight", shape: [F, H] }];
    return [
      { name: "linear_context.weight", shape: [A, F] },
      { name: "linear_query.weight", shape: [A, H] },
      { name: "linear_query.bias", shape: [A] },
      { name: "v.weight", shape: [1, A] },
    ];
  }

  protected initParams(rng: Rng): void {
    for (const { name, shape } of this.paramSpecs()) {
      const fanIn = name === "linear_query.bias" ? this.querySize : shape[1]!;
      const bound = 1 / Math.sqrt(fanIn);
      rng.fillUniform(this.paramPtr(name), shape[0]! * (shape[1] ?? 1), -bound, bound);
    }
  }

  config(): LayerConfig {
    const options: Record<string, unknown> = { kind: this.kind, querySize: this.querySize, memorySize: this.memorySize, seed: this.seed };
    if (this.kind === "bahdanau") options.attentionSize = this.attentionSize;
    return { type: "Attention", options };
  }

  /** Width of the per-step query projection: F (luongGeneral), A (bahdanau), 0 (luong). */
  private get projectedSize(): number {
    return this.kind === "luongGeneral" ? this.memorySize : this.attentionSize;
  }

  protected largestBatchBlock(T: number, B: number): BatchBlock {
    const S = this.mem?.S ?? T;
    const blocks: BatchBlock[] = [
      { name: `weights [${T}, ${B}, ${S}]`, values: T * B * S },
      { name: `contexts [${T}, ${B}, ${this.memorySize}]`, values: T * B * this.memorySize },
      { name: `memory gradient [${S}, ${B}, ${this.memorySize}]`, values: S * B * this.memorySize },
      { name: `keys [${S}, ${B}, ${this.attentionSize}]`, values: S * B * this.attentionSize },
    ];
    return blocks.reduce((a, b) => (b.values > a.values ? b : a));
  }

  /** A [rows, B, width] block (S rows of the memory, or T decoder steps). */
  private block(name: string, rows: number, B: number, width: number): BlockRef {
    return { ws: this.ws, name, length: rows * B * width };
  }

  /**
   * The blocks of setMemory over S = shape.memorySteps (default T) source steps, forwardPointers of
   * T queries and, when training, backwardPointers and memoryGradient.
   */
  workspacePlan({ T, B, training, memorySteps }: Required<WorkspaceShape>): WorkspacePlan {
    const { querySize: H, memorySize: F, attentionSize: A, projectedSize: P } = this;
    const S = memorySteps;
    const additive = this.kind === "bahdanau";
    const blocks = [this.block("weights", T, B, S), this.block("contexts", T, B, F)];
    if (additive) blocks.push(this.block("keys", S, B, A), this.packedWeightBlock("linear_context.weight"), this.packedWeightBlock("linear_query.weight"));
    if (P > 0) blocks.push(this.block("projected", T, B, P));
    if (this.kind === "luongGeneral") blocks.push(this.packedWeightBlock("linear_in.weight"));
    if (training) blocks.push(this.block("dMemory", S, B, F), this.block("dScores", 1, B, S), this.block("dQueries", T, B, H));
    if (training && additive) blocks.push(this.block("dKeys", S, B, A));
    if (training && P > 0) blocks.push(this.block("dProjected", 1, B, P));
    // the forward reads packed weights; only the backward's products pack their right operand per call
    return { blocks, gemmScratch: training ? 4 * core().gemmScratchSize(0x7fffffff, Math.max(H, F, A)) : 0, tokenTable: 0 };
  }

  /**
   * Sets the memory [S, B, F] (and lengths i32 [B] in [1, S], or 0) for up to T decoder steps and,
   * for "bahdanau", computes its keys. The pointers must stay valid while the steps run.
   */
  setMemory(memory: number, S: number, B: number, lengths: number, T: number): void {
    this.mem = { memory, S, B, lengths, T, freshBackward: true };
    this.checkBatch(this.constructor.name, `a memory of ${S} steps, ${B} sequences and ${T} decoder steps`, T, B);
    if (this.kind !== "bahdanau") return;
    const A = this.attentionSize;
    const F = this.memorySize;
    core().gemmPacked(S * B, A, F, memory, F, 1, this.packedWeight("linear_context.weight"), this.keys(), A, 0);
  }

  /** Gathers rows `index` (i32 [newB] into the current B) of what setMemory derived, for a memory gathered alike (beam search). */
  selectRows(index: number, memory: number, newB: number, lengths: number): void {
    const m = this.requireMemory("selectRows");
    if (this.kind === "bahdanau") {
      const A = this.attentionSize;
      const gathered = blockPtr(this.block("gatheredKeys", m.S, newB, A));
      core().gatherTimeMajor(gathered, this.keys(), index, m.S, m.B, newB, A);
      core().copyF32(blockPtr(this.block("keys", m.S, newB, A)), gathered, m.S * newB * A);
    }
    this.mem = { ...m, memory, B: newB, lengths };
  }

  private keys(): number {
    const m = this.mem!;
    return blockPtr(this.block("keys", m.S, m.B, this.attentionSize));
  }

  private requireMemory(what: string): Memory {
    if (this.mem === null) throw new Error(`Attention.${what}: call setMemory (or forward with a memory) first`);
    return this.mem;
  }

  /** Step t's block of a [T, B, width] workspace. */
  private stepBlock(name: string, t: number, width: number): number {
    const m = this.mem!;
    return blockPtr(this.block(name, m.T, m.B, width)) + t * m.B * width * 4;
  }

  /** The attention weights [B, S] of step t. */
  weightsAt(t: number): number {
    return this.stepBlock("weights", t, this.mem!.S);
  }

  /** The context [B, F] of step t. */
  contextAt(t: number): number {
    return this.stepBlock("contexts", t, this.memorySize);
  }

  /** Step t (< T of setMemory) for query [B, H]: writes weightsAt(t) and contextAt(t); returns contextAt(t). */
  forwardStep(t: number, query: number): number {
    const { memory, S, B, lengths } = this.requireMemory("forwardStep");
    const c = core();
    const { querySize: H, memorySize: F } = this;
    const w = this.weightsAt(t);
    const p = this.kind === "luong" ? 0 : this.stepBlock("projected", t, this.projectedSize);
    if (this.kind === "luong") c.attentionDotScores(S, B, F, memory, query, lengths, w);
    else if (this.kind === "luongGeneral") {
      c.gemmPacked(B, F, H, query, H, 1, this.packedWeight("linear_in.weight"), p, F, 0);
      c.attentionDotScores(S, B, F, memory, p, lengths, w);
    } else {
      const A = this.attentionSize;
      c.denseForward(B, H, A, ACTIVATION_CODES.linear, query, this.packedWeight("linear_query.weight"), this.paramPtr("linear_query.bias"), p);
      c.attentionAdditiveScores(S, B, A, this.keys(), p, this.paramPtr("v.weight"), lengths, w);
    }
    c.maskedSoftmax(S, B, lengths, w, w);
    const ctx = this.contextAt(t);
    c.attentionContext(S, B, F, memory, w, lengths, ctx);
    return ctx;
  }

  /**
   * Backward of step t (run from the last step to the first): the query [B, H] of its forward and
   * dContext [B, F] (and dWeights [B, S], or 0) give dQuery [B, H] (written); adds into the memory
   * gradient and the parameter gradients.
   */
  backwardStep(t: number, query: number, dContext: number, dWeights: number, dQuery: number): void {
    const m = this.requireMemory("backwardStep");
    const { memory, S, B, lengths } = m;
    const c = core();
    const { querySize: H, memorySize: F } = this;
    const dMemory = blockPtr(this.block("dMemory", S, B, F));
    if (m.freshBackward) {
      c.fillF32(dMemory, S * B * F, 0);
      if (this.kind === "bahdanau") c.fillF32(blockPtr(this.block("dKeys", S, B, this.attentionSize)), S * B * this.attentionSize, 0);
      m.freshBackward = false;
    }
    const w = this.weightsAt(t);
    const dScores = blockPtr(this.block("dScores", 1, B, S));
    c.attentionContextBackward(S, B, F, memory, w, lengths, dContext, dScores, dMemory);
    if (dWeights !== 0) c.addInPlace(dScores, dWeights, B * S);
    c.maskedSoftmaxBackward(S, B, lengths, w, dScores, dScores);
    if (this.kind === "luong") {
      c.attentionDotScoresBackward(S, B, F, memory, query, lengths, dScores, dQuery, dMemory);
      return;
    }
    const p = this.stepBlock("projected", t, this.projectedSize);
    const dP = blockPtr(this.block("dProjected", 1, B, this.projectedSize));
    if (this.kind === "luongGeneral") {
      c.attentionDotScoresBackward(S, B, F, memory, p, lengths, dScores, dP, dMemory);
      c.gemm(B, H, F, dP, F, 1, this.paramPtr("linear_in.weight"), H, 1, dQuery, H, 0);
      c.gemm(F, H, B, dP, 1, F, query, H, 1, this.gradPtr("linear_in.weight"), H, 1);
    } else {
      const A = this.attentionSize;
      c.attentionAdditiveScoresBackward(S, B, A, this.keys(), p, this.paramPtr("v.weight"), lengths, dScores, dP, blockPtr(this.block("dKeys", S, B, A)), this.gradPtr("v.weight"));
      c.denseBackward(B, H, A, ACTIVATION_CODES.linear, query, this.paramPtr("linear_query.weight"), p, dP, dP, dQuery,
        this.gradPtr("linear_query.weight"), this.gradPtr("linear_query.bias"));
    }
  }

  /** After the backward steps: the gradient of the memory [S, B, F] (for "bahdanau", the keys' gradient folded in). */
  memoryGradient(): number {
    const { memory, S, B } = this.requireMemory("memoryGradient");
    const F = this.memorySize;
    const dMemory = blockPtr(this.block("dMemory", S, B, F));
    if (this.kind === "bahdanau") {
      const A = this.attentionSize;
      const dKeys = blockPtr(this.block("dKeys", S, B, A));
      core().gemm(S * B, F, A, dKeys, A, 1, this.paramPtr("linear_context.weight"), F, 1, dMemory, F, 1);
      core().gemm(A, F, S * B, dKeys, 1, A, memory, F, 1, this.gradPtr("linear_context.weight"), F, 1);
    }
    return dMemory;
  }

  /** Attends with the queries [T, B, H] of all T steps (after setMemory for T steps); output: the contexts [T, B, F]. */
  forwardPointers(input: SequencePointers): SequencePointers {
    const { T, B } = input;
    const m = this.requireMemory("forward");
    if (B !== m.B || T > m.T) throw new RangeError(`Attention.forward: the queries [${T}, ${B}, ${this.querySize}] do not match the memory's ${m.B} sequences and ${m.T} steps`);
    for (let t = 0; t < T; t++) this.forwardStep(t, input.x + t * B * this.querySize * 4);
    this.lastQueries = input.x;
    return { ...input, x: this.contextAt(0) };
  }

  /** dContexts [T, B, F] of the last forwardPointers -> dQueries [T, B, H]; the memory gradient in memoryGradient(). */
  backwardPointers(dOut: number): number {
    const { B, T } = this.requireMemory("backward");
    const H = this.querySize;
    const dQueries = blockPtr(this.block("dQueries", T, B, H));
    for (let t = T - 1; t >= 0; t--) {
      this.backwardStep(t, this.lastQueries + t * B * H * 4, dOut + t * B * this.memorySize * 4, 0, dQueries + t * B * H * 4);
    }
    return dQueries;
  }

  /**
   * One step: the context [B, F] and the weights [B, S] of query [B, H] over memory [S, B, F]
   * (lengths [B] in [1, S]; default all S). Keeps what `backward` needs.
   */
  forward(query: TensorLike, options: { memory: TensorLike; lengths?: IntTensorLike }): { context: Tensor; weights: Tensor } {
    const where = "Attention.forward";
    checkOptionKeys(where, options, ["memory", "lengths"]);
    if (options?.memory === undefined) throw new TypeError(`${where}: options.memory [S, B, ${this.memorySize}] is required`);
    const q = toTensor(where, "query", query);
    expectShape(where, "query", q.shape, [null, this.querySize], ["B"]);
    const B = q.shape[0]!;
    const mt = toTensor(where, "memory", options.memory);
    expectShape(where, "memory", mt.shape, [null, B, this.memorySize], ["S"]);
    const S = mt.shape[0]!;
    if (S === 0 || B === 0) throw new RangeError(`${where}: memory must hold at least one step and one sequence; got ${S} steps, ${B} sequences`);
    const memory = stageF32(where, "memory", mt.data, this.ws.get("memoryInput", mt.data.length));
    const lengths = options.lengths === undefined ? 0 : stageLengths(where, options.lengths, S, B, this.ws.get("lengthsInput", B));
    const qPtr = stageF32(where, "query", q.data, this.ws.get("queryInput", q.data.length));
    this.setMemory(memory, S, B, lengths, 1);
    this.forwardPointers({ x: qPtr, T: 1, B });
    return { context: { shape: [B, this.memorySize], data: copyOut(this.contextAt(0), B * this.memorySize) }, weights: { shape: [B, S], data: copyOut(this.weightsAt(0), B * S) } };
  }

  /** Gradients of the last `forward` from dContext [B, F] (and dWeights [B, S]); adds into the parameter gradients. */
  backward(dContext: TensorLike, dWeights?: TensorLike): { dQuery: Tensor; dMemory: Tensor } {
    const where = "Attention.backward";
    const { S, B } = this.requireMemory("backward");
    const dc = toTensor(where, "dContext", dContext);
    expectShape(where, "dContext", dc.shape, [B, this.memorySize]);
    const dcPtr = stageF32(where, "dContext", dc.data, this.ws.get("dContextInput", dc.data.length));
    let dwPtr = 0;
    if (dWeights !== undefined) {
      const dw = toTensor(where, "dWeights", dWeights);
      expectShape(where, "dWeights", dw.shape, [B, S]);
      dwPtr = stageF32(where, "dWeights", dw.data, this.ws.get("dWeightsInput", dw.data.length));
    }
    const H = this.querySize;
    const dQuery = blockPtr(this.block("dQueries", 1, B, H));
    this.backwardStep(0, this.lastQueries, dcPtr, dwPtr, dQuery);
    const F = this.memorySize;
    return { dQuery: { shape: [B, H], data: copyOut(dQuery, B * H) }, dMemory: { shape: [S, B, F], data: copyOut(this.memoryGradient(), S * B * F) } };
  }

  protected freeWorkspace(): void {
    this.ws.free();
    this.mem = null;
  }
}
