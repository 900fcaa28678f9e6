// A terminal progress bar for Model.fit: epoch, batch and the running loss of the epoch.
import cliProgress from "cli-progress";
import type { BatchProgress, EpochLogs, FitOptions, Model, ModelInput, ModelTarget } from "../bindings/index.js";

/** One bar over every batch of every epoch; pass `onBatchEnd` to `fit` and call `stop()` after it. */
export class TrainingProgress {
  private readonly bar: cliProgress.SingleBar;
  private epoch = -1;
  private lossSum = 0;

  /** @param label shown before the bar; @param epochs the `epochs` given to `fit`. */
  constructor(label: string, private readonly epochs: number) {
    this.bar = new cliProgress.SingleBar({
      format: `${label} |{bar}| epoch {epochNumber}/${epochs}  batch {batchNumber}/{batches}  loss {loss}  {duration}s`,
      barsize: 24,
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
  }

  /** Updates the bar after each batch; the loss shown is the mean over the epoch's batches so far. */
  readonly onBatchEnd = ({ epoch, batch, batches, loss }: BatchProgress): void => {
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.lossSum = 0;
    }
    this.lossSum += loss;
    const payload = { epochNumber: epoch + 1, batchNumber: batch + 1, batches, loss: (this.lossSum / (batch + 1)).toFixed(4) };
    if (epoch === 0 && batch === 0) this.bar.start(this.epochs * batches, 0, payload);
    this.bar.update(epoch * batches + batch + 1, payload);
  };

  /** Draws the final state and releases the terminal line. */
  stop(): void {
    this.bar.stop();
  }
}

/** Time since `since` (a performance.now() value), as "12.3 s". */
export function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** `fit` options plus the bar's label and an exponential learning-rate schedule. */
export interface FitWithProgressOptions extends Omit<FitOptions, "onBatchEnd" | "onEpochEnd"> {
  /** Shown before the bar (default "training"). */
  label?: string;
  /** After every epoch the optimizer's learning rate is multiplied by this (default 1: constant). */
  lrDecay?: number;
}

/** `model.fit` with a progress bar; prints the training time when done and returns fit's per-epoch logs. */
export async function fitWithProgress(model: Model, x: ModelInput, y: ModelTarget, options: FitWithProgressOptions): Promise<EpochLogs[]> {
  const { label = "training", lrDecay = 1, ...fitOptions } = options;
  const started = performance.now();
  const progress = new TrainingProgress(label, fitOptions.epochs ?? 1);
  const logs = await model.fit(x, y, {
    ...fitOptions,
    onBatchEnd: progress.onBatchEnd,
    onEpochEnd: () => {
      model.optimizer.lr *= lrDecay;
    },
  });
  progress.stop();
  console.log(`${label} time: ${seconds(started)}`);
  return logs;
}
