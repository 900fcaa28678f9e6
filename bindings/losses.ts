// Loss functions for custom training loops and for models: softmax cross-entropy over class ids,
// mean squared error and binary cross-entropy with logits, over predictions shaped [..., N]
// (e.g. [T, B, N] or [B, N]) with an optional mask over the leading shape for padded steps.
import { core } from "./core.js";
import { WasmArray } from "./buffer.js";
import { expectShape, sizeOf, stageF32, stageIds, stageUnitF32, toIntTensor, toTensor } from "./tensor.js";
import type { IntTensor, IntTensorLike, Tensor, TensorLike } from "./tensor.js";
import { checkChoice, checkOptionKeys, shapeString } from "./validate.js";

export type LossName = "softmaxCrossEntropy" | "meanSquaredError" | "binaryCrossEntropyWithLogits";
export type Reduction = "mean" | "sum";

export const LOSS_NAMES: readonly LossName[] = ["softmaxCrossEntropy", "meanSquaredError", "binaryCrossEntropyWithLogits"];
export const REDUCTIONS: readonly Reduction[] = ["mean", "sum"];

export interface LossOptions {
  /** Row weights over the predictions' leading shape, each in [0, 1] (0 drops the row); default all 1. */
  mask?: TensorLike;
  /** "mean" (default) divides the weighted sum by Σ mask (times N for MSE and BCE); "sum" does not. */
  reduction?: Reduction;
}

export interface LossResult {
  loss: number;
  /** dLoss/dPredictions, shaped as the predictions. */
  grad: Tensor;
}

/**
 * Low level, with everything already staged in wasm: loss `name` of predictions [M, N] at
 * predPtr against targets at targetPtr (i32 [M] class ids for softmaxCrossEntropy, f32 [M, N]
 * otherwise), row weights at maskPtr (f32 [M]) or 0 for all rows; writes dLoss/dPred at gradPtr
 * when it is nonzero. "mean" divides by the masked row count (times N for MSE and BCE, as
 * PyTorch's mean over elements). Returns 0, with a zero gradient, when every row is masked.
 */
export function lossOnPointers(name: LossName, predPtr: number, targetPtr: number, maskPtr: number,
  M: number, N: number, reduction: Reduction, gradPtr: number): number {
  checkChoice("lossOnPointers", "name", name, LOSS_NAMES);
  checkChoice("lossOnPointers", "reduction", reduction, REDUCTIONS);
  const c = core();
  const count = c.maskWeight(maskPtr, M);
  if (count === 0) {
    if (gradPtr !== 0) c.fillF32(gradPtr, M * N, 0);
    return 0;
  }
  const scale = reduction === "sum" ? 1 : 1 / (name === "softmaxCrossEntropy" ? count : count * N);
  return c[name](predPtr, targetPtr, maskPtr, M, N, scale, gradPtr);
}

/** Softmax cross-entropy of logits [..., N] against class ids shaped as the leading dimensions. */
export function softmaxCrossEntropy(predictions: TensorLike, targets: IntTensorLike, options?: LossOptions): LossResult {
  return lossOnTensors("softmaxCrossEntropy", predictions, targets, options);
}

/** Mean squared error of predictions [..., N] against targets of the same shape. */
export function meanSquaredError(predictions: TensorLike, targets: TensorLike, options?: LossOptions): LossResult {
  return lossOnTensors("meanSquaredError", predictions, targets, options);
}

/** Binary cross-entropy of logits [..., N] against probabilities in [0, 1] of the same shape. */
export function binaryCrossEntropyWithLogits(predictions: TensorLike, targets: TensorLike, options?: LossOptions): LossResult {
  return lossOnTensors("binaryCrossEntropyWithLogits", predictions, targets, options);
}

function lossOnTensors(where: LossName, predictions: unknown, targets: unknown, options: LossOptions | undefined): LossResult {
  checkOptionKeys(where, options, ["mask", "reduction"]);
  const reduction = checkChoice(where, "options.reduction", options?.reduction ?? "mean", REDUCTIONS);
  const pred = toTensor(where, "predictions", predictions);
  const lead = pred.shape.slice(0, -1);
  const N = pred.shape.length === 0 ? 0 : pred.shape[pred.shape.length - 1]!;
  const M = sizeOf(lead);
  if (N === 0 || M === 0) {
    throw new RangeError(`${where}: predictions must be a non-empty [..., N] tensor; got shape ${shapeString(pred.shape)}`);
  }
  const mask = options?.mask === undefined ? null : toTensor(where, "options.mask", options.mask);
  if (mask !== null) expectShape(where, "options.mask", mask.shape, lead);
  let target: Tensor | IntTensor;
  if (where === "softmaxCrossEntropy") {
    if (N === 1) throw new RangeError(`${where}: predictions must score at least 2 classes (a softmax over one class is always 1 and its loss always 0); got shape ${shapeString(pred.shape)}: for one output use binaryCrossEntropyWithLogits`);
    target = toIntTensor(where, "targets", targets);
    expectShape(where, "targets", target.shape, lead);
  } else {
    target = toTensor(where, "targets", targets);
    expectShape(where, "targets", target.shape, pred.shape);
  }
  const buffers: WasmArray[] = [];
  const alloc = (n: number): WasmArray => {
    const b = new WasmArray(n);
    buffers.push(b);
    return b;
  };
  try {
    const predPtr = stageF32(where, "predictions", pred.data, alloc(M * N));
    const maskPtr = mask === null ? 0 : stageUnitF32(where, "options.mask", mask.data, alloc(M));
    let targetPtr: number;
    if (target.data instanceof Int32Array) {
      targetPtr = stageIds(where, "targets", target.data, N, alloc(M), maskPtr, "class ids");
    } else if (where === "binaryCrossEntropyWithLogits") {
      targetPtr = stageUnitF32(where, "targets", target.data, alloc(M * N));
    } else {
      targetPtr = stageF32(where, "targets", target.data, alloc(M * N));
    }
    const grad = alloc(M * N);
    const loss = lossOnPointers(where, predPtr, targetPtr, maskPtr, M, N, reduction, grad.ptr);
    return { loss, grad: { shape: [...pred.shape], data: grad.f32().slice() } };
  } finally {
    for (const b of buffers) b.free();
  }
}
