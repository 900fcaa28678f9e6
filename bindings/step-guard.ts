// The finite-step guard every training path shares (Model.trainOnBatch and fit, Seq2Seq.trainOnBatch
// and fit): an optimizer step is applied only when the loss, the gradient norm, and the parameters
// and optimizer state it produces are all finite. A batch that fails is undone as a whole from a
// copy taken when it started, even when it took several steps (truncated BPTT), and reported with
// a RangeError saying where it failed, what was not finite and what to do.
import { core } from "./core.js";
import { WasmArray } from "./buffer.js";
import type { ParameterArena } from "./arena.js";
import type { Optimizer, OptimizerState } from "./optimizers.js";
import { arenaSlotName, clipGradValue, firstNonFiniteGradient, gradientNorm, scaleToMaxNorm } from "./clip.js";
import { checkPositive } from "./validate.js";

/** Where a batch is, for the guard's messages. */
export interface BatchPlace {
  /** The public function the user called, e.g. "Model.fit". */
  where: string;
  /** The batch within the training, e.g. "at epoch 2, batch 5"; "" for trainOnBatch (the call is the batch). */
  at: string;
  /** What the user passed that may hold overflowing values, e.g. "x and y"; null when it is token ids only. */
  data: string | null;
}

/** Gradient clipping before each step; null: none. */
export interface Clipping {
  clipValue: number | null;
  clipNorm: number | null;
}

/**
 * While every gradient an optimizer reads (g + weightDecay·p) stays below this, none of the
 * built-in optimizers' states can leave float32: squared gradients stay below 1e30, so Adam's and
 * RMSprop's moving averages do too, and Adagrad's running sum would need 3e8 steps to overflow;
 * momentum buffers show in the parameters. Only above it is the state read back and scanned after
 * the step (a scan in the core of the optimizer's own buffers).
 */
const SAFE_GRADIENT = 1e15;

/** A clipping bound (the model's clipNorm / clipValue, which may be set between calls): a finite number > 0, or null. */
function checkBound(where: string, name: string, value: unknown): number | null {
  return value === null ? null : checkPositive(where, name, value, "0 would zero every gradient");
}

/**
 * One batch of training under the guard (made by `guardedBatch`). It keeps a copy of the
 * parameters (in wasm) and of the optimizer state (its moments and step count) from when the batch
 * started; `step` applies one optimizer step only when it is finite, and otherwise puts the copy
 * back and throws.
 */
export class GuardedBatch {
  private readonly params: WasmArray;
  private readonly optimizerState: OptimizerState;
  private readonly clipping: Clipping;

  constructor(private readonly place: BatchPlace, private readonly arena: ParameterArena,
    private readonly optimizer: Optimizer, clipping: Clipping) {
    this.clipping = {
      clipValue: checkBound(place.where, "clipValue", clipping.clipValue),
      clipNorm: checkBound(place.where, "clipNorm", clipping.clipNorm),
    };
    this.optimizerState = optimizer.exportState();
    this.params = new WasmArray(arena.size);
    core().copyF32(this.params.ptr, arena.params.ptr, arena.size);
  }

  /**
   * One optimizer step from the gradients accumulated in the arena, whose forward pass gave `loss`:
   * checks the loss and the global gradient norm, clips (clipValue, then clipNorm), steps, and
   * checks the parameters and the optimizer state the step left. `chunk` names the step within the
   * batch (e.g. "truncatedBptt chunk 2 of 4"; "" for a batch of one step).
   *
   * @throws RangeError, with the parameters and the optimizer state as they were when the batch
   *   started, when any of these is NaN or infinite.
   */
  step(loss: number, chunk = ""): void {
    if (!Number.isFinite(loss)) this.refuse(`the loss is ${loss}`, chunk);
    let norm = gradientNorm(this.arena);
    if (!Number.isFinite(norm)) this.refuse(`the gradient norm is ${norm} (${firstNonFiniteGradient(this.arena)})`, chunk);
    const { clipValue, clipNorm } = this.clipping;
    if (clipValue !== null) {
      clipGradValue(this.arena, clipValue);
      norm = gradientNorm(this.arena);
    }
    if (clipNorm !== null) {
      scaleToMaxNorm(this.arena, norm, clipNorm);
      norm = Math.min(norm, clipNorm);
    }
    const stateMayOverflow = this.seenGradientBound(norm) >= SAFE_GRADIENT;
    this.optimizer.step(this.arena);
    const c = core();
    const badParam = c.findNonFinite(this.arena.params.ptr, this.arena.size);
    if (badParam >= 0) {
      this.refuse(`the optimizer step would make parameter ${arenaSlotName(this.arena, badParam)} ${this.arena.params.f32()[badParam]}`, chunk);
    }
    if (!stateMayOverflow) return;
    const bad = this.optimizer.findNonFiniteState();
    if (bad !== null) this.refuse(`the optimizer step would make its ${bad.name} state of ${arenaSlotName(this.arena, bad.index)} ${this.optimizer.exportState().buffers[bad.name]![bad.index]}`, chunk);
  }

  /**
   * A bound on the largest gradient the optimizer's update reads, g + weightDecay·p, from the
   * gradients' global norm `norm` (after clipping) and the parameters' norm; Infinity for an
   * optimizer whose config has no weightDecay (not a built-in one: its state is always scanned).
   */
  private seenGradientBound(norm: number): number {
    const { weightDecay } = this.optimizer.config as { weightDecay?: unknown };
    if (typeof weightDecay !== "number") return Infinity;
    return weightDecay === 0 ? norm : norm + weightDecay * Math.sqrt(core().sumSquares(this.arena.params.ptr, this.arena.size));
  }

  /**
   * Puts the batch's starting point back and throws the RangeError for `reason` (what is not
   * finite), at `chunk` of the batch; for a caller that finds a non-finite value itself (a gradient
   * that overflowed between layers).
   */
  refuse(reason: string, chunk = ""): never {
    core().copyF32(this.arena.params.ptr, this.params.ptr, this.arena.size);
    this.arena.markChanged();
    this.optimizer.importState(this.optimizerState);
    const { where, at, data } = this.place;
    const place = [at, chunk].filter((s) => s !== "").join(", ");
    const advice = [
      `lower the learning rate (optimizer.lr is ${this.optimizer.lr})`,
      this.clipping.clipNorm === null ? "clip gradients with the clipNorm option" : `lower clipNorm (now ${this.clipping.clipNorm})`,
      ...(data === null ? [] : [`check ${data} for values that overflow float32`]),
    ];
    const last = advice.pop()!;
    throw new RangeError(`${where}: ${reason}${place === "" ? "" : ` ${place}`}; nothing of this batch was applied `
      + `(the parameters and the optimizer state are as before it). To go on, ${advice.join(", ")} or ${last}`);
  }

  /** Frees the wasm copies. */
  release(): void {
    this.params.free();
  }
}

/**
 * Runs `train` (one batch: forward, backward and `batch.step` per optimizer step, several with
 * truncated BPTT) under the finite-step guard, with `arena`'s parameters and `optimizer`'s state
 * restored and a RangeError thrown when any step is not finite.
 */
export function guardedBatch<R>(place: BatchPlace, arena: ParameterArena, optimizer: Optimizer, clipping: Clipping,
  train: (batch: GuardedBatch) => R): R {
  const batch = new GuardedBatch(place, arena, optimizer, clipping);
  try {
    return train(batch);
  } finally {
    batch.release();
  }
}

/**
 * A loss over data (evaluation, validation) that must be finite: a model whose outputs overflow
 * for these inputs is an error, not a NaN or infinite result.
 */
export function checkEvaluatedLoss(where: string, loss: number, data: string | null): number {
  if (Number.isFinite(loss)) return loss;
  const cause = data === null ? "the model's outputs overflow float32" : `the model's outputs overflow float32 for these inputs (check ${data} for very large values)`;
  throw new RangeError(`${where}: the loss is ${loss}: ${cause}`);
}
