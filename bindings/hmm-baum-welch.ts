// The Baum-Welch loop of HMM.fitUnsupervised: options, convergence, progress and cancellation.
// The E-step and M-step themselves are the core's (hmmExpectedCounts, hmmNormalize).
import { checkNotDisposed } from "./disposal.js";
import { yieldToEventLoop } from "./schedule.js";
import { checkInt, checkNumber, checkOptionKeys, describe } from "./validate.js";

/** Progress after one Baum-Welch update, for `onIteration`. */
export interface BaumWelchProgress {
  /** Updates done so far (1 after the first). */
  iteration: number;
  /** Σ log P(observations) under the parameters before this update. */
  logLikelihood: number;
}

/** Options of `HMM.fitUnsupervised`. */
export interface BaumWelchOptions {
  /** Most updates (default 100). */
  iterations?: number;
  /** Stop once an update gains less than this many nats per symbol (default 1e-6). */
  tolerance?: number;
  /** Pseudo-count added to every expected count (default 0: maximum likelihood, the log-likelihood never decreases). */
  smoothing?: number;
  /** Called after every update; a returned promise is awaited. */
  onIteration?: (progress: BaumWelchProgress) => void | Promise<void>;
  /** Stops training between updates; fitUnsupervised then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What `HMM.fitUnsupervised` resolves to. */
export interface BaumWelchResult {
  /** Σ log P(observations) before the first update, then after each: never decreasing without smoothing. */
  logLikelihoods: number[];
  /** Updates made. */
  iterations: number;
  /** Whether the last update gained less than `tolerance` per symbol (else `iterations` ran out). */
  converged: boolean;
}

/** One model's side of the loop: the E-step into its count blocks (per-sequence log-likelihoods) and the M-step from them. */
export interface ExpectationStep {
  expectedCounts(): Float64Array;
  maximize(smoothing: number): void;
}

/**
 * Runs Baum-Welch on `model` (for the disposal check): E-step, stop if converged or out of updates,
 * M-step, report, yield to the event loop. A sequence the model gives probability 0 is a RangeError.
 */
export async function baumWelch(model: object, where: string, step: ExpectationStep, symbols: number, options: BaumWelchOptions): Promise<BaumWelchResult> {
  checkOptionKeys(where, options, ["iterations", "tolerance", "smoothing", "onIteration", "signal"]);
  const iterations = checkInt(where, "iterations", options.iterations ?? 100, 0);
  const tolerance = checkNumber(where, "tolerance", options.tolerance ?? 1e-6, 0);
  const smoothing = checkNumber(where, "smoothing", options.smoothing ?? 0, 0);
  const { onIteration, signal } = options;
  if (onIteration !== undefined && typeof onIteration !== "function") throw new TypeError(`${where}: onIteration must be a function; got ${describe(onIteration)}`);
  if (signal !== undefined && Object.prototype.toString.call(signal) !== "[object AbortSignal]") {
    throw new TypeError(`${where}: signal must be an AbortSignal (new AbortController().signal); got ${describe(signal)}`);
  }
  const logLikelihoods: number[] = [];
  for (let k = 0; ; k++) {
    signal?.throwIfAborted();
    checkNotDisposed(model, where, "HMM");
    const perSequence = step.expectedCounts();
    const impossible = perSequence.findIndex((v) => v === -Infinity);
    if (impossible >= 0) {
      throw new RangeError(`${where}: observations[${impossible}] has probability 0 under the ${k === 0 ? "initial " : ""}model (a symbol no reachable state emits); Baum-Welch cannot start from it`);
    }
    const logLikelihood = perSequence.reduce((a, v) => a + v, 0);
    logLikelihoods.push(logLikelihood);
    if (k > 0 && (logLikelihood - logLikelihoods[k - 1]!) / symbols < tolerance) {
      return { logLikelihoods, iterations: k, converged: true };
    }
    if (k === iterations) return { logLikelihoods, iterations: k, converged: false };
    step.maximize(smoothing);
    await onIteration?.({ iteration: k + 1, logLikelihood });
    await yieldToEventLoop();
  }
}
