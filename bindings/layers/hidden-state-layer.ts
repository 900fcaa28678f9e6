// What the recurrent layers share whose only carried state is h and whose kernels are described by
// cell tables (cells/table.ts): SimpleRNN, GRU and MGU. Each names its gate count and the tables of
// its forward and backward kernels; this class runs them.
import type { ParameterSpec } from "../arena.js";
import type { BlockRef } from "../buffer.js";
import { RecurrentLayer, torchRecurrentParams, type Cell, type CarriedState } from "./recurrent.js";
import { cellBlocks, runKernel, workspaceBlock, type CellKernel } from "./cells/table.js";

/** The kernels of a hidden-state cell and the backward block its gate-input gradients end in. */
export interface HiddenStateKernels<L> {
  forward: CellKernel<L>;
  backward: CellKernel<L>;
  /** The backward table's field holding dLoss/d(gate inputs) [T, B, gates · H], which the layer's input gradient and weight gradients read. */
  gateGradient: string;
}

export abstract class HiddenStateLayer extends RecurrentLayer {
  /** Gates per unit: the rows of weight_ih per unit (1 Elman, 2 MGU, 3 GRU). */
  protected abstract get gates(): number;

  /** The cell tables this layer runs (they may depend on its options, as GRU's resetAfter). */
  protected abstract get kernels(): HiddenStateKernels<this>;

  protected get carried(): readonly CarriedState[] {
    return [{ name: "h", size: this.units }];
  }

  protected get gateWidth(): number {
    return this.gates * this.units;
  }

  protected cellBlocks(cell: Cell, T: number, B: number, training: boolean): BlockRef[] {
    const { forward, backward } = this.kernels;
    return cellBlocks(forward, backward, this.cellCall(cell, T, B), training);
  }

  protected cellParams(cell: Cell): ParameterSpec[] {
    return torchRecurrentParams(this.gates, this.units, cell.inputSize, cell.suffix);
  }

  protected cellForward(cell: Cell, x: number, T: number, B: number, [h0]: readonly number[], lengths: number, zAdd: number): void {
    runKernel(this.kernels.forward, this.cellCall(cell, T, B), { x, lengths, h0: h0!, zAdd });
  }

  protected cellKeptOutput(cell: Cell, T: number, B: number): number {
    return workspaceBlock(this.kernels.forward, "hs", this.cellCall(cell, T, B)) + B * this.units * 4;
  }

  protected cellBackward(cell: Cell, x: number, T: number, B: number, dOut: number, [dhT]: readonly number[], dx: number, [dh0]: readonly number[], lengths: number): number {
    const call = this.cellCall(cell, T, B);
    const { backward, gateGradient } = this.kernels;
    runKernel(backward, call, { x, lengths, dOut, dhT: dhT!, dx, dh0: dh0! });
    return workspaceBlock(backward, gateGradient, call);
  }
}
