// Pooling of a layer with returnSequences false: one vector [B, outW] per sequence, the last
// layer's final outputs (merged over the directions) or the mean of its outputs over valid steps.
//   last: pooled = merge(final_fwd, final_rev)      d: dFinal_d (+)= dMerge_d(dPooled)
//   mean: pooled_b = Σ_{t < len_b} y_tb / len_b     d: dy_tb = dPooled_b / len_b for t < len_b
import { core } from "../../core.js";
import { blockPtr, type BlockRef, type Workspace } from "../../buffer.js";
import type { MergeMode, Pooling } from "./options.js";
import { mergeDirections, mergeDirectionsBackward } from "./directions.js";
import type { Cell } from "./cells.js";

/** What pooling reads of the last forward. */
export interface PoolingInput {
  pooling: Pooling;
  /** The merge of a bidirectional layer; null for one direction. */
  merge: MergeMode | null;
  /** The layer's workspace (pooled vectors, the mean's sequence gradient). */
  ws: Workspace;
  /** The last stacked layer's cells, and each one's final output [B, F]. */
  top: readonly Cell[];
  finals: readonly number[];
  /** Sequence lengths i32 [B] (0: all T steps). */
  lengths: number;
  T: number;
  B: number;
  /** Features per step of one direction. */
  F: number;
}

/** What the pooling blocks are sized by. */
type PoolingSizes = Pick<PoolingInput, "merge" | "ws" | "T" | "B" | "F">;

function mergedWidth({ merge, F }: Pick<PoolingInput, "merge" | "F">): number {
  return merge === "concat" ? 2 * F : F;
}

/** The pooled vectors [B, outW] (mean pooling, or the merged final outputs of two directions). */
export function pooledBlock(p: PoolingSizes): BlockRef {
  return { ws: p.ws, name: "pooled", length: p.B * mergedWidth(p) };
}

/** Mean pooling's gradient of the whole output sequence [T, B, outW]. */
export function pooledSequenceGradientBlock(p: PoolingSizes): BlockRef {
  return { ws: p.ws, name: "dPooledSequence", length: p.T * p.B * mergedWidth(p) };
}

/** Last pooling's gradient of a top cell's final output [B, F]. */
export function finalOutputGradientBlock(cell: Cell, B: number, F: number): BlockRef {
  return { ws: cell.ws, name: "dFinalOutput", length: B * F };
}

/** [B, outW] per sequence from the top layer's output sequence [T, B, outW]. */
export function pool(p: PoolingInput, sequence: number): number {
  const { finals, lengths, T, B, F, merge } = p;
  const outW = mergedWidth(p);
  if (p.pooling === "last" && merge === null) return finals[0]!;
  const dst = blockPtr(pooledBlock(p));
  if (p.pooling === "mean") core().meanOverValidSteps(dst, sequence, lengths, T, B, outW);
  else mergeDirections(merge!, finals[0]!, finals[1]!, dst, B, F);
  return dst;
}

/**
 * Turns dLoss/dPooled [B, outW] into a gradient of the top layer's output sequence (mean; returns
 * it) or into gradients of the top cells' final outputs (last; returns 0), which replace
 * `finalGrads[d]` (each [B, F], 0: none, added in).
 */
export function unpool(p: PoolingInput, dPooled: number, finalGrads: number[]): number {
  const c = core();
  const { top, finals, lengths, T, B, F, merge } = p;
  if (p.pooling === "mean") {
    const dSeq = blockPtr(pooledSequenceGradientBlock(p));
    c.meanOverValidStepsBackward(dSeq, dPooled, lengths, T, B, mergedWidth(p));
    return dSeq;
  }
  const parts = top.map((cell) => blockPtr(finalOutputGradientBlock(cell, B, F)));
  if (merge !== null) mergeDirectionsBackward(merge, finals[0]!, finals[1]!, dPooled, parts[0]!, parts[1]!, B, F);
  else c.copyF32(parts[0]!, dPooled, B * F);
  parts.forEach((part, d) => {
    if (finalGrads[d] !== 0) c.addInPlace(part, finalGrads[d]!, B * F);
    finalGrads[d] = part;
  });
  return 0;
}
