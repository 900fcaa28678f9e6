// The two directions of a bidirectional layer: a reverse cell reads and writes its sequences
// reversed within each sequence's length, and the directions' outputs are merged at every step.
import { core } from "../../core.js";
import { MERGE_CODES } from "../../kernels/sequence.js";
import type { MergeMode } from "./options.js";
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

/** The layer's input [T, B, W] in the cell's time order: as is, or reversed within lengths (cell.ws "xReversed"). */
export function inputInCellOrder(cell: Cell, layerInput: number, T: number, B: number, lengths: number): number {
  if (!cell.reverse) return layerInput;
  const W = cellInputWidth(cell);
  const xr = cell.ws.ptr("xReversed", T * B * W);
  core().reverseWithinLengths(xr, layerInput, lengths, T, B, W); // 4-byte elements: ids or floats
  return xr;
}

/** Where inputInCellOrder put the input in the last forward (for backward). */
export function lastInputInCellOrder(cell: Cell, layerInput: number, T: number, B: number): number {
  return cell.reverse ? cell.ws.ptr("xReversed", T * B * cellInputWidth(cell)) : layerInput;
}

function outputBlock(cell: Cell, T: number, B: number, F: number): number {
  return cell.ws.ptr("output", T * B * F);
}

/** A cell's kept output [T, B, F] in the layer's time order, padded steps zeroed (forward only). */
export function outputInLayerOrder(cell: Cell, kept: number, T: number, B: number, F: number, lengths: number): number {
  if (!cell.reverse && lengths === 0) return kept;
  const dst = outputBlock(cell, T, B, F);
  if (cell.reverse) core().reverseWithinLengths(dst, kept, lengths, T, B, F);
  else core().maskPaddedSteps(dst, kept, lengths, T, B, F);
  return dst;
}

/** What outputInLayerOrder returned in the last forward (for backward: nothing has overwritten it since). */
export function lastOutputInLayerOrder(cell: Cell, kept: number, T: number, B: number, F: number, lengths: number): number {
  return !cell.reverse && lengths === 0 ? kept : outputBlock(cell, T, B, F);
}

/** dOutput [T, B, F] in the cell's time order, padded steps zeroed (cell.ws "dOutputCellOrder"); 0 stays 0. */
export function gradientInCellOrder(cell: Cell, dOut: number, T: number, B: number, F: number, lengths: number): number {
  if (dOut === 0 || (!cell.reverse && lengths === 0)) return dOut;
  const tmp = cell.ws.ptr("dOutputCellOrder", T * B * F);
  if (cell.reverse) core().reverseWithinLengths(tmp, dOut, lengths, T, B, F);
  else core().maskPaddedSteps(tmp, dOut, lengths, T, B, F);
  return tmp;
}

/** dLayerInput [T, B, D] (+)= a cell's dInput, put back in the layer's time order (the forward cell writes, the reverse one adds). */
export function addInputGradient(cell: Cell, dLayerInput: number, dCellInput: number, T: number, B: number, D: number, lengths: number): void {
  const c = core();
  if (!cell.reverse) {
    c.copyF32(dLayerInput, dCellInput, T * B * D);
    return;
  }
  const tmp = cell.ws.ptr("dInputLayerOrder", T * B * D);
  c.reverseWithinLengths(tmp, dCellInput, lengths, T, B, D);
  c.addInPlace(dLayerInput, tmp, T * B * D);
}
