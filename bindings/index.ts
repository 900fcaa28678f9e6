// wasm-rnn public API.
export { init, isInitialized } from "./core.js";
export type { InitSource } from "./core.js";
