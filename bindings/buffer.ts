// Blocks of wasm memory owned by the bindings.
import { core, f32View, i32View } from "./core.js";

/**
 * A block of `length` 4-byte elements (f32 or i32) in wasm memory, 16-byte aligned.
 * `ensure` grows it (contents are not kept); `free` releases it.
 */
export class WasmArray {
  ptr: number;
  /** Elements in use (views cover these). */
  length: number;
  /** Elements allocated: a shorter `ensure` keeps the block, a longer one than this reallocates. */
  private capacity: number;

  constructor(length: number) {
    this.length = length;
    this.capacity = Math.max(length, 4);
    this.ptr = core().alloc(this.capacity * 4);
  }

  /** Makes room for at least `length` elements; old contents are lost when it grows. */
  ensure(length: number): this {
    if (length > this.capacity || this.ptr === 0) {
      if (this.ptr !== 0) core().free(this.ptr);
      this.capacity = Math.max(length, 4);
      this.ptr = core().alloc(this.capacity * 4);
    }
    this.length = length;
    return this;
  }

  /** A fresh Float32Array view of the block (see `f32View` for its lifetime). */
  f32(): Float32Array {
    return f32View(this.ptr, this.length);
  }

  /** A fresh Int32Array view of the block. */
  i32(): Int32Array {
    return i32View(this.ptr, this.length);
  }

  /** Sets every element to `value` (f32). */
  fill(value: number): this {
    core().fillF32(this.ptr, this.length, value);
    return this;
  }

  free(): void {
    if (this.ptr !== 0) core().free(this.ptr);
    this.ptr = 0;
    this.length = 0;
    this.capacity = 0;
  }
}

/** Named scratch blocks of a layer or model, grown on demand and freed together. */
export class Workspace {
  private readonly blocks = new Map<string, WasmArray>();

  /** The block `name` with room for `length` elements (contents kept only if it did not grow). */
  get(name: string, length: number): WasmArray {
    let block = this.blocks.get(name);
    if (block === undefined) {
      block = new WasmArray(length);
      this.blocks.set(name, block);
    } else {
      block.ensure(length);
    }
    return block;
  }

  /** Byte address of block `name` sized for `length` elements. */
  ptr(name: string, length: number): number {
    return this.get(name, length).ptr;
  }

  free(): void {
    for (const block of this.blocks.values()) block.free();
    this.blocks.clear();
  }
}
