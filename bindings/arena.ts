// One block of wasm memory for all parameters of a model and one for their gradients,
// as llm.c keeps them: optimizers and clipping run one fused loop over each block.
import { WasmArray } from "./buffer.js";

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

/**
 * Parameters and their gradients for a list of specs, each in one contiguous wasm block at the
 * same offsets. Pointers stay valid for the arena's life; views must be re-made after calls.
 */
export class ParameterArena {
  readonly entries: ReadonlyMap<string, ParameterEntry>;
  /** Total floats in each block (parameters, gradients), alignment padding included. */
  readonly size: number;
  readonly params: WasmArray;
  readonly grads: WasmArray;

  constructor(specs: readonly ParameterSpec[]) {
    const entries = new Map<string, ParameterEntry>();
    let offset = 0;
    for (const { name, shape } of specs) {
      if (entries.has(name)) throw new RangeError(`ParameterArena: duplicate parameter name "${name}"`);
      const size = shape.reduce((a, b) => a * b, 1);
      entries.set(name, { name, shape: [...shape], offset, size });
      offset += Math.ceil(size / ALIGN_FLOATS) * ALIGN_FLOATS;
    }
    this.entries = entries;
    this.size = offset;
    this.params = new WasmArray(offset).fill(0);
    this.grads = new WasmArray(offset).fill(0);
  }

  entry(name: string): ParameterEntry {
    const e = this.entries.get(name);
    if (e === undefined) throw new RangeError(`unknown parameter "${name}"; expected one of ${[...this.entries.keys()].join(", ")}`);
    return e;
  }

  /** Byte address of parameter `name` in wasm memory. */
  paramPtr(name: string): number {
    return this.params.ptr + this.entry(name).offset * 4;
  }

  /** Byte address of the gradient of parameter `name`. */
  gradPtr(name: string): number {
    return this.grads.ptr + this.entry(name).offset * 4;
  }

  /** A fresh view of parameter `name` (re-make it after any call into the core). */
  paramView(name: string): Float32Array {
    const e = this.entry(name);
    return this.params.f32().subarray(e.offset, e.offset + e.size);
  }

  /** A fresh view of the gradient of parameter `name`. */
  gradView(name: string): Float32Array {
    const e = this.entry(name);
    return this.grads.f32().subarray(e.offset, e.offset + e.size);
  }

  /** Every parameter's values in entry order, without the alignment padding (the save format's layout). */
  packedParams(): Float32Array {
    return this.pack(this.params.f32());
  }

  /** Sets every parameter from `values` laid out as `packedParams()` gives them. */
  setPackedParams(values: Float32Array): void {
    this.params.f32().set(this.unpack(values));
  }

  /** A block laid out as this arena's (one float per parameter slot, padding included), packed in entry order without the padding. */
  pack(block: Float32Array): Float32Array {
    const entries = [...this.entries.values()];
    const out = new Float32Array(entries.reduce((n, e) => n + e.size, 0));
    let offset = 0;
    for (const e of entries) {
      out.set(block.subarray(e.offset, e.offset + e.size), offset);
      offset += e.size;
    }
    return out;
  }

  /** The inverse of `pack`: values in entry order spread over `into` (default: zeros), a block in this arena's layout. */
  unpack(values: Float32Array, into: Float32Array = new Float32Array(this.size)): Float32Array {
    const out = into;
    let offset = 0;
    for (const e of this.entries.values()) {
      out.set(values.subarray(offset, offset + e.size), e.offset);
      offset += e.size;
    }
    return out;
  }

  /** Sets every gradient to zero. */
  zeroGrad(): void {
    this.grads.fill(0);
  }

  dispose(): void {
    this.params.free();
    this.grads.free();
  }
}
