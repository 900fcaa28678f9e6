// Data-parallel training and prediction: a batch of B sequences is cut into S = min(slices, B)
// contiguous slices of near-equal size (the first B mod S one sequence longer), a fixed cut that
// depends on B and S only. Slice 0 runs on the model's own layers, slice s >= 1 on replica s: layers
// rebuilt from the model's configs that read the model's parameters and keep their own workspaces
// and gradients. Each slice's forward, loss and BPTT are recorded as one list of calls (recorder.ts),
// the lists run at once (pool.ts), and the slice gradients are summed into the model's in slice
// order 0, 1, ..., S-1. Every kernel computes a sequence's rows the same whichever rows share its
// batch, so a slice's loss and gradients do not depend on the thread that ran it: training with S
// slices gives the same bits on S threads as on one thread running the S lists in turn (the
// fallback where the runtime has no shared memory). Prediction sums nothing across sequences, so
// its outputs equal those of one unsliced batch.
import { core, recording, threadSetup } from "../core.js";
import { Workspace } from "../buffer.js";
import { ParameterArena } from "../arena.js";
import type { Layer } from "../layers/layer.js";
import { RecurrentLayer } from "../layers/recurrent.js";
import { layersFromConfigs, type LayerType } from "../layers/registry.js";
import { meanDivisor, toProbabilities } from "../losses.js";
import { noCounts, type MetricCounts } from "../metrics.js";
import type { Batch, StagedDataset } from "../dataset.js";
import type { GuardedBatch } from "../step-guard.js";
import { backwardLayers, forwardLayers } from "../layer-chain.js";
import type { ModelRuntime } from "../model/runtime.js";

/** The loss of a training step and the counts behind its accuracy. */
export interface SliceScore extends MetricCounts {
  loss: number;
}

/** The layers, arena and workspace one slice runs on. */
export interface Part {
  layers: readonly Layer[];
  arena: ParameterArena;
  ws: Workspace;
}

/** The first sequence of each of `S` slices of a batch of B, and the end: S + 1 offsets. */
export function sliceStarts(B: number, S: number): number[] {
  const starts = [0];
  for (let s = 0; s < S; s++) starts.push(starts[s]! + Math.floor(B / S) + (s < B % S ? 1 : 0));
  return starts;
}

/** A model's slices: its own layers for slice 0 and replicas for the others, made when first needed. */
export class ModelSlices {
  private readonly replicas: Part[] = [];

  constructor(private readonly model: ModelRuntime) {}

  /** How many slices a batch of B sequences is cut into (1: the batch runs whole, unthreaded). */
  static count(B: number): number {
    return Math.min(threadSetup().slices, B);
  }

  /** Slice s's part: the model itself for 0, replica s (made now if new) otherwise. */
  part(s: number): Part {
    const { model } = this;
    if (s === 0) return model;
    while (this.replicas.length < s) {
      const layers = layersFromConfigs("Model", "layers", model.layers.map((l) => l.config() as { type: LayerType; options: Record<string, unknown> }));
      const arena = new ParameterArena([...model.arena.entries.values()], model.arena);
      layers.forEach((layer, i) => layer.shareArena(arena, `${i}.`));
      this.replicas.push({ layers, arena, ws: new Workspace() });
    }
    return this.replicas[s - 1]!;
  }

  /** The batch of sequences index[0 .. B) (i32 pointer `index`) gathered slice by slice, each into its part's workspace. */
  gather(data: StagedDataset, index: number, B: number): Batch[] {
    const starts = sliceStarts(B, ModelSlices.count(B));
    return starts.slice(1).map((end, s) => data.gather(index + starts[s]! * 4, end - starts[s]!, this.part(s).ws));
  }

  /** The chunk of `length` steps from t0 of every slice (truncated BPTT). */
  chunk(data: StagedDataset, batches: readonly Batch[], t0: number, length: number): Batch[] {
    return batches.map((b, s) => data.chunk(b, t0, length, this.part(s).ws.ptr("chunkLengths", b.B)));
  }

  /** Records `pass` for every slice, runs the lists, frees what the passes freed; `pass` returns what to read of its list afterwards. */
  private run<R>(batches: readonly Batch[], pass: (part: Part, batch: Batch, resultWord: () => number) => R): R[] {
    const { pool, recorder } = threadSetup();
    const lists: number[][] = [];
    try {
      const kept = batches.map((batch, s) => recording(recorder.standIn, () => {
        try {
          return pass(this.part(s), batch, () => recorder.resultWord);
        } finally {
          lists.push(recorder.take()); // a pass that throws leaves nothing for the next recording
        }
      }));
      pool.run(lists);
      return kept;
    } finally {
      recorder.releaseFrees();
    }
  }

  /**
   * One training step on the slices: forward, loss (the mean over the whole batch) and BPTT per
   * slice, the slice gradients summed into the model's in slice order, then `guarded.step`.
   */
  trainStep(batches: readonly Batch[], carry: boolean, guarded: GuardedBatch, chunk: string): SliceScore {
    const { loss, spec, arena, metrics } = this.model;
    const N = spec.outputSize;
    const c = core();
    const rows = (b: Batch): number => (spec.sequenceOutput ? b.T : 1) * b.B;
    const weight = batches.reduce((sum, b) => sum + c.maskWeight(b.mask, rows(b)), 0);
    const scale = weight === 0 ? 0 : 1 / meanDivisor(loss, weight, N);
    const words = this.run(batches, (part, batch, resultWord) => {
      for (const layer of part.layers) if (layer instanceof RecurrentLayer && carry) layer.carryState();
      const out = forwardLayers(part.layers, { x: batch.x, T: batch.T, B: batch.B, lengths: batch.lengths, context: batch.context, training: true });
      const M = out.T * out.B;
      const grad = part.ws.ptr("dOut", M * N);
      part.arena.zeroGrad();
      const cc = core();
      let lossWord = -1;
      if (weight === 0) cc.fillF32(grad, M * N, 0);
      else {
        loss.kernel()(out.x, batch.y, batch.mask, M, N, scale, grad);
        lossWord = resultWord();
      }
      const countWords = metrics.map((m) => {
        if (m.count === undefined) return -1;
        m.count(out.x, batch.y, batch.mask, M, N);
        return resultWord();
      });
      backwardLayers(part.layers, grad);
      return { lossWord, countWords };
    });
    const { pool } = threadSetup();
    const read = (s: number, word: number): number => (word < 0 ? 0 : pool.result(s, word));
    for (let s = 1; s < batches.length; s++) c.addInPlace(arena.grads.ptr, this.part(s).arena.grads.ptr, arena.size);
    const score = { loss: 0, ...noCounts(metrics), weight };
    words.forEach(({ lossWord, countWords }, s) => {
      score.loss += read(s, lossWord);
      countWords.forEach((word, i) => {
        score.counts[i]! += read(s, word);
      });
    });
    guarded.step(score.loss, chunk);
    return score;
  }

  /** Forward of every slice (with the loss's output activation when `probabilities`); the output pointer and rows of each. */
  predict(batches: readonly Batch[], probabilities: boolean): { x: number; T: number; B: number }[] {
    const O = this.model.spec.outputSize;
    return this.run(batches, (part, batch) => {
      const out = forwardLayers(part.layers, { x: batch.x, T: batch.T, B: batch.B, lengths: batch.lengths, context: batch.context });
      if (probabilities) toProbabilities(this.model.loss, out.x, out.T * out.B, O);
      return { x: out.x, T: out.T, B: out.B };
    });
  }

  /** Frees the replicas' layers, gradients and workspaces. */
  dispose(): void {
    for (const { layers, arena, ws } of this.replicas.splice(0)) {
      for (const layer of layers) layer.dispose();
      arena.dispose();
      ws.free();
    }
  }
}
