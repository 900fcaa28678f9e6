/** Memory exports of the wasm core (assembly/memory.ts). Pointers and sizes are plain numbers. */
export interface MemoryExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  /** Bytes in blocks allocated by `alloc` (the bindings' and the kernels' own scratch) and not freed, headers included. */
  heapInUse(): number;
  /** The most `heapInUse` has been since the core was instantiated. */
  heapPeak(): number;
  /**
   * Makes the free block at the end of wasm memory hold at least `bytes` bytes, growing memory at most
   * once (by about what that block lacks), so that blocks of up to `bytes` in all allocate without growing it.
   */
  reserve(bytes: number): void;
  fillF32(x: number, n: number, value: number): void;
  copyF32(dst: number, src: number, n: number): void;
  /** x[i] *= s. */
  scaleF32(x: number, n: number, s: number): void;
  findNonFinite(x: number, n: number): number;
  findOutOfRange(x: number, n: number, lo: number, hi: number): number;
  findOutOfRangeWhere(x: number, weights: number, n: number, lo: number, hi: number): number;
  findOutsideF32(x: number, n: number, lo: number, hi: number): number;
  fillIotaI32(x: number, n: number): void;
}
