// How wasm-rnn's recurrent cells map onto ONNX's RNN / LSTM / GRU operators: the gate order of
// the W, R and B blocks, the slots of the `activations` attribute, and activation names with
// their alpha / beta (consumed only by the functions that take them, as onnxruntime does).
import type { ActivationName } from "../kernels/activations.js";

/** The ONNX recurrent operators. */
export type OnnxCellOp = "RNN" | "LSTM" | "GRU";

/** One cell type's mapping. */
export interface CellMapping {
  /** Gate blocks in W / R / B. */
  gates: number;
  /** ONNX block k holds PyTorch's block onnxFromTorch[k] (LSTM: i,o,f,c from i,f,g,o; GRU: z,r,h from r,z,n). */
  onnxFromTorch: readonly number[];
  /** Names of the activation slots per direction (RNN: f; LSTM: f gates, g cell input, h output; GRU: f gates, g candidate). */
  slots: readonly ("gate" | "cell")[];
}

export const CELL_MAPPINGS: Record<OnnxCellOp, CellMapping> = {
  RNN: { gates: 1, onnxFromTorch: [0], slots: ["cell"] },
  LSTM: { gates: 4, onnxFromTorch: [0, 3, 1, 2], slots: ["gate", "cell", "cell"] },
  GRU: { gates: 3, onnxFromTorch: [1, 0, 2], slots: ["gate", "cell"] },
};

/** PyTorch / wasm-rnn peephole order (i, f, o) -> ONNX P order (i, o, f): ONNX slot k holds wasm-rnn's slot PEEPHOLE_ONNX_FROM_TORCH[k]. */
export const PEEPHOLE_ONNX_FROM_TORCH: readonly number[] = [0, 2, 1];

/** Reorders the `blocks` equal consecutive parts of `data` (gate blocks of rows): output part k is input part order[k]. */
export function permuteBlocks(data: Float32Array, blocks: number, order: readonly number[]): Float32Array {
  const size = data.length / blocks;
  const out = new Float32Array(data.length);
  order.forEach((from, k) => out.set(data.subarray(from * size, (from + 1) * size), k * size));
  return out;
}

/** The inverse of a block order: permuteBlocks(permuteBlocks(x, n, o), n, inverseOrder(o)) is x. */
export function inverseOrder(order: readonly number[]): number[] {
  const inv = new Array<number>(order.length);
  order.forEach((from, k) => (inv[from] = k));
  return inv;
}

/** An activation as ONNX's recurrent operators name it, with its alpha and beta when it takes them. */
export interface OnnxActivation {
  name: string;
  alpha?: number;
  beta?: number;
}

/** wasm-rnn activations -> ONNX recurrent activations (linear is Affine 1·x + 0; hardSigmoid is clip(0.2x + 0.5, 0, 1)). */
export const ONNX_ACTIVATIONS: Record<ActivationName, OnnxActivation> = {
  tanh: { name: "Tanh" },
  sigmoid: { name: "Sigmoid" },
  relu: { name: "Relu" },
  linear: { name: "Affine", alpha: 1, beta: 0 },
  hardSigmoid: { name: "HardSigmoid", alpha: 0.2, beta: 0.5 },
};

/** Which ONNX activations take alpha / beta, and their defaults when the attribute lists run out (as onnxruntime). */
export const ACTIVATION_PARAMETERS: Record<string, { alpha: number | null; beta: number | null }> = {
  Tanh: { alpha: null, beta: null },
  Sigmoid: { alpha: null, beta: null },
  Relu: { alpha: null, beta: null },
  Softsign: { alpha: null, beta: null },
  Softplus: { alpha: null, beta: null },
  Affine: { alpha: 1, beta: 0 },
  HardSigmoid: { alpha: 0.2, beta: 0.5 },
  ScaledTanh: { alpha: 1, beta: 1 },
  LeakyRelu: { alpha: 0.01, beta: null },
  ThresholdedRelu: { alpha: 1, beta: null },
  Elu: { alpha: 1, beta: null },
};
