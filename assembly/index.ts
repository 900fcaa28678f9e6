// The wasm core's exports: numbers in, numbers out; every array is a pointer into linear memory.
export * from "./memory";
export * from "./random";
export * from "./gemm";
export * from "./activations";
export * from "./softmax";
export * from "./losses";
export * from "./optimizers";
export * from "./rows";
export * from "./dense";
export * from "./metrics";
export * from "./rnn/simple";
export * from "./rnn/jordan";
