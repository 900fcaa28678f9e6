// The optimizer whose learning rate a callback sets (reduceLROnPlateau, learningRateScheduler):
// one built with a schedule refuses, as Keras does, since the schedule sets the rate at every step.
import type { Optimizer } from "../optimizers/optimizer.js";
import type { FitModel } from "./callback.js";
import { modelOf } from "./model-of.js";

/** The model's optimizer, or a TypeError naming the callback `where` when its lr follows a schedule. */
export function settableLr(where: string, model: FitModel | null): Optimizer {
  const { optimizer } = modelOf(where, model);
  const schedule = optimizer.schedule ?? null;
  if (schedule !== null) {
    throw new TypeError(`${where}: the optimizer's lr is a schedule (${schedule.type}), which sets it at every step; use a number lr with this callback, or the schedule alone`);
  }
  return optimizer;
}
