// Training and evaluation of a Model: one guarded optimizer step per batch (in truncated-BPTT
// chunks when asked), fit's epochs over a staged dataset with validation after each, and the
// mean loss and accuracy over a dataset without training.
import { EPOCH_KEYS, checkEpochOptions, fitValidation, runEpochs, validationDataOption } from "../epochs.js";
import type { FitModel } from "../callbacks/callback.js";
import type { History } from "../callbacks/history.js";
import { blockPtr } from "../buffer.js";
import { RecurrentLayer } from "../layers/recurrent.js";
import { meanDivisor, resolvedLossOnPointers } from "../losses.js";
import { addCounts, countMetrics, noCounts, validationKey, writeMetrics, type MetricCounts } from "../metrics.js";
import { checkNotDisposed } from "../disposal.js";
import { guardedBatch, checkEvaluatedLoss, type GuardedBatch } from "../step-guard.js";
import { StagedDataset, type Batch } from "../dataset.js";
import type { TensorLike } from "../tensor.js";
import { checkOptionKeys, checkInt, checkInEffect } from "../validate.js";
import { backwardLayers, checkModelBatch } from "../layer-chain.js";
import { ModelSlices } from "../threads/slices.js";
import type { ModelRuntime } from "./runtime.js";
import { callOfData, reserveFor } from "./memory.js";
import type { EpochLogs, Evaluation, EvaluateOptions, FitOptions, ModelInput, ModelTarget, SequenceInputs } from "./options.js";

const FIT_KEYS = [...EPOCH_KEYS, "mask", "lengths", "context", "validationData", "truncatedBptt"] as const;

/** The clipping a step applies before the optimizer (null: off). */
export interface Clipping {
  clipNorm: number | null;
  clipValue: number | null;
}

/** Loss of a training step and the counts behind its metrics. */
interface StepScore extends MetricCounts {
  loss: number;
}

/** Forward, loss, BPTT and one guarded optimizer step for one (chunk of a) batch; `chunk` names the chunk for the guard. */
function trainStep(model: ModelRuntime, batch: Batch, carry: boolean, guarded: GuardedBatch, chunk: string): StepScore {
  const { layers, loss, spec, arena } = model;
  for (const layer of layers) if (layer instanceof RecurrentLayer && carry) layer.carryState();
  const out = model.forward({ x: batch.x, T: batch.T, B: batch.B, lengths: batch.lengths, context: batch.context, training: true });
  const M = out.T * out.B;
  const N = spec.outputSize;
  const grad = blockPtr(model.lossGradientBlock(M));
  arena.zeroGrad();
  const value = resolvedLossOnPointers(loss, out.x, batch.y, batch.mask, M, N, "mean", grad);
  const score = { loss: value, ...countMetrics(model.metrics, out.x, batch.y, batch.mask, M, N) };
  backwardLayers(layers, grad);
  guarded.step(value, chunk);
  return score;
}

/**
 * Trains on the batch of sequences index[0 .. B) (in chunks of tbptt steps) under the finite-step
 * guard: either every chunk's step is finite and applied, or none is (a RangeError naming `where`
 * and `at`). The loss is the mean over chunks. With threads (init), the batch runs in slices
 * (bindings/threads/slices.ts).
 */
function trainBatch(model: ModelRuntime, clipping: Clipping, data: StagedDataset, index: number, B: number, tbptt: number, where: string, at: string): StepScore {
  return guardedBatch({ where, at, data: "x and y" }, model.arena, model.optimizer, clipping, (guarded) => {
    const sliced = ModelSlices.count(B) > 1;
    const batches = sliced ? model.slices.gather(data, index, B) : [data.gather(index, B, model.ws)];
    const step = (parts: Batch[], carry: boolean, chunk: string): StepScore => (sliced
      ? model.slices.trainStep(parts, carry, guarded, chunk)
      : trainStep(model, parts[0]!, carry, guarded, chunk));
    if (tbptt >= data.T) return step(batches, false, "");
    const total = { loss: 0, ...noCounts(model.metrics) };
    const chunks = Math.ceil(data.T / tbptt);
    for (let c = 0; c < chunks; c++) {
      const t0 = c * tbptt;
      const length = Math.min(tbptt, data.T - t0);
      const parts = sliced ? model.slices.chunk(data, batches, t0, length) : [data.chunk(batches[0]!, t0, length, blockPtr(model.chunkLengthsBlock(B)))];
      const s = step(parts, c > 0, `truncatedBptt chunk ${c + 1} of ${chunks}`);
      total.loss += s.loss;
      addCounts(total, s);
    }
    total.loss /= chunks;
    return total;
  });
}

/** Model.trainOnBatch: one guarded optimizer step on the whole batch; the loss before the step. */
export function trainOnBatch(model: ModelRuntime, clipping: Clipping, x: ModelInput, y: ModelTarget, options: SequenceInputs & { mask?: TensorLike }): number {
  const where = "Model.trainOnBatch";
  checkOptionKeys(where, options, ["mask", "lengths", "context"]);
  const data = new StagedDataset(where, model.spec, x, { y }, options);
  try {
    checkModelBatch(where, model.layers, data.T, data.N);
    reserveFor(model, [callOfData(data, data.N, true)]);
    return trainBatch(model, clipping, data, model.identityIndex(data.N), data.N, data.T, where, "").loss;
  } finally {
    data.free();
  }
}

/** The truncatedBptt option of fit: Infinity when not given; refused where the state cannot be carried. */
function truncatedBpttOption(model: ModelRuntime, where: string, value: unknown): number {
  if (value === undefined) return Infinity;
  if (!model.spec.sequenceOutput) throw new RangeError(`${where}: truncatedBptt needs an output at every step (all recurrent layers with returnSequences true)`);
  const bidirectional = model.layers.find((l) => l instanceof RecurrentLayer && l.bidirectional);
  if (bidirectional !== undefined) {
    throw new RangeError(`${where}: truncatedBptt carries the state from chunk to chunk, which a bidirectional ${bidirectional.constructor.name} cannot (its reverse direction needs the whole sequence)`);
  }
  return checkInt(where, "truncatedBptt", value);
}

/** Model.fit: epochs of guarded steps over shuffled batches; `owner` is the Model (it may be disposed while fit awaits). */
export async function fit(model: ModelRuntime, clipping: Clipping, owner: FitModel, x: ModelInput, y: ModelTarget, options: FitOptions): Promise<History<EpochLogs>> {
  const where = "Model.fit";
  checkOptionKeys(where, options, FIT_KEYS);
  const settings = checkEpochOptions(where, options);
  const validationData = validationDataOption<NonNullable<FitOptions["validationData"]>>(where, settings.validationSplit, options.validationData, ["x", "y", "mask", "lengths", "context"], 2);
  const tbptt = truncatedBpttOption(model, where, options.truncatedBptt);
  const data = new StagedDataset(where, model.spec, x, { y }, options);
  let staged = null as StagedDataset | null; // set by fitValidation's stage, freed here
  try {
    const { N, validation } = fitValidation(where, settings.validationSplit, data, validationData === null ? null : () => {
      const { x: vx, y: vy, ...extras } = validationData;
      return (staged = new StagedDataset(`${where}: validationData`, model.spec, vx, { y: vy }, extras));
    }, (N) => {
      checkInEffect(where, "truncatedBptt", options.truncatedBptt, tbptt < data.T, `with sequences of T = ${data.T} steps (every batch would be one chunk)`);
      checkModelBatch(where, model.layers, data.T, Math.min(settings.batchSize, N));
    });
    // the training batches gather by runEpochs' order of the N sequences (allocated while fit runs), not the model's index
    const training = { ...callOfData(data, settings.batchSize, true, tbptt), index: 0, transient: [4 * Math.max(data.N, 4)] };
    reserveFor(model, validation === null ? [training] : [training, { ...callOfData(validation.data, settings.batchSize, false), sliced: false }]);
    let sums = { loss: 0, ...noCounts(model.metrics) };
    return await runEpochs<EpochLogs>(N, settings, owner, (indices, count, at) => {
      checkNotDisposed(owner, where, "model");
      const score = trainBatch(model, clipping, data, indices, count, tbptt, where, at);
      sums.loss += score.loss;
      addCounts(sums, score);
      return score.loss;
    }, (epoch, batches) => {
      const meanLoss = sums.loss / batches;
      const logs: Omit<EpochLogs, "lr"> = { epoch, loss: meanLoss };
      writeMetrics(logs, model.metrics, sums, model.spec.outputSize, meanLoss);
      sums = { loss: 0, ...noCounts(model.metrics) };
      if (validation !== null) {
        const val = evaluateStaged(model, validation.data, settings.batchSize, `${where}: ${validation.option} after epoch ${epoch}`, validation.start, validation.count);
        logs.valLoss = val.loss;
        for (const m of model.metrics) logs[validationKey(m.key)] = val[m.key];
      }
      return logs;
    });
  } finally {
    data.free();
    staged?.free();
  }
}

/** Model.evaluate: mean loss (and accuracy for classification losses) over a dataset, without training. */
export function evaluate(model: ModelRuntime, x: ModelInput, y: ModelTarget, options: EvaluateOptions): Evaluation {
  const where = "Model.evaluate";
  checkOptionKeys(where, options, ["batchSize", "mask", "lengths", "context"]);
  const batchSize = checkInt(where, "batchSize", options.batchSize ?? 256);
  const data = new StagedDataset(where, model.spec, x, { y }, options);
  try {
    checkModelBatch(where, model.layers, data.T, Math.min(batchSize, data.N));
    reserveFor(model, [{ ...callOfData(data, batchSize, false), sliced: false }]);
    return evaluateStaged(model, data, batchSize, where);
  } finally {
    data.free();
  }
}

/** evaluate over the rows [start, start + count) of staged data (default all); a loss that is not finite is a RangeError naming `where`. */
function evaluateStaged(model: ModelRuntime, data: StagedDataset, batchSize: number, where: string, start = 0, count = data.N): Evaluation {
  const { loss, ws } = model;
  const N = model.spec.outputSize;
  let lossSum = 0;
  const sums = noCounts(model.metrics);
  const index = model.identityIndex(data.N) + start * 4;
  for (let b0 = 0; b0 < count; b0 += batchSize) {
    const batch = data.gather(index + b0 * 4, Math.min(batchSize, count - b0), ws);
    const out = model.forward({ x: batch.x, T: batch.T, B: batch.B, lengths: batch.lengths, context: batch.context });
    const M = out.T * out.B;
    lossSum += resolvedLossOnPointers(loss, out.x, batch.y, batch.mask, M, N, "sum", 0);
    addCounts(sums, countMetrics(model.metrics, out.x, batch.y, batch.mask, M, N));
  }
  const result: Evaluation = { loss: checkEvaluatedLoss(where, sums.weight > 0 ? lossSum / meanDivisor(loss, sums.weight, N) : 0, "x and y") };
  writeMetrics(result, model.metrics, sums, N, result.loss);
  return result;
}
