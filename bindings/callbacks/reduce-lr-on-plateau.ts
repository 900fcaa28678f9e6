// reduceLROnPlateau (keras.callbacks.ReduceLROnPlateau): multiplies the learning rate by `factor`
// when the monitored log has not improved for `patience` epochs, then waits `cooldown` epochs.
import { checkInt, checkNumber, checkOptionKeys } from "../validate.js";
import type { BaseLogs, Callback, FitModel } from "./callback.js";
import { Monitor, type MonitorOptions } from "./monitor.js";
import { settableLr } from "./settable-lr.js";

/** Options of `reduceLROnPlateau` (Keras' defaults). */
export interface ReduceLROnPlateauOptions extends MonitorOptions {
  /** The lr is multiplied by this, in (0, 1) (default 0.1). */
  factor?: number;
  /** Epochs without improvement before the lr is lowered (default 10). */
  patience?: number;
  /** How much better than the best a value must be to count as an improvement (default 1e-4). */
  minDelta?: number;
  /** The lr is never lowered below this (default 0). */
  minLr?: number;
  /** Epochs after a reduction during which epochs without improvement are not counted (default 0). */
  cooldown?: number;
}

/**
 * Lowers `optimizer.lr` to max(lr · factor, minLr) once `monitor` has gone `patience` epochs without
 * improving by more than `minDelta`. The optimizer must have a number lr, not a schedule (TypeError).
 */
export function reduceLROnPlateau(options: ReduceLROnPlateauOptions = {}): Callback {
  const where = "reduceLROnPlateau";
  checkOptionKeys(where, options, ["monitor", "mode", "factor", "patience", "minDelta", "minLr", "cooldown"]);
  const factor = checkNumber(where, "factor", options.factor ?? 0.1, 0, 1);
  if (factor === 0 || factor === 1) throw new RangeError(`${where}: factor must be in (0, 1); got ${factor}`);
  const patience = checkInt(where, "patience", options.patience ?? 10, 0);
  const monitor = new Monitor(where, options, checkNumber(where, "minDelta", options.minDelta ?? 1e-4, 0));
  const minLr = checkNumber(where, "minLr", options.minLr ?? 0, 0);
  const cooldown = checkInt(where, "cooldown", options.cooldown ?? 0, 0);
  let model: FitModel | null = null;
  let wait = 0;
  let cooling = 0;
  return {
    setModel(m: FitModel): void {
      model = m;
    },
    onTrainBegin(): void {
      settableLr(where, model);
      monitor.reset();
      wait = 0;
      cooling = 0;
    },
    onEpochEnd(_epoch: number, logs: BaseLogs): void {
      const value = monitor.read(logs);
      if (cooling > 0) {
        cooling--;
        wait = 0;
      }
      if (monitor.update(value)) {
        wait = 0;
        return;
      }
      if (cooling > 0) return;
      if (++wait < patience) return;
      const optimizer = settableLr(where, model);
      if (optimizer.lr > minLr) {
        optimizer.lr = Math.max(optimizer.lr * factor, minLr);
        cooling = cooldown;
        wait = 0;
      }
    },
  };
}
