// Scratch memory of the thread a kernel runs on. The main thread takes its scratch from the heap
// (gemm's packed B, the token projections' tables) and uses gemm's static blocks. A worker thread
// (bindings/threads/) must not allocate: the heap is not thread-safe, and its allocator state lives
// in the main instance's globals. So the main thread gives each worker one block of its own,
// `useThreadScratch`, laid out as [packed-A block | staging | temporary region]; gemm and the token
// projections cut their work into pieces that fit the temporary region, summing in the same order
// as in one piece, so a kernel gives the same bits on any thread.
import { GEMM_KC as KC, GEMM_MC as MC } from "./constants";
import { alloc, free } from "./memory";

/** Bytes of gemm's packed-A block (GEMM_MC x GEMM_KC floats). */
const PACKED_A_BYTES: usize = <usize>(MC * KC) << 2;
/** Bytes of gemm's staging for partial stores (8 floats, kept 64-byte apart from what follows). */
const STAGING_BYTES: usize = 64;

/** This thread's scratch block (0: the main thread) and the bytes of its temporary region. */
let block: usize = 0;
let tempBytes: usize = 0;

/**
 * Makes this instance a worker's: its kernels use the `bytes` bytes at `ptr` (16-byte aligned,
 * allocated by the main thread, more than PACKED_A_BYTES + STAGING_BYTES + 16 KiB) as their only
 * scratch. Returns the bytes of the temporary region.
 */
export function useThreadScratch(ptr: usize, bytes: usize): usize {
  assert((ptr & 15) == 0 && bytes >= PACKED_A_BYTES + STAGING_BYTES + (16 << 10));
  block = ptr;
  tempBytes = bytes - PACKED_A_BYTES - STAGING_BYTES;
  return tempBytes;
}

/** The worker's packed-A block, or `fallback` (the static one) on the main thread. */
// @ts-ignore: decorator
@inline
export function threadPackedA(fallback: usize): usize {
  return block != 0 ? block : fallback;
}

/** The worker's staging, or `fallback` on the main thread. */
// @ts-ignore: decorator
@inline
export function threadStaging(fallback: usize): usize {
  return block != 0 ? block + PACKED_A_BYTES : fallback;
}

/** True on a worker thread: scratch comes only from its temporary region. */
export function onWorker(): bool {
  return block != 0;
}

/** Bytes a temporary buffer may take: all of `want` on the main thread, at most the temporary region on a worker. */
export function tempRoom(want: usize): usize {
  return block != 0 ? min(want, tempBytes) : want;
}

/** A temporary buffer of `bytes` (at most tempRoom(bytes)): from the heap on the main thread (counted by memory.ts), the temporary region on a worker. */
export function tempAlloc(bytes: usize): usize {
  if (block == 0) return alloc(bytes);
  assert(bytes <= tempBytes);
  return block + PACKED_A_BYTES + STAGING_BYTES;
}

/** Releases a buffer from tempAlloc. */
export function tempFree(ptr: usize): void {
  if (block == 0) free(ptr);
}
