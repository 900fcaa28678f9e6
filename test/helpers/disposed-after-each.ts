// Models (or layers) a test file builds, disposed after each test whatever its outcome.

/** Registers an afterEach hook in the calling file; returns `keep`, which hands its argument to it and returns it. */
export function disposedAfterEach<T extends { dispose(): void }>(): (x: T) => T {
  const kept: T[] = [];
  afterEach(() => {
    for (const x of kept.splice(0)) x.dispose();
  });
  return (x) => {
    kept.push(x);
    return x;
  };
}
