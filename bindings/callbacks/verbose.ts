// fit's verbose option: 0 silent, 1 a progress bar per epoch in a terminal (in Node when stdout
// is a TTY; elsewhere it behaves as 2), 2 one line per epoch.
import type { Callback } from "./callback.js";
import { epochLines } from "./epoch-line.js";
import { progressBar, terminal } from "./progress-bar.js";

/** Verbosity of fit, as Keras: 0 silent (default), 1 a progress bar (in a terminal), 2 one line per epoch. */
export type Verbosity = 0 | 1 | 2;

/** The callback that reports fit's progress; `close` releases the terminal when fit ends, also when it rejects. */
export type Report = Callback & { close?: () => void };

/** The callback that reports fit's progress at `verbose`, or null for 0. */
export async function verboseCallback(verbose: Verbosity, epochs: number): Promise<Report | null> {
  if (verbose === 0) return null;
  const stream = verbose === 1 ? terminal() : null;
  return stream === null ? epochLines(epochs) : await progressBar(epochs, stream);
}
