// Loading state dicts from other tools: what loadStateDict accepts (a dict, or what readSafetensors
// returns), the prefix a wrapper added (DDP's "module.", a parent module's "encoder."), a user
// module's submodule names, and PyTorch's strict / missing / unexpected keys.
import type { TensorLike } from "./tensor.js";
import { checkBoolean, checkOptionKeys, describe } from "./validate.js";

/** A state dict: tensors by name, or `{ tensors, metadata }` as `readSafetensors` returns it. */
export type StateDictSource = Record<string, TensorLike> | { tensors: Record<string, TensorLike>; metadata: Record<string, string> };

/** Options of `layer.loadStateDict`. */
export interface LayerLoadOptions {
  /**
   * Only keys starting with this prefix are this layer's; the prefix is removed before matching,
   * e.g. "lstm." for the `lstm` submodule of a PyTorch module, "module.lstm." under DDP.
   */
  prefix?: string;
  /**
   * true (default): every parameter must be present and no other key; false: load the tensors
   * that match, leave the rest of the parameters unchanged and report missing and unexpected keys
   * (as torch's `load_state_dict(strict=False)`). A wrongly shaped tensor is an error either way.
   */
  strict?: boolean;
}

/** Options of `Model.loadStateDict`. */
export interface ModelLoadOptions extends LayerLoadOptions {
  /**
   * The names of a user module's submodules, mapped to layer indices, where they differ from
   * `nn.Sequential`'s "0.", "1.", ...: `{ embed: 0, lstm: 1, fc: 2 }` loads "lstm.weight_ih_l0" into
   * layer 1's weight_ih_l0. Names may be dotted ("encoder.rnn"); "" is the root module (a bare
   * nn.LSTM's keys "weight_ih_l0", ...); layers not named keep "<index>.".
   */
  modules?: Record<string, number>;
}

/** What a non-strict load left out, with keys as the dict spells them (PyTorch's `_IncompatibleKeys`). */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Whether `source` is a `readSafetensors` result rather than a dict of tensors. */
function isSafetensorsFile(source: object): source is { tensors: Record<string, TensorLike>; metadata: Record<string, string> } {
  const keys = Object.keys(source);
  if (keys.length !== 2 || !keys.includes("tensors") || !keys.includes("metadata")) return false;
  const { tensors } = source as { tensors: unknown };
  return tensors !== null && typeof tensors === "object" && !Array.isArray(tensors) && !("shape" in tensors);
}

/** The tensors of a state-dict source, after checking it is one. */
export function stateDictTensors(where: string, source: unknown): Record<string, TensorLike> {
  if (source === null || typeof source !== "object" || Array.isArray(source) || ArrayBuffer.isView(source)) {
    throw new TypeError(`${where}: dict must be an object of tensors by name (or what readSafetensors returns); got ${describe(source)}`);
  }
  return isSafetensorsFile(source) ? source.tensors : source as Record<string, TensorLike>;
}

/** Checks the shared options; returns the prefix and strictness. */
export function checkLoadOptions(where: string, options: LayerLoadOptions | undefined, keys: readonly string[]): { prefix: string; strict: boolean } {
  checkOptionKeys(where, options, keys);
  const prefix = options?.prefix ?? "";
  if (typeof prefix !== "string") throw new TypeError(`${where}: prefix must be a string; got ${describe(prefix)}`);
  return { prefix, strict: checkBoolean(where, "strict", options?.strict ?? true) };
}

/** The keys under `prefix`, without it; the others are unexpected (strict) or reported. */
export function keysUnderPrefix(dict: Record<string, TensorLike>, prefix: string, unexpected: string[]): Map<string, string> {
  const inside = new Map<string, string>();
  for (const key of Object.keys(dict)) {
    if (key.startsWith(prefix)) inside.set(key.slice(prefix.length), key);
    else unexpected.push(key);
  }
  return inside;
}

/** Reports (non-strict) or throws for (strict) the keys that were left out. */
export function finishLoad(where: string, strict: boolean, result: LoadResult, expected: () => string[]): LoadResult {
  if (strict && result.unexpectedKeys.length > 0) {
    throw new RangeError(`${where}: unexpected key "${result.unexpectedKeys[0]}"; expected ${expected().join(", ")} (pass { strict: false } to skip keys, or a prefix)`);
  }
  return result;
}
