// Loss functions for custom training loops and for models: softmax cross-entropy over class ids,
// mean squared error, binary cross-entropy with logits and Huber, over predictions shaped [..., N]
// (e.g. [T, B, N] or [B, N]) with an optional mask over the leading shape for padded steps. What
// each loss is (kernel, targets, divisor, accuracy, parameters) is in loss-descriptors.ts.
import { core } from "./core.js";
import { WasmArray } from "./buffer.js";
import { expectShape, sizeOf, stageF32, stageIds, stageUnitF32, toIntTensor, toTensor } from "./tensor.js";
import type { IntTensor, IntTensorLike, Tensor, TensorLike } from "./tensor.js";
import { checkChoice, checkOptionKeys, shapeString } from "./validate.js";
import { ACTIVATION_CODES } from "./kernels/activations.js";
import { resolveLoss, type Loss, type LossName } from "./loss-descriptors.js";

export { LOSS_NAMES, resolveLoss, lossConfigOf, lossSpecOf, probabilitiesOf } from "./loss-descriptors.js";
export type { Loss, LossConfig, LossName, LossParams, LossSpec, TargetKind } from "./loss-descriptors.js";

export type Reduction = "mean" | "sum";

export const REDUCTIONS: readonly Reduction[] = ["mean", "sum"];

export interface LossOptions {
  /** Row weights over the predictions' leading shape, each in [0, 1] (0 drops the row); default all 1. */
  mask?: TensorLike;
  /** "mean" (default) divides the weighted sum by Σ mask (times N for the element losses); "sum" does not. */
  reduction?: Reduction;
}

/** Options of `huberLoss`. */
export interface HuberLossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear, > 0; default 1 (torch.nn.HuberLoss). */
  delta?: number;
}

export interface LossResult {
  loss: number;
  /** dLoss/dPredictions, shaped as the predictions. */
  grad: Tensor;
}

/**
 * Low level, with everything already staged in wasm: loss `name` (default parameters) of
 * predictions [M, N] at predPtr against targets at targetPtr (i32 [M] class ids for
 * softmaxCrossEntropy, f32 [M, N] otherwise), row weights at maskPtr (f32 [M]) or 0 for all rows;
 * writes dLoss/dPred at gradPtr when it is nonzero. "mean" divides by the masked row count (times
 * N for the element losses, as PyTorch's mean over elements). Returns 0, with a zero gradient,
 * when every row is masked.
 */
export function lossOnPointers(name: LossName, predPtr: number, targetPtr: number, maskPtr: number,
  M: number, N: number, reduction: Reduction, gradPtr: number): number {
  return resolvedLossOnPointers(resolveLoss("lossOnPointers", "name", name), predPtr, targetPtr, maskPtr, M, N, reduction, gradPtr);
}

/** lossOnPointers for a resolved loss (its parameters included), e.g. a model's. */
export function resolvedLossOnPointers(loss: Loss, predPtr: number, targetPtr: number, maskPtr: number,
  M: number, N: number, reduction: Reduction, gradPtr: number): number {
  checkChoice("lossOnPointers", "reduction", reduction, REDUCTIONS);
  const c = core();
  const count = c.maskWeight(maskPtr, M);
  if (count === 0) {
    if (gradPtr !== 0) c.fillF32(gradPtr, M * N, 0);
    return 0;
  }
  const scale = reduction === "sum" ? 1 : 1 / meanDivisor(loss, count, N);
  return loss.kernel()(predPtr, targetPtr, maskPtr, M, N, scale, gradPtr);
}

/** What a mean of `loss` over `weight` masked rows of N outputs divides the summed loss by. */
export function meanDivisor(loss: Loss, weight: number, N: number): number {
  return loss.divisor === "rows" ? weight : weight * N;
}

/** Correct predictions among the outputs [M, N] at `out` against the targets, weighted by the mask (0 for a loss without accuracy). */
export function countCorrect(loss: Loss, out: number, targets: number, mask: number, M: number, N: number): number {
  if (loss.accuracy === "classes") return core().countCorrectClasses(out, targets, mask, M, N);
  if (loss.accuracy === "binary") return core().countCorrectBinary(out, targets, mask, M, N);
  return 0;
}

/** Accuracy from summed counts over `weight` masked rows of N outputs (per row for classes, per output for binary targets); undefined without accuracy. */
export function accuracyOf(loss: Loss, correct: number, weight: number, N: number): number | undefined {
  if (loss.accuracy === null) return undefined;
  const perRow = loss.accuracy === "classes" ? 1 : N;
  return weight > 0 ? correct / (weight * perRow) : 0;
}

/** Softmax or sigmoid (the loss's output activation) of the outputs [M, N] at ptr, in place; `loss.probabilities` must not be null. */
export function toProbabilities(loss: Loss, ptr: number, M: number, N: number): void {
  if (loss.probabilities === "softmax") core().softmaxRows(ptr, ptr, M, N);
  else core().activationForward(ACTIVATION_CODES.sigmoid, ptr, ptr, M * N);
}

/** Softmax cross-entropy of logits [..., N] against class ids shaped as the leading dimensions. */
export function softmaxCrossEntropy(predictions: TensorLike, targets: IntTensorLike, options?: LossOptions): LossResult {
  return lossOnTensors("softmaxCrossEntropy", "softmaxCrossEntropy", predictions, targets, options);
}

/** Mean squared error of predictions [..., N] against targets of the same shape. */
export function meanSquaredError(predictions: TensorLike, targets: TensorLike, options?: LossOptions): LossResult {
  return lossOnTensors("meanSquaredError", "meanSquaredError", predictions, targets, options);
}

/** Binary cross-entropy of logits [..., N] against probabilities in [0, 1] of the same shape. */
export function binaryCrossEntropyWithLogits(predictions: TensorLike, targets: TensorLike, options?: LossOptions): LossResult {
  return lossOnTensors("binaryCrossEntropyWithLogits", "binaryCrossEntropyWithLogits", predictions, targets, options);
}

/**
 * Huber loss (torch.nn.HuberLoss) of predictions [..., N] against targets of the same shape:
 * d² / 2 where |d| <= delta, delta (|d| - delta / 2) beyond, d = prediction - target.
 */
export function huberLoss(predictions: TensorLike, targets: TensorLike, options?: HuberLossOptions): LossResult {
  return lossOnTensors("huberLoss", "huber", predictions, targets, options);
}

/** Runs loss `name` on tensors for the public function `where`; options beyond mask and reduction are the loss's parameters. */
function lossOnTensors(where: string, name: LossName, predictions: unknown, targets: unknown, options: HuberLossOptions | undefined): LossResult {
  checkOptionKeys(where, options, ["mask", "reduction", ...Object.keys(resolveLoss(where, "options", name).params)]);
  const { mask: maskOption, reduction: reductionOption, ...params } = options ?? {};
  const loss = resolveLoss(where, "options", { ...params, name });
  const reduction = checkChoice(where, "options.reduction", reductionOption ?? "mean", REDUCTIONS);
  const pred = toTensor(where, "predictions", predictions);
  const lead = pred.shape.slice(0, -1);
  const N = pred.shape.length === 0 ? 0 : pred.shape[pred.shape.length - 1]!;
  const M = sizeOf(lead);
  if (N === 0 || M === 0) {
    throw new RangeError(`${where}: predictions must be a non-empty [..., N] tensor; got shape ${shapeString(pred.shape)}`);
  }
  const mask = maskOption === undefined ? null : toTensor(where, "options.mask", maskOption);
  if (mask !== null) expectShape(where, "options.mask", mask.shape, lead);
  let target: Tensor | IntTensor;
  if (loss.target === "classes") {
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
    } else if (loss.target === "unit") {
      targetPtr = stageUnitF32(where, "targets", target.data, alloc(M * N));
    } else {
      targetPtr = stageF32(where, "targets", target.data, alloc(M * N));
    }
    const grad = alloc(M * N);
    const value = resolvedLossOnPointers(loss, predPtr, targetPtr, maskPtr, M, N, reduction, grad.ptr);
    return { loss: value, grad: { shape: [...pred.shape], data: grad.f32().slice() } };
  } finally {
    for (const b of buffers) b.free();
  }
}
