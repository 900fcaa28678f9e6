// Fully connected layer, time-distributed when given a sequence: y = f(x W^T + b), nn.Linear names.
import { core, copyOut } from "../core.js";
import { Workspace, blockPtr, type BlockRef } from "../buffer.js";
import type { ParameterSpec } from "../arena.js";
import type { Rng } from "../random.js";
import { Layer, defaultSeed, type BatchBlock, type LayerConfig, type SequencePointers, type WorkspacePlan, type WorkspaceShape } from "./layer.js";
import { ACTIVATION_CODES, type ActivationName } from "../kernels/activations.js";
import { toTensor, stageF32, type Tensor, type TensorLike } from "../tensor.js";
import { shapeString } from "../validate.js";
import { optionSchema, required, absent, defaulted, int, choice, seed, type OptionsOf, type Parsed } from "./options.js";

/** The options of `new Dense(...)`. */
export const DENSE_OPTIONS = optionSchema({
  /** Output features O. */
  units: required(int()),
  /** Input features I. Optional after a Model's first layer: the Model builds the layer from the previous layer's outputSize. */
  inputSize: absent(int()),
  /** f, default "linear" (logits for the softmax cross-entropy loss). */
  activation: defaulted(choice(Object.keys(ACTIVATION_CODES) as ActivationName[]), "linear"),
  /** Seed of the uniform(-1/sqrt(I), 1/sqrt(I)) initialisation, as nn.Linear (default: a per-process counter). */
  seed: defaulted(seed, defaultSeed),
});

/** Options of `new Dense(...)`. */
export type DenseOptions = OptionsOf<typeof DENSE_OPTIONS>;

/** Dense layer. Parameters: weight [O, I], bias [O]. Input [..., I] -> output [..., O]. */
export class Dense extends Layer {
  readonly units: number;
  readonly activation: ActivationName;
  private readonly seed: number;
  private readonly parsed: Parsed<typeof DENSE_OPTIONS>;
  private readonly ws = new Workspace();
  private last: { x: number; M: number; y: number; shape: number[] } | null = null;

  constructor(options: DenseOptions) {
    const o = DENSE_OPTIONS.parse("Dense", options);
    super(o.inputSize);
    this.units = o.units;
    this.activation = o.activation;
    this.seed = o.seed;
    this.parsed = o;
    this.buildOwn(this.seed);
  }

  get outputSize(): number {
    return this.units;
  }

  paramSpecs(): ParameterSpec[] {
    return [
      { name: "weight", shape: [this.units, this.inputSize] },
      { name: "bias", shape: [this.units] },
    ];
  }

  protected initParams(rng: Rng): void {
    this.initUniform(rng, 1 / Math.sqrt(this.inputSize));
  }

  config(): LayerConfig {
    return { type: "Dense", options: DENSE_OPTIONS.config({ ...this.parsed, inputSize: this.inputSizeFor("config") }) };
  }

  protected largestBatchBlock(T: number, B: number): BatchBlock {
    const M = T * B;
    return this.inputSize > this.units
      ? { name: `dInput [${M}, ${this.inputSize}]`, values: M * this.inputSize }
      : { name: `outputs [${M}, ${this.units}]`, values: M * this.units };
  }

  /** The outputs y [M, O] of M rows. */
  private outputBlock(M: number): BlockRef {
    return { ws: this.ws, name: "y", length: M * this.units };
  }

  /** The input gradient dx [M, I]. */
  private inputGradientBlock(M: number): BlockRef {
    return { ws: this.ws, name: "dx", length: M * this.inputSize };
  }

  /** dz = dy ⊙ f'(y) [M, O]; none for a linear layer, whose dz is dy itself (the core then leaves dy as it is). */
  private preActivationGradientBlock(M: number): BlockRef | null {
    return this.activation === "linear" ? null : { ws: this.ws, name: "dz", length: M * this.units };
  }

  workspacePlan({ T, B, training, inputGradient }: Required<WorkspaceShape>): WorkspacePlan {
    const M = T * B;
    const dz = this.preActivationGradientBlock(M);
    const blocks = [this.outputBlock(M), this.packedWeightBlock("weight")];
    if (training && inputGradient) blocks.push(this.inputGradientBlock(M));
    if (training && dz !== null) blocks.push(dz);
    // the forward reads the packed weight; only the backward's products pack their right operand per call
    const gemmScratch = training ? 4 * core().gemmScratchSize(0x7fffffff, Math.max(this.inputSize, this.units)) : 0;
    return { blocks, gemmScratch, tokenTable: 0 };
  }

  forwardPointers(input: SequencePointers): SequencePointers {
    this.checkPointerBatch(input);
    const M = input.T * input.B;
    const y = blockPtr(this.outputBlock(M));
    core().denseForward(M, this.inputSize, this.units, ACTIVATION_CODES[this.activation], input.x,
      this.packedWeight("weight"), this.paramPtr("bias"), y);
    this.last = { x: input.x, M, y, shape: [] };
    return { ...input, x: y };
  }

  backwardPointers(dOut: number, needInputGrad = true): number {
    const { x, M, y } = this.requireLast();
    const dx = needInputGrad ? blockPtr(this.inputGradientBlock(M)) : 0;
    const dz = this.preActivationGradientBlock(M);
    core().denseBackward(M, this.inputSize, this.units, ACTIVATION_CODES[this.activation], x, this.paramPtr("weight"), y,
      dOut, dz === null ? dOut : blockPtr(dz), dx, this.gradPtr("weight"), this.gradPtr("bias"));
    return dx;
  }

  private requireLast(): { x: number; M: number; y: number; shape: number[] } {
    if (this.last === null) throw new Error("Dense.backward: call forward first");
    return this.last;
  }

  /** y = f(x W^T + b) for x [..., inputSize]; keeps what `backward` needs. */
  forward(x: TensorLike): Tensor {
    const where = "Dense.forward";
    this.checkBuilt("forward");
    const xt = toTensor(where, "x", x);
    const shape = xt.shape;
    if (shape.length === 0 || shape[shape.length - 1] !== this.inputSize) {
      throw new RangeError(`${where}: x must have shape [..., ${this.inputSize}]; got ${shapeString(shape)}`);
    }
    const M = xt.data.length / this.inputSize;
    if (M === 0) throw new RangeError(`${where}: x must hold at least one row; got shape ${shapeString(shape)}`);
    this.checkBatch(where, `x ${shapeString(shape)}`, M, 1);
    const xPtr = stageF32(where, "x", xt.data, this.ws.get("x", xt.data.length));
    const out = this.forwardPointers({ x: xPtr, T: M, B: 1 });
    this.last!.shape = shape;
    return { shape: [...shape.slice(0, -1), this.units], data: copyOut(out.x, M * this.units) };
  }

  /** dLoss/dx for dOutput [..., units] of the last forward; adds into the parameter gradients. */
  backward(dOutput: TensorLike): Tensor {
    const where = "Dense.backward";
    this.checkBuilt("backward");
    const { M, shape } = this.requireLast();
    const d = toTensor(where, "dOutput", dOutput);
    const want = [...shape.slice(0, -1), this.units];
    if (shapeString(d.shape) !== shapeString(want)) throw new RangeError(`${where}: dOutput must have shape ${shapeString(want)}; got ${shapeString(d.shape)}`);
    const dPtr = stageF32(where, "dOutput", d.data, this.ws.get("dOutput", d.data.length));
    const dx = this.backwardPointers(dPtr);
    return { shape: [...shape], data: copyOut(dx, M * this.inputSize) };
  }

  protected freeWorkspace(): void {
    this.ws.free();
    this.last = null;
  }
}
