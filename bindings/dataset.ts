// A time-major dataset staged in wasm memory once; batches are gathered by the core.
import { core } from "./core.js";
import { Workspace } from "./buffer.js";
import { toTensor, toIntTensor, expectShape, stageF32, stageIds, stageLengths, stageUnitF32 } from "./tensor.js";
import { shapeString } from "./validate.js";
import type { Loss } from "./losses.js";

/** What a model expects of its data. */
export interface DataSpec {
  /** Vocabulary size when the first layer is an Embedding (inputs are ids [T, N]); else null. */
  vocabSize: number | null;
  /** Features per input step when inputs are floats [T, N, D]. */
  inputSize: number;
  /** Features per output step (classes for softmaxCrossEntropy). */
  outputSize: number;
  /** The model's loss: its target kind says what y holds. */
  loss: Loss;
  /** True: an output (and a target) at every step; false: one per sequence (many-to-one). */
  sequenceOutput: boolean;
  /** Size of the per-sequence context the model's layers take (0: none). */
  contextSize: number;
}

/** Optional per-sequence data beside x and y. */
export interface SequenceExtras {
  /** Weights in [0, 1] with the targets' leading shape. */
  mask?: unknown;
  /** Lengths [N], ints in [1, T]. */
  lengths?: unknown;
  /** Context vectors [N, contextSize]. */
  context?: unknown;
}

/** Pointers of one gathered batch. */
export interface Batch {
  x: number;
  y: number;
  /** Loss weights [T, B] (or [B]): the given mask times the padding mask of the lengths; 0 when neither. */
  mask: number;
  /** i32 [B], or 0. */
  lengths: number;
  /** [B, C], or 0. */
  context: number;
  T: number;
  B: number;
}

/** What the targets of a model must be, e.g. "class ids in [0, 5) shaped [8, 4]" or "floats shaped [4, 2]". */
function expectedTargets(spec: DataSpec, lead: readonly number[]): string {
  return spec.loss.target === "classes"
    ? `class ids in [0, ${spec.outputSize}) shaped ${shapeString(lead)}`
    : `floats shaped ${shapeString([...lead, spec.outputSize])}`;
}

/** Why targets of `shape` do not fit, when it is a common mix-up (one-hot vs ids, per step vs per sequence); else "". */
function targetShapeHint(spec: DataSpec, shape: readonly number[], T: number, N: number): string {
  const ids = spec.loss.target === "classes";
  const rank = (ids ? 0 : 1) + (spec.sequenceOutput ? 2 : 1);
  if (spec.sequenceOutput && shape.length === rank - 1 && shape[0] === N) {
    return " (the model has an output at every step: targets are per step, not per sequence)";
  }
  if (!spec.sequenceOutput && shape.length === rank + 1 && shape[0] === T && shape[1] === N) {
    return " (a recurrent layer has returnSequences false: the model has one output per sequence, so targets are per sequence)";
  }
  if (ids && shape.length === rank + 1 && shape[rank] === spec.outputSize) return ` (${spec.loss.name} takes class ids, not one-hot or probability vectors)`;
  if (!ids && shape.length === rank - 1) return ` (${spec.loss.name} takes ${spec.outputSize} floats per target, not class ids)`;
  return "";
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
  private readonly hasLengths: boolean;
  private readonly contextSize: number;

  /**
   * `targets` is `{ y }` for training and evaluation, where y is then required and must fit the
   * model's output exactly (never broadcast, never read as zeros); null for inputs only (prediction).
   */
  constructor(where: string, spec: DataSpec, x: unknown, targets: { readonly y: unknown } | null, extras: SequenceExtras = {}) {
    const { mask, lengths, context } = extras;
    let T: number;
    let N: number;
    try {
      if (x === undefined || x === null) {
        const expected = spec.vocabSize !== null ? `ids in [0, ${spec.vocabSize}) shaped [T, N]` : `floats shaped [T, N, ${spec.inputSize}]`;
        throw new TypeError(`${where}: x is required: ${expected}; got ${String(x)}`);
      }
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
      this.hasMask = mask !== undefined;
      if (mask !== undefined) {
        const m = toTensor(where, "mask", mask);
        expectShape(where, "mask", m.shape, lead, leadNames);
        stageUnitF32(where, "mask", m.data, this.ws.get("mask", m.data.length), "weights");
      }
      this.hasLengths = lengths !== undefined;
      if (lengths !== undefined) {
        stageLengths(where, lengths, T, N, this.ws.get("lengths", N));
      }
      const y = targets?.y;
      if (targets === null) {
        this.yFeatures = 0;
      } else if (y === undefined || y === null) {
        throw new TypeError(`${where}: y (the targets) is required: ${expectedTargets(spec, lead)}; got ${String(y)}`);
      } else if (spec.loss.target === "classes") {
        const ids = toIntTensor(where, "y", y);
        this.checkTargetShape(where, spec, ids.shape, lead);
        stageIds(where, "y", ids.data, spec.outputSize, this.ws.get("y", ids.data.length), this.targetWeights(lead));
        this.yFeatures = 1;
      } else {
        const yt = toTensor(where, "y", y);
        this.checkTargetShape(where, spec, yt.shape, [...lead, spec.outputSize]);
        const buf = this.ws.get("y", yt.data.length);
        if (spec.loss.target === "unit") stageUnitF32(where, "y", yt.data, buf, "targets");
        else stageF32(where, "y", yt.data, buf);
        this.yFeatures = spec.outputSize;
      }
      this.contextSize = spec.contextSize;
      if (context !== undefined && spec.contextSize === 0) throw new RangeError(`${where}: context given, but no layer of the model was built with contextSize`);
      if (spec.contextSize > 0) {
        if (context === undefined) throw new RangeError(`${where}: context [N, ${spec.contextSize}] is required (the model's layers were built with contextSize)`);
        const c = toTensor(where, "context", context);
        expectShape(where, "context", c.shape, [N, spec.contextSize], ["N", String(spec.contextSize)]);
        stageF32(where, "context", c.data, this.ws.get("context", c.data.length));
      }
    } catch (e) {
      this.ws.free();
      throw e;
    }
  }

  /** Targets must have exactly the `expected` shape; the error names it and the likely mix-up. */
  private checkTargetShape(where: string, spec: DataSpec, shape: readonly number[], expected: readonly number[]): void {
    if (shape.length === expected.length && shape.every((d, i) => d === expected[i])) return;
    throw new RangeError(`${where}: y must have shape ${shapeString(expected)}; got ${shapeString(shape)}${targetShapeHint(spec, shape, this.T, this.N)}`);
  }

  /**
   * Weights of the staged targets: the mask times the padding of the lengths (sequence targets),
   * or 0 when every target counts. Class ids are only checked where the weight is nonzero.
   */
  private targetWeights(lead: number[]): number {
    const padded = this.hasLengths && lead.length === 2;
    if (!this.hasMask && !padded) return 0;
    const n = lead.reduce((a, b) => a * b, 1);
    const weights = this.ws.ptr("targetWeights", n);
    const c = core();
    if (this.hasMask) c.copyF32(weights, this.ws.ptr("mask", n), n);
    else c.fillF32(weights, n, 1);
    if (padded) {
      const padding = this.ws.ptr("padding", n);
      c.lengthMask(padding, this.ws.ptr("lengths", this.N), this.T, this.N);
      c.mulInPlace(weights, padding, n);
    }
    return weights;
  }

  /** Gathers the sequences whose indices (i32 [B]) are at `index` into batch buffers. */
  gather(index: number, B: number, batch: Workspace): Batch {
    const T = this.T;
    const N = this.N;
    const c = core();
    const x = batch.ptr("x", T * B * this.xFeatures);
    c.gatherTimeMajor(x, this.ws.ptr("x", T * N * this.xFeatures), index, T, N, B, this.xFeatures);
    const y = this.yFeatures > 0 ? batch.ptr("y", this.yT * B * this.yFeatures) : 0;
    if (y !== 0) c.gatherTimeMajor(y, this.ws.ptr("y", this.yT * N * this.yFeatures), index, this.yT, N, B, this.yFeatures);
    const lengths = this.hasLengths ? batch.ptr("lengths", B) : 0;
    if (lengths !== 0) c.gatherRows(lengths, this.ws.ptr("lengths", N), index, B, 1);
    const context = this.contextSize > 0 ? batch.ptr("context", B * this.contextSize) : 0;
    if (context !== 0) c.gatherRows(context, this.ws.ptr("context", N * this.contextSize), index, B, this.contextSize);
    let mask = 0;
    if (this.hasMask || (lengths !== 0 && this.yT === T)) {
      mask = batch.ptr("mask", this.yT * B);
      if (this.hasMask) c.gatherTimeMajor(mask, this.ws.ptr("mask", this.yT * N), index, this.yT, N, B, 1);
      if (lengths !== 0 && this.yT === T) {
        const padding = batch.ptr("paddingMask", T * B);
        c.lengthMask(padding, lengths, T, B);
        if (this.hasMask) c.mulInPlace(mask, padding, T * B);
        else c.copyF32(mask, padding, T * B);
      }
    }
    return { x, y, mask, lengths, context, T, B };
  }

  /**
   * The chunk of `length` steps from step t0 of a batch (truncated BPTT): pointer offsets, and the
   * chunk's own lengths written to `chunkLengths` (i32 [B]).
   */
  chunk(batch: Batch, t0: number, length: number, chunkLengths: number): Batch {
    if (batch.lengths !== 0) core().chunkLengths(chunkLengths, batch.lengths, batch.B, t0, length);
    return {
      ...batch,
      x: batch.x + t0 * batch.B * this.xFeatures * 4,
      y: batch.y + t0 * batch.B * this.yFeatures * 4,
      mask: batch.mask === 0 ? 0 : batch.mask + t0 * batch.B * 4,
      lengths: batch.lengths === 0 ? 0 : chunkLengths,
      T: length,
    };
  }

  free(): void {
    this.ws.free();
  }
}
