// The encoder of a Seq2Seq, and what it hands a decoder: the source Embedding and a recurrent
// layer over it, run at the pointer level on batches in wasm memory.
import { core, f32View } from "../core.js";
import { Workspace } from "../buffer.js";
import type { Layer } from "../layers/layer.js";
import type { Embedding } from "../layers/embedding.js";
import type { RecurrentLayer } from "../layers/recurrent.js";

/** A block of `n` floats at wasm address `ptr`. */
export interface Block {
  ptr: number;
  n: number;
}

/** Refuses the batch (throws) when a gradient block holds a value that is not finite; `what` names the blocks. */
export type GradientCheck = (what: string, blocks: readonly Block[]) => void;

/** The first value of the blocks that is NaN or ±Infinity, or null when all are finite. */
export function firstNonFinite(blocks: readonly Block[]): number | null {
  for (const { ptr, n } of blocks) {
    const at = core().findNonFinite(ptr, n);
    if (at >= 0) return f32View(ptr, n)[at]!;
  }
  return null;
}

/** What the encoder hands the decoder for B sources, all in wasm memory (valid until the next encode). */
export interface EncoderMemory {
  /** The encoder's outputs [S, B, F] (zero at padded steps). */
  outputs: number;
  S: number;
  B: number;
  F: number;
  /** Source lengths i32 [B], each in [1, S]. */
  lengths: number;
  /** The final states, one [layers, B, H] block per carried state ("h", then "c" for an LSTM). */
  finalStates: readonly number[];
}

/** Gradients a decoder's backward hands the encoder, in the shapes of the EncoderMemory. */
export interface MemoryGradients {
  /** dLoss/dOutputs [S, B, F], or 0 when the decoder does not read the outputs. */
  dOutputs: number;
  /** dLoss/dFinalStates, one block per carried state. */
  dFinalStates: readonly number[];
}

/** Source Embedding -> recurrent layer: EncoderMemory for a batch, and its backward. */
export class Encoder {
  readonly embedding: Embedding;
  readonly recurrent: RecurrentLayer;
  private readonly ws = new Workspace();
  private last: { S: number; B: number } | null = null;

  constructor(embedding: Embedding, recurrent: RecurrentLayer) {
    this.embedding = embedding;
    this.recurrent = recurrent;
  }

  /** The layers under their parameter-name prefixes. */
  get parts(): readonly (readonly [string, Layer])[] {
    return [["sourceEmbedding", this.embedding], ["encoder", this.recurrent]];
  }

  /** Runs source ids i32 [S, B] with lengths i32 [B] through the encoder, keeping what backward needs. */
  encode(source: number, S: number, B: number, lengths: number): EncoderMemory {
    const embedded = this.embedding.forwardPointers({ x: source, T: S, B });
    const out = this.recurrent.forwardPointers({ x: embedded.x, T: S, B, lengths });
    const finalStates = this.recurrent.stateBlockSizes(B).map((n, i) => this.ws.ptr(`finalState${i}`, n));
    this.recurrent.finalStatesInto(finalStates);
    this.last = { S, B };
    return { outputs: out.x, S, B, F: this.recurrent.outputSize, lengths, finalStates };
  }

  /** Backpropagates the decoder's gradients through the last encode into the parameter gradients. */
  backward(grads: MemoryGradients, check: GradientCheck): void {
    if (this.last === null) throw new Error("Encoder.backward: call encode first");
    const { S, B } = this.last;
    const dx = this.recurrent.backwardPointers(grads.dOutputs, true, grads.dFinalStates);
    check("the gradient of the encoder's input", [{ ptr: dx, n: S * B * this.embedding.units }]);
    this.embedding.backwardPointers(dx);
  }

  /** Frees the workspace (the layers are disposed by their model). */
  free(): void {
    this.ws.free();
    this.last = null;
  }
}
