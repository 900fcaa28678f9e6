// What the wasm core can hold. Every option or argument that sets the size of an allocation is
// checked here before anything is allocated: an oversized layer, model or batch is a RangeError
// naming it, the bytes it would need and the limit, never an abort inside the core or a size
// that wraps around 2^32 on its way into wasm.
import type { ParameterSpec } from "./arena.js";
import { checkInt, shapeString } from "./validate.js";

/**
 * The largest block of wasm memory the core hands out, in bytes: its allocator (AssemblyScript's
 * TLSF heap, assembly/memory.ts) caps a block at 2^30 bytes less its 4-byte header.
 */
export const MAX_BLOCK_BYTES = 2 ** 30 - 4;

/** The most 4-byte values (float32 or int32) one block holds: 2^28 - 1. */
export const MAX_BLOCK_VALUES = Math.floor(MAX_BLOCK_BYTES / 4);

/** The most stacked layers (numLayers) of a recurrent layer or a Seq2Seq encoder and decoder. */
export const MAX_LAYERS = 64;

/** Floats of a ParameterArena block for `specs`: each parameter padded to 4 floats (16 bytes). */
export function parameterBlockValues(specs: readonly ParameterSpec[]): number {
  return specs.reduce((n, { shape }) => n + Math.ceil(shape.reduce((a, b) => a * b, 1) / 4) * 4, 0);
}

/** A byte count for messages: exact (and in GiB from 1 GiB) while it is an exact integer, else rounded. */
function bytesText(bytes: number): string {
  if (!Number.isFinite(bytes)) return "more than 1e308 bytes";
  if (!Number.isSafeInteger(bytes)) return `${bytes.toExponential(3)} bytes`;
  return bytes >= 2 ** 30 ? `${bytes} bytes (${(bytes / 2 ** 30).toFixed(1)} GiB)` : `${bytes} bytes`;
}

/**
 * Returns `values` when that many 4-byte values fit one block of wasm memory; else throws a
 * RangeError `${where}: ${what} would need N bytes in one block of wasm memory; ...limit...`, so `what`
 * names the option or argument that sets the size (e.g. "x [T, N, D] = [5000, 9000, 8]").
 */
export function checkAllocation(where: string, what: string, values: number): number {
  if (values <= MAX_BLOCK_VALUES) return values;
  throw new RangeError(`${where}: ${what} would need ${bytesText(values * 4)} in one block of wasm memory; `
    + `the core allocates at most ${MAX_BLOCK_BYTES} bytes (1 GiB - 4) per block`);
}

/**
 * Checks that the parameters of `specs` fit the one block of wasm memory they share, before it
 * is allocated; `options` names the options that set their shapes (e.g. "units 9000, inputSize 10").
 */
export function checkParameterBlock(where: string, options: string, specs: readonly ParameterSpec[]): void {
  const total = parameterBlockValues(specs);
  if (total <= MAX_BLOCK_VALUES) return;
  const size = (s: ParameterSpec): number => s.shape.reduce((a, b) => a * b, 1);
  const largest = specs.reduce((a, b) => (size(b) > size(a) ? b : a));
  checkAllocation(where, `${options}: the parameters (the largest is ${largest.name} ${shapeString(largest.shape)})`, total);
}

/** numLayers (or a similar count of stacked layers): an integer in [1, MAX_LAYERS]. */
export function checkLayerCount(where: string, name: string, value: unknown): number {
  const n = checkInt(where, name, value);
  if (n > MAX_LAYERS) throw new RangeError(`${where}: ${name} must be <= ${MAX_LAYERS}; got ${n}`);
  return n;
}
