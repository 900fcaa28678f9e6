// What a Model's calls take of wasm memory beyond the parameters and the optimizer state, and
// reserving it once before the first batch. The core's allocator (TLSF) grows memory by at least
// its current size whenever it runs out, so workspaces arriving one block at a time during the
// first step would double it again and again; instead the model asks the core to grow once to what
// is missing (core `reserve`) and allocates every missing workspace block then, from that room.
import { core } from "../core.js";
import { blockPtr, distinctBlocks, missingBlocks, planBytes, type BlockRef } from "../buffer.js";
import { batchBlocks, batchLayout, type BatchLayout, type StagedDataset } from "../dataset.js";
import { RecurrentLayer } from "../layers/recurrent.js";
import { ModelSlices, sliceStarts, type Part } from "../threads/slices.js";
import { checkBoolean, checkInt, checkOptionKeys, describe } from "../validate.js";
import type { ModelRuntime } from "./runtime.js";

/** A batch a model's memory is sized for (`Model.workspaceSize`, `Model.reserve`). */
export interface BatchShape {
  /** Steps of the sequences. */
  T: number;
  /** Sequences in the batch. */
  B: number;
  /** A training step (default true); false: a forward alone (predict, evaluate). */
  training?: boolean;
}

/** One kind of call a reservation covers. */
export interface CallSpec {
  T: number;
  B: number;
  training: boolean;
  /** What its batches hold. */
  layout: BatchLayout;
  /** Steps per forward (truncated BPTT's chunk; T otherwise). */
  chunk: number;
  /** Length of the index of the sequences it gathers (0: none in the model's workspace). */
  index: number;
  /** Bytes of blocks it allocates and frees again while it runs (staged data, the step guard's copy). */
  transient: number[];
  /** A forward alone with threads: true runs in batch slices (predict), false whole (evaluate); unset, either. */
  sliced?: boolean;
}

/** What the calls take: blocks kept in workspaces, blocks allocated and freed within a call, and the core's own scratch. */
interface Needs {
  blocks: BlockRef[];
  transient: number[];
  gemmScratch: number;
  tokenTable: number;
}

/** Bytes TLSF takes for a block of `bytes`: a 4-byte header, the whole a multiple of 16 (see assembly/memory.ts). */
function heapBytes(bytes: number): number {
  return Math.ceil((bytes + 4) / 16) * 16;
}

/**
 * Every layer's plan along the chain (one step after a layer that pools), the batch, its index and
 * the loss gradient, for the layers and workspace of `part` (the model, or a batch slice's replica)
 * running B sequences; `whole`: the blocks and transients a call takes once, not per slice.
 */
function needsOf(model: ModelRuntime, call: CallSpec, part: Part = model, B = call.B, whole = true): Needs {
  const { training } = call;
  const { ws } = part;
  let T = call.chunk;
  let lengths = call.layout.lengths;
  const needs: Needs = { blocks: [], transient: whole ? [...call.transient] : [], gemmScratch: 0, tokenTable: 0 };
  part.layers.forEach((layer, i) => {
    const plan = layer.workspacePlan({ T, B, training, inputGradient: i > 0, lengths, memorySteps: T });
    needs.blocks.push(...plan.blocks);
    needs.gemmScratch = Math.max(needs.gemmScratch, plan.gemmScratch);
    needs.tokenTable = Math.max(needs.tokenTable, plan.tokenTable);
    if (layer instanceof RecurrentLayer && !layer.returnSequences) [T, lengths] = [1, false];
  });
  for (const block of Object.values(batchBlocks(call.layout, ws, B))) if (block !== null) needs.blocks.push(block);
  if (whole && call.index > 0) needs.blocks.push(model.indexBlock(call.index));
  if (training) needs.blocks.push({ ws, name: "dOut", length: T * B * model.spec.outputSize });
  if (training && call.chunk < call.T && call.layout.lengths) needs.blocks.push({ ws, name: "chunkLengths", length: B });
  if (whole && training) needs.transient.push(4 * model.arena.size);
  return needs;
}

/**
 * A call's needs: the model's alone, or with threads (init) each batch slice's on its part. A
 * training step always runs in slices then; a forward alone does in predict and not in evaluate
 * (`sliced`), and reserves for both when not told which.
 */
function callNeeds(model: ModelRuntime, call: CallSpec): Needs {
  const S = ModelSlices.count(call.B);
  if (S <= 1 || call.sliced === false) return needsOf(model, call);
  const starts = sliceStarts(call.B, S);
  const each = starts.slice(1).map((end, s) => needsOf(model, call, model.slices.part(s), end - starts[s]!, s === 0 && call.training));
  if (!call.training && call.sliced !== true) each.push(needsOf(model, call));
  return {
    blocks: each.flatMap((n) => n.blocks),
    transient: each.flatMap((n) => n.transient),
    gemmScratch: Math.max(...each.map((n) => n.gemmScratch)),
    tokenTable: Math.max(...each.map((n) => n.tokenTable)),
  };
}

/** The needs of all the calls together: each block once at its largest, every transient block, the largest scratch. */
function allNeeds(model: ModelRuntime, calls: readonly CallSpec[]): Needs {
  const each = calls.map((call) => callNeeds(model, call));
  return {
    blocks: distinctBlocks(each.flatMap((n) => n.blocks)),
    transient: each.flatMap((n) => n.transient),
    gemmScratch: Math.max(...each.map((n) => n.gemmScratch)),
    tokenTable: Math.max(...each.map((n) => n.tokenTable)),
  };
}

/**
 * Makes room for `calls` before the first of them runs: when a workspace block they take is not
 * allocated yet (or too small), grows wasm memory once by what they need beyond what the free block
 * at its end holds, then allocates every missing block there. Returns the bytes reserved (0 when
 * nothing was missing).
 */
export function reserveFor(model: ModelRuntime, calls: readonly CallSpec[]): number {
  // a call once reserved stays so: workspace blocks only grow until the model is disposed
  const keys = calls.map(({ T, B, training, layout, chunk, index, sliced }) => JSON.stringify([T, B, training, layout, chunk, index, sliced]));
  if (keys.every((key) => model.reserved.has(key))) return 0;
  for (const key of keys) model.reserved.add(key);
  const needs = allNeeds(model, calls);
  const missing = missingBlocks(needs.blocks).sort((a, b) => b.length - a.length);
  if (missing.length === 0) return 0;
  const bytes = reserveBlocks([...missing.map((b) => 4 * Math.max(b.length, 4)), ...needs.transient, needs.gemmScratch, needs.tokenTable]);
  for (const block of missing) blockPtr(block);
  return bytes;
}

/**
 * Grows wasm memory at most once so that blocks of these sizes (bytes) allocate after it without
 * growing it; returns the bytes reserved.
 */
export function reserveBlocks(sizes: readonly number[]): number {
  // TLSF looks for a free block one size class (1/16) above a request: room for the largest one's rounding
  const bytes = sizes.reduce((n, size) => n + heapBytes(size), 0) + Math.ceil(Math.max(...sizes) / 16);
  core().reserve(bytes);
  return bytes;
}

/** A trainOnBatch (training) or a predict / evaluate batch of `shape`, sized without a dataset: x and y of B sequences staged for it. */
export function callOfShape(model: ModelRuntime, where: string, shape: unknown): CallSpec {
  if (shape === null || typeof shape !== "object") throw new TypeError(`${where}: shape must be an object { T, B, training? }; got ${describe(shape)}`);
  checkOptionKeys(where, shape, ["T", "B", "training"]);
  const s = shape as BatchShape;
  const T = checkInt(where, "T", s.T);
  const B = checkInt(where, "B", s.B);
  const training = checkBoolean(where, "training", s.training ?? true);
  const layout = batchLayout(model.spec, T, { targets: true, mask: false, lengths: false });
  const staged = Object.values(batchBlocks(layout, model.ws, B)).flatMap((b) => (b === null ? [] : [4 * Math.max(b.length, 4)]));
  return { T, B, training, layout, chunk: T, index: B, transient: staged };
}

/** The call of a staged dataset in batches of at most `batchSize` (its index covers all its sequences). */
export function callOfData(data: StagedDataset, batchSize: number, training: boolean, chunk = data.T): CallSpec {
  return { T: data.T, B: Math.min(batchSize, data.N), training, layout: data.layout, chunk: Math.min(chunk, data.T), index: data.N, transient: [] };
}

/** Bytes a call takes beyond the parameters and the optimizer state: its workspace blocks and the blocks it allocates and frees. */
export function callBytes(model: ModelRuntime, call: CallSpec): number {
  const needs = needsOf(model, call);
  return planBytes(needs.blocks) + needs.transient.reduce((n, b) => n + b, 0);
}
