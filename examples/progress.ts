// Model.fit with fit's own progress report (verbose 1: a bar per epoch in a terminal, a line per
// epoch otherwise) and the training time, and the per-epoch learning-rate decay the examples train with.
import { exponentialDecay } from "../bindings/index.js";
import type { EpochLogs, ExponentialDecay, FitOptions, History, Model, ModelInput, ModelTarget } from "../bindings/index.js";

/** Time since `since` (a performance.now() value), as "12.3 s". */
export function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** The learning rate `initialLr` times `decayRate` after every epoch of `rows` examples (ceil(rows / batchSize) steps). */
export function perEpochDecay(initialLr: number, decayRate: number, rows: number, batchSize: number): ExponentialDecay {
  return exponentialDecay({ initialLr, decaySteps: Math.ceil(rows / batchSize), decayRate, staircase: true });
}

/** `fit` options plus a label for the training time. */
export interface FitWithProgressOptions extends FitOptions {
  /** Printed before the training time (default "training"). */
  label?: string;
}

/** `model.fit` with `verbose: 1`; prints the training time when done and returns fit's History. */
export async function fitWithProgress(model: Model, x: ModelInput, y: ModelTarget, options: FitWithProgressOptions): Promise<History<EpochLogs>> {
  const { label = "training", ...fitOptions } = options;
  const started = performance.now();
  const history = await model.fit(x, y, { verbose: 1, ...fitOptions });
  console.log(`${label} time: ${seconds(started)}`);
  return history;
}
