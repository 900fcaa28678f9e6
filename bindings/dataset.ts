// A dataset staged in wasm memory once, time-major [T, N, ...] or batch-first [N, T, ...] as the
// user gave it; the core gathers every batch into time-major order (no per-element JavaScript).
import { core } from "./core.js";
import { Workspace, blockPtr, type BlockRef } from "./buffer.js";
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
  /** True: sequences come as [N, T, ...] (x, per-step targets and masks), as PyTorch's batch_first; false: [T, N, ...]. */
  batchFirst: boolean;
}

/** The leading axes of sequence data and their names: [T, N] time-major, [N, T] batch-first. */
export function sequenceAxes(spec: DataSpec, T: number | null, N: number | null): { shape: (number | null)[]; names: string[] } {
  return spec.batchFirst ? { shape: [N, T], names: ["N", "T"] } : { shape: [T, N], names: ["T", "N"] };
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

/** What a batch holds per sequence, which sizes its blocks. */
export interface BatchLayout {
  T: number;
  /** Steps of the targets (T, or 1 for one target per sequence). */
  yT: number;
  /** Values per input step: 1 id, or inputSize floats. */
  xFeatures: number;
  /** Values per target: 1 class id, outputSize floats, or 0 without targets. */
  yFeatures: number;
  lengths: boolean;
  mask: boolean;
  contextSize: number;
}

/** The layout of a model's batches of T steps, with or without targets, mask and lengths. */
export function batchLayout(spec: DataSpec, T: number, parts: { targets: boolean; mask: boolean; lengths: boolean }): BatchLayout {
  return {
    T, yT: spec.sequenceOutput ? T : 1, xFeatures: spec.vocabSize !== null ? 1 : spec.inputSize,
    yFeatures: !parts.targets ? 0 : spec.loss.target === "classes" ? 1 : spec.outputSize,
    lengths: parts.lengths, mask: parts.mask, contextSize: spec.contextSize,
  };
}

/** The blocks of B sequences laid out as `l` in workspace `ws` (null: not part of such batches). */
export function batchBlocks(l: BatchLayout, ws: Workspace, B: number): Record<"x" | "y" | "lengths" | "context" | "mask" | "paddingMask", BlockRef | null> {
  const padded = l.lengths && l.yT === l.T;
  return {
    x: { ws, name: "x", length: l.T * B * l.xFeatures },
    y: l.yFeatures > 0 ? { ws, name: "y", length: l.yT * B * l.yFeatures } : null,
    lengths: l.lengths ? { ws, name: "lengths", length: B } : null,
    context: l.contextSize > 0 ? { ws, name: "context", length: B * l.contextSize } : null,
    mask: l.mask || padded ? { ws, name: "mask", length: l.yT * B } : null,
    paddingMask: padded ? { ws, name: "paddingMask", length: l.T * B } : null,
  };
}

/** The address of `block`, or 0 when it is null. */
function ptrOrZero(block: BlockRef | null): number {
  return block === null ? 0 : blockPtr(block);
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
  const steps = sequenceAxes(spec, T, N).shape;
  if (!spec.sequenceOutput && shape.length === rank + 1 && shape[0] === steps[0] && shape[1] === steps[1]) {
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
  /** What each gathered batch holds per sequence. */
  readonly layout: BatchLayout;
  /** Whether x, per-step targets and the mask are staged [N, T, ...] (gathered into time-major batches). */
  readonly batchFirst: boolean;

  /**
   * `targets` is `{ y }` for training and evaluation, where y is then required and must fit the
   * model's output exactly (never broadcast, never read as zeros); null for inputs only (prediction).
   */
  constructor(where: string, spec: DataSpec, x: unknown, targets: { readonly y: unknown } | null, extras: SequenceExtras = {}) {
    const { mask, lengths, context } = extras;
    let T: number;
    let N: number;
    try {
      const axes = sequenceAxes(spec, null, null);
      if (x === undefined || x === null) {
        const steps = axes.names.join(", ");
        const expected = spec.vocabSize !== null ? `ids in [0, ${spec.vocabSize}) shaped [${steps}]` : `floats shaped [${steps}, ${spec.inputSize}]`;
        throw new TypeError(`${where}: x is required: ${expected}; got ${String(x)}`);
      }
      let xLead: number[];
      if (spec.vocabSize !== null) {
        const ids = toIntTensor(where, "x", x);
        expectShape(where, "x", ids.shape, axes.shape, axes.names);
        xLead = ids.shape;
        stageIds(where, "x", ids.data, spec.vocabSize, this.ws.get("x", ids.data.length));
      } else {
        const xt = toTensor(where, "x", x);
        expectShape(where, "x", xt.shape, [...axes.shape, spec.inputSize], [...axes.names, String(spec.inputSize)]);
        xLead = xt.shape;
        stageF32(where, "x", xt.data, this.ws.get("x", xt.data.length));
      }
      [T, N] = spec.batchFirst ? [xLead[1]!, xLead[0]!] : [xLead[0]!, xLead[1]!];
      if (T === 0 || N === 0) throw new RangeError(`${where}: x must hold at least one step and one sequence; got T=${T}, N=${N}`);
      this.T = T;
      this.N = N;
      this.layout = batchLayout(spec, T, { targets: targets !== null, mask: mask !== undefined, lengths: lengths !== undefined });
      this.batchFirst = spec.batchFirst;
      const steps = sequenceAxes(spec, T, N);
      const lead = spec.sequenceOutput ? steps.shape as number[] : [N];
      const leadNames = spec.sequenceOutput ? steps.names : ["N"];
      if (mask !== undefined) {
        const m = toTensor(where, "mask", mask);
        expectShape(where, "mask", m.shape, lead, leadNames);
        stageUnitF32(where, "mask", m.data, this.ws.get("mask", m.data.length), "weights");
      }
      if (lengths !== undefined) {
        stageLengths(where, lengths, T, N, this.ws.get("lengths", N));
      }
      const y = targets?.y;
      if (targets !== null && (y === undefined || y === null)) {
        throw new TypeError(`${where}: y (the targets) is required: ${expectedTargets(spec, lead)}; got ${String(y)}`);
      } else if (targets !== null && spec.loss.target === "classes") {
        const ids = toIntTensor(where, "y", y);
        this.checkTargetShape(where, spec, ids.shape, lead);
        stageIds(where, "y", ids.data, spec.outputSize, this.ws.get("y", ids.data.length), this.targetWeights(lead));
      } else if (targets !== null) {
        const yt = toTensor(where, "y", y);
        this.checkTargetShape(where, spec, yt.shape, [...lead, spec.outputSize]);
        const buf = this.ws.get("y", yt.data.length);
        if (spec.loss.target === "unit") stageUnitF32(where, "y", yt.data, buf, "targets");
        else stageF32(where, "y", yt.data, buf);
      }
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
    const padded = this.layout.lengths && lead.length === 2;
    if (!this.layout.mask && !padded) return 0;
    const n = lead.reduce((a, b) => a * b, 1);
    const weights = this.ws.ptr("targetWeights", n);
    const c = core();
    if (this.layout.mask) c.copyF32(weights, this.ws.ptr("mask", n), n);
    else c.fillF32(weights, n, 1);
    if (padded) {
      const padding = this.ws.ptr("padding", n);
      c.lengthMask(padding, this.ws.ptr("lengths", this.N), this.T, this.N);
      c.mulInPlace(weights, this.batchFirst ? this.ws.swapped("paddingBatchFirst", padding, this.T, this.N, 1) : padding, n);
    }
    return weights;
  }

  /** Gathers the sequences whose indices (i32 [B]) are at `index` into batch buffers (batchBlocks in `batch`). */
  gather(index: number, B: number, batch: Workspace): Batch {
    const { T, yT, xFeatures, yFeatures, contextSize: C } = this.layout;
    const N = this.N;
    const c = core();
    const from = batchBlocks(this.layout, this.ws, N);
    const to = batchBlocks(this.layout, batch, B);
    const gatherSteps = this.batchFirst ? c.gatherBatchFirst : c.gatherTimeMajor;
    const x = blockPtr(to.x!);
    gatherSteps(x, blockPtr(from.x!), index, T, N, B, xFeatures);
    const y = ptrOrZero(to.y);
    if (y !== 0) gatherSteps(y, blockPtr(from.y!), index, yT, N, B, yFeatures);
    const lengths = ptrOrZero(to.lengths);
    if (lengths !== 0) c.gatherRows(lengths, blockPtr(from.lengths!), index, B, 1);
    const context = ptrOrZero(to.context);
    if (context !== 0) c.gatherRows(context, blockPtr(from.context!), index, B, C);
    const mask = ptrOrZero(to.mask);
    if (this.layout.mask) gatherSteps(mask, blockPtr(from.mask!), index, yT, N, B, 1);
    const padding = ptrOrZero(to.paddingMask);
    if (padding !== 0) {
      c.lengthMask(padding, lengths, T, B);
      if (this.layout.mask) c.mulInPlace(mask, padding, T * B);
      else c.copyF32(mask, padding, T * B);
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
      x: batch.x + t0 * batch.B * this.layout.xFeatures * 4,
      y: batch.y + t0 * batch.B * this.layout.yFeatures * 4,
      mask: batch.mask === 0 ? 0 : batch.mask + t0 * batch.B * 4,
      lengths: batch.lengths === 0 ? 0 : chunkLengths,
      T: length,
    };
  }

  free(): void {
    this.ws.free();
  }
}
