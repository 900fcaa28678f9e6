// Gradient clipping over a ParameterArena's whole gradient block, as torch.nn.utils does it.
import { core } from "./core.js";
import { ParameterArena } from "./arena.js";
import { checkNumber, describe } from "./validate.js";

/** Throws unless `arena` is a live ParameterArena (not disposed). */
export function checkArena(where: string, arena: unknown): ParameterArena {
  if (!(arena instanceof ParameterArena)) {
    throw new TypeError(`${where}: arena must be a ParameterArena; got ${describe(arena)}`);
  }
  if (arena.params.ptr === 0 || arena.grads.ptr === 0) throw new Error(`${where}: the ParameterArena was disposed`);
  return arena;
}

/** Names the first non-finite gradient, e.g. `gradient of "weight_ih_l0" at index 3 is NaN`. */
function firstNonFinite(arena: ParameterArena): string {
  const at = core().findNonFinite(arena.grads.ptr, arena.size);
  for (const e of arena.entries.values()) {
    if (at >= e.offset && at < e.offset + e.size) {
      return `gradient of "${e.name}" at index ${at - e.offset} is ${arena.grads.f32()[at]}`;
    }
  }
  return `non-finite value in the padding at float ${at}`;
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
  checkNumber("clipGradNorm", "maxNorm", maxNorm, 0);
  const norm = Math.sqrt(core().sumSquares(arena.grads.ptr, arena.size));
  if (!Number.isFinite(norm)) {
    throw new RangeError(`clipGradNorm: the gradient norm is ${norm}; ${firstNonFinite(arena)}`);
  }
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) core().scaleF32(arena.grads.ptr, arena.size, coef);
  return norm;
}

/**
 * Clamps every gradient to [-clipValue, clipValue] (torch.nn.utils.clip_grad_value_);
 * NaN gradients stay NaN.
 */
export function clipGradValue(arena: ParameterArena, clipValue: number): void {
  checkArena("clipGradValue", arena);
  checkNumber("clipGradValue", "clipValue", clipValue, 0);
  core().clipByValue(arena.grads.ptr, arena.size, clipValue);
}
