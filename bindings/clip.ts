// Gradient clipping over a ParameterArena's whole gradient block, as torch.nn.utils does it.
import { core } from "./core.js";
import { ParameterArena } from "./arena.js";
import { isDisposed } from "./disposal.js";
import { checkPositive, describe } from "./validate.js";

/** Throws unless `arena` is a live ParameterArena (not disposed). */
export function checkArena(where: string, arena: unknown): ParameterArena {
  if (!(arena instanceof ParameterArena)) {
    throw new TypeError(`${where}: arena must be a ParameterArena; got ${describe(arena)}`);
  }
  if (isDisposed(arena)) throw new Error(`${where}: the ParameterArena has been disposed`);
  return arena;
}

/**
 * Names float `index` of a block laid out as `arena`'s (parameters, gradients, optimizer state):
 * `"weight_ih_l0" at index 3`, or the alignment padding.
 */
export function arenaSlotName(arena: ParameterArena, index: number): string {
  for (const e of arena.entries.values()) {
    if (index >= e.offset && index < e.offset + e.size) return `"${e.name}" at index ${index - e.offset}`;
  }
  return `the padding at float ${index}`;
}

/** Names the first non-finite gradient, e.g. `gradient of "weight_ih_l0" at index 3 is NaN`. */
export function firstNonFiniteGradient(arena: ParameterArena): string {
  const at = core().findNonFinite(arena.grads.ptr, arena.size);
  return `gradient of ${arenaSlotName(arena, at)} is ${arena.grads.f32()[at]}`;
}

/** The global L2 norm of all gradients, `sqrt(sum of every gradient²)` in one fused pass accumulated in float64. */
export function gradientNorm(arena: ParameterArena): number {
  return Math.sqrt(core().sumSquares(arena.grads.ptr, arena.size));
}

/**
 * Multiplies all gradients by `maxNorm / (norm + 1e-6)` when that factor is below 1, `norm` being
 * their global norm (`gradientNorm`), finite.
 */
export function scaleToMaxNorm(arena: ParameterArena, norm: number, maxNorm: number): void {
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) core().scaleF32(arena.grads.ptr, arena.size, coef);
}

/**
 * Rescales all gradients together so that their global L2 norm is at most `maxNorm`
 * (torch.nn.utils.clip_grad_norm_): with `norm = sqrt(sum of every gradient²)` (one fused
 * pass, accumulated in float64), gradients are multiplied by `maxNorm / (norm + 1e-6)` when
 * that factor is below 1.
 *
 * @returns the norm before clipping.
 * @throws RangeError when the norm is NaN or infinite, naming the first non-finite gradient;
 *   the gradients are then left unchanged.
 */
export function clipGradNorm(arena: ParameterArena, maxNorm: number): number {
  checkArena("clipGradNorm", arena);
  checkPositive("clipGradNorm", "maxNorm", maxNorm, "0 would zero every gradient");
  const norm = gradientNorm(arena);
  if (!Number.isFinite(norm)) {
    throw new RangeError(`clipGradNorm: the gradient norm is ${norm}; ${firstNonFiniteGradient(arena)}`);
  }
  scaleToMaxNorm(arena, norm, maxNorm);
  return norm;
}

/**
 * Clamps every gradient to [-clipValue, clipValue] (torch.nn.utils.clip_grad_value_);
 * NaN gradients stay NaN.
 */
export function clipGradValue(arena: ParameterArena, clipValue: number): void {
  checkArena("clipGradValue", arena);
  checkPositive("clipGradValue", "clipValue", clipValue, "0 would zero every gradient");
  core().clipByValue(arena.grads.ptr, arena.size, clipValue);
}
