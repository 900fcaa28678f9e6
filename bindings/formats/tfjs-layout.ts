// Weight layouts between wasm-rnn (PyTorch: weight [gates·H, in], gates LSTM i,f,g,o / GRU r,z,n)
// and Keras (kernel [in, gates·H], gates LSTM i,f,c,o / GRU z,r,h), and the Keras activation names.
import type { Tensor } from "../tensor.js";
import type { ActivationName } from "../kernels/activations.js";

/** The recurrent cells Keras and wasm-rnn share. */
export type KerasCellClass = "SimpleRNN" | "LSTM" | "GRU";

/** For each Keras gate block, the PyTorch gate block holding the same gate. */
const KERAS_GATES_FROM_TORCH: Record<KerasCellClass, readonly number[]> = {
  SimpleRNN: [0],
  LSTM: [0, 1, 2, 3],
  GRU: [1, 0, 2],
};

/** Gate blocks of a cell's weights (1 for a Dense layer's kernel, as a SimpleRNN's). */
export function gateCount(cell: KerasCellClass): number {
  return KERAS_GATES_FROM_TORCH[cell].length;
}

/** Keras [in, gates·H] from PyTorch [gates·H, in]: transposed, gate blocks in Keras order. */
export function kerasMatrix(cell: KerasCellClass, torch: Tensor): Tensor {
  return transposeBlocks(KERAS_GATES_FROM_TORCH[cell], torch, true);
}

/** PyTorch [gates·H, in] from Keras [in, gates·H]: the inverse of kerasMatrix. */
export function torchMatrix(cell: KerasCellClass, keras: Tensor): Tensor {
  return transposeBlocks(KERAS_GATES_FROM_TORCH[cell], keras, false);
}

/** The transpose of a matrix (Dense: PyTorch weight [O, I] <-> Keras kernel [I, O]). */
export function transposed(t: Tensor): Tensor {
  return transposeBlocks([0], t, true);
}

/**
 * Transposes between PyTorch [gates·H, in] and Keras [in, gates·H] (toKeras: from the first),
 * Keras gate block k holding PyTorch gate block gates[k].
 */
function transposeBlocks(gates: readonly number[], t: Tensor, toKeras: boolean): Tensor {
  const [r, c] = t.shape as [number, number];
  const [rows, cols] = toKeras ? [r, c] : [c, r];
  const H = rows / gates.length;
  const out = new Float32Array(rows * cols);
  gates.forEach((from, k) => {
    for (let j = 0; j < H; j++) {
      const torchRow = (from * H + j) * cols;
      for (let col = 0; col < cols; col++) {
        const kerasAt = col * rows + k * H + j;
        if (toKeras) out[kerasAt] = t.data[torchRow + col]!;
        else out[torchRow + col] = t.data[kerasAt]!;
      }
    }
  });
  return { shape: toKeras ? [cols, rows] : [rows, cols], data: out };
}

/** A Keras bias [gates·H] from a PyTorch one (gate blocks reordered, as a one-column kerasMatrix). */
export function kerasVector(cell: KerasCellClass, torch: Float32Array): Tensor {
  return { shape: [torch.length], data: transposeBlocks(KERAS_GATES_FROM_TORCH[cell], { shape: [torch.length, 1], data: torch }, true).data };
}

/** A PyTorch bias [gates·H] from a Keras one: the inverse of kerasVector. */
export function torchVector(cell: KerasCellClass, keras: Float32Array): Tensor {
  return { shape: [keras.length], data: transposeBlocks(KERAS_GATES_FROM_TORCH[cell], { shape: [1, keras.length], data: keras }, false).data };
}

/** Element-wise a + b. */
export function addVectors(a: Float32Array, b: Float32Array): Float32Array {
  return a.map((v, i) => v + b[i]!);
}

/**
 * The Embedding that stands for ids read as one-hot vectors (tokenInput): its table is the
 * directions' first-layer kernels [V, gates·H] side by side, and each direction's kernel becomes
 * an identity block picking its columns out of the embedding, [dirs·gates·H, gates·H].
 */
export function tokenEmbedding(kernels: readonly Tensor[]): { embeddings: Tensor; kernels: Tensor[] } {
  const [V, W] = kernels[0]!.shape as [number, number];
  const E = W * kernels.length;
  const table = new Float32Array(V * E);
  kernels.forEach((k, d) => {
    for (let v = 0; v < V; v++) table.set(k.data.subarray(v * W, (v + 1) * W), v * E + d * W);
  });
  return { embeddings: { shape: [V, E], data: table }, kernels: kernels.map((_, d) => identityBlock(E, W, d)) };
}

/** The inverse of tokenEmbedding: the first-layer kernels [V, gates·H] when every kernel is its identity block, else null. */
export function tokenKernels(embeddings: Tensor, kernels: readonly Tensor[]): Tensor[] | null {
  const [V, E] = embeddings.shape as [number, number];
  const W = kernels[0]!.shape[1]!;
  if (E !== W * kernels.length) return null;
  const isIdentity = kernels.every((k, d) => {
    const block = identityBlock(E, W, d).data;
    return k.shape[0] === E && k.data.every((v, i) => v === block[i]);
  });
  if (!isIdentity) return null;
  return kernels.map((_, d) => {
    const out = new Float32Array(V * W);
    for (let v = 0; v < V; v++) out.set(embeddings.data.subarray(v * E + d * W, v * E + (d + 1) * W), v * W);
    return { shape: [V, W], data: out };
  });
}

/** [E, W] with ones at (d·W + j, j): picks columns d·W .. (d+1)·W of an E-wide input. */
function identityBlock(E: number, W: number, d: number): Tensor {
  const data = new Float32Array(E * W);
  for (let j = 0; j < W; j++) data[(d * W + j) * W + j] = 1;
  return { shape: [E, W], data };
}

/** Keras' names of the activations wasm-rnn layers use. */
const KERAS_ACTIVATIONS: Record<ActivationName, string> = {
  linear: "linear", tanh: "tanh", sigmoid: "sigmoid", relu: "relu", hardSigmoid: "hard_sigmoid",
};

/** The Keras name of a wasm-rnn activation ("hardSigmoid" -> "hard_sigmoid"). */
export function kerasActivation(name: ActivationName): string {
  return KERAS_ACTIVATIONS[name];
}

/** The wasm-rnn activation of a Keras name (tfjs' camelCase spellings accepted too), or null. */
export function wasmActivation(keras: string): ActivationName | null {
  const snake = keras.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  const found = (Object.keys(KERAS_ACTIVATIONS) as ActivationName[]).find((name) => KERAS_ACTIVATIONS[name] === snake);
  return found ?? null;
}

/** A zero vector [n] (a bias a layer does not have). */
export function zeros(n: number): Tensor {
  return { shape: [n], data: new Float32Array(n) };
}
