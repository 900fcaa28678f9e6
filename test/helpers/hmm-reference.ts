// float64 JavaScript references for the HMM tests: random tables, the forward algorithm in log
// space, forward-backward expected counts, Viterbi, and brute force over every state path.
import { mulberry32 } from "./random.js";

/** Tables as the public API takes them: initial [S], transition [S][S], emission [S][V]. */
export interface Tables {
  initial: number[];
  transition: number[][];
  emission: number[][];
}

function distribution(n: number, next: () => number): number[] {
  const raw = Array.from({ length: n }, () => 0.05 + next());
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((v) => v / sum);
}

/** Random tables with every entry > 0, from `seed`. */
export function randomTables(S: number, V: number, seed: number): Tables {
  const next = mulberry32(seed);
  return {
    initial: distribution(S, next),
    transition: Array.from({ length: S }, () => distribution(S, next)),
    emission: Array.from({ length: S }, () => distribution(V, next)),
  };
}

/** A random sequence of T symbols in [0, V). */
export function randomSymbols(T: number, V: number, seed: number): number[] {
  const next = mulberry32(seed);
  return Array.from({ length: T }, () => Math.floor(next() * V) % V);
}

function logSumExp(xs: readonly number[]): number {
  const m = Math.max(...xs);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
}

/** log P(o) by the forward algorithm in log space. */
export function referenceLogProbability(t: Tables, o: readonly number[]): number {
  const S = t.initial.length;
  let a = t.initial.map((p, j) => Math.log(p) + Math.log(t.emission[j]![o[0]!]!));
  for (let k = 1; k < o.length; k++) {
    a = Array.from({ length: S }, (_, j) => logSumExp(a.map((v, i) => v + Math.log(t.transition[i]![j]!))) + Math.log(t.emission[j]![o[k]!]!));
  }
  return logSumExp(a);
}

/** Every state path of length T over S states. */
function* paths(S: number, T: number): Generator<number[]> {
  const path = new Array<number>(T).fill(0);
  for (;;) {
    yield path.slice();
    let k = T - 1;
    while (k >= 0 && path[k] === S - 1) path[k--] = 0;
    if (k < 0) return;
    path[k]!++;
  }
}

/** log P(o, s) of one state path. */
export function pathLogProbability(t: Tables, o: readonly number[], s: readonly number[]): number {
  let lp = Math.log(t.initial[s[0]!]!) + Math.log(t.emission[s[0]!]![o[0]!]!);
  for (let k = 1; k < o.length; k++) lp += Math.log(t.transition[s[k - 1]!]![s[k]!]!) + Math.log(t.emission[s[k]!]![o[k]!]!);
  return lp;
}

/** Brute force: log Σ_s P(o, s) and the path of the largest P(o, s). */
export function bruteForce(t: Tables, o: readonly number[]): { logProbability: number; best: number[]; bestLogProbability: number } {
  const all: number[] = [];
  let best: number[] = [];
  let bestLogProbability = -Infinity;
  for (const s of paths(t.initial.length, o.length)) {
    const lp = pathLogProbability(t, o, s);
    all.push(lp);
    if (lp > bestLogProbability) {
      bestLogProbability = lp;
      best = s;
    }
  }
  return { logProbability: logSumExp(all), best, bestLogProbability };
}

/** Viterbi in log space, first maximum on ties. */
export function referenceViterbi(t: Tables, o: readonly number[]): { path: number[]; logProbability: number } {
  const S = t.initial.length;
  let d = t.initial.map((p, j) => Math.log(p) + Math.log(t.emission[j]![o[0]!]!));
  const back: number[][] = [];
  for (let k = 1; k < o.length; k++) {
    const psi: number[] = [];
    d = Array.from({ length: S }, (_, j) => {
      let best = -Infinity;
      let at = 0;
      d.forEach((v, i) => {
        const c = v + Math.log(t.transition[i]![j]!);
        if (c > best) {
          best = c;
          at = i;
        }
      });
      psi.push(at);
      return best + Math.log(t.emission[j]![o[k]!]!);
    });
    back.push(psi);
  }
  let state = d.indexOf(Math.max(...d));
  const path = [state];
  for (let k = back.length - 1; k >= 0; k--) path.unshift((state = back[k]![state]!));
  return { path, logProbability: Math.max(...d) };
}

/** Expected counts of a batch by forward-backward in log space: start [S], transition [S][S], emission [S][V]. */
export function referenceExpectedCounts(t: Tables, batch: readonly (readonly number[])[]): Tables {
  const S = t.initial.length;
  const V = t.emission[0]!.length;
  const counts: Tables = {
    initial: new Array<number>(S).fill(0),
    transition: Array.from({ length: S }, () => new Array<number>(S).fill(0)),
    emission: Array.from({ length: S }, () => new Array<number>(V).fill(0)),
  };
  const lA = (i: number, j: number) => Math.log(t.transition[i]![j]!);
  const lB = (j: number, o: number) => Math.log(t.emission[j]![o]!);
  for (const o of batch) {
    const T = o.length;
    const alpha: number[][] = [t.initial.map((p, j) => Math.log(p) + lB(j, o[0]!))];
    for (let k = 1; k < T; k++) alpha.push(Array.from({ length: S }, (_, j) => logSumExp(alpha[k - 1]!.map((v, i) => v + lA(i, j))) + lB(j, o[k]!)));
    const beta: number[][] = new Array(T);
    beta[T - 1] = new Array<number>(S).fill(0);
    for (let k = T - 2; k >= 0; k--) beta[k] = Array.from({ length: S }, (_, i) => logSumExp(beta[k + 1]!.map((v, j) => lA(i, j) + lB(j, o[k + 1]!) + v)));
    const logP = logSumExp(alpha[T - 1]!);
    for (let k = 0; k < T; k++) {
      for (let i = 0; i < S; i++) {
        const gamma = Math.exp(alpha[k]![i]! + beta[k]![i]! - logP);
        counts.emission[i]![o[k]!]! += gamma;
        if (k === 0) counts.initial[i]! += gamma;
        if (k + 1 < T) {
          for (let j = 0; j < S; j++) counts.transition[i]![j]! += Math.exp(alpha[k]![i]! + lA(i, j) + lB(j, o[k + 1]!) + beta[k + 1]![j]! - logP);
        }
      }
    }
  }
  return counts;
}
