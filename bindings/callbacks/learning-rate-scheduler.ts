// learningRateScheduler (keras.callbacks.LearningRateScheduler): sets the learning rate at the
// start of every epoch from a function of the epoch and the current rate.
import { checkNumber, describe } from "../validate.js";
import type { Callback, FitModel } from "./callback.js";
import { settableLr } from "./settable-lr.js";

/**
 * Before every epoch, sets `optimizer.lr = schedule(epoch, lr)` (epoch from 0, lr the current rate);
 * the result must be a finite number >= 0. The optimizer must have a number lr, not a schedule.
 */
export function learningRateScheduler(schedule: (epoch: number, lr: number) => number): Callback {
  const where = "learningRateScheduler";
  if (typeof schedule !== "function") throw new TypeError(`${where}: schedule must be a function (epoch, lr) => lr; got ${describe(schedule)}`);
  let model: FitModel | null = null;
  return {
    setModel(m: FitModel): void {
      model = m;
    },
    onTrainBegin(): void {
      settableLr(where, model);
    },
    onEpochBegin(epoch: number): void {
      const optimizer = settableLr(where, model);
      optimizer.lr = checkNumber(where, `schedule(${epoch}, ${optimizer.lr})`, schedule(epoch, optimizer.lr), 0);
    },
  };
}
