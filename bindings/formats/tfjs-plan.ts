// From parsed Keras layers and their weights to wasm-rnn layers: consecutive recurrent layers of
// one kind become one stacked layer (numLayers), GlobalAveragePooling1D becomes pooling "mean",
// an Embedding feeding identity kernels (what toTfjs writes for tokenInput) becomes tokenInput, and
// Keras' single bias goes to bias_ih with bias_hh = 0 (reset_after GRUs keep both).
import type { Layer } from "../layers/layer.js";
import { SimpleRNN } from "../layers/simple-rnn.js";
import { LSTM } from "../layers/lstm.js";
import { GRU } from "../layers/gru.js";
import { Dense } from "../layers/dense.js";
import { Embedding } from "../layers/embedding.js";
import { withoutIneffectiveOptions, type Pooling, type RecurrentOptions } from "../layers/recurrent.js";
import type { ActivationName } from "../kernels/activations.js";
import type { Tensor } from "../tensor.js";
import { gateCount, tokenKernels, transposed, zeros } from "./tfjs-layout.js";
import { torchCellParams } from "./keras-weights.js";
import type { KerasActivation, LayerSpec, RecurrentSpec } from "./tfjs-topology.js";
import type { Direction, LayerWeights } from "./tfjs-weights.js";

const WHERE = "Model.fromTfjs";

/** A wasm-rnn recurrent layer being assembled from one or more Keras layers. */
interface RecurrentPlan {
  kind: "recurrent";
  spec: RecurrentSpec;
  inputSize: number;
  numLayers: number;
  returnSequences: boolean;
  pooling: Pooling;
  tokenInput: boolean;
  /** Pooled: no further Keras layer can stack onto it. */
  closed: boolean;
  params: Record<string, Tensor>;
}

/** A wasm-rnn layer to build, with its parameters under PyTorch names. */
type Plan =
  | RecurrentPlan
  | { kind: "embedding"; inputDim: number; outputDim: number; params: Record<string, Tensor> }
  | { kind: "dense"; inputSize: number; units: number; activation: ActivationName; params: Record<string, Tensor> };

/** Whether two Keras recurrent layers can be one stacked wasm-rnn layer. */
function stacks(a: RecurrentSpec, b: RecurrentSpec): boolean {
  return a.cell === b.cell && a.units === b.units && a.activation === b.activation && a.recurrentActivation === b.recurrentActivation
    && a.resetAfter === b.resetAfter && a.mergeMode === b.mergeMode;
}

/** Builds the wasm-rnn layers of a Keras layer sequence, tracking the width and kind of what flows between them. */
export class PlanBuilder {
  private readonly plans: Plan[] = [];
  /** Features per step of the current tensor; null while it is still the input ids. */
  private width: number | null;
  /** Whether the current tensor is a sequence (false after a many-to-one layer). */
  private sequence = true;

  constructor(private readonly weights: LayerWeights, first: LayerSpec, inputShape: readonly (number | null)[] | null) {
    if (first.kind === "embedding") {
      this.width = null;
      return;
    }
    const D = inputShape?.[inputShape.length - 1];
    if (inputShape === null || inputShape.length !== 2 || typeof D !== "number") {
      throw new RangeError(`${WHERE}: layer "${first.name}" needs batch_input_shape [null, T, D] with a known D; got ${inputShape === null ? "none" : `[null, ${inputShape.join(", ")}]`}`);
    }
    this.width = D;
  }

  /** The width of the current tensor for layer `spec`, which reads floats. */
  private floatWidth(spec: LayerSpec): number {
    if (this.width === null) throw new RangeError(`${WHERE}: layer "${spec.name}" cannot read token ids; only an Embedding can be the first layer of an ids model`);
    return this.width;
  }

  add(spec: LayerSpec): void {
    if (spec.kind === "recurrent") this.addRecurrent(spec);
    else if (spec.kind === "dense") this.addDense(spec);
    else if (spec.kind === "embedding") this.addEmbedding(spec);
    else if (spec.kind === "averagePooling") this.addPooling(spec.name);
    else this.addActivation(spec.name, spec.activation);
  }

  private addEmbedding(spec: Extract<LayerSpec, { kind: "embedding" }>): void {
    if (this.plans.length > 0 || this.width !== null) throw new RangeError(`${WHERE}: layer "${spec.name}" (Embedding) can only be the first layer`);
    const weight = this.weights.take(spec.name, "", "embeddings", [spec.inputDim, spec.outputDim]);
    this.plans.push({ kind: "embedding", inputDim: spec.inputDim, outputDim: spec.outputDim, params: { weight } });
    this.width = spec.outputDim;
  }

  private addDense(spec: Extract<LayerSpec, { kind: "dense" }>): void {
    const I = this.floatWidth(spec);
    if (spec.activation === "softmax") throw softmaxError(spec.name);
    const kernel = this.weights.take(spec.name, "", "kernel", [I, spec.units]);
    const bias = spec.useBias ? this.weights.take(spec.name, "", "bias", [spec.units]) : zeros(spec.units);
    this.plans.push({ kind: "dense", inputSize: I, units: spec.units, activation: spec.activation, params: { weight: transposed(kernel), bias } });
    this.width = spec.units;
  }

  /** An Activation layer folds into the linear Dense before it. */
  private addActivation(name: string, activation: KerasActivation): void {
    if (activation === "softmax") throw softmaxError(name);
    const last = this.plans[this.plans.length - 1];
    if (last?.kind !== "dense" || last.activation !== "linear") {
      throw new RangeError(`${WHERE}: layer "${name}" (Activation) is only supported right after a linear Dense (folded into it) or as the model's output activation`);
    }
    last.activation = activation;
  }

  private addPooling(name: string): void {
    const last = this.plans[this.plans.length - 1];
    if (last?.kind !== "recurrent" || last.closed || !last.returnSequences) {
      throw new RangeError(`${WHERE}: layer "${name}" (GlobalAveragePooling1D) is only supported right after a recurrent layer with return_sequences true`);
    }
    last.returnSequences = false;
    last.pooling = "mean";
    last.closed = true;
    this.sequence = false;
  }

  /** One direction's Keras weights: kernel [D, G·H], recurrent_kernel [H, G·H], bias [G·H] (reset_after: [2, G·H]). */
  private cellWeights(spec: RecurrentSpec, direction: Direction, D: number): { kernel: Tensor; recurrent: Tensor; bias: Tensor | null } {
    const GH = gateCount(spec.cell) * spec.units;
    return {
      kernel: this.weights.take(spec.name, direction, "kernel", [D, GH]),
      recurrent: this.weights.take(spec.name, direction, "recurrent_kernel", [spec.units, GH]),
      bias: spec.useBias ? this.weights.take(spec.name, direction, "bias", spec.resetAfter ? [2, GH] : [GH]) : null,
    };
  }

  private addRecurrent(spec: RecurrentSpec): void {
    if (!this.sequence) throw new RangeError(`${WHERE}: layer "${spec.name}" (${spec.cell}) needs a sequence, but the layer before it returns one vector per sequence (return_sequences false)`);
    let D = this.floatWidth(spec);
    const directions: Direction[] = spec.mergeMode === null ? [""] : ["forward", "backward"];
    const cells = directions.map((d) => this.cellWeights(spec, d, D));
    const first = this.plans[0];
    const embedding = this.plans.length === 1 && first?.kind === "embedding" ? first : null;
    const tokens = embedding === null ? null : tokenKernels(embedding.params.weight!, cells.map((c) => c.kernel));
    if (tokens !== null) {
      D = embedding!.inputDim;
      cells.forEach((c, i) => (c.kernel = tokens[i]!));
      this.plans.pop();
    }
    const last = this.plans[this.plans.length - 1];
    const plan: RecurrentPlan = last?.kind === "recurrent" && !last.closed && stacks(last.spec, spec) ? last : {
      kind: "recurrent", spec, inputSize: D, numLayers: 0, returnSequences: true, pooling: "last", tokenInput: tokens !== null, closed: false, params: {},
    };
    if (plan !== last) this.plans.push(plan);
    cells.forEach((c, i) => {
      Object.assign(plan.params, torchCellParams(spec.cell, `_l${plan.numLayers}${i === 1 ? "_reverse" : ""}`, c.kernel, c.recurrent, c.bias));
    });
    plan.numLayers++;
    plan.returnSequences = spec.returnSequences;
    this.width = spec.mergeMode === "concat" ? 2 * spec.units : spec.units;
    this.sequence = spec.returnSequences;
  }

  /** The wasm-rnn layers (seeds 0, 1, ... by position), their parameters loaded; disposed again if one fails. */
  build(): Layer[] {
    const layers: Layer[] = [];
    try {
      this.plans.forEach((plan, seed) => {
        const layer = buildLayer(plan, seed);
        layers.push(layer);
        layer.loadStateDict(plan.params);
      });
    } catch (e) {
      for (const layer of layers) layer.dispose();
      throw e;
    }
    return layers;
  }
}

function buildLayer(plan: Plan, seed: number): Layer {
  if (plan.kind === "embedding") return new Embedding({ inputSize: plan.inputDim, units: plan.outputDim, seed });
  if (plan.kind === "dense") return new Dense({ inputSize: plan.inputSize, units: plan.units, activation: plan.activation, seed });
  const { spec } = plan;
  const options: RecurrentOptions = withoutIneffectiveOptions({
    inputSize: plan.inputSize, units: spec.units, numLayers: plan.numLayers, returnSequences: plan.returnSequences, pooling: plan.pooling,
    bidirectional: spec.mergeMode !== null, mergeMode: spec.mergeMode ?? "concat", tokenInput: plan.tokenInput, seed,
  });
  if (spec.cell === "SimpleRNN") return new SimpleRNN({ ...options, activation: spec.activation as SimpleRNN["activation"] });
  const gated = { ...options, activation: spec.activation as LSTM["activation"], recurrentActivation: spec.recurrentActivation };
  return spec.cell === "LSTM" ? new LSTM(gated) : new GRU({ ...gated, resetAfter: spec.resetAfter });
}

function softmaxError(name: string): RangeError {
  return new RangeError(`${WHERE}: layer "${name}": softmax is only supported as the model's output activation, with the softmaxCrossEntropy loss`);
}
