// Model.fit with fit's own progress report (verbose 1: a bar per epoch in a terminal, a line per
// epoch otherwise) and the training time.
import type { EpochLogs, FitOptions, History, Model, ModelInput, ModelTarget } from "../bindings/index.js";

/** Time since `since` (a performance.now() value), as "12.3 s". */
export function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
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
