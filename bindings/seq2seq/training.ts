// Teacher forcing (the loss of a batch of pairs, and its backward) and the guarded optimizer step
// of a Seq2Seq, on batches gathered in wasm memory.
import { core } from "../core.js";
import type { Workspace } from "../buffer.js";
import type { ParameterArena } from "../arena.js";
import type { Optimizer } from "../optimizers.js";
import { lossOnPointers } from "../losses.js";
import { guardedBatch, type GuardedBatch } from "../step-guard.js";
import { firstNonFinite, type Encoder, type GradientCheck } from "./encoder.js";
import type { Decoder } from "./decoder.js";
import type { PairBatch } from "./inputs.js";

/** Loss (mean per target token) and the counts behind the token accuracy. */
export interface Score {
  loss: number;
  correct: number;
  tokens: number;
}

/** The parts a training step runs: the network, its parameters and optimizer, the clipping and a workspace. */
export interface Trainable {
  encoder: Encoder;
  decoder: Decoder;
  arena: ParameterArena;
  optimizer: Optimizer;
  clipNorm: number | null;
  targetVocabSize: number;
  ws: Workspace;
}

/**
 * Teacher forcing on a batch: the encoder over the sources (with their lengths), the decoder from
 * the encoder's memory over target[:-1], cross-entropy against target[1:] on the real steps. With
 * `guarded` (training), backpropagates into the parameter gradients. What one part hands the next
 * must be finite: a forward value that overflowed gives the loss NaN (no backward), a gradient that
 * overflowed refuses the batch through `guarded`.
 */
export function teacherForced(net: Trainable, b: PairBatch, guarded: GuardedBatch | null): Score {
  const { S, U, B } = b;
  const T = U - 1;
  const M = T * B;
  const V = net.targetVocabSize;
  const overflowed: Score = { loss: NaN, correct: 0, tokens: b.tokens };
  const memory = net.encoder.encode(b.source, S, B, b.sourceLengths);
  const stateSizes = net.encoder.recurrent.stateBlockSizes(B);
  if (firstNonFinite(memory.finalStates.map((ptr, i) => ({ ptr, n: stateSizes[i]! }))) !== null) return overflowed;
  const logits = net.decoder.forward(b.target, T, B, b.decoderLengths, memory);
  if (logits === 0) return overflowed;
  const c = core();
  const mask = net.ws.ptr("mask", M);
  c.lengthMask(mask, b.decoderLengths, T, B);
  const targets = b.target + B * 4;
  const grad = guarded === null ? 0 : net.ws.ptr("dLogits", M * V);
  const loss = lossOnPointers("softmaxCrossEntropy", logits, targets, mask, M, V, "mean", grad);
  const correct = c.countCorrectClasses(logits, targets, mask, M, V);
  if (guarded !== null) {
    const check: GradientCheck = (what, blocks) => {
      const bad = firstNonFinite(blocks);
      if (bad !== null) guarded.refuse(`the gradient is not finite (${what} holds ${bad})`);
    };
    net.encoder.backward(net.decoder.backward(grad, check), check);
  }
  return { loss, correct, tokens: b.tokens };
}

/**
 * One optimizer step on a batch under the finite-step guard: applied only when the loss, the
 * gradient norm and the step are finite, else a RangeError naming `where` and `at` (the batch
 * within fit; "" for trainOnBatch) with the parameters and the optimizer state unchanged.
 */
export function trainStep(net: Trainable, b: PairBatch, where: string, at: string): Score {
  return guardedBatch({ where, at, data: null }, net.arena, net.optimizer, { clipValue: null, clipNorm: net.clipNorm }, (guarded) => {
    net.arena.zeroGrad();
    const score = teacherForced(net, b, guarded);
    guarded.step(score.loss);
    return score;
  });
}

/** Sums of scores over batches, weighted by their tokens. */
export class ScoreSum {
  private loss = 0;
  private correct = 0;
  private tokens = 0;

  add(s: Score): void {
    this.loss += s.loss * s.tokens;
    this.correct += s.correct;
    this.tokens += s.tokens;
  }

  /** The mean loss per token and the token accuracy so far; then starts over. */
  take(): { loss: number; accuracy: number } {
    const out = { loss: this.loss / this.tokens, accuracy: this.correct / this.tokens };
    this.loss = 0;
    this.correct = 0;
    this.tokens = 0;
    return out;
  }
}
