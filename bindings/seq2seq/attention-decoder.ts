// The attentional decoder behind the Seq2Seq decoder seam: target Embedding -> the attention steps
// (recurrent layer + attention over the encoder's outputs + attentional vector, attention-steps.ts)
// -> Dense head. It reads the whole EncoderMemory: the outputs [S, B, F] with the source lengths
// (padded source steps get weight 0) and the final states, and hands gradients back into both.
import type { Layer } from "../layers/layer.js";
import type { Embedding } from "../layers/embedding.js";
import type { Dense } from "../layers/dense.js";
import type { Attention } from "./attention.js";
import { AttentionSteps } from "./attention-steps.js";
import type { SteppedLayer } from "./attention-cells.js";
import { firstNonFinite, type EncoderMemory, type GradientCheck, type MemoryGradients } from "./encoder.js";
import type { Decoder } from "./decoder.js";

/** The layers of an attentional decoder. */
export interface AttentionDecoderLayers {
  embedding: Embedding;
  /** The recurrent layer, built with contextSize = units (the feed h~_{t-1} or c_t). */
  recurrent: SteppedLayer;
  attention: Attention;
  /** h~ = tanh(W_c [c; s] + b_c): Dense(inputSize F + H, units H, tanh). */
  attentional: Dense;
  output: Dense;
}

/** A Seq2Seq decoder with attention over the encoder's outputs (Luong input feeding, or Bahdanau). */
export class AttentionDecoder implements Decoder {
  readonly layers: AttentionDecoderLayers;
  private steps: AttentionSteps | null = null;
  private last: { T: number; B: number } | null = null;

  constructor(layers: AttentionDecoderLayers) {
    this.layers = layers;
  }

  get parts(): readonly (readonly [string, Layer])[] {
    const { embedding, recurrent, attention, attentional, output } = this.layers;
    return [["targetEmbedding", embedding], ["decoder", recurrent], ["attention", attention], ["attentional", attentional], ["output", output]];
  }

  /** The steps, over the parameters in the model's arena (the layers must have been adopted by it). */
  private get run(): AttentionSteps {
    const { recurrent, attention } = this.layers;
    this.steps ??= new AttentionSteps({ decoder: recurrent, attention, arena: recurrent.parameters, decoderPrefix: "decoder.", attentionalPrefix: "attentional." });
    return this.steps;
  }

  /** The memory's final states as the steps' initial states, by carried-state name. */
  private initial(memory: EncoderMemory): Record<string, number> {
    return Object.fromEntries(this.run.stateNames.map((name, i) => [name, memory.finalStates[i]!]));
  }

  forward(inputs: number, T: number, B: number, _lengths: number, memory: EncoderMemory): number {
    const { embedding, output } = this.layers;
    const embedded = embedding.forwardPointers({ x: inputs, T, B });
    const hidden = this.run.forward(embedded.x, T, B, memory.outputs, memory.S, memory.lengths, this.initial(memory));
    if (firstNonFinite([{ ptr: hidden, n: T * B * this.run.units }]) !== null) return 0;
    const logits = output.forwardPointers({ x: hidden, T, B }).x;
    this.last = { T, B };
    return firstNonFinite([{ ptr: logits, n: T * B * output.units }]) === null ? logits : 0;
  }

  backward(dLogits: number, check: GradientCheck): MemoryGradients {
    if (this.last === null) throw new Error("AttentionDecoder.backward: call forward first");
    const { T, B } = this.last;
    const { embedding, output, attention } = this.layers;
    const H = this.run.units;
    const dHidden = output.backwardPointers(dLogits, true);
    check("the gradient of the attentional vectors", [{ ptr: dHidden, n: T * B * H }]);
    const g = this.run.backward(dHidden);
    const S = this.run.memorySteps;
    const dFinalStates = this.run.stateNames.map((name) => g.dInitialState[name]!);
    check("the gradient of the decoder's input, the encoder's outputs and the initial state", [
      { ptr: g.dInput, n: T * B * embedding.units }, { ptr: g.dMemory, n: S * B * attention.memorySize },
      ...dFinalStates.map((ptr) => ({ ptr, n: this.run.numLayers * B * H })),
    ]);
    embedding.backwardPointers(g.dInput);
    return { dOutputs: g.dMemory, dFinalStates };
  }

  start(memory: EncoderMemory): void {
    this.run.startDecoding(memory.outputs, memory.S, memory.B, memory.lengths, this.initial(memory));
  }

  step(tokens: number, R: number): number {
    const { embedding, output } = this.layers;
    const embedded = embedding.forwardPointers({ x: tokens, T: 1, B: R });
    return output.forwardPointers({ x: this.run.decodeStep(embedded.x), T: 1, B: R }).x;
  }

  reorder(index: number, R: number): void {
    this.run.selectRows(index, R);
  }

  /** The attention weights [R, S] of the last step's rows (S: the memory's steps). */
  stepWeights(): { ptr: number; S: number } {
    return { ptr: this.run.decodeWeights, S: this.run.memorySteps };
  }

  free(): void {
    this.steps?.dispose();
    this.steps = null;
    this.last = null;
  }
}
