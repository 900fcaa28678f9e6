/** The export a worker thread of the pool calls on its own instance of the core (assembly/scratch.ts). */
export interface ThreadsExports {
  /**
   * Makes the instance a worker's: its kernels use the `bytes` bytes at `ptr` (allocated by the main
   * thread) as their only scratch and allocate nothing. Returns the bytes of its temporary region.
   */
  useThreadScratch(ptr: number, bytes: number): number;
}
