// What a model's training, evaluation, prediction and streaming share: its layers, its resolved
// loss, what it expects of its data, its parameter arena and optimizer, and one workspace of wasm
// scratch blocks that grows to the largest batch seen.
import { core } from "../core.js";
import { Workspace, blockPtr, type BlockRef } from "../buffer.js";
import type { ParameterArena } from "../arena.js";
import type { Layer, SequencePointers } from "../layers/layer.js";
import type { Loss } from "../losses.js";
import type { Metric, MetricSpec } from "../metrics.js";
import type { Optimizer } from "../optimizers.js";
import type { DataSpec } from "../dataset.js";
import { ModelSlices } from "../threads/slices.js";
import { forwardLayers } from "../layer-chain.js";

export class ModelRuntime {
  readonly ws = new Workspace();
  /** The calls (bindings/model/memory.ts CallSpec, as keys) the workspaces have been reserved for. */
  readonly reserved = new Set<string>();
  /** The batch slices of threaded training and prediction (bindings/threads/slices.ts). */
  readonly slices = new ModelSlices(this);

  constructor(
    readonly layers: readonly Layer[],
    readonly loss: Loss,
    readonly spec: DataSpec,
    readonly arena: ParameterArena,
    readonly optimizer: Optimizer,
    /** What fit's logs and evaluate report beside the loss (accuracy first for a classification loss). */
    readonly metrics: readonly Metric[],
    /** The `metrics` option as given (saved with the model). */
    readonly metricSpecs: readonly MetricSpec[],
  ) {}

  /**
   * Runs every layer forward on the staged input; returns the last layer's output pointers. An
   * Embedding followed by a recurrent layer is looked up inside that layer's input projection
   * when that costs less (layer-chain.ts forwardLayers, shared with the batch slices of threads).
   */
  forward(input: SequencePointers): SequencePointers {
    return forwardLayers(this.layers, input);
  }

  /** The indices i32 [N] of the sequences a call gathers in order. */
  indexBlock(N: number): BlockRef {
    return { ws: this.ws, name: "index", length: N };
  }

  /** The loss gradient [M, outputSize] of M output rows. */
  lossGradientBlock(M: number): BlockRef {
    return { ws: this.ws, name: "dOut", length: M * this.spec.outputSize };
  }

  /** A truncated-BPTT chunk's sequence lengths i32 [B]. */
  chunkLengthsBlock(B: number): BlockRef {
    return { ws: this.ws, name: "chunkLengths", length: B };
  }

  /** The indices 0 .. N-1 (i32 [N]) in the workspace: gathers the first N sequences in order. */
  identityIndex(N: number): number {
    const index = blockPtr(this.indexBlock(N));
    core().fillIotaI32(index, N);
    return index;
  }
}
