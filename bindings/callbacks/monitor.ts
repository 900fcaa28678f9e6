// The watched quantity of earlyStopping, modelCheckpoint and reduceLROnPlateau (Keras' monitor,
// mode and min_delta): which log to read, whether lower or higher is better, and what counts as
// an improvement over the best value so far.
import { checkChoice, describe } from "../validate.js";

/** "min": lower is better; "max": higher is better; "auto": max for names with "accuracy", else min (as Keras). */
export type MonitorMode = "auto" | "min" | "max";

/** The options a monitoring callback shares. */
export interface MonitorOptions {
  /** The log to watch (default "valLoss"), e.g. "loss", "accuracy", "valAccuracy". */
  monitor?: string;
  /** Default "auto". */
  mode?: MonitorMode;
}

/** The best value of one log so far, and the test of a new value against it. */
export class Monitor {
  readonly name: string;
  private readonly sign: 1 | -1;
  #best = 0;

  /** `minDelta` (>= 0, checked by the callback with its own default): how much better than the best a value must be to count as an improvement. */
  constructor(private readonly where: string, options: MonitorOptions, private readonly minDelta = 0) {
    const monitor = options.monitor ?? "valLoss";
    if (typeof monitor !== "string" || monitor === "") throw new TypeError(`${where}: monitor must be the name of a log such as "valLoss"; got ${describe(monitor)}`);
    const mode = checkChoice(where, "mode", options.mode ?? "auto", ["auto", "min", "max"] as const);
    this.name = monitor;
    this.sign = mode === "max" || (mode === "auto" && /accuracy/i.test(monitor)) ? 1 : -1;
    this.reset();
  }

  /** Forgets the best value (at the start of a fit). */
  reset(): void {
    this.#best = -this.sign * Infinity;
  }

  /** The best value seen (Infinity or -Infinity before the first). */
  get best(): number {
    return this.#best;
  }

  /** The watched value in `logs`; a RangeError naming the logs there are when it is missing. */
  read(logs: object): number {
    const value = (logs as Record<string, unknown>)[this.name];
    if (typeof value !== "number") {
      const names = Object.keys(logs).filter((k) => k !== "epoch");
      throw new RangeError(`${this.where}: monitor "${this.name}" is not in the epoch logs; expected one of ${names.map((n) => `"${n}"`).join(", ")}`);
    }
    return value;
  }

  /** Whether `value` beats the best by more than minDelta; if it does, it becomes the best. */
  update(value: number): boolean {
    if (!(this.sign * (value - this.#best) > this.minDelta)) return false;
    this.#best = value;
    return true;
  }
}
