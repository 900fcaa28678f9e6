// What fit resolves to: the epochs' logs as an array (as before), which is also a tf.History /
// keras History: `epoch` lists the epochs and `history` every log by name, one value per epoch.
import type { BaseLogs } from "./callback.js";

/** Each log of `Logs` but the epoch, one value per epoch (valLoss only when fit validated, ...). */
export type HistoryRecord<Logs extends BaseLogs> = { [K in Exclude<keyof Logs, "epoch">]: number[] };

/**
 * The logs of every epoch fit ran, in order (an array: index it, iterate it, map it), with the
 * tf.History views `epoch` ([0, 1, ...]) and `history` ({ loss: [...], valLoss: [...], lr: [...] }).
 * Array methods that make a new array (map, filter, slice) make plain arrays.
 */
export class History<Logs extends BaseLogs> extends Array<Logs> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /** The epochs (from 0), as tf.History.epoch. */
  get epoch(): number[] {
    return Array.from(this, (logs) => logs.epoch);
  }

  /** Every log by name (as in the logs, camelCase: loss, accuracy, valLoss, lr, ...), one value per epoch that has it. */
  get history(): HistoryRecord<Logs> {
    const record: Record<string, number[]> = {};
    for (const logs of this) {
      for (const [name, value] of Object.entries(logs)) {
        if (name !== "epoch" && typeof value === "number") (record[name] ??= []).push(value);
      }
    }
    return record as HistoryRecord<Logs>;
  }
}
