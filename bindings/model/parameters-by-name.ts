// A model's parameters by name: stateDict under "<layer index>.<PyTorch name>" (as
// torch.nn.Sequential), and loadStateDict from this model's own names, a PyTorch module's with
// `modules` naming its submodules, and `prefix` for what wraps them.
import type { Layer } from "../layers/layer.js";
import type { NestedArray, Tensor } from "../tensor.js";
import { checkOptionKeys, checkBoolean, describe } from "../validate.js";
import { checkLoadOptions, finishLoad, keysUnderPrefix, stateDictTensors, type LoadResult, type ModelLoadOptions, type StateDictSource } from "../state-dict.js";

/** The submodule name of each layer: `modules`' names, "<index>" for the others. */
function moduleNames(where: string, modules: Record<string, number> | undefined, count: number): string[] {
  const names = Array.from({ length: count }, (_, i) => `${i}`);
  if (modules === undefined) return names;
  if (modules === null || typeof modules !== "object" || Array.isArray(modules)) throw new TypeError(`${where}: modules must be an object of submodule name -> layer index; got ${describe(modules)}`);
  const seen = new Set<number>();
  for (const [name, index] of Object.entries(modules)) {
    if (name.startsWith(".") || name.endsWith(".")) throw new RangeError(`${where}: modules: "${name}" is not a submodule name`);
    if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`${where}: modules["${name}"] must be a layer index in [0, ${count - 1}]; got ${describe(index)}`);
    if (seen.has(index)) throw new RangeError(`${where}: modules names layer ${index} twice`);
    seen.add(index);
    names[index] = name;
  }
  return names;
}

/** How a layer's keys start: the prefix and its submodule name ("" for the root module). */
function keyPrefixOf(prefix: string, name: string): string {
  return name === "" ? prefix : `${prefix}${name}.`;
}

/**
 * The layer a key belongs to and the parameter name within it: the layer whose submodule name is
 * the longest dotted prefix of `key` ("" names the root module: keys without a submodule, as a bare
 * nn.LSTM's state dict has), or null.
 */
function layerOfKey(names: readonly string[], key: string): { layer: number; name: string } | null {
  let best = -1;
  names.forEach((name, i) => {
    const inside = name === "" ? !key.includes(".") : key.startsWith(`${name}.`);
    if (inside && (best < 0 || name.length > names[best]!.length)) best = i;
  });
  if (best < 0) return null;
  return { layer: best, name: names[best] === "" ? key : key.slice(names[best]!.length + 1) };
}

/** Model.stateDict: copies of every layer's parameters under "<layer index>.<name>". */
export function modelStateDict(layers: readonly Layer[], options: { nested?: boolean } | undefined): Record<string, Tensor | NestedArray> {
  checkOptionKeys("Model.stateDict", options, ["nested"]);
  const nested = checkBoolean("Model.stateDict", "nested", options?.nested ?? false);
  const out: Record<string, Tensor | NestedArray> = {};
  layers.forEach((l, i) => {
    const dict = nested ? l.stateDict({ nested: true }) : l.stateDict();
    for (const [name, t] of Object.entries(dict)) out[`${i}.${name}`] = t;
  });
  return out;
}

/** Model.loadStateDict: every layer's parameters by name; strict by default (nothing changes on a mismatch). */
export function loadModelStateDict(layers: readonly Layer[], dict: StateDictSource, options: ModelLoadOptions | undefined): LoadResult {
  const where = "Model.loadStateDict";
  const { prefix, strict } = checkLoadOptions(where, options, ["prefix", "strict", "modules"]);
  const names = moduleNames(where, options?.modules, layers.length);
  const tensors = stateDictTensors(where, dict);
  const result: LoadResult = { missingKeys: [], unexpectedKeys: [] };
  const perLayer = layers.map(() => new Map<string, string>());
  for (const [key, original] of keysUnderPrefix(tensors, prefix, result.unexpectedKeys)) {
    const found = layerOfKey(names, key);
    if (found === null) result.unexpectedKeys.push(original);
    else perLayer[found.layer]!.set(found.name, original);
  }
  const values = layers.map((l, i) => l.matchStateDict(where, tensors, perLayer[i]!, keyPrefixOf(prefix, names[i]!), strict, result));
  finishLoad(where, strict, result, () => layers.flatMap((l, i) => l.paramSpecs().map((s) => keyPrefixOf(prefix, names[i]!) + s.name)));
  layers.forEach((l, i) => l.writeParams(values[i]!));
  return result;
}
