import { coreConstantTable } from "./constants.js";

/**
 * Activation exports of the wasm core (assembly/activations.ts). Pointers and sizes are plain
 * numbers; `kind` is an activation code from `ACTIVATION_CODES`.
 */
export interface ActivationsExports {
  /** y = f(x) for x, y [n] (y may be x). */
  activationForward(kind: number, x: number, y: number, n: number): void;
  /** dx = dy ⊙ f'(y) for the forward output y and dy, dx [n] (dx is overwritten and may be dy). */
  activationBackward(kind: number, y: number, dy: number, dx: number, n: number): void;
  /** f(x) for one number, exactly as a vector lane computes it (f32). */
  activate(kind: number, x: number): number;
  /** f'(x) from the output y = f(x) for one number, exactly as a vector lane computes it (f32). */
  activationGrad(kind: number, y: number): number;
  /** e^x in f32 (~1e-7 relative; 0 below -103.9, +Infinity above 88.72). */
  expf(x: number): number;
}

/** The core's activation codes (its ACT_* constants), read at init(). */
export const ACTIVATION_CODES = coreConstantTable({
  linear: "ACT_LINEAR", tanh: "ACT_TANH", sigmoid: "ACT_SIGMOID", relu: "ACT_RELU", hardSigmoid: "ACT_HARD_SIGMOID",
});

/** Output codes beside the activation codes: a row-wise softmax (Jordan's output layer), read at init(). */
export const OUTPUT_CODES = coreConstantTable({ softmax: "OUT_SOFTMAX" });

/** An activation by name: hardSigmoid is clip(0.2 x + 0.5, 0, 1), as in Keras and tfjs. */
export type ActivationName = keyof typeof ACTIVATION_CODES;
