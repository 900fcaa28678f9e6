// Memory owned by the bindings: 16-byte aligned blocks from the runtime's TLSF heap (AssemblyScript's
// rt/tlsf.ts), the bytes they hold, one-time reservations, and whole-array helpers the bindings call
// instead of looping in JavaScript.
//
// What this file reads of TLSF's layout (AssemblyScript 0.28): a block's header is the 4-byte word
// before its payload, its payload size with tag bits FREE (1) and LEFTFREE (2); TLSF keeps a
// zero-size block at the very end of memory, and the word before a block whose left neighbour is
// free holds that neighbour's address. When TLSF runs out it grows memory by at least its current
// size and merges the new pages into the free block at the end.

/** TLSF's block header: one word before the payload. */
const HEADER: usize = sizeof<usize>();
const LEFTFREE: usize = 2;
const TAGS: usize = 3;
/** The largest block TLSF allocates (1 GiB less a header), rounded down to 16. */
const MAX_REQUEST: usize = (<usize>1 << 30) - 16;

/** Bytes of the blocks `alloc` handed out (to the bindings and to the kernels' own scratch) and `free` has not taken back (headers included), and their most. */
let inUse: usize = 0;
let peakInUse: usize = 0;

/** Bytes a block holds in the heap: its payload and header. */
// @ts-ignore: decorator
@inline
function blockBytes(ptr: usize): usize {
  return (load<usize>(ptr - HEADER) & ~TAGS) + HEADER;
}

/** Allocates `bytes` bytes aligned to 16; the caller frees it with `free`. */
export function alloc(bytes: usize): usize {
  const ptr = heap.alloc(bytes);
  inUse += blockBytes(ptr);
  if (inUse > peakInUse) peakInUse = inUse;
  return ptr;
}

/** Releases a block returned by `alloc`. */
export function free(ptr: usize): void {
  inUse -= blockBytes(ptr);
  heap.free(ptr);
}

/** Bytes in blocks allocated by `alloc` and not freed, allocator headers included. */
export function heapInUse(): f64 {
  return <f64>inUse;
}

/** The most `heapInUse` has been since the core was instantiated. */
export function heapPeak(): f64 {
  return <f64>peakInUse;
}

/** Payload bytes of the free block at the end of memory (0 when the last block is in use). */
function freeAtEnd(): usize {
  const last = (<usize>memory.size() << 16) - HEADER;
  if ((load<usize>(last) & LEFTFREE) == 0) return 0;
  return load<usize>(load<usize>(last - sizeof<usize>())) & ~TAGS;
}

/**
 * Makes the free block at the end of memory hold at least `bytes` bytes, growing memory once (once
 * per GiB), by about what that block lacks (TLSF merges the new pages into it): the blocks allocated
 * next, up to `bytes` in all, then need no further growth. A request TLSF could place in a free
 * block elsewhere is held while looking again, and released at the end.
 */
export function reserve(bytes: usize): void {
  heap.free(heap.alloc(0)); // TLSF sets itself up on its first allocation
  let held: usize = 0; // blocks taken from free space elsewhere, chained through their first word
  while (freeAtEnd() < bytes) {
    const pages = memory.size();
    const ptr = heap.alloc(min(bytes - freeAtEnd(), MAX_REQUEST));
    if (memory.size() != pages) {
      heap.free(ptr); // the new pages joined the free block at the end; more than one block's worth asks again
      continue;
    }
    store<usize>(ptr, held);
    held = ptr;
  }
  while (held != 0) {
    const next = load<usize>(held);
    heap.free(held);
    held = next;
  }
}

/** x[i] = value for i < n (f32). */
export function fillF32(x: usize, n: i32, value: f32): void {
  const v = f32x4.splat(value);
  const end = x + (<usize>n << 2);
  let p = x;
  for (; p + 16 <= end; p += 16) v128.store(p, v);
  for (; p < end; p += 4) store<f32>(p, value);
}

/** x[i] *= s for i < n (f32). */
export function scaleF32(x: usize, n: i32, s: f32): void {
  const v = f32x4.splat(s);
  const end = x + (<usize>n << 2);
  let p = x;
  for (; p + 16 <= end; p += 16) v128.store(p, f32x4.mul(v128.load(p), v));
  for (; p < end; p += 4) store<f32>(p, load<f32>(p) * s);
}

/** dst[i] = src[i] for i < n (f32); the ranges may overlap. */
export function copyF32(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

/** Index of the first non-finite (NaN or ±Infinity) f32 in x[0..n), or -1.
 *  x - x is 0 for a finite x and NaN otherwise, and NaN != NaN: four lanes per test. */
export function findNonFinite(x: usize, n: i32): i32 {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const d = f32x4.sub(v, v);
    if (!v128.all_true<i32>(f32x4.eq(d, d))) break;
  }
  for (; i < n; i++) {
    if (!isFinite<f32>(load<f32>(x + (<usize>i << 2)))) return i;
  }
  return -1;
}

/** Index of the first i32 in x[0..n) outside [lo, hi), or -1. */
export function findOutOfRange(x: usize, n: i32, lo: i32, hi: i32): i32 {
  for (let i = 0; i < n; i++) {
    const v = load<i32>(x + (<usize>i << 2));
    if (v < lo || v >= hi) return i;
  }
  return -1;
}

/** Index of the first i32 in x[0..n) outside [lo, hi) whose f32 weight is nonzero, or -1. */
export function findOutOfRangeWhere(x: usize, weights: usize, n: i32, lo: i32, hi: i32): i32 {
  for (let i = 0; i < n; i++) {
    const v = load<i32>(x + (<usize>i << 2));
    if ((v < lo || v >= hi) && load<f32>(weights + (<usize>i << 2)) != 0) return i;
  }
  return -1;
}

/** Index of the first f32 in x[0..n) outside [lo, hi] (NaN counts as outside), or -1. */
export function findOutsideF32(x: usize, n: i32, lo: f32, hi: f32): i32 {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (!(v >= lo && v <= hi)) return i;
  }
  return -1;
}

/** x[i] = i for i < n (i32): the identity permutation. */
export function fillIotaI32(x: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i32>(x + (<usize>i << 2), i);
}
