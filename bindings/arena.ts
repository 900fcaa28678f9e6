// One block of wasm memory for all parameters of a model and one for their gradients,
// as llm.c keeps them: optimizers and clipping run one fused loop over each block.
import { WasmArray } from "./buffer.js";
import { checkNotOwned, guardDisposal, isDisposed, markDisposed } from "./disposal.js";
import { describe } from "./validate.js";
import { checkAllocation } from "./sizes.js";
import { WeightPacks } from "./weight-packs.js";

/** A named parameter: PyTorch's state_dict name and shape. */
export interface ParameterSpec {
  name: string;
  shape: readonly number[];
}

/** Where a parameter lives inside the arena (offsets and sizes in floats). */
export interface ParameterEntry {
  name: string;
  shape: readonly number[];
  offset: number;
  size: number;
}

/** Keep every parameter's first float 16-byte aligned so SIMD loads stay aligned. */
const ALIGN_FLOATS = 4;

/** Checks the constructor's specs: an array of { name, shape } with distinct names and integer sizes. */
function checkSpecs(specs: unknown): readonly ParameterSpec[] {
  const where = "ParameterArena";
  if (!Array.isArray(specs)) throw new TypeError(`${where}: specs must be an array of { name, shape }; got ${describe(specs)}`);
  const names = new Set<string>();
  specs.forEach((spec: unknown, i) => {
    const { name, shape } = (spec ?? {}) as { name?: unknown; shape?: unknown };
    if (typeof name !== "string") throw new TypeError(`${where}: specs[${i}].name must be a string; got ${describe(name)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new TypeError(`${where}: specs[${i}].shape must be an array of non-negative integers; got ${describe(shape)}`);
    }
    if (names.has(name)) throw new RangeError(`${where}: duplicate parameter name "${name}"`);
    names.add(name);
  });
  return specs as readonly ParameterSpec[];
}

/** Throws unless `values` is a Float32Array of `length` floats (the argument `name` of `where`). */
function checkFloats(where: string, name: string, values: unknown, length: number): Float32Array {
  if (!(values instanceof Float32Array)) throw new TypeError(`${where}: ${name} must be a Float32Array; got ${describe(values)}`);
  if (values.length !== length) throw new RangeError(`${where}: ${name} must hold ${length} floats; got ${values.length}`);
  return values;
}

/** Where every parameter of `specs` lives (each one's first float 16-byte aligned) and the floats of the block. */
function layOut(specs: readonly ParameterSpec[]): { entries: Map<string, ParameterEntry>; size: number } {
  const entries = new Map<string, ParameterEntry>();
  let offset = 0;
  for (const { name, shape } of checkSpecs(specs)) {
    const size = shape.reduce((a, b) => a * b, 1);
    entries.set(name, { name, shape: [...shape], offset, size });
    offset += Math.ceil(size / ALIGN_FLOATS) * ALIGN_FLOATS;
  }
  return { entries, size: offset };
}

/**
 * Parameters and their gradients for a list of specs, each in one contiguous wasm block at the
 * same offsets. Pointers stay valid for the arena's life; views must be re-made after calls.
 * Every write to the parameters bumps `version` (writes through a view taken before the last call
 * into the library must be followed by `markChanged()`), which tells the weight packs to pack again.
 * After `dispose()` every method and accessor throws.
 */
export class ParameterArena {
  readonly entries: ReadonlyMap<string, ParameterEntry>;
  /** Total floats in each block (parameters, gradients), alignment padding included. */
  readonly size: number;
  /** Floats of all parameters without the alignment padding (the length of `packedParams()`). */
  readonly packedSize: number;
  readonly #params: WasmArray;
  readonly #grads: WasmArray;
  /** The arena whose parameter block (and so version and packs) this one reads; undefined when its own. */
  readonly #shared: ParameterArena | undefined;
  #version = 0;
  readonly #packs: WeightPacks;

  /** Floats of each of the two blocks an arena of `specs` allocates (its `size`), without allocating them. */
  static sizeOf(specs: readonly ParameterSpec[]): number {
    return layOut(specs).size;
  }

  /**
   * With `shared` (an arena of the same specs), the parameter block is shared's, which this arena
   * reads and never frees, and only the gradients are its own (a batch slice's, bindings/threads/).
   */
  constructor(specs: readonly ParameterSpec[], shared?: ParameterArena) {
    const { entries, size: offset } = layOut(specs);
    this.entries = entries;
    this.size = offset;
    this.packedSize = [...entries.values()].reduce((n, e) => n + e.size, 0);
    checkAllocation("ParameterArena", "the parameters of specs", offset);
    if (shared !== undefined && shared.size !== offset) throw new RangeError("ParameterArena: the shared arena has other specs");
    this.#shared = shared;
    this.#params = shared?.params ?? new WasmArray(offset).fill(0);
    this.#packs = shared?.packs ?? new WeightPacks(this);
    this.#grads = new WasmArray(offset).fill(0);
    guardDisposal(this, ParameterArena, "arena");
  }

  /** The parameter block. */
  get params(): WasmArray {
    return this.#params;
  }

  /** Counts the writes to the parameters (the shared arena's, for an arena reading another's block). */
  get version(): number {
    return this.#shared?.version ?? this.#version;
  }

  /** Records that the parameters changed: every write path calls it, and so must a writer through an old view. */
  markChanged(): void {
    if (this.#shared !== undefined) this.#shared.markChanged();
    else this.#version++;
  }

  /** The weight matrices packed for the core's matrix products, packed again when `version` moved (shared with the arena whose block this one reads). */
  get packs(): WeightPacks {
    return this.#packs;
  }

  /** The gradient block, laid out as the parameters. */
  get grads(): WasmArray {
    return this.#grads;
  }

  /** Where parameter `name` lives; an unknown name is a RangeError labelled `where`. */
  #entry(where: string, name: unknown): ParameterEntry {
    const e = typeof name === "string" ? this.entries.get(name) : undefined;
    if (e === undefined) throw new RangeError(`${where}: name must be one of ${[...this.entries.keys()].map((n) => `"${n}"`).join(", ")}; got ${describe(name)}`);
    return e;
  }

  /** Where parameter `name` lives (offset and size in floats). */
  entry(name: string): ParameterEntry {
    return this.#entry("ParameterArena.entry", name);
  }

  /** Byte address of parameter `name` in wasm memory. */
  paramPtr(name: string): number {
    return this.#params.ptr + this.#entry("ParameterArena.paramPtr", name).offset * 4;
  }

  /** Byte address of the gradient of parameter `name`. */
  gradPtr(name: string): number {
    return this.#grads.ptr + this.#entry("ParameterArena.gradPtr", name).offset * 4;
  }

  /**
   * A fresh view of parameter `name` (re-make it after any call into the core). Taking it counts as
   * a write (`markChanged`), so writes through it before the next call need nothing more.
   */
  paramView(name: string): Float32Array {
    const e = this.#entry("ParameterArena.paramView", name);
    this.markChanged();
    return this.#params.f32().subarray(e.offset, e.offset + e.size);
  }

  /** A fresh view of the gradient of parameter `name`. */
  gradView(name: string): Float32Array {
    const e = this.#entry("ParameterArena.gradView", name);
    return this.#grads.f32().subarray(e.offset, e.offset + e.size);
  }

  /** Every parameter's values in entry order, without the alignment padding (the save format's layout). */
  packedParams(): Float32Array {
    return this.pack(this.#params.f32());
  }

  /** Sets every parameter from `values` laid out as `packedParams()` gives them (`packedSize` floats). */
  setPackedParams(values: Float32Array): void {
    checkFloats("ParameterArena.setPackedParams", "values", values, this.packedSize);
    this.#params.f32().set(this.unpack(values));
    this.markChanged();
  }

  /** A block laid out as this arena's (`size` floats, padding included), packed in entry order without the padding. */
  pack(block: Float32Array): Float32Array {
    checkFloats("ParameterArena.pack", "block", block, this.size);
    const out = new Float32Array(this.packedSize);
    let offset = 0;
    for (const e of this.entries.values()) {
      out.set(block.subarray(e.offset, e.offset + e.size), offset);
      offset += e.size;
    }
    return out;
  }

  /** The inverse of `pack`: `packedSize` values in entry order spread over `into` (default: zeros), a block in this arena's layout. */
  unpack(values: Float32Array, into: Float32Array = new Float32Array(this.size)): Float32Array {
    checkFloats("ParameterArena.unpack", "values", values, this.packedSize);
    checkFloats("ParameterArena.unpack", "into", into, this.size);
    let offset = 0;
    for (const e of this.entries.values()) {
      into.set(values.subarray(offset, offset + e.size), e.offset);
      offset += e.size;
    }
    return into;
  }

  /** Sets every gradient to zero. */
  zeroGrad(): void {
    this.#grads.fill(0);
  }

  /**
   * Frees both blocks; every other method and accessor then throws (a second dispose does nothing).
   * The arena of a layer or a model is disposed with it and cannot be disposed alone.
   */
  dispose(): void {
    if (isDisposed(this)) return;
    checkNotOwned(this, "arena");
    if (this.#shared === undefined) {
      this.#params.free();
      this.#packs.free();
    }
    this.#grads.free();
    markDisposed(this);
  }
}
