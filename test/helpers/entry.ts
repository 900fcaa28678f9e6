// One row of the property-based suite: a public entry, how to call it with random arguments, and
// what to watch. row() turns it into a fast-check property with a seed of its own.
import fc from "fast-check";
import { checkContract, type Watch } from "./contract.js";
import { watchBystander } from "./property-fixtures.js";

/** How to call one public entry with random arguments. */
export interface Entry<A> {
  /** The function the user calls, as its errors must start: "Model.fit", "LSTM", "readSafetensors". */
  where: string;
  /** What varies, when one entry has several rows (e.g. the fixture model). */
  variant?: string;
  args: fc.Arbitrary<A>;
  /** Calls the entry and returns what must be finite (disposing what it built). */
  call(args: A): unknown;
  /** Objects a refused call must leave unchanged (default: a bystander model). */
  watch?(args: A): Watch[];
  /** An accepted call trains or loads, so it may change the watched objects (default false). */
  mutates?: boolean;
  /** Why the issue says these arguments must be refused, beyond the values marked invalid. */
  mustReject?(args: A): string[];
  /** Random calls (default 60). */
  runs?: number;
}

/** What `read` returns of `thing`, which is disposed either way (rows that build something). */
export function disposing<T extends { dispose(): void }, R>(thing: T, read: (thing: T) => R): R {
  try {
    return read(thing);
  } finally {
    thing.dispose();
  }
}

/** A row ready to run: its title, and its property checked from a fixed seed. */
export interface Row {
  where: string;
  title: string;
  check(): Promise<void>;
}

/**
 * Time one row may take (ms). A passing row takes well under it; a failing one spends the rest
 * shrinking its counterexample (shrinking arrays of floats can run for minutes), and fast-check
 * then reports the smallest counterexample found so far.
 */
const TIME_LIMIT_MS = 2000;

/** A 31-bit FNV-1a hash: each row's seed, stable whatever rows are added or reordered. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) & 0x7fffffff;
}

export function row<A>(e: Entry<A>): Row {
  const title = e.variant === undefined ? e.where : `${e.where} (${e.variant})`;
  return {
    where: e.where,
    title,
    async check() {
      const property = fc.asyncProperty(e.args, (args) => checkContract({
        where: e.where,
        args,
        call: () => e.call(args),
        watch: e.watch?.(args) ?? [watchBystander],
        mutates: e.mutates ?? false,
        mustReject: e.mustReject?.(args) ?? [],
      }));
      await fc.assert(property, { seed: seedOf(title), numRuns: e.runs ?? 60, interruptAfterTimeLimit: TIME_LIMIT_MS });
    },
  };
}
