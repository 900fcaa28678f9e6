// The numbers the bindings and the tests read from the core (exported as immutable wasm globals),
// so that nothing outside the core copies them: the codes the kernels switch on, and the tile
// sizes of the SIMD loops, whose edges the kernel tests sweep.

/** Activation codes (assembly/activations.ts has the table of functions and derivatives). */
export const ACT_LINEAR: i32 = 0;
export const ACT_TANH: i32 = 1;
export const ACT_SIGMOID: i32 = 2;
export const ACT_RELU: i32 = 3;
export const ACT_HARD_SIGMOID: i32 = 4;

/** Modes of merging the two directions of a bidirectional layer (assembly/sequence.ts). */
export const MERGE_CONCAT: i32 = 0;
export const MERGE_SUM: i32 = 1;
export const MERGE_MUL: i32 = 2;
export const MERGE_AVE: i32 = 3;

/** f32 lanes per v128: every elementwise kernel runs LANES at a time, then a scalar tail. */
export const F32_LANES: i32 = 4;

/** gemm: columns per packed panel of B. */
export const GEMM_NR: i32 = 32;
/** gemm: K slice; one panel slice is GEMM_KC * GEMM_NR floats (16 KiB). */
export const GEMM_KC: i32 = 128;
/** gemm: rows of A per packed block (GEMM_MC x GEMM_KC floats, 64 KiB). */
export const GEMM_MC: i32 = 128;
/** gemm: columns per column block when K has several GEMM_KC slices (a multiple of GEMM_NR). */
export const GEMM_NC: i32 = 256;
/**
 * gemm: a packed B larger than this (bytes) is not kept in L2 from one product to the next, so gemmPacked
 * loads the next panel slice ahead (one load per 64-byte line) while the first row block sweeps the current one.
 */
export const GEMM_TOUCH_BYTES: i32 = 512 << 10;
/** gemm: rows of the main micro-tile (quads of rows); the rows left over take the row tile. */
export const GEMM_MR: i32 = 4;
/** gemm: columns of the main micro-tile (GEMM_MR x GEMM_TILE_N). */
export const GEMM_TILE_N: i32 = 8;
/** gemv: columns of the lone-row kernel with 6 accumulators (1 x GEMV_WIDE_N, assembly/gemv.ts); a pair of panels ends with their last NR - GEMV_WIDE_N columns together. */
export const GEMV_WIDE_N: i32 = 24;
