// The awkward sizes the kernel tests sweep: the classic 1, 3, 5, 17, 33 and the edges of every
// tile the core's SIMD loops step by, from the tile constants the core exports (assembly/constants.ts).
// They are read from the bytes of the binary the suite loads (wasm-path.ts) when a test file is
// loaded, before init() runs, so that test titles can name them.
import { readFileSync } from "node:fs";
import type { ConstantName } from "../../bindings/kernels/constants.js";
import { binaryExports } from "./wasm-exports.js";
import { wasmPath } from "./wasm-path.js";

const { constants } = binaryExports(readFileSync(wasmPath()));

/** One of the core's constants, as the binary under test holds it. */
export function coreConstant(name: ConstantName): number {
  const value = constants.get(name);
  if (value === undefined) throw new TypeError(`${wasmPath()} exports no i32 constant ${name}`);
  return value;
}

/** The sizes every kernel test sweeps since the first kernels. */
export const CLASSIC_SIZES: readonly number[] = [1, 3, 5, 17, 33];

/** The sorted union of `lists`. */
export function sizes(...lists: (readonly number[])[]): number[] {
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}

/** Around each tile t: 1, t - 1, t, t + 1, 2t + 1 (one short of a tile, a full one, one over, two and a tail). */
export function tileEdges(...tiles: number[]): number[] {
  return sizes(...tiles.map((t) => [1, t - 1, t, t + 1, 2 * t + 1].filter((n) => n >= 1)));
}

/** f32 lanes per v128. */
export const LANES = coreConstant("F32_LANES");

/**
 * Sizes for the elementwise kernels: the classic ones and the edges of one vector and of two (the
 * activation, softmax and loss loops run two vectors per iteration, then one, then scalars).
 */
export const LANE_SIZES: readonly number[] = sizes(CLASSIC_SIZES, tileEdges(LANES, 2 * LANES));

/**
 * gemm's tiles: rows of the micro-tile and of a block of A, columns of the two micro-tiles, of a panel and of a column
 * block, the K slice;
 * and the size of a packed B (bytes) above which gemmPacked touches the next panel slice ahead.
 */
export const GEMM = {
  MR: coreConstant("GEMM_MR"), MC: coreConstant("GEMM_MC"),
  TILE_N: coreConstant("GEMM_TILE_N"), GEMV_WIDE_N: coreConstant("GEMV_WIDE_N"), NR: coreConstant("GEMM_NR"), NC: coreConstant("GEMM_NC"),
  KC: coreConstant("GEMM_KC"), TOUCH_BYTES: coreConstant("GEMM_TOUCH_BYTES"),
} as const;
