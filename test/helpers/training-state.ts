// Bit-exact snapshots of what training changes (every parameter, the optimizer's moments and step
// count), to assert that a refused call left a model exactly as it was.
import assert from "node:assert/strict";
import type { Optimizer } from "../../bindings/optimizers.js";
import type { Tensor } from "../../bindings/tensor.js";

/** A model's parameters and optimizer state as raw float32 bits (NaN-safe, -0 distinct from 0). */
export interface TrainingState {
  params: Record<string, Uint32Array>;
  iterations: number;
  moments: Record<string, Uint32Array>;
}

/** Anything trained by an optimizer that reports its parameters by name (Model, Seq2Seq). */
export interface Trainable {
  stateDict(): Record<string, Tensor>;
  readonly optimizer: Optimizer;
}

function bits(values: Float32Array): Uint32Array {
  return new Uint32Array(values.slice().buffer);
}

export function trainingState(model: Trainable): TrainingState {
  const params: Record<string, Uint32Array> = {};
  for (const [name, t] of Object.entries(model.stateDict())) params[name] = bits(t.data);
  const { iterations, buffers } = model.optimizer.exportState();
  const moments: Record<string, Uint32Array> = {};
  for (const [name, values] of Object.entries(buffers)) moments[name] = bits(values);
  return { params, iterations, moments };
}

/** Asserts that `model`'s parameters and optimizer state are bit-identical to `before`. */
export function assertUnchanged(model: Trainable, before: TrainingState, what: string): void {
  const now = trainingState(model);
  assert.equal(now.iterations, before.iterations, `${what}: optimizer iterations`);
  assert.deepEqual(Object.keys(now.params), Object.keys(before.params), `${what}: parameter names`);
  for (const [name, b] of Object.entries(before.params)) assert.ok(Buffer.compare(Buffer.from(now.params[name]!.buffer), Buffer.from(b.buffer)) === 0, `${what}: parameter ${name}`);
  assert.deepEqual(Object.keys(now.moments), Object.keys(before.moments), `${what}: optimizer state names`);
  for (const [name, b] of Object.entries(before.moments)) assert.ok(Buffer.compare(Buffer.from(now.moments[name]!.buffer), Buffer.from(b.buffer)) === 0, `${what}: optimizer ${name}`);
}
