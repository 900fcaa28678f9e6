// Live bytes of the wasm core's allocator as the bindings see them: every block `alloc` handed out
// and `free` has not taken back. The core exports no allocator statistics, so the tracker wraps
// the two exports (every block the bindings own goes through them) and restores them on stop().
import { core } from "../../bindings/core.js";

/** What the bindings hold in wasm memory while a tracker runs. */
export interface AllocationTracker {
  /** Bytes requested by blocks allocated and not yet freed since the tracker started. */
  readonly liveBytes: number;
  /** Blocks allocated and not yet freed since the tracker started. */
  readonly liveBlocks: number;
  /** Puts the core's own alloc and free back. */
  stop(): void;
}

/**
 * Starts counting the allocations of the running core. Blocks that were live before the start are
 * not counted, and freeing one of them does not lower the count.
 */
export function trackAllocations(): AllocationTracker {
  const exports = core();
  const alloc = exports.alloc;
  const free = exports.free;
  const sizes = new Map<number, number>();
  let liveBytes = 0;
  exports.alloc = (bytes: number): number => {
    const ptr = alloc(bytes);
    sizes.set(ptr, bytes);
    liveBytes += bytes;
    return ptr;
  };
  exports.free = (ptr: number): void => {
    const bytes = sizes.get(ptr);
    if (bytes !== undefined) {
      sizes.delete(ptr);
      liveBytes -= bytes;
    }
    free(ptr);
  };
  return {
    get liveBytes() {
      return liveBytes;
    },
    get liveBlocks() {
      return sizes.size;
    },
    stop() {
      exports.alloc = alloc;
      exports.free = free;
    },
  };
}
