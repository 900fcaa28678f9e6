// An Embedding looked up inside the first recurrent layer's input projection. With ids x [T, B] in
// [0, V), table E [V, Emb] and input weights W_ih [G, Emb] (G = gates·H), the projection of step
// row m is W_ih E[x_m] = W_eff[:, x_m] with
//   W_eff [G, V] = W_ih · E^T                     (2·G·Emb·V flops, once per forward)
// so the cell runs on token ids against W_eff (a column gather, no [T·B, Emb] rows and no
// [T·B, Emb] x [Emb, G] product). The cell's BPTT scatter-adds each row's gate gradients into
// dW_eff [G, V] (zeroed first); then
//   dW_ih += dW_eff · E    [G, V] x [V, Emb]       dE += dW_eff^T · W_ih    [V, G] x [G, Emb]
// which replace the [T·B, Emb] input gradient, its scatter into dE and the [G, T·B] x [T·B, Emb]
// weight gradient: 6·G·Emb·V flops against 6·T·B·Emb·G, a saving when V < T·B.
import { core } from "../../core.js";
import type { Cell } from "./cells.js";

/** Ids x [T, B] to be looked up in an Embedding's table by the next layer itself. */
export interface EmbeddedInput {
  /** The table [V, Emb] and its gradient (same shape). */
  weight: number;
  grad: number;
  /** Vocabulary V and vector size Emb. */
  V: number;
  E: number;
}

/** Whether looking ids up inside the projection costs less than a lookup then a product (V < T·B). */
export function embeddingPaysOff(V: number, T: number, B: number): boolean {
  return V < T * B;
}

/** The cell's W_eff [G, V] block (cell.ws "embeddedWeight"). */
export function embeddedWeight(cell: Cell, input: EmbeddedInput, G: number): number {
  return cell.ws.ptr("embeddedWeight", G * input.V);
}

/** The cell's dW_eff [G, V] block (cell.ws "dEmbeddedWeight"). */
export function embeddedWeightGrad(cell: Cell, input: EmbeddedInput, G: number): number {
  return cell.ws.ptr("dEmbeddedWeight", G * input.V);
}

/** Before the cell's forward: W_eff = W_ih [G, Emb] · E^T, and dW_eff zeroed for its backward. */
export function embeddedForward(cell: Cell, input: EmbeddedInput, wih: number, G: number): void {
  const { weight, V, E } = input;
  const c = core();
  c.gemm(G, V, E, wih, E, 1, weight, 1, E, embeddedWeight(cell, input, G), V, 0);
  c.fillF32(embeddedWeightGrad(cell, input, G), G * V, 0);
}

/** After the cell's backward: dW_eff folded into dW_ih [G, Emb] and the table's gradient dE [V, Emb]. */
export function embeddedBackward(cell: Cell, input: EmbeddedInput, wih: number, dwih: number, G: number): void {
  const { weight, grad, V, E } = input;
  const dwEff = embeddedWeightGrad(cell, input, G);
  const c = core();
  c.gemm(G, E, V, dwEff, V, 1, weight, E, 1, dwih, E, 1);
  c.gemm(V, E, G, dwEff, 1, V, wih, E, 1, grad, E, 1);
}
