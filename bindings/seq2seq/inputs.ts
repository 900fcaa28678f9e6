// Seq2Seq's inputs: checks of source and target ids and their lengths, and the pairs staged in
// wasm memory once per call (time-major; batch-first pairs reordered once in the core), from which
// every batch is a core gather of its steps.
import { core } from "../core.js";
import { WasmArray, type Workspace } from "../buffer.js";
import { toIntTensor, expectShape } from "../tensor.js";
import { checkInt, shapeString } from "../validate.js";
import type { GreedyDecodeOptions } from "./options.js";

const DEFAULT_MAX_LENGTH = 100;

/** Checked training pairs: source [S, N] and target [U, N] ids (batch-first: [N, S] and [N, U]) with their lengths. */
export interface Pairs {
  S: number;
  U: number;
  N: number;
  batchFirst: boolean;
  source: Int32Array;
  sourceLengths: Int32Array;
  target: Int32Array;
  targetLengths: Int32Array;
}

/** The vocabularies and ids the checks hold inputs to. */
export interface Vocabularies {
  sourceVocabSize: number;
  targetVocabSize: number;
  bosId: number;
  /** Ids come [N, T] (as PyTorch's batch_first) rather than [T, N]. */
  batchFirst: boolean;
}

/** Checked ids: T steps of N sequences, the data [T, N] or (batch-first) [N, T]. */
interface Ids {
  T: number;
  N: number;
  shape: number[];
  data: Int32Array;
}

/** Ids [T, N] (batch-first [N, T]; T >= minSteps) with every id in [0, vocab). */
function checkIds(where: string, name: string, value: unknown, vocab: number, minSteps: number, batchFirst: boolean): Ids {
  const t = toIntTensor(where, name, value);
  const layout = batchFirst ? "batch-first ids [N, T]" : "time-major ids [T, N]";
  if (t.shape.length !== 2) throw new RangeError(`${where}: ${name} must be ${layout}; got shape ${shapeString(t.shape)}`);
  const [T, N] = (batchFirst ? [t.shape[1], t.shape[0]] : t.shape) as [number, number];
  if (T < minSteps || N === 0) throw new RangeError(`${where}: ${name} must hold at least ${minSteps} step${minSteps > 1 ? "s" : ""} and one sequence (${layout}); got shape ${shapeString(t.shape)}`);
  const bad = t.data.findIndex((id) => id < 0 || id >= vocab);
  if (bad >= 0) {
    const [step, sequence] = batchFirst ? [bad % T, Math.floor(bad / T)] : [Math.floor(bad / N), bad % N];
    throw new RangeError(`${where}: ${name} must hold ids in [0, ${vocab}); got ${t.data[bad]} at flat index ${bad} (step ${step}, sequence ${sequence})`);
  }
  return { T, N, shape: t.shape, data: t.data };
}

/** Lengths [N], each in [min, T]. */
function checkLengths(where: string, name: string, value: unknown, N: number, T: number, min: number, what: string): Int32Array {
  const t = toIntTensor(where, name, value);
  expectShape(where, name, t.shape, [N]);
  const bad = t.data.findIndex((l) => l < min || l > T);
  if (bad >= 0) throw new RangeError(`${where}: ${name} must lie in [${min}, ${T}] (${what}); got ${t.data[bad]} at index ${bad}`);
  return t.data.slice();
}

/** Checks training pairs: sources, targets framed by BOS, lengths, matching N. */
export function checkPairs(where: string, v: Vocabularies, source: unknown, sourceLengths: unknown, target: unknown, targetLengths: unknown): Pairs {
  const { batchFirst } = v;
  const { T: S, N, data: src } = checkIds(where, "source", source, v.sourceVocabSize, 1, batchFirst);
  const srcLen = checkLengths(where, "sourceLengths", sourceLengths, N, S, 1, `S = ${S}, the source's steps`);
  const { T: U, N: Nt, shape, data: tgt } = checkIds(where, "target", target, v.targetVocabSize, 2, batchFirst);
  if (Nt !== N) throw new RangeError(`${where}: target must hold as many sequences as source (N = ${N}); got shape ${shapeString(shape)}`);
  const tgtLen = checkLengths(where, "targetLengths", targetLengths, N, U, 2, `BOS … EOS within U = ${U} steps`);
  const firstId = (n: number): number => tgt[batchFirst ? n * U : n]!;
  const noBos = Array.from({ length: N }, (_, n) => n).find((n) => firstId(n) !== v.bosId);
  if (noBos !== undefined) throw new RangeError(`${where}: target must start every sequence with BOS (id ${v.bosId}); sequence ${noBos} starts with ${firstId(noBos)}`);
  return { S, U, N, batchFirst, source: src, sourceLengths: srcLen, target: tgt, targetLengths: tgtLen };
}

/** Checked decoding inputs: sources [S, N] (batch-first [N, S]), their lengths and the most tokens to generate. */
export interface Sources {
  S: number;
  N: number;
  batchFirst: boolean;
  source: Int32Array;
  lengths: Int32Array;
  maxLength: number;
}

/** Checks the sources of greedyDecode and beamSearch and the options they share. */
export function checkSources(where: string, v: Vocabularies, source: unknown, options: GreedyDecodeOptions): Sources {
  const { T: S, N, data } = checkIds(where, "source", source, v.sourceVocabSize, 1, v.batchFirst);
  const lengths = options.sourceLengths === undefined ? new Int32Array(N).fill(S)
    : checkLengths(where, "sourceLengths", options.sourceLengths, N, S, 1, `S = ${S}, the source's steps`);
  const maxLength = checkInt(where, "maxLength", options.maxLength ?? DEFAULT_MAX_LENGTH);
  return { S, N, batchFirst: v.batchFirst, source: data, lengths, maxLength };
}

/** One batch of B pairs in wasm memory, cut to its longest source (S) and target (U). */
export interface PairBatch {
  S: number;
  U: number;
  B: number;
  /** Source ids i32 [S, B]. */
  source: number;
  /** Source lengths i32 [B]. */
  sourceLengths: number;
  /** Target ids i32 [U, B]: BOS y1 … yk EOS, then padding. */
  target: number;
  /** Decoder steps per pair, i32 [B]: its target length minus one (the decoder reads BOS … yk, predicts y1 … EOS). */
  decoderLengths: number;
  /** Σ decoderLengths: the target tokens the loss averages over. */
  tokens: number;
}

/** Checked pairs copied to wasm memory once, time-major (batch-first pairs reordered on the way), for batches gathered by index. */
export class StagedPairs {
  readonly N: number;
  private readonly blocks: WasmArray[];

  constructor(pairs: Pairs) {
    const { N, S, U, batchFirst } = pairs;
    this.N = N;
    const stage = (data: Int32Array): WasmArray => {
      const block = new WasmArray(data.length);
      block.i32().set(data);
      return block;
    };
    /** Ids staged time-major [T, N]; batch-first [N, T] ones are reordered in the core. */
    const timeMajor = (data: Int32Array, T: number): WasmArray => {
      const given = stage(data);
      if (!batchFirst) return given;
      const block = new WasmArray(data.length);
      core().swapLeadingAxes(block.ptr, given.ptr, N, T, 1);
      given.free();
      return block;
    };
    this.blocks = [timeMajor(pairs.source, S), timeMajor(pairs.target, U), stage(pairs.sourceLengths), stage(pairs.targetLengths)];
  }

  /**
   * The pairs whose indices are the i32 [B] at wasm address `index`, in that order, time-major in
   * `ws`'s blocks, cut to the batch's longest source (S) and target (U).
   */
  gather(index: number, B: number, ws: Workspace): PairBatch {
    const [source, target, sourceLengths, targetLengths] = this.blocks as [WasmArray, WasmArray, WasmArray, WasmArray];
    const { N } = this;
    const c = core();
    const batch = {
      sourceLengths: ws.get("batch.sourceLengths", B), decoderLengths: ws.get("batch.decoderLengths", B),
    };
    c.gatherRows(batch.sourceLengths.ptr, sourceLengths.ptr, index, B, 1);
    c.gatherRows(batch.decoderLengths.ptr, targetLengths.ptr, index, B, 1);
    const srcLen = batch.sourceLengths.i32();
    const decLen = batch.decoderLengths.i32();
    let S = 0;
    let U = 0;
    let tokens = 0;
    for (let b = 0; b < B; b++) {
      S = Math.max(S, srcLen[b]!);
      U = Math.max(U, decLen[b]!);
      decLen[b] = decLen[b]! - 1;
      tokens += decLen[b]!;
    }
    const src = ws.ptr("batch.source", S * B);
    const tgt = ws.ptr("batch.target", U * B);
    c.gatherTimeMajor(src, source.ptr, index, S, N, B, 1);
    c.gatherTimeMajor(tgt, target.ptr, index, U, N, B, 1);
    return { S, U, B, source: src, sourceLengths: batch.sourceLengths.ptr, target: tgt, decoderLengths: batch.decoderLengths.ptr, tokens };
  }

  free(): void {
    for (const block of this.blocks) block.free();
  }
}
