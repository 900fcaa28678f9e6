// earlyStopping (keras.callbacks.EarlyStopping): stops fit when the monitored log has not improved
// for `patience` epochs, and can put back the weights of the best epoch when training ends.
import { checkBoolean, checkInt, checkNumber, checkOptionKeys } from "../validate.js";
import type { BaseLogs, Callback, FitModel } from "./callback.js";
import { Monitor, type MonitorOptions } from "./monitor.js";
import { modelOf } from "./model-of.js";

/** Options of `earlyStopping`. */
export interface EarlyStoppingOptions extends MonitorOptions {
  /** Epochs without improvement after which training stops (default 0; 0 and 1 both stop at the first epoch that does not improve, as Keras). */
  patience?: number;
  /** How much better than the best a value must be to count as an improvement (default 0). */
  minDelta?: number;
  /** When training ends, put back the parameters of the best epoch, bit for bit (default false). */
  restoreBestWeights?: boolean;
}

/** The callback `earlyStopping` makes: after fit, `stoppedEpoch` is the epoch it stopped at (-1: it did not) and `bestEpoch` the best one. */
export interface EarlyStopping extends Callback {
  readonly stoppedEpoch: number;
  readonly bestEpoch: number;
}

/**
 * Stops training (fit resolves normally) once `monitor` has gone `patience` epochs without improving
 * by more than `minDelta`; with `restoreBestWeights`, the model ends with the parameters it had after
 * the best epoch (as Keras 3: whether or not training stopped early).
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  const where = "earlyStopping";
  checkOptionKeys(where, options, ["monitor", "mode", "patience", "minDelta", "restoreBestWeights"]);
  const patience = checkInt(where, "patience", options.patience ?? 0, 0);
  const monitor = new Monitor(where, options, checkNumber(where, "minDelta", options.minDelta ?? 0, 0));
  const restore = checkBoolean(where, "restoreBestWeights", options.restoreBestWeights ?? false);
  let model: FitModel | null = null;
  /** The parameters after the best epoch (with restoreBestWeights): allocated at the first improvement, then overwritten. */
  let best: Float32Array | null = null;
  let wait = 0;
  const state = {
    stoppedEpoch: -1,
    bestEpoch: -1,
    setModel(m: FitModel): void {
      model = m;
    },
    onTrainBegin(): void {
      monitor.reset();
      wait = 0;
      state.stoppedEpoch = -1;
      state.bestEpoch = -1;
    },
    onEpochEnd(epoch: number, logs: BaseLogs): void {
      const value = monitor.read(logs);
      const m = modelOf(where, model);
      wait++;
      if (monitor.update(value)) {
        state.bestEpoch = epoch;
        if (restore) {
          const params = m.parameters.params.f32();
          if (best?.length !== params.length) best = new Float32Array(params.length);
          best.set(params);
        }
        wait = 0;
        return;
      }
      if (wait >= patience && epoch > 0) {
        state.stoppedEpoch = epoch;
        m.stopTraining = true;
      }
    },
    onTrainEnd(): void {
      if (best === null || state.bestEpoch < 0) return; // no improving epoch in this fit
      const { parameters } = modelOf(where, model);
      parameters.params.f32().set(best);
      parameters.markChanged();
    },
  };
  return state;
}
