// The finite-difference gradient checks as one table: a row per layer kind and option set, with the
// sizes, seeds, initial states, lengths and context it runs on. test/gradients.test.ts runs every row
// (recurrent rows through gradCheckRecurrent, Dense rows through a feed-forward check).
import type { DenseOptions } from "../../bindings/layers/dense.js";
import type { MergeMode } from "../../bindings/layers/recurrent.js";
import type { RecurrentKind, RecurrentKindOptions, RecurrentRow } from "./layer-kinds.js";

/** A recurrent layer checked on x [T, B, inputSize]. */
export type RecurrentGradientCase = RecurrentRow & {
  /** The describe block and the test title. */
  suite: string;
  title: string;
  T: number;
  B: number;
  /** Seed of x (randomArray(T * B * inputSize, xSeed)). */
  xSeed: number;
  /** The initial states given (and weighted in the loss): name -> [seed, scale] of randomArray over the state's shape. */
  states: Record<string, readonly [number, number]>;
  /** lengths [B], or none (every sequence has T steps). */
  lengths?: readonly number[];
  /** Seed of the context [B, contextSize] when the layer takes one. */
  contextSeed?: number;
  /** Peephole weights (zero at construction) set to randomArray(H, name.length, 0.8) before the check. */
  randomPeepholes?: boolean;
};

/** A Dense layer checked on x [...shape, inputSize] against the loss <y, w>. */
export interface DenseGradientCase {
  kind: "Dense";
  options: DenseOptions;
  suite: string;
  title: string;
  shape: readonly number[];
  xSeed: number;
  wSeed: number;
}

export type GradientCase = RecurrentGradientCase | DenseGradientCase;

/** The sizes [T, B, D, H] the per-cell option sets run at: a SIMD tail, batch 1, H = 8. */
const CELL_SIZES = [[4, 3, 5, 6], [2, 1, 3, 5], [3, 2, 2, 8]] as const;

/** Sizes [T, B, D, H] with H = 1, 3, 5, 17: every H % 4 tail of the SIMD lanes, and 4 whole lanes plus one. */
const TAIL_SIZES = [[4, 3, 5, 1], [3, 2, 2, 3], [2, 1, 3, 5], [3, 2, 4, 17]] as const;

/** Rows of one cell's option sets at every entry of `sizes`. */
function cellRows<K extends "LSTM" | "GRU" | "MGU">(kind: K, variants: [string, Partial<RecurrentKindOptions[K]>][],
  states: Record<string, readonly [number, number]>, sizes: readonly (readonly [number, number, number, number])[] = CELL_SIZES): RecurrentGradientCase[] {
  return variants.flatMap(([label, options]) => sizes.map(([T, B, D, H]) => ({
    kind, options: { inputSize: D, units: H, seed: 4, ...options }, suite: kind,
    title: `gradients match finite differences (${label}, T=${T} B=${B} D=${D} H=${H})`,
    T, B, xSeed: 1, states, randomPeepholes: (options as Partial<RecurrentKindOptions["LSTM"]>).peephole === true,
  }) as RecurrentGradientCase));
}

const LSTM_ROWS = cellRows("LSTM", [
  ["default", {}],
  ["peephole", { peephole: true }],
  ["hard sigmoid gates, relu", { recurrentActivation: "hardSigmoid", activation: "relu" }],
  ["peephole, linear", { peephole: true, activation: "linear" }],
  ["sigmoid activation", { activation: "sigmoid" }],
], { h: [2, 0.5], c: [3, 0.5] });

const GRU_ROWS = cellRows("GRU", [
  ["reset after (PyTorch)", {}],
  ["reset before (original)", { resetAfter: false }],
  ["reset after, hard sigmoid, relu", { recurrentActivation: "hardSigmoid", activation: "relu" }],
  ["reset before, linear", { resetAfter: false, activation: "linear" }],
  ["reset before, sigmoid", { resetAfter: false, activation: "sigmoid" }],
], { h: [2, 0.5] });

const MGU_ROWS = [
  ...cellRows("MGU", [
    ["default", {}],
    ["hard sigmoid gate, relu", { recurrentActivation: "hardSigmoid", activation: "relu" }],
    ["linear", { activation: "linear" }],
    ["sigmoid activation", { activation: "sigmoid" }],
  ], { h: [2, 0.5] }, TAIL_SIZES),
  // padding, both directions and a stack at every tail
  ...TAIL_SIZES.map(([, , D, H]): RecurrentGradientCase => ({
    kind: "MGU", options: { inputSize: D, units: H, numLayers: 2, bidirectional: true, seed: 4 }, suite: "MGU",
    title: `gradients match finite differences (2 layers bidirectional, lengths [4, 2, 1], D=${D} H=${H})`,
    T: 4, B: 3, xSeed: 1, states: { h: [2, 0.5] }, lengths: [4, 2, 1],
  })),
];

const SIMPLE_RNN_ROWS: RecurrentGradientCase[] = (["tanh", "relu", "linear"] as const).map((activation) => ({
  kind: "SimpleRNN", options: { inputSize: 5, units: 6, activation, seed: 3 }, suite: "SimpleRNN",
  title: `gradients match finite differences (${activation}, T=4, B=3, D=5, H=6)`, T: 4, B: 3, xSeed: 1, states: { h: [2, 0.5] },
}));

const JORDAN_ROWS: RecurrentGradientCase[] = ([["tanh", "linear"], ["relu", "softmax"], ["sigmoid", "sigmoid"], ["linear", "tanh"]] as const)
  .map(([activation, outputActivation]) => ({
    kind: "Jordan", options: { inputSize: 3, units: 5, outputUnits: 4, activation, outputActivation, seed: 7 }, suite: "Jordan",
    title: `gradients match finite differences (f ${activation}, g ${outputActivation})`, T: 4, B: 2, xSeed: 1, states: { y: [2, 0.5] },
  }));

/** Every cell kind in the architecture rows, with its size options and the initial states it is given. */
const ARCHITECTURE_CELLS: [string, RecurrentRow, Record<string, readonly [number, number]>][] = [
  ["SimpleRNN", { kind: "SimpleRNN", options: { inputSize: 2, units: 4, seed: 2 } }, { h: [20, 0.5] }],
  ["Jordan", { kind: "Jordan", options: { inputSize: 2, units: 4, outputUnits: 3, seed: 2 } }, { y: [20, 0.5] }],
  ["LSTM", { kind: "LSTM", options: { inputSize: 2, units: 4, peephole: true, seed: 2 } }, { h: [20, 0.5], c: [21, 0.5] }],
  ["GRU (reset before)", { kind: "GRU", options: { inputSize: 2, units: 5, resetAfter: false, seed: 2 } }, { h: [20, 0.5] }],
  ["GRU", { kind: "GRU", options: { inputSize: 2, units: 3, seed: 2 } }, { h: [20, 0.5] }],
  ["MGU", { kind: "MGU", options: { inputSize: 2, units: 5, seed: 2 } }, { h: [20, 0.5] }],
];

type ArchitectureOptions = Partial<RecurrentKindOptions[RecurrentKind]>;

/** Stacks, directions, merges, pooling and contexts: [label, options, with lengths [4, 2, 1]]. */
const ARCHITECTURES: [string, ArchitectureOptions, boolean][] = [
  ["2 layers", { numLayers: 2 }, false],
  ["bidirectional concat, lengths", { bidirectional: true }, true],
  ...(["sum", "mul", "ave"] as MergeMode[]).map((m): [string, ArchitectureOptions, boolean] => [`bidirectional ${m}`, { bidirectional: true, mergeMode: m }, false]),
  ["2 layers bidirectional, lengths", { numLayers: 2, bidirectional: true }, true],
  ["many-to-one last, lengths", { returnSequences: false }, true],
  ["many-to-one mean, lengths, bidirectional", { returnSequences: false, pooling: "mean", bidirectional: true }, true],
  ["context", { contextSize: 3 }, false],
  ["context, bidirectional, lengths", { contextSize: 2, bidirectional: true }, true],
];

const ARCHITECTURE_ROWS: RecurrentGradientCase[] = ARCHITECTURE_CELLS.flatMap(([cell, row, states]) => ARCHITECTURES.map(([label, options, withLengths]) => ({
  ...row, options: { ...row.options, ...options }, suite: "deep, bidirectional, variable-length and context networks",
  title: `${cell}: ${label}`, T: 4, B: 3, xSeed: 1, states,
  ...(withLengths ? { lengths: [4, 2, 1] } : {}),
  ...(options.contextSize ? { contextSeed: 5 } : {}),
}) as RecurrentGradientCase));

const DENSE_ROWS: DenseGradientCase[] = (["linear", "tanh", "sigmoid"] as const).map((activation) => ({
  kind: "Dense", options: { inputSize: 5, units: 3, activation, seed: 2 }, suite: "Dense",
  title: `gradients match finite differences on a sequence [T, B, I] (${activation})`, shape: [3, 2], xSeed: 3, wSeed: 4,
}));

/** Every finite-difference gradient check of a layer's backward. */
export const GRADIENT_CASES: readonly GradientCase[] = [
  ...SIMPLE_RNN_ROWS, ...JORDAN_ROWS, ...LSTM_ROWS, ...GRU_ROWS, ...MGU_ROWS, ...ARCHITECTURE_ROWS, ...DENSE_ROWS,
];
