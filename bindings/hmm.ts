// A discrete hidden Markov model: S hidden states in a Markov chain, each step emitting one of V
// symbols. Supervised training from labelled state paths (counts with additive smoothing),
// Baum-Welch for unlabelled sequences, the forward algorithm for log P(sequence) and Viterbi
// decoding. The hot loops run in the wasm core (assembly/hmm*.ts), in float64.
import { core, i32View } from "./core.js";
import { Workspace, type WasmArray } from "./buffer.js";
import { Rng } from "./random.js";
import { guardDisposal, markDisposed } from "./disposal.js";
import { checkInt, checkNumber, checkOptionKeys, checkSeed, describe } from "./validate.js";
import { checkTables, f64Block, f64View, tablesOf, SUM_TOLERANCE, type FlatTables, type HMMProbabilities, type HMMTables } from "./hmm-tables.js";
import { checkSequence, checkSequences, packSequences, type PackedBatch } from "./hmm-batch.js";
import { encodeHmmFile, decodeHmmFile } from "./hmm-file.js";
import { baumWelch, type BaumWelchOptions, type BaumWelchResult, type ExpectationStep } from "./hmm-baum-welch.js";
import type { IdArray } from "./sequences/check.js";

export type { HMMTables, HMMProbabilities, TableRow } from "./hmm-tables.js";
export type { BaumWelchOptions, BaumWelchProgress, BaumWelchResult } from "./hmm-baum-welch.js";

/** Options of `new HMM`. */
export interface HMMOptions {
  /** Hidden states S (>= 1). */
  states: number;
  /** Observable symbols V (>= 1): observations are ids in [0, V). */
  symbols: number;
  /** Seed of the random initial parameters (default 0). */
  seed?: number;
}

/** Options of `fitSupervised` and `HMM.fromCounts`. */
export interface SmoothingOptions {
  /** Added to every count before normalizing (default 1, add-one smoothing; 0: maximum likelihood). */
  smoothing?: number;
}

/** What `viterbi` returns. */
export interface ViterbiResult {
  /** The most likely state of every step. */
  path: number[];
  /** log P(observations, path), natural log (-Infinity when no path can emit the observations). */
  logProbability: number;
}

const MAX_STATES = 4096;

/**
 * A discrete hidden Markov model with float64 parameters in wasm memory. `new HMM({ states,
 * symbols, seed })` starts from random parameters (for Baum-Welch); `HMM.fromProbabilities`,
 * `HMM.fromCounts` and `HMM.load` build one from tables or bytes. Call `dispose()` when done; every
 * member of a disposed HMM throws.
 */
export class HMM {
  /** Hidden states S. */
  readonly states: number;
  /** Observable symbols V. */
  readonly symbols: number;
  readonly #initial: WasmArray; //     f64 [S]
  readonly #transition: WasmArray; //  f64 [S, S]
  readonly #emissionT: WasmArray; //   f64 [V, S]
  readonly #logs: { initial: WasmArray; transitionT: WasmArray; emissionT: WasmArray };
  #logsCurrent = false;
  readonly #workspace = new Workspace();

  constructor(options: HMMOptions) {
    const where = "HMM";
    if (options === null || typeof options !== "object") throw new TypeError(`${where}: options must be an object { states, symbols, seed? }; got ${describe(options)}`);
    checkOptionKeys(where, options, ["states", "symbols", "seed"]);
    const S = checkInt(where, "states", options.states);
    if (S > MAX_STATES) throw new RangeError(`${where}: states must be <= ${MAX_STATES}; got ${S}`);
    const V = checkInt(where, "symbols", options.symbols);
    if (S * V > 2 ** 26) throw new RangeError(`${where}: states * symbols must be <= ${2 ** 26} (the emission table); got ${S} * ${V} = ${S * V}`);
    const seed = checkSeed(where, options.seed ?? 0);
    this.states = S;
    this.symbols = V;
    this.#initial = f64Block(S);
    this.#transition = f64Block(S * S);
    this.#emissionT = f64Block(V * S);
    this.#logs = { initial: f64Block(S), transitionT: f64Block(S * S), emissionT: f64Block(V * S) };
    this.#randomize(seed);
    guardDisposal(this, HMM, "HMM");
  }

  /** Every entry drawn from [1, 2), each distribution normalized: near uniform, with the asymmetry EM needs to separate states. */
  #randomize(seed: number): void {
    const rng = new Rng(seed);
    for (const block of [this.#initial, this.#transition, this.#emissionT]) {
      const view = f64View(block.ptr, block.length / 2);
      for (let k = 0; k < view.length; k++) view[k] = 1 + rng.nextFloat();
    }
    rng.dispose();
    this.#normalize(this.#initial.ptr, this.#transition.ptr, this.#emissionT.ptr, 0);
  }

  /** The parameters from counts at the given addresses ([S], [S, S], [V, S] float64): (count + smoothing) normalized per distribution. */
  #normalize(start: number, transition: number, emissionT: number, smoothing: number): void {
    const S = this.states;
    const c = core();
    c.hmmNormalize(start, this.#initial.ptr, 1, S, 0, 1, smoothing);
    c.hmmNormalize(transition, this.#transition.ptr, S, S, S, 1, smoothing);
    c.hmmNormalize(emissionT, this.#emissionT.ptr, S, this.symbols, 1, S, smoothing);
    this.#logsCurrent = false;
  }

  /** Loads checked flat tables (renormalized exactly, smoothing 0). */
  #setTables(tables: FlatTables): this {
    f64View(this.#initial.ptr, tables.initial.length).set(tables.initial);
    f64View(this.#transition.ptr, tables.transition.length).set(tables.transition);
    f64View(this.#emissionT.ptr, tables.emissionT.length).set(tables.emissionT);
    this.#normalize(this.#initial.ptr, this.#transition.ptr, this.#emissionT.ptr, 0);
    return this;
  }

  /** An HMM with the given probabilities (each distribution must sum to 1 within 1e-6; it is then renormalized). */
  static fromProbabilities(probabilities: HMMTables): HMM {
    const tables = checkTables("HMM.fromProbabilities", "probabilities", probabilities, SUM_TOLERANCE);
    return new HMM({ states: tables.states, symbols: tables.symbols }).#setTables(tables);
  }

  /** An HMM from counts of starts, transitions and emissions: (count + smoothing) / Σ per distribution; a distribution of total 0 becomes uniform. */
  static fromCounts(counts: HMMTables, options: SmoothingOptions = {}): HMM {
    const where = "HMM.fromCounts";
    checkOptionKeys(where, options, ["smoothing"]);
    const smoothing = checkNumber(where, "smoothing", options.smoothing ?? 1, 0);
    const tables = checkTables(where, "counts", counts);
    const hmm = new HMM({ states: tables.states, symbols: tables.symbols });
    const blocks = hmm.#countBlocks();
    f64View(blocks.start, tables.initial.length).set(tables.initial);
    f64View(blocks.transition, tables.transition.length).set(tables.transition);
    f64View(blocks.emissionT, tables.emissionT.length).set(tables.emissionT);
    hmm.#normalize(blocks.start, blocks.transition, blocks.emissionT, smoothing);
    return hmm;
  }

  /** Reads bytes written by `save()`. */
  static load(bytes: Uint8Array): HMM {
    const tables = decodeHmmFile("HMM.load", bytes);
    return new HMM({ states: tables.states, symbols: tables.symbols }).#setTables(tables);
  }

  /** The float64 count blocks [S], [S, S], [V, S] of the workspace. */
  #countBlocks(): { start: number; transition: number; emissionT: number } {
    const S = this.states;
    return {
      start: this.#workspace.ptr("counts.start", 2 * S),
      transition: this.#workspace.ptr("counts.transition", 2 * S * S),
      emissionT: this.#workspace.ptr("counts.emission", 2 * this.symbols * S),
    };
  }

  /**
   * Supervised training: the parameters become the counts of `stateSequences` (starts,
   * transitions, and the symbol of `observations` each state emitted), plus `smoothing`,
   * normalized. stateSequences[n] labels observations[n] step by step.
   */
  fitSupervised(observations: readonly IdArray[], stateSequences: readonly IdArray[], options: SmoothingOptions = {}): this {
    const where = "HMM.fitSupervised";
    checkOptionKeys(where, options, ["smoothing"]);
    const smoothing = checkNumber(where, "smoothing", options.smoothing ?? 1, 0);
    const obs = checkSequences(where, "observations", observations, this.symbols, "symbols");
    const states = checkSequences(where, "stateSequences", stateSequences, this.states, "states");
    if (states.length !== obs.length) throw new RangeError(`${where}: stateSequences must hold one sequence per observation sequence (${obs.length}); got ${states.length}`);
    states.forEach((s, n) => {
      if (s.length !== obs[n]!.length) throw new RangeError(`${where}: stateSequences[${n}] must have the length of observations[${n}] (${obs[n]!.length}); got ${s.length}`);
    });
    const o = packSequences(this.#workspace, "observations", obs);
    const s = packSequences(this.#workspace, "states", states);
    const counts = this.#countBlocks();
    core().hmmCountPaths(o.ids, s.ids, o.offsets, o.count, this.states, this.symbols, counts.start, counts.transition, counts.emissionT);
    this.#normalize(counts.start, counts.transition, counts.emissionT, smoothing);
    return this;
  }

  /**
   * Unsupervised training by Baum-Welch (expectation-maximization) from the current parameters:
   * each iteration computes the expected counts of the observations under the model (forward-
   * backward) and re-estimates from them. Without smoothing the log-likelihood never decreases.
   * Resolves when it improves by less than `tolerance` nats per symbol or after `iterations` updates.
   */
  async fitUnsupervised(observations: readonly IdArray[], options: BaumWelchOptions = {}): Promise<BaumWelchResult> {
    const where = "HMM.fitUnsupervised";
    const obs = checkSequences(where, "observations", observations, this.symbols, "symbols");
    const batch = packSequences(this.#workspace, "observations", obs);
    const eStep: ExpectationStep = {
      expectedCounts: () => this.#expectedCounts(batch),
      maximize: (smoothing) => {
        const counts = this.#countBlocks();
        this.#normalize(counts.start, counts.transition, counts.emissionT, smoothing);
      },
    };
    return baumWelch(this, where, eStep, batch.total, options);
  }

  /** The E-step over a packed batch into the count blocks: per-sequence log-likelihoods. */
  #expectedCounts(batch: PackedBatch): Float64Array {
    const S = this.states;
    const counts = this.#countBlocks();
    const logLikelihoods = this.#workspace.ptr("logLikelihoods", 2 * batch.count);
    const work = this.#workspace.ptr("work.expectedCounts", 2 * (batch.longest * (S + 1) + 3 * S));
    core().hmmExpectedCounts(
      this.#initial.ptr, this.#transition.ptr, this.#emissionT.ptr, S, this.symbols, batch.ids, batch.offsets, batch.count,
      counts.start, counts.transition, counts.emissionT, logLikelihoods, work,
    );
    return f64View(logLikelihoods, batch.count).slice();
  }

  /** log P(observations), natural log, summed over every state path (the forward algorithm); -Infinity when no path emits them. */
  logProbability(observations: IdArray): number {
    return this.#logProbabilities([checkSequence("HMM.logProbability", "observations", observations, this.symbols, "symbols")])[0]!;
  }

  /** log P of each sequence (the forward algorithm over the batch in one core call). */
  logProbabilities(sequences: readonly IdArray[]): number[] {
    return this.#logProbabilities(checkSequences("HMM.logProbabilities", "sequences", sequences, this.symbols, "symbols"));
  }

  #logProbabilities(seqs: Int32Array[]): number[] {
    const batch = packSequences(this.#workspace, "observations", seqs);
    const out = this.#workspace.ptr("logProbabilities", 2 * batch.count);
    const work = this.#workspace.ptr("work.forward", 4 * this.states);
    core().hmmLogProbabilities(this.#initial.ptr, this.#transition.ptr, this.#emissionT.ptr, this.states, batch.ids, batch.offsets, batch.count, out, work);
    return Array.from(f64View(out, batch.count));
  }

  /** The most likely state path for `observations` and its joint log-probability (Viterbi; ties go to the lower state). */
  viterbi(observations: IdArray): ViterbiResult {
    const obs = checkSequence("HMM.viterbi", "observations", observations, this.symbols, "symbols");
    const S = this.states;
    const c = core();
    if (!this.#logsCurrent) {
      c.hmmLogParameters(this.#initial.ptr, this.#transition.ptr, this.#emissionT.ptr, S, this.symbols, this.#logs.initial.ptr, this.#logs.transitionT.ptr, this.#logs.emissionT.ptr);
      this.#logsCurrent = true;
    }
    const batch = packSequences(this.#workspace, "observations", [obs]);
    const path = this.#workspace.ptr("path", batch.total);
    const logProbability = this.#workspace.ptr("logProbabilities", 2);
    const work = this.#workspace.ptr("work.viterbi", 4 * S + batch.longest * S);
    c.hmmViterbi(this.#logs.initial.ptr, this.#logs.transitionT.ptr, this.#logs.emissionT.ptr, S, batch.ids, batch.offsets, 1, path, logProbability, work);
    return { path: Array.from(i32View(path, batch.total)), logProbability: f64View(logProbability, 1)[0]! };
  }

  /** A copy of the parameters: initial [S], transition [S][S], emission [S][V]. */
  probabilities(): HMMProbabilities {
    const S = this.states;
    const V = this.symbols;
    return tablesOf(S, V, f64View(this.#initial.ptr, S), f64View(this.#transition.ptr, S * S), f64View(this.#emissionT.ptr, V * S));
  }

  /** The model as bytes (a safetensors file of float32 tables; `HMM.load` reads it back). */
  save(): Uint8Array {
    const S = this.states;
    const V = this.symbols;
    return encodeHmmFile(S, V, f64View(this.#initial.ptr, S), f64View(this.#transition.ptr, S * S), f64View(this.#emissionT.ptr, V * S));
  }

  /** Frees the model's wasm memory; afterwards every member throws. A second call does nothing. */
  dispose(): void {
    for (const block of [this.#initial, this.#transition, this.#emissionT, this.#logs.initial, this.#logs.transitionT, this.#logs.emissionT]) block.free();
    this.#workspace.free();
    markDisposed(this);
  }
}
