// The cells of a recurrent layer: numLayers x (1 or 2 directions), as PyTorch's nn.RNN/LSTM/GRU
// order them, each with its parameter-name suffix, input width and workspace.
import { Workspace } from "../../buffer.js";
import type { ParameterSpec } from "../../arena.js";

/** A state carried from step to step, and its size per batch row. */
export interface CarriedState {
  name: string;
  size: number;
}

/** One direction of one stacked layer: its parameter-name suffix, input width and workspace. */
export interface Cell {
  /** l * dirs + d: its block in [layers * dirs, B, size] states. */
  index: number;
  layer: number;
  reverse: boolean;
  /** "_l0", "_l1_reverse", ... */
  suffix: string;
  inputSize: number;
  /** The cell reads token ids [T, B] in [0, inputSize) (first layer of a tokenInput layer). */
  tokens: boolean;
  ws: Workspace;
}

/** PyTorch's parameters of one cell with `gates` blocks: weight_ih [gates·H, D], weight_hh [gates·H, H], bias_ih, bias_hh [gates·H]. */
export function torchRecurrentParams(gates: number, H: number, D: number, suffix: string): ParameterSpec[] {
  return [
    { name: `weight_ih${suffix}`, shape: [gates * H, D] },
    { name: `weight_hh${suffix}`, shape: [gates * H, H] },
    { name: `bias_ih${suffix}`, shape: [gates * H] },
    { name: `bias_hh${suffix}`, shape: [gates * H] },
  ];
}

/** How a layer stacks its cells. */
export interface StackShape {
  numLayers: number;
  bidirectional: boolean;
  /** The first layer's input features (vocabulary size with tokenInput). */
  inputSize: number;
  /** Features per step of every layer's (merged) output, the input of the next. */
  outputSize: number;
  tokenInput: boolean;
}

/** The cells, layer-major and direction-minor as PyTorch orders h_n. */
export function stackCells({ numLayers, bidirectional, inputSize, outputSize, tokenInput }: StackShape): Cell[] {
  const cells: Cell[] = [];
  for (let l = 0; l < numLayers; l++) {
    for (let d = 0; d < (bidirectional ? 2 : 1); d++) {
      cells.push({
        index: cells.length, layer: l, reverse: d === 1, suffix: `_l${l}${d === 1 ? "_reverse" : ""}`,
        inputSize: l === 0 ? inputSize : outputSize, tokens: l === 0 && tokenInput, ws: new Workspace(),
      });
    }
  }
  return cells;
}

/** Values per step and sequence of a cell's input: 1 id, or inputSize floats. */
export function cellInputWidth(cell: Cell): number {
  return cell.tokens ? 1 : cell.inputSize;
}
