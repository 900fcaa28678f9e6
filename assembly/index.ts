// The wasm core's exports: numbers in, numbers out; every array is a pointer into linear memory.
export { coreAbiVersion } from "./abi";
export * from "./constants";
export * from "./memory";
export * from "./random";
export * from "./gemm";
export { useThreadScratch } from "./scratch";
export { peakFlops } from "./peak";
// The v128 helpers of activations.ts are for other kernels, not for JavaScript: export the rest.
export {
  activate, activationGrad, expf, activationForward, activationBackward,
} from "./activations";
export { softmaxRows, logSoftmaxRows, softmaxBackwardRows, logSoftmaxBackwardRows } from "./softmax";
export * from "./losses";
export * from "./optimizers";
// rows.ts also holds helpers for other kernels (broadcastRows, addRowVector, sumRowsInto): export the rest.
export { addInPlace, gatherRows, scatterAddRows, gatherTimeMajor, gatherBatchFirst, swapLeadingAxes } from "./rows";
export * from "./sequence";
export * from "./dense";
export { tokenTableSize } from "./projection";
export * from "./metrics";
export * from "./rnn/simple";
export * from "./rnn/jordan";
export * from "./rnn/lstm";
export * from "./rnn/gru-reset-after";
export * from "./rnn/gru-reset-before";
export * from "./rnn/mgu";
export * from "./attention/scores";
export * from "./attention/weights";
export * from "./attention/context";
export * from "./decoding";
export { hmmLogProbabilities, hmmExpectedCounts } from "./hmm";
export { hmmViterbi } from "./hmm-viterbi";
export { hmmCountPaths, hmmNormalize, hmmLogParameters } from "./hmm-counts";
