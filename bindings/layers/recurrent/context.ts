// A per-sequence context c [B, C] fed to every step of the first layer through weight_ch
// [gateWidth, C]: its projection is added to the cell's input-side pre-activations z_t.
//   z_t += c W_ch^T                 (the same [B, gateWidth] at every step)
//   dW_ch += (Σ_t dz_t)^T c,  dc += (Σ_t dz_t) W_ch
import { core } from "../../core.js";
import type { ParameterSpec } from "../../arena.js";
import { blockPtr, type BlockRef } from "../../buffer.js";
import type { Cell } from "./cells.js";

/** weight_ch of each first-layer cell [gateWidth, C]. */
export function contextParams(cells: readonly Cell[], gateWidth: number, C: number): ParameterSpec[] {
  return cells.filter((cell) => cell.layer === 0).map((cell) => ({ name: `weight_ch${cell.suffix}`, shape: [gateWidth, C] }));
}

/** A first-layer cell's context projection z [B, GW]. */
export function contextProjectionBlock(cell: Cell, B: number, GW: number): BlockRef {
  return { ws: cell.ws, name: "contextProjection", length: B * GW };
}

/** A first-layer cell's Σ_t dz_t [B, GW]. */
export function stepSumBlock(cell: Cell, B: number, GW: number): BlockRef {
  return { ws: cell.ws, name: "dZSum", length: B * GW };
}

/** z [B, GW] = context [B, C] · weight^T (into contextProjectionBlock); returns z. */
export function contextForward(cell: Cell, context: number, weight: number, B: number, GW: number, C: number): number {
  const z = blockPtr(contextProjectionBlock(cell, B, GW));
  core().gemm(B, GW, C, context, C, 1, weight, 1, C, z, GW, 0);
  return z;
}

/** dWeight [GW, C] += (Σ_t dZ_t)^T context and dContext [B, C] += (Σ_t dZ_t) weight, for dZ [T, B, GW]. */
export function contextBackward(cell: Cell, dZ: number, context: number, weight: number, dWeight: number, dContext: number, T: number, B: number, GW: number, C: number): void {
  const c = core();
  const sum = blockPtr(stepSumBlock(cell, B, GW));
  c.sumSteps(sum, dZ, T, B * GW);
  c.gemm(GW, C, B, sum, 1, GW, context, C, 1, dWeight, C, 1);
  c.gemm(B, C, GW, sum, GW, 1, weight, C, 1, dContext, C, 1);
}
