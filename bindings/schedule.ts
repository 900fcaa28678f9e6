// Cooperative scheduling for long-running loops (training), in every runtime.

/** Resolves on the next turn of the event loop, so timers, I/O and rendering can run between batches. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));
}
