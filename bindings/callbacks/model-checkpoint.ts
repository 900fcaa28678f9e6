// modelCheckpoint (keras.callbacks.ModelCheckpoint): hands the model file to a save function after
// every epoch, or only after the epochs that improve the monitored log.
import { checkBoolean, checkOptionKeys, describe } from "../validate.js";
import type { BaseLogs, Callback, FitModel } from "./callback.js";
import { Monitor, type MonitorOptions } from "./monitor.js";
import { modelOf } from "./model-of.js";

/** Options of `modelCheckpoint`. */
export interface ModelCheckpointOptions<Logs extends BaseLogs = BaseLogs> extends MonitorOptions {
  /** Receives `model.save()` and the epoch's logs; awaited when it returns a promise (e.g. writing a file). */
  save: (bytes: Uint8Array, logs: Logs) => unknown;
  /** Save only after an epoch whose `monitor` is the best so far (default false: every epoch). */
  saveBestOnly?: boolean;
}

/** After every epoch (or every improving one with saveBestOnly), awaits `save(model.save(), logs)`. */
export function modelCheckpoint<Logs extends BaseLogs = BaseLogs>(options: ModelCheckpointOptions<Logs>): Callback<Logs> {
  const where = "modelCheckpoint";
  if (options === null || typeof options !== "object") throw new TypeError(`${where}: options must be an object { save, monitor?, mode?, saveBestOnly? }; got ${describe(options)}`);
  checkOptionKeys(where, options, ["save", "monitor", "mode", "saveBestOnly"]);
  if (typeof options.save !== "function") throw new TypeError(`${where}: save must be a function (bytes, logs) => ...; got ${describe(options.save)}`);
  const { save } = options;
  const bestOnly = checkBoolean(where, "saveBestOnly", options.saveBestOnly ?? false);
  const monitor = new Monitor(where, options);
  let model: FitModel | null = null;
  return {
    setModel(m: FitModel): void {
      model = m;
    },
    onTrainBegin(): void {
      monitor.reset();
    },
    async onEpochEnd(_epoch: number, logs: Logs): Promise<void> {
      if (bestOnly && !monitor.update(monitor.read(logs))) return;
      await save(modelOf(where, model).save(), logs);
    },
  };
}
