// Blocks of wasm memory owned by the bindings, named scratch blocks (workspaces), and the blocks a
// call takes described before it runs (BlockRef), so that a layer can tell its workspace size.
import { core, f32View, i32View } from "./core.js";

/** Elements a block allocated for `length` elements holds (at least 4: a 16-byte block). */
function capacityFor(length: number): number {
  return Math.max(length, 4);
}

/**
 * A block of `length` 4-byte elements (f32 or i32) in wasm memory, 16-byte aligned.
 * `ensure` grows it (contents are not kept); `free` releases it.
 */
export class WasmArray {
  ptr: number;
  /** Elements in use (views cover these). */
  length: number;
  /** Elements allocated: a shorter `ensure` keeps the block, a longer one than this reallocates. */
  #capacity: number;

  constructor(length: number) {
    this.length = length;
    this.#capacity = capacityFor(length);
    this.ptr = core().alloc(this.#capacity * 4);
  }

  /** Elements the block holds (0 once freed): an `ensure` up to this keeps it. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Makes room for at least `length` elements; old contents are lost when it grows. */
  ensure(length: number): this {
    if (length > this.#capacity || this.ptr === 0) {
      if (this.ptr !== 0) core().free(this.ptr);
      this.#capacity = capacityFor(length);
      this.ptr = core().alloc(this.#capacity * 4);
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
    this.#capacity = 0;
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

  /**
   * The 4-byte values [A, B, F] at `src` copied by the core into block `name` as [B, A, F]
   * (time-major to batch-first and back); returns the block's address.
   */
  swapped(name: string, src: number, A: number, B: number, F: number): number {
    const dst = this.ptr(name, A * B * F);
    core().swapLeadingAxes(dst, src, A, B, F);
    return dst;
  }

  /** Elements block `name` holds now (0: none). */
  capacity(name: string): number {
    return this.blocks.get(name)?.capacity ?? 0;
  }

  free(): void {
    for (const block of this.blocks.values()) block.free();
    this.blocks.clear();
  }
}

/**
 * One block a call takes from a workspace, described before the call: its workspace, name and length
 * in 4-byte elements. The code takes the block with `blockPtr`, and a plan of the call lists the same
 * description, so the two cannot disagree on its size.
 */
export interface BlockRef {
  readonly ws: Workspace;
  readonly name: string;
  readonly length: number;
}

/** The address of `block` in its workspace (allocated, or grown, as needed). */
export function blockPtr(block: BlockRef): number {
  return block.ws.ptr(block.name, block.length);
}

/** Each block of `blocks` once (by workspace and name), at its longest length. */
export function distinctBlocks(blocks: readonly BlockRef[]): BlockRef[] {
  const byWorkspace = new Map<Workspace, Map<string, BlockRef>>();
  for (const block of blocks) {
    const named = byWorkspace.get(block.ws) ?? new Map<string, BlockRef>();
    byWorkspace.set(block.ws, named);
    const seen = named.get(block.name);
    if (seen === undefined || block.length > seen.length) named.set(block.name, block);
  }
  return [...byWorkspace.values()].flatMap((named) => [...named.values()]);
}

/** Bytes the blocks take once allocated (what their workspaces ask the core for), each block once. */
export function planBytes(blocks: readonly BlockRef[]): number {
  return distinctBlocks(blocks).reduce((n, b) => n + 4 * capacityFor(b.length), 0);
}

/** The blocks (each once) their workspaces do not hold yet at their length: what taking them would allocate. */
export function missingBlocks(blocks: readonly BlockRef[]): BlockRef[] {
  return distinctBlocks(blocks).filter((b) => b.ws.capacity(b.name) < b.length);
}
