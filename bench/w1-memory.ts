// Issue 5's W1 training workload measured in wasm memory: ids read as one-hot vectors of V = 65 by
// an LSTM(128) with tokenInput, T = 64, B = 32, Dense(65), softmax cross-entropy, Adam. Run it in a
// fresh process (bench/memory.bench.ts, test/memory-reserve.test.ts), so that nothing else has
// grown the memory first.
import { memoryInfo, Model, LSTM, Dense, Adam } from "../bindings/index.js";
import { charBatch } from "./data.js";

export const W1 = { V: 65, H: 128, T: 64, B: 32, steps: 5 } as const;

/** What W1 holds in wasm memory, in bytes. */
export interface W1Memory {
  /** Wasm memory after init(), after building the model, and after the training steps (its peak: memory never shrinks). */
  atStart: number;
  built: number;
  peak: number;
  /** The most the allocated blocks held (memoryInfo().peakInUseBytes). */
  peakInUse: number;
  /** What the model reports a step takes (Model.workspaceSize). */
  workspace: number;
  /** Parameters, their gradients and Adam's two moments: 4 floats per parameter. */
  parameters: number;
  /** What BPTT keeps: gates [T, B, 4H], h and c [T+1, B, H], φ(c) [T, B, H], logits and probabilities [T, B, V]. */
  activations: number;
}

/** Builds W1's model, trains it `W1.steps` steps on one batch of characters and reports the memory (after init()). */
export function measureW1(): W1Memory {
  const { V, H, T, B, steps } = W1;
  const atStart = memoryInfo().memoryBytes;
  const model = new Model({
    layers: [new LSTM({ inputSize: V, units: H, tokenInput: true, seed: 1 }), new Dense({ inputSize: H, units: V, seed: 2 })],
    loss: "softmaxCrossEntropy",
    optimizer: new Adam({ lr: 1e-3 }),
  });
  const built = memoryInfo().memoryBytes;
  const { ids, y } = charBatch(T, B, V);
  for (let i = 0; i < steps; i++) model.trainOnBatch(ids, y);
  const info = memoryInfo();
  const result = {
    atStart, built, peak: info.memoryBytes, peakInUse: info.peakInUseBytes, workspace: model.workspaceSize({ T, B }),
    parameters: 4 * 4 * model.parameterCount,
    activations: 4 * (T * B * 4 * H + 2 * (T + 1) * B * H + T * B * H + 2 * T * B * V),
  };
  model.dispose();
  return result;
}
