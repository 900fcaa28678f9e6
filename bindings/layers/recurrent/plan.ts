// The blocks a recurrent layer's pointer-level forward and backward take from its workspaces, and
// the plan of one call (what `workspaceSize` reports and a Model reserves before its first step).
// The code takes each block through the same function the plan lists (here, in directions.ts,
// pooling.ts, context.ts and the cell tables), so the plan's sizes are the code's.
import { core } from "../../core.js";
import type { BlockRef, Workspace } from "../../buffer.js";
import type { BatchBlock, WorkspacePlan, WorkspaceShape } from "../layer.js";
import type { CarriedState, Cell } from "./cells.js";
import type { MergeMode, Pooling } from "./options.js";
import { reversedInputBlock, outputBlock, cellOrderGradientBlock, layerOrderInputGradientBlock } from "./directions.js";
import { pooledBlock, pooledSequenceGradientBlock, finalOutputGradientBlock } from "./pooling.js";
import { contextProjectionBlock, stepSumBlock } from "./context.js";

/** A carried state's block [cells, B, size] under `prefix` ("initialState", "dInitialState", ...) in the layer's workspace. */
export function carriedStateBlock(ws: Workspace, cells: number, prefix: string, name: string, size: number, B: number): BlockRef {
  return { ws, name: `${prefix}.${name}`, length: cells * B * size };
}

/** Stacked layer l's output [T, B, outW] when it is not a cell's kept output (merged directions, or dropped out). */
export function layerOutputBlock(ws: Workspace, l: number, T: number, B: number, outW: number): BlockRef {
  return { ws, name: `layer${l}.output`, length: T * B * outW };
}

/** The dropout mask [T, B, outW] applied to stacked layer l's output. */
export function dropoutMaskBlock(ws: Workspace, l: number, T: number, B: number, outW: number): BlockRef {
  return { ws, name: `layer${l}.dropout`, length: T * B * outW };
}

/** The gradient [T, B, D] of stacked layer l's input (D: its input width in floats, the vocabulary for ids). */
export function layerInputGradientBlock(ws: Workspace, l: number, T: number, B: number, D: number): BlockRef {
  return { ws, name: `layer${l}.dInput`, length: T * B * D };
}

/** The gradient of the context [B, C]. */
export function contextGradientBlock(ws: Workspace, B: number, C: number): BlockRef {
  return { ws, name: "dContext", length: B * C };
}

/** A cell's share [T, B, F] of its bidirectional layer's output gradient. */
export function cellOutputGradientBlock(cell: Cell, T: number, B: number, F: number): BlockRef {
  return { ws: cell.ws, name: "dOutput", length: T * B * F };
}

/** A reverse cell's input gradient [T, B, D] in its own time order. */
export function cellInputGradientBlock(cell: Cell, T: number, B: number, D: number): BlockRef {
  return { ws: cell.ws, name: "dInput", length: T * B * D };
}

/** What sizes a recurrent layer's blocks, as the layer describes itself to its plan. */
export interface StackLayout {
  ws: Workspace;
  cells: readonly Cell[];
  numLayers: number;
  carried: readonly CarriedState[];
  /** The merge of two directions; null for one. */
  merge: MergeMode | null;
  returnSequences: boolean;
  pooling: Pooling;
  dropout: number;
  contextSize: number;
  gateWidth: number;
  /** Features per step of one direction, and of the (merged) layer output. */
  F: number;
  outW: number;
  /** The blocks a cell's kernels take over T steps of B sequences (forward, and backward when training). */
  cellBlocks(cell: Cell, T: number, B: number, training: boolean): BlockRef[];
}

/** gemm's packing scratch for a cell's kernels (floats): for the widest B they multiply by (inputs, gates, states, context). */
function cellGemmScratch(s: StackLayout, cell: Cell): number {
  return core().gemmScratchSize(0x7fffffff, Math.max(cell.tokens ? 0 : s.gateWidth, cell.inputSize, s.F, s.contextSize));
}

/** The blocks a pointer-level forward (and, training, backward) of T steps of B sequences takes, and the core's scratch. */
export function stackPlan(s: StackLayout, { T, B, training, inputGradient, lengths }: Required<WorkspaceShape>): WorkspacePlan {
  const { ws, cells, F, outW, merge, contextSize: C } = s;
  const blocks: BlockRef[] = [];
  const dropped = (l: number): boolean => training && s.dropout > 0 && l < s.numLayers - 1;
  const pooledLast = !s.returnSequences && s.pooling === "last";
  const pooling = { merge, ws, T, B, F };
  for (const { name, size } of s.carried) {
    blocks.push(carriedStateBlock(ws, cells.length, "initialState", name, size, B));
    if (training) blocks.push(carriedStateBlock(ws, cells.length, "dInitialState", name, size, B));
  }
  if (!s.returnSequences && (s.pooling === "mean" || merge !== null)) blocks.push(pooledBlock(pooling));
  if (training && !s.returnSequences && s.pooling === "mean") blocks.push(pooledSequenceGradientBlock(pooling));
  if (training && C > 0) blocks.push(contextGradientBlock(ws, B, C));
  for (const cell of cells) {
    const first = !cell.reverse;
    const l = cell.layer;
    const needDx = training && (l > 0 || inputGradient);
    const dOut = training && !(l === s.numLayers - 1 && pooledLast);
    if (first && (merge !== null || dropped(l))) blocks.push(layerOutputBlock(ws, l, T, B, outW));
    if (first && dropped(l)) blocks.push(dropoutMaskBlock(ws, l, T, B, outW));
    if (first && needDx) blocks.push(layerInputGradientBlock(ws, l, T, B, cell.inputSize));
    blocks.push(...s.cellBlocks(cell, T, B, training));
    if (cell.reverse) blocks.push(reversedInputBlock(cell, T, B));
    if (cell.reverse || lengths) blocks.push(outputBlock(cell, T, B, F));
    if (dOut && merge !== null) blocks.push(cellOutputGradientBlock(cell, T, B, F));
    if (dOut && (cell.reverse || lengths)) blocks.push(cellOrderGradientBlock(cell, T, B, F));
    if (training && l === s.numLayers - 1 && pooledLast) blocks.push(finalOutputGradientBlock(cell, B, F));
    if (needDx && cell.reverse) blocks.push(cellInputGradientBlock(cell, T, B, cell.inputSize), layerOrderInputGradientBlock(cell, T, B, cell.inputSize));
    if (l === 0 && C > 0) blocks.push(contextProjectionBlock(cell, B, s.gateWidth));
    if (training && l === 0 && C > 0) blocks.push(stepSumBlock(cell, B, s.gateWidth));
  }
  const tokens = cells.find((cell) => cell.tokens);
  return {
    blocks,
    gemmScratch: 4 * Math.max(...cells.map((cell) => cellGemmScratch(s, cell))),
    tokenTable: tokens === undefined ? 0 : 4 * core().tokenTableSize(tokens.inputSize, s.gateWidth),
  };
}

/** The sizes of a recurrent layer that its largest batch block depends on. */
export interface StackSizes {
  /** Gates · H, cell output F, merged output, context C, one step's input (1 for ids), the largest final state. */
  gateWidth: number;
  cellOutputSize: number;
  outputSize: number;
  contextSize: number;
  stepInput: number;
  stateSize: number;
}

/** The largest block of wasm memory a forward and backward over T steps of B sequences allocate (named for size errors). */
export function largestStackBlock(s: StackSizes, T: number, B: number): BatchBlock {
  const G = s.gateWidth;
  const F = s.cellOutputSize;
  const blocks: BatchBlock[] = [
    { name: `gates [${T}, ${B}, ${G}]`, values: T * B * G },
    { name: `states [${T + 1}, ${B}, ${s.stateSize}]`, values: (T + 1) * B * s.stateSize },
    { name: `outputs [${T}, ${B}, ${s.outputSize}]`, values: T * B * s.outputSize },
    { name: `inputs [${T}, ${B}, ${s.stepInput}]`, values: T * B * s.stepInput },
    { name: `context [${B}, ${s.contextSize}]`, values: B * s.contextSize },
    // the recurrent weights [G, F] packed for the matrix products, both ways (gemmPackedSize rounds to 8 columns)
    { name: `packed recurrent weights [${G}, ${F}]`, values: Math.max((G + 7) * F, (F + 7) * G) },
  ];
  return blocks.reduce((a, b) => (b.values > a.values ? b : a));
}
