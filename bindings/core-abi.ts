// What init() checks before it accepts a WebAssembly module as the wasm-rnn core: the ABI version
// the core reports (assembly/abi.ts) and every export the bindings call or read, by name and kind.
import type { CoreExports } from "./core.js";
import { CORE_CONSTANTS, type ConstantName } from "./kernels/constants.js";
import { describe } from "./validate.js";
import { CELL_KERNELS, type CellKernelName } from "./kernels/rnn.js";

/** The core ABI these bindings are written for; the core reports its own with `coreAbiVersion()`. */
export const CORE_ABI_VERSION = 3;

/** The export that tells the core's ABI version. */
export interface AbiExports {
  /** The ABI version the core was built with (assembly/abi.ts). */
  coreAbiVersion(): number;
}

/** Every function export the bindings call but the cell kernels (the kernel types' members, which the compiler keeps in step with this list). */
const CORE_FUNCTIONS: Record<Exclude<keyof CoreExports, "memory" | "coreAbiVersion" | ConstantName | CellKernelName>, true> = {
  activate: true, activationBackward: true, activationForward: true, activationGrad: true, adagradStep: true,
  adamStep: true, addInPlace: true, alloc: true, argmaxRows: true, beamCandidates: true, binaryCrossEntropyWithLogits: true, chunkLengths: true,
  clipByValue: true, copyColumns: true, copyF32: true, countCorrectBinary: true, countCorrectClasses: true, countInTopK: true, sumErrors: true, denseBackward: true,
  denseForward: true, expf: true, fillF32: true, fillIotaI32: true, findNonFinite: true,
  findOutOfRange: true, findOutOfRangeWhere: true, findOutsideF32: true, free: true, gatherRows: true,
  gatherTimeMajor: true, gatherBatchFirst: true, swapLeadingAxes: true, gemm: true, gemmPackB: true, gemmPacked: true, gemmPackedSize: true, gemmScratchSize: true,
  heapInUse: true, heapPeak: true, reserve: true, tokenTableSize: true,
  huber: true, lengthMask: true, logSoftmaxBackwardRows: true, logSoftmaxRows: true,
  maskPaddedSteps: true, maskWeight: true, meanOverValidSteps: true, meanOverValidStepsBackward: true,
  meanSquaredError: true, mergeBackward: true, mergeForward: true, mulInPlace: true, peakFlops: true,
  relaxedSimd: true, reverseWithinLengths: true, rmspropStep: true, rngFillBernoulliScaled: true,
  rngFillNormal: true, rngFillUniform: true, rngNextBelow: true, rngNextFloat: true, rngNextU32: true,
  rngSeed: true, rngShuffleI32: true, scaleF32: true, scatterAddRows: true, sgdStep: true,
  softmaxBackwardRows: true, softmaxCrossEntropy: true,
  softmaxRows: true, sumSquares: true, sumSteps: true, useThreadScratch: true,
  attentionAdditiveScores: true, attentionAdditiveScoresBackward: true, attentionContext: true, attentionContextBackward: true,
  attentionDotScores: true, attentionDotScoresBackward: true, maskedSoftmax: true, maskedSoftmaxBackward: true,
  hmmCountPaths: true, hmmExpectedCounts: true, hmmLogParameters: true, hmmLogProbabilities: true, hmmNormalize: true, hmmViterbi: true,
};

/** The names of every function export the bindings call besides `coreAbiVersion`, the cell kernels included (what init() checks for). */
export const CORE_FUNCTION_NAMES: readonly string[] = [...Object.keys(CORE_FUNCTIONS), ...CELL_KERNELS];

/** `names` quoted for a message: the first five, then how many in all. */
function listNames(names: readonly string[]): string {
  return `${names.slice(0, 5).map((n) => `"${n}"`).join(", ")}${names.length > 5 ? `, ... (${names.length} in all)` : ""}`;
}

/**
 * Throws a TypeError or RangeError labelled `where` unless `exports` (a module instance's raw
 * exports) are those of a wasm-rnn core of CORE_ABI_VERSION: a `memory`, a `coreAbiVersion`
 * function returning that version, a function under every name the bindings call and an integer
 * global under every constant they read (kernels/constants.ts).
 */
export function checkCoreExports(where: string, exports: WebAssembly.Exports): void {
  const notCore = `the module is not the wasm-rnn core`;
  if (!(exports.memory instanceof WebAssembly.Memory)) throw new TypeError(`${where}: ${notCore}: it exports no memory "memory" (got ${describe(exports.memory)})`);
  const version = exports.coreAbiVersion;
  if (typeof version !== "function") throw new TypeError(`${where}: ${notCore}: it exports no function "coreAbiVersion"`);
  let reported: unknown;
  try {
    reported = version();
  } catch (e) {
    throw new TypeError(`${where}: ${notCore}: its coreAbiVersion() failed (${(e as Error).message})`, { cause: e });
  }
  if (reported !== CORE_ABI_VERSION) {
    throw new RangeError(`${where}: the core reports ABI version ${String(reported)}; these bindings need version ${CORE_ABI_VERSION} (use the .wasm files of the same wasm-rnn release)`);
  }
  const missing = CORE_FUNCTION_NAMES.filter((name) => typeof exports[name] !== "function");
  if (missing.length > 0) {
    throw new TypeError(`${where}: ${notCore}: it has no function export${missing.length > 1 ? "s" : ""} ${listNames(missing)}`);
  }
  const missingConstants = Object.keys(CORE_CONSTANTS).filter((name) => {
    const global = exports[name];
    return !(global instanceof WebAssembly.Global) || !Number.isInteger(global.value);
  });
  if (missingConstants.length > 0) {
    throw new TypeError(`${where}: ${notCore}: it has no integer global export${missingConstants.length > 1 ? "s" : ""} ${listNames(missingConstants)}`);
  }
}
