// What fit resolves to: the epochs' logs as a plain array (as before), which is also a tf.History /
// keras History: `epoch` lists the epochs and `history` every log by name, one value per epoch.
import type { BaseLogs } from "./callback.js";

/** Each log of `Logs` but the epoch, one value per epoch (valLoss only when fit validated, ...). */
export type HistoryRecord<Logs extends BaseLogs> = { [K in Exclude<keyof Logs, "epoch">]: number[] };

/**
 * The logs of every epoch fit ran, in order: a plain array (index it, iterate it, compare it with
 * deepStrictEqual), with the tf.History views `epoch` ([0, 1, ...]) and `history`
 * ({ loss: [...], valLoss: [...], lr: [...] }) as non-enumerable getters.
 */
export type History<Logs extends BaseLogs> = Logs[] & {
  /** The epochs (from 0), as tf.History.epoch. */
  readonly epoch: number[];
  /** Every log by name (as in the logs, camelCase: loss, accuracy, valLoss, lr, ...), one value per epoch that has it. */
  readonly history: HistoryRecord<Logs>;
};

/** `logs` (kept, and grown by fit as epochs end) with the `epoch` and `history` getters. */
export function historyOf<Logs extends BaseLogs>(logs: Logs[]): History<Logs> {
  return Object.defineProperties(logs, {
    epoch: { get: () => logs.map((l) => l.epoch) },
    history: {
      get: () => {
        const record: Record<string, number[]> = {};
        for (const l of logs) {
          for (const [name, value] of Object.entries(l)) if (name !== "epoch" && typeof value === "number") (record[name] ??= []).push(value);
        }
        return record;
      },
    },
  }) as History<Logs>;
}
