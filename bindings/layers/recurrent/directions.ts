// The two directions of a bidirectional layer: a reverse cell reads and writes its sequences
// reversed within each sequence's length, and the directions' outputs are merged at every step.
import { core } from "../../core.js";
import { MERGE_CODES } from "../../kernels/sequence.js";
import type { MergeMode } from "./options.js";
import { blockPtr, type BlockRef } from "../../buffer.js";
import { cellInputWidth, type Cell } from "./cells.js";

/** The core's codes of the merge modes (MERGE_* in assembly/sequence.ts). */

/** out [rows, outW] = merge(a, b), each [rows, F] (outW = 2F for concat, else F). */
export function mergeDirections(mode: MergeMode, a: number, b: number, out: number, rows: number, F: number): void {
  core().mergeForward(MERGE_CODES[mode], a, b, out, rows, F);
}

/** dA, dB [rows, F] from dOut [rows, outW] through the merge of a and b. */
export function mergeDirectionsBackward(mode: MergeMode, a: number, b: number, dOut: number, dA: number, dB: number, rows: number, F: number): void {
  core().mergeBackward(MERGE_CODES[mode], a, b, dOut, dA, dB, rows, F);
}

/** A reverse cell's input [T, B, W] reversed within lengths (W: 1 for ids). */
export function reversedInputBlock(cell: Cell, T: number, B: number): BlockRef {
  return { ws: cell.ws, name: "xReversed", length: T * B * cellInputWidth(cell) };
}

/** A cell's output [T, B, F] in the layer's time order, when it is not the kept output itself (reverse cells, or lengths). */
export function outputBlock(cell: Cell, T: number, B: number, F: number): BlockRef {
  return { ws: cell.ws, name: "output", length: T * B * F };
}

/** A cell's output gradient [T, B, F] in its own time order, padded steps zeroed (reverse cells, or lengths). */
export function cellOrderGradientBlock(cell: Cell, T: number, B: number, F: number): BlockRef {
  return { ws: cell.ws, name: "dOutputCellOrder", length: T * B * F };
}

/** A reverse cell's input gradient [T, B, D] put back in the layer's time order. */
export function layerOrderInputGradientBlock(cell: Cell, T: number, B: number, D: number): BlockRef {
  return { ws: cell.ws, name: "dInputLayerOrder", length: T * B * D };
}

/** The layer's input [T, B, W] in the cell's time order: as is, or reversed within lengths (reversedInputBlock). */
export function inputInCellOrder(cell: Cell, layerInput: number, T: number, B: number, lengths: number): number {
  if (!cell.reverse) return layerInput;
  const xr = blockPtr(reversedInputBlock(cell, T, B));
  core().reverseWithinLengths(xr, layerInput, lengths, T, B, cellInputWidth(cell)); // 4-byte elements: ids or floats
  return xr;
}

/** Where inputInCellOrder put the input in the last forward (for backward). */
export function lastInputInCellOrder(cell: Cell, layerInput: number, T: number, B: number): number {
  return cell.reverse ? blockPtr(reversedInputBlock(cell, T, B)) : layerInput;
}

/** A cell's kept output [T, B, F] in the layer's time order, padded steps zeroed (forward only). */
export function outputInLayerOrder(cell: Cell, kept: number, T: number, B: number, F: number, lengths: number): number {
  if (!cell.reverse && lengths === 0) return kept;
  const dst = blockPtr(outputBlock(cell, T, B, F));
  if (cell.reverse) core().reverseWithinLengths(dst, kept, lengths, T, B, F);
  else core().maskPaddedSteps(dst, kept, lengths, T, B, F);
  return dst;
}

/** What outputInLayerOrder returned in the last forward (for backward: nothing has overwritten it since). */
export function lastOutputInLayerOrder(cell: Cell, kept: number, T: number, B: number, F: number, lengths: number): number {
  return !cell.reverse && lengths === 0 ? kept : blockPtr(outputBlock(cell, T, B, F));
}

/** dOutput [T, B, F] in the cell's time order, padded steps zeroed (cellOrderGradientBlock); 0 stays 0. */
export function gradientInCellOrder(cell: Cell, dOut: number, T: number, B: number, F: number, lengths: number): number {
  if (dOut === 0 || (!cell.reverse && lengths === 0)) return dOut;
  const tmp = blockPtr(cellOrderGradientBlock(cell, T, B, F));
  if (cell.reverse) core().reverseWithinLengths(tmp, dOut, lengths, T, B, F);
  else core().maskPaddedSteps(tmp, dOut, lengths, T, B, F);
  return tmp;
}

/**
 * dLayerInput [T, B, D] += a reverse cell's dInput, put back in the layer's time order (the forward
 * cell writes its dInput into dLayerInput directly, before).
 */
export function addReverseInputGradient(cell: Cell, dLayerInput: number, dCellInput: number, T: number, B: number, D: number, lengths: number): void {
  const tmp = blockPtr(layerOrderInputGradientBlock(cell, T, B, D));
  core().reverseWithinLengths(tmp, dCellInput, lengths, T, B, D);
  core().addInPlace(dLayerInput, tmp, T * B * D);
}
