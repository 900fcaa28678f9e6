// Cooperative scheduling for long-running loops (training), in every runtime.

/**
 * Resolves on the next turn of the event loop, so timers, I/O and rendering can run between
 * batches: setImmediate in Node; a MessageChannel message elsewhere (browsers clamp nested
 * setTimeout(0) to 4 ms, which made in-page training 3x slower); setTimeout as a last resort.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === "function") return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === "function") {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
