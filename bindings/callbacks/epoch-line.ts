// verbose: 2 of fit: one line per epoch in the logs, as Keras prints it:
// "Epoch 3/10 - 0.5s - loss: 0.1234 - val_loss: 0.2345".
import type { BaseLogs, Callback } from "./callback.js";

/** A number as Keras shows a log: 4 decimals, or 4 significant digits in e-notation below 1e-3. */
function formatValue(value: number): string {
  return Math.abs(value) > 1e-3 || value === 0 ? value.toFixed(4) : value.toExponential(4);
}

/** The logs after the epoch's time, Keras-style: "loss: 0.1234 - val_accuracy: 0.9000" (snake_case names, no epoch or lr). */
export function formatLogs(logs: object): string {
  return Object.entries(logs)
    .filter(([name, value]) => name !== "epoch" && name !== "lr" && typeof value === "number")
    .map(([name, value]) => `${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}: ${formatValue(value as number)}`)
    .join(" - ");
}

/** "Epoch 3/10": the 1-based epoch of `epochs`. */
export function epochLabel(epoch: number, epochs: number): string {
  return `Epoch ${epoch + 1}/${epochs}`;
}

/** Prints one line per epoch through `print` (console.log by default) with its time and logs. */
export function epochLines(epochs: number, print: (line: string) => void = (line) => console.log(line)): Callback {
  let started = 0;
  return {
    onEpochBegin(): void {
      started = performance.now();
    },
    onEpochEnd(epoch: number, logs: BaseLogs): void {
      const seconds = (performance.now() - started) / 1000;
      print(`${epochLabel(epoch, epochs)} - ${seconds.toFixed(1)}s - ${formatLogs(logs)}`);
    },
  };
}
