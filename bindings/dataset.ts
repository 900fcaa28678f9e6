// A time-major dataset staged in wasm memory once; batches are gathered by the core.
import { core } from "./core.js";
import { Workspace } from "./buffer.js";
import { toTensor, toIntTensor, expectShape, stageF32, stageIds } from "./tensor.js";
import type { LossName } from "./losses.js";

/** What a model expects of its data. */
export interface DataSpec {
  /** Vocabulary size when the first layer is an Embedding (inputs are ids [T, N]); else null. */
  vocabSize: number | null;
  /** Features per input step when inputs are floats [T, N, D]. */
  inputSize: number;
  /** Features per output step (classes for softmaxCrossEntropy). */
  outputSize: number;
  loss: LossName;
  /** True: an output (and a target) at every step; false: one per sequence (many-to-one). */
  sequenceOutput: boolean;
}

/** Pointers of one gathered batch. */
export interface Batch {
  x: number;
  y: number;
  /** 0 when no mask was given. */
  mask: number;
  T: number;
  B: number;
}

/** x, targets and an optional mask, validated against a DataSpec and staged in wasm. */
export class StagedDataset {
  readonly T: number;
  readonly N: number;
  private readonly ws = new Workspace();
  private readonly xFeatures: number;
  private readonly yFeatures: number;
  private readonly yT: number;
  private readonly hasMask: boolean;

  /** y undefined: inputs only (prediction). */
  constructor(where: string, spec: DataSpec, x: unknown, y: unknown, mask?: unknown) {
    let T: number;
    let N: number;
    try {
      if (spec.vocabSize !== null) {
        const ids = toIntTensor(where, "x", x);
        expectShape(where, "x", ids.shape, [null, null], ["T", "N"]);
        [T, N] = ids.shape as [number, number];
        stageIds(where, "x", ids.data, spec.vocabSize, this.ws.get("x", ids.data.length));
        this.xFeatures = 1;
      } else {
        const xt = toTensor(where, "x", x);
        expectShape(where, "x", xt.shape, [null, null, spec.inputSize], ["T", "N", String(spec.inputSize)]);
        [T, N] = xt.shape as [number, number];
        stageF32(where, "x", xt.data, this.ws.get("x", xt.data.length));
        this.xFeatures = spec.inputSize;
      }
      if (T === 0 || N === 0) throw new RangeError(`${where}: x must hold at least one step and one sequence; got T=${T}, N=${N}`);
      this.T = T;
      this.N = N;
      this.yT = spec.sequenceOutput ? T : 1;
      const lead = spec.sequenceOutput ? [T, N] : [N];
      const leadNames = spec.sequenceOutput ? ["T", "N"] : ["N"];
      if (y === undefined) {
        this.yFeatures = 0;
      } else if (spec.loss === "softmaxCrossEntropy") {
        const ids = toIntTensor(where, "y", y);
        expectShape(where, "y", ids.shape, lead, leadNames);
        stageIds(where, "y", ids.data, spec.outputSize, this.ws.get("y", ids.data.length));
        this.yFeatures = 1;
      } else {
        const yt = toTensor(where, "y", y);
        expectShape(where, "y", yt.shape, [...lead, spec.outputSize], [...leadNames, String(spec.outputSize)]);
        const ptr = stageF32(where, "y", yt.data, this.ws.get("y", yt.data.length));
        if (spec.loss === "binaryCrossEntropyWithLogits") {
          const bad = core().findOutsideF32(ptr, yt.data.length, 0, 1);
          if (bad >= 0) throw new RangeError(`${where}: y must hold targets in [0, 1] for binaryCrossEntropyWithLogits; got ${yt.data[bad]} at flat index ${bad}`);
        }
        this.yFeatures = spec.outputSize;
      }
      this.hasMask = mask !== undefined;
      if (mask !== undefined) {
        const m = toTensor(where, "mask", mask);
        expectShape(where, "mask", m.shape, lead, leadNames);
        const ptr = stageF32(where, "mask", m.data, this.ws.get("mask", m.data.length));
        const bad = core().findOutsideF32(ptr, m.data.length, 0, 1);
        if (bad >= 0) throw new RangeError(`${where}: mask must hold weights in [0, 1]; got ${m.data[bad]} at flat index ${bad}`);
      }
    } catch (e) {
      this.ws.free();
      throw e;
    }
  }

  /** Gathers the sequences whose indices (i32 [B]) are at `index` into batch buffers. */
  gather(index: number, B: number, batch: Workspace): Batch {
    const T = this.T;
    const x = batch.ptr("x", T * B * this.xFeatures);
    const y = this.yFeatures > 0 ? batch.ptr("y", this.yT * B * this.yFeatures) : 0;
    const mask = this.hasMask ? batch.ptr("mask", this.yT * B) : 0;
    const c = core();
    c.gatherTimeMajor(x, this.ws.ptr("x", T * this.N * this.xFeatures), index, T, this.N, B, this.xFeatures);
    if (y !== 0) c.gatherTimeMajor(y, this.ws.ptr("y", this.yT * this.N * this.yFeatures), index, this.yT, this.N, B, this.yFeatures);
    if (mask !== 0) c.gatherTimeMajor(mask, this.ws.ptr("mask", this.yT * this.N), index, this.yT, this.N, B, 1);
    return { x, y, mask, T, B };
  }

  /** Byte offsets to the chunk starting at step t0 of a batch of B sequences (truncated BPTT). */
  chunk(batch: Batch, t0: number, length: number): Batch {
    return {
      x: batch.x + t0 * batch.B * this.xFeatures * 4,
      y: batch.y + t0 * batch.B * this.yFeatures * 4,
      mask: batch.mask === 0 ? 0 : batch.mask + t0 * batch.B * 4,
      T: length,
      B: batch.B,
    };
  }

  free(): void {
    this.ws.free();
  }
}
