// verbose: 1 of fit in a terminal: a progress bar per epoch with the running loss and the time
// left, drawn by cli-progress (imported on demand, in Node only: no bundle for a browser or an
// edge runtime loads it), ending on the epoch's line with all its logs.
import type { SingleBar } from "cli-progress";
import type { BaseLogs, BatchProgress } from "./callback.js";
import type { Report } from "./verbose.js";
import { epochLabel, formatLogs } from "./epoch-line.js";

/** The stream the bar is drawn on. */
interface Terminal {
  isTTY?: boolean;
  write(chunk: string): unknown;
}

/** process.stdout when it is a terminal (Node, not piped), else null. */
export function terminal(): Terminal | null {
  const stdout = (globalThis as { process?: { stdout?: Terminal } }).process?.stdout;
  return stdout?.isTTY === true ? stdout : null;
}

/**
 * A callback that draws one bar per epoch on `stream`. The module name is not a literal so that
 * bundlers leave the import alone: it only runs in Node, with a terminal.
 */
export async function progressBar(epochs: number, stream: Terminal): Promise<Report> {
  const name = "cli-progress";
  const { default: cliProgress } = await import(name) as { default: typeof import("cli-progress") };
  let bar: SingleBar | null = null;
  let started = 0;
  let lossSum = 0;
  const stop = (): void => {
    bar?.stop();
    bar = null;
  };
  return {
    onEpochBegin(epoch: number): void {
      started = performance.now();
      lossSum = 0;
      bar = new cliProgress.SingleBar({
        format: `${epochLabel(epoch, epochs)} |{bar}| {value}/{total} - {time} - {logs}`,
        barsize: 20,
        stream: stream as NodeJS.WritableStream,
        hideCursor: false,
        clearOnComplete: false,
      }, cliProgress.Presets.shades_classic);
    },
    onBatchEnd(batch: number, { batches, loss }: BatchProgress): void {
      lossSum += loss;
      const elapsed = (performance.now() - started) / 1000;
      const eta = elapsed / (batch + 1) * (batches - batch - 1);
      const payload = { time: `ETA: ${eta.toFixed(1)}s`, logs: formatLogs({ loss: lossSum / (batch + 1) }) };
      if (batch === 0) bar?.start(batches, 0, payload);
      bar?.update(batch + 1, payload);
    },
    onEpochEnd(_epoch: number, logs: BaseLogs): void {
      bar?.update({ time: `${((performance.now() - started) / 1000).toFixed(1)}s`, logs: formatLogs(logs) });
      stop();
    },
    close: stop,
  };
}
