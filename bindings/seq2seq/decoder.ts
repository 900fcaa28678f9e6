// The decoder seam of a Seq2Seq: what a decoder does for training (teacher forcing over whole
// target sequences) and for decoding (one step for a batch of rows, rows reordered between steps
// for beams), and the plain decoder: target Embedding -> recurrent layer started from the
// encoder's final states -> Dense head. A decoder that also reads the encoder's outputs (attention)
// implements the same interface beside it.
import { core } from "../core.js";
import { WasmArray } from "../buffer.js";
import type { Layer } from "../layers/layer.js";
import type { Embedding } from "../layers/embedding.js";
import type { RecurrentLayer } from "../layers/recurrent.js";
import type { Dense } from "../layers/dense.js";
import { firstNonFinite, type EncoderMemory, type GradientCheck, type MemoryGradients } from "./encoder.js";

/**
 * A Seq2Seq decoder, at the pointer level (every array in wasm memory, V = targetVocabSize):
 * - `forward` / `backward`: teacher forcing over T steps of B sequences from an EncoderMemory;
 * - `start`, `step`, `reorder`: decoding, with the decoder's per-row state kept in wasm memory.
 */
export interface Decoder {
  /** The layers under their parameter-name prefixes ("targetEmbedding", "decoder", "output", ...), in the model's save order. */
  readonly parts: readonly (readonly [string, Layer])[];
  /**
   * Logits [T, B, V] for input ids i32 [T, B] (BOS y1 … y(k-1) per sequence) with lengths i32 [B],
   * from `memory`; keeps what backward needs. 0 when a value overflowed float32 (the loss is then NaN).
   */
  forward(inputs: number, T: number, B: number, lengths: number, memory: EncoderMemory): number;
  /**
   * Backpropagates dLoss/dLogits [T, B, V] through the last forward into the parameter gradients,
   * passing every gradient it hands on to `check`; returns the gradients of the memory.
   */
  backward(dLogits: number, check: GradientCheck): MemoryGradients;
  /** Starts decoding memory.B rows, row b from source b. */
  start(memory: EncoderMemory): void;
  /** One step of the R current rows: previous ids i32 [R] -> logits [R, V]; advances every row's state. */
  step(tokens: number, R: number): number;
  /** Makes the rows index i32 [R] of the current rows (repeats allowed: beams sharing a parent), in that order. */
  reorder(index: number, R: number): void;
  /** With attention: the attention weights [R, S] of the last step's rows over the memory's S steps. */
  stepWeights?(): { ptr: number; S: number };
  /** Frees the decoder's workspaces (its layers are disposed by their model). */
  free(): void;
}

/** The plain decoder (Sutskever et al. 2014): the encoder's final states initialise the recurrent layer. */
export class PlainDecoder implements Decoder {
  readonly embedding: Embedding;
  readonly recurrent: RecurrentLayer;
  readonly output: Dense;
  /** The decoding state of the current rows, one [layers, rows, H] block per carried state, and a spare of each for reorder. */
  private states: WasmArray[] = [];
  private spares: WasmArray[] = [];
  private rows = 0;
  private last: { T: number; B: number } | null = null;

  constructor(embedding: Embedding, recurrent: RecurrentLayer, output: Dense) {
    this.embedding = embedding;
    this.recurrent = recurrent;
    this.output = output;
  }

  get parts(): readonly (readonly [string, Layer])[] {
    return [["targetEmbedding", this.embedding], ["decoder", this.recurrent], ["output", this.output]];
  }

  forward(inputs: number, T: number, B: number, lengths: number, memory: EncoderMemory): number {
    const embedded = this.embedding.forwardPointers({ x: inputs, T, B });
    this.recurrent.setInitialStates(memory.finalStates, B);
    const hidden = this.recurrent.forwardPointers({ x: embedded.x, T, B, lengths });
    if (firstNonFinite([{ ptr: hidden.x, n: T * B * this.recurrent.outputSize }]) !== null) return 0;
    const logits = this.output.forwardPointers(hidden).x;
    this.last = { T, B };
    return firstNonFinite([{ ptr: logits, n: T * B * this.output.units }]) === null ? logits : 0;
  }

  backward(dLogits: number, check: GradientCheck): MemoryGradients {
    if (this.last === null) throw new Error("PlainDecoder.backward: call forward first");
    const { T, B } = this.last;
    const dHidden = this.output.backwardPointers(dLogits, true);
    check("the gradient of the decoder's output", [{ ptr: dHidden, n: T * B * this.recurrent.outputSize }]);
    const dInput = this.recurrent.backwardPointers(dHidden, true);
    const dFinalStates = this.recurrent.dInitialStatePointers();
    const sizes = this.recurrent.stateBlockSizes(B);
    check("the gradient of the decoder's input and initial state", [
      { ptr: dInput, n: T * B * this.embedding.units }, ...dFinalStates.map((ptr, i) => ({ ptr, n: sizes[i]! })),
    ]);
    this.embedding.backwardPointers(dInput);
    return { dOutputs: 0, dFinalStates };
  }

  start(memory: EncoderMemory): void {
    const sizes = this.recurrent.stateBlockSizes(memory.B);
    this.states = sizes.map((n, i) => (this.states[i] ?? new WasmArray(n)).ensure(n));
    this.spares = sizes.map((n, i) => this.spares[i] ?? new WasmArray(n));
    this.states.forEach((block, i) => core().copyF32(block.ptr, memory.finalStates[i]!, sizes[i]!));
    this.rows = memory.B;
  }

  step(tokens: number, R: number): number {
    if (R !== this.rows) throw new Error(`PlainDecoder.step: ${R} rows given; the state holds ${this.rows}`);
    const embedded = this.embedding.forwardPointers({ x: tokens, T: 1, B: R });
    const blocks = this.states.map((block) => block.ptr);
    this.recurrent.setInitialStates(blocks, R);
    const hidden = this.recurrent.forwardPointers({ x: embedded.x, T: 1, B: R });
    this.recurrent.finalStatesInto(blocks);
    return this.output.forwardPointers(hidden).x;
  }

  reorder(index: number, R: number): void {
    const L = this.recurrent.numLayers;
    const H = this.recurrent.units;
    this.states.forEach((block, i) => {
      const spare = this.spares[i]!.ensure(L * R * H);
      core().gatherTimeMajor(spare.ptr, block.ptr, index, L, this.rows, R, H);
      this.spares[i] = block;
      this.states[i] = spare;
    });
    this.rows = R;
  }

  free(): void {
    for (const block of [...this.states, ...this.spares]) block.free();
    this.states = [];
    this.spares = [];
    this.last = null;
  }
}
