// What every optimizer shares: the learning rate, the step count, one arena, the state buffers,
// and the option checks of the hyperparameters.
import { core } from "../core.js";
import { WasmArray } from "../buffer.js";
import type { ParameterArena } from "../arena.js";
import { checkArena } from "../clip.js";
import { checkNumber, checkOptionKeys, describe } from "../validate.js";
import { checkNotOwned, guardDisposal, isDisposed, markDisposed } from "../disposal.js";
import type { Optimizer, OptimizerConfig, OptimizerState } from "./optimizer.js";
import { checkLearningRate, learningRateAt, type LearningRateSchedule } from "./schedules.js";

/** Defaults merged with the given options (undefined values keep the default); unknown keys throw. */
export function withDefaults<T extends object>(where: string, options: T | undefined, defaults: Required<T>): Required<T> {
  checkOptionKeys(where, options, Object.keys(defaults));
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(options ?? {})) if (value !== undefined) merged[key] = value;
  return merged as Required<T>;
}

/** A finite number >= 0. */
export function checkNonNegative(where: string, name: string, value: unknown): number {
  return checkNumber(where, name, value, 0);
}

/** A finite number > 0. */
export function checkPositive(where: string, name: string, value: unknown): number {
  checkNumber(where, name, value, 0);
  if (value === 0) throw new RangeError(`${where}: ${name} must be > 0; got 0`);
  return value as number;
}

/** A number in [0, 1). */
export function checkBeta(where: string, name: string, value: unknown): number {
  checkNumber(where, name, value, 0, 1);
  if (value === 1) throw new RangeError(`${where}: ${name} must be in [0, 1); got 1`);
  return value as number;
}

/**
 * What every optimizer shares: the learning rate (a number or a schedule), the step count, binding to one arena, and one
 * state buffer of `arena.size` floats per name in `stateNames`, filled with `stateFill`, allocated
 * when bound.
 */
export abstract class ArenaOptimizer implements Optimizer {
  #lr: number | LearningRateSchedule;
  #iterations = 0;
  #arena: ParameterArena | null = null;
  #state: WasmArray[] = [];

  protected constructor(protected readonly name: string, lr: unknown, readonly stateNames: readonly string[],
    private readonly stateFill = 0) {
    this.#lr = checkLearningRate(name, "lr", lr);
    guardDisposal(this, ArenaOptimizer, "optimizer");
  }

  /**
   * Learning rate used by the next step: the schedule's value at `iterations` when built with one.
   * A number lr may be set between steps (>= 0); setting a scheduled one is a TypeError.
   */
  get lr(): number {
    return learningRateAt(this.#lr, this.#iterations);
  }

  set lr(value: number) {
    const lr = this.#lr;
    if (typeof lr !== "number") {
      throw new TypeError(`${this.name}.lr: the learning rate is a schedule (${lr.type}), which sets it at every step; it cannot be set. Build the optimizer with a number lr to set it`);
    }
    this.#lr = checkNonNegative(this.name, "lr", value);
  }

  /** The learning-rate schedule the optimizer was built with, or null for a number lr. */
  get schedule(): LearningRateSchedule | null {
    return typeof this.#lr === "number" ? null : this.#lr;
  }

  /** The lr hyperparameter as the config saves it: the current number, or the schedule. */
  protected get lrConfig(): number | LearningRateSchedule {
    return this.#lr;
  }

  /** Number of steps taken. */
  get iterations(): number {
    return this.#iterations;
  }

  /** Type and hyperparameters (with the current lr), for `optimizerFromConfig`. */
  abstract get config(): OptimizerConfig;

  /** Runs the update kernel for step number `step` (from 1) with learning rate `lr` and the state buffers' pointers. */
  protected abstract update(arena: ParameterArena, state: readonly number[], step: number, lr: number): void;

  /**
   * Updates `arena`'s parameters in place from its gradients. The first call binds the optimizer
   * to `arena` and allocates its state; stepping another arena afterwards throws.
   */
  step(arena: ParameterArena): void {
    const where = `${this.name}.step`;
    this.bindTo(where, arena);
    const lr = this.lr;
    this.#iterations++;
    this.update(arena, this.#state.map((s) => s.ptr), this.#iterations, lr);
    arena.markChanged();
  }

  bind(arena: ParameterArena): void {
    this.bindTo(`${this.name}.bind`, arena);
  }

  private bindTo(where: string, arena: ParameterArena): void {
    checkArena(where, arena);
    if (this.#arena === null) {
      this.#state = this.stateNames.map(() => new WasmArray(arena.size).fill(this.stateFill));
      this.#arena = arena;
    } else if (arena !== this.#arena) {
      throw new Error(`${where}: this optimizer is bound to the ParameterArena it first stepped; create one optimizer per arena`);
    }
  }

  exportState(): OptimizerState {
    if (this.#arena === null) throw new Error(`${this.name}.exportState: bind the optimizer to an arena first`);
    const buffers: Record<string, Float32Array> = {};
    this.stateNames.forEach((n, i) => { buffers[n] = this.#state[i]!.f32().slice(); });
    return { iterations: this.#iterations, buffers };
  }

  findNonFiniteState(): { name: string; index: number } | null {
    for (let i = 0; i < this.#state.length; i++) {
      const index = core().findNonFinite(this.#state[i]!.ptr, this.#state[i]!.length);
      if (index >= 0) return { name: this.stateNames[i]!, index };
    }
    return null;
  }

  importState(state: OptimizerState): void {
    const where = `${this.name}.importState`;
    if (this.#arena === null) throw new Error(`${where}: bind the optimizer to an arena first`);
    const size = this.#arena.size;
    if (state === null || typeof state !== "object") throw new TypeError(`${where}: state must be an object { iterations, buffers }; got ${describe(state)}`);
    if (state.buffers === null || typeof state.buffers !== "object") throw new TypeError(`${where}: state.buffers must be an object of Float32Arrays by name; got ${describe(state.buffers)}`);
    const names = Object.keys(state.buffers);
    if (names.length !== this.stateNames.length || this.stateNames.some((n) => !(state.buffers[n] instanceof Float32Array))) {
      throw new RangeError(`${where}: state.buffers must hold Float32Arrays named ${JSON.stringify(this.stateNames)}; got ${JSON.stringify(names)}`);
    }
    for (const n of this.stateNames) {
      const buffer = state.buffers[n]!;
      if (buffer.length !== size) throw new RangeError(`${where}: state buffer "${n}" must hold ${size} floats; got ${buffer.length}`);
      const bad = buffer.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new RangeError(`${where}: state buffer "${n}" must be finite; got ${buffer[bad]} at index ${bad}`);
    }
    if (!Number.isInteger(state.iterations) || state.iterations < 0) throw new RangeError(`${where}: state.iterations must be an integer >= 0; got ${describe(state.iterations)}`);
    this.stateNames.forEach((n, i) => this.#state[i]!.f32().set(state.buffers[n]!));
    this.#iterations = state.iterations;
  }

  /**
   * Frees the state buffers; every other method and accessor then throws (a second dispose does
   * nothing). The optimizer of a Model or Seq2Seq is disposed with it and cannot be disposed alone.
   */
  dispose(): void {
    if (isDisposed(this)) return;
    checkNotOwned(this, "optimizer");
    for (const s of this.#state) s.free();
    this.#state = [];
    this.#arena = null;
    markDisposed(this);
  }
}
