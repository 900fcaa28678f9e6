// The library's one random-number generator (weight init, shuffling, dropout): a seeded
// xoshiro128** in the wasm core whose 16-byte state lives in wasm memory.
import { core } from "./core.js";
import { WasmArray } from "./buffer.js";
import { checkInt, checkNumber, checkSeed, MAX_U32 } from "./validate.js";
import { guardDisposal, isDisposed, markDisposed } from "./disposal.js";

/**
 * A seeded pseudo-random generator. The same seed gives bit-identical streams on every
 * platform; seeds 0, 1, 2... give unrelated streams. Fill methods write into blocks of wasm
 * memory given as a byte pointer and an element count. After `dispose()` every method throws.
 */
export class Rng {
  readonly #state: WasmArray;

  /** @param seed an integer in [0, 2^32 - 1]. */
  constructor(seed: number) {
    checkSeed("Rng", seed);
    this.#state = new WasmArray(4);
    core().rngSeed(this.#state.ptr, seed);
    guardDisposal(this, Rng, "generator");
  }

  /** Checks that [ptr, ptr + 4n) is a block of wasm memory. */
  #block(where: string, ptr: number, n: number): void {
    checkInt(`Rng.${where}`, "n", n, 0);
    checkInt(`Rng.${where}`, "ptr", ptr, 0);
    const bytes = core().memory.buffer.byteLength;
    if (ptr % 4 !== 0 || ptr + 4 * n > bytes) {
      throw new RangeError(`Rng.${where}: [ptr, ptr + 4n) = [${ptr}, ${ptr + 4 * n}) is not an aligned block of wasm memory (${bytes} bytes)`);
    }
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  nextFloat(): number {
    return core().rngNextFloat(this.#state.ptr);
  }

  /** A uniform integer in [0, n), without bias; `n` is an integer in [1, 2^32 - 1]. */
  nextInt(n: number): number {
    checkInt("Rng.nextInt", "n", n, 1);
    if (n > MAX_U32) throw new RangeError(`Rng.nextInt: n must be <= ${MAX_U32}; got ${n}`);
    return core().rngNextBelow(this.#state.ptr, n) >>> 0;
  }

  /** Fills `n` floats at `ptr` uniformly from [lo, hi) (24 random bits each; float32 rounding can reach hi). */
  fillUniform(ptr: number, n: number, lo: number, hi: number): void {
    this.#block("fillUniform", ptr, n);
    checkNumber("Rng.fillUniform", "lo", lo);
    checkNumber("Rng.fillUniform", "hi", hi, lo);
    core().rngFillUniform(this.#state.ptr, ptr, n, lo, hi);
  }

  /** Fills `n` floats at `ptr` from a normal distribution (Box–Muller in float64). */
  fillNormal(ptr: number, n: number, mean: number, std: number): void {
    this.#block("fillNormal", ptr, n);
    checkNumber("Rng.fillNormal", "mean", mean);
    checkNumber("Rng.fillNormal", "std", std, 0);
    core().rngFillNormal(this.#state.ptr, ptr, n, mean, std);
  }

  /** Shuffles the `n` int32 values at `ptr` in place; every permutation is equally likely (Fisher–Yates). */
  shuffle(ptr: number, n: number): void {
    this.#block("shuffle", ptr, n);
    core().rngShuffleI32(this.#state.ptr, ptr, n);
  }

  /**
   * Fills `n` floats at `ptr` with an inverted-dropout mask: each is `1 / keepProb` with
   * probability `keepProb` (in (0, 1]) and 0 otherwise, so masked activations keep their mean.
   */
  fillDropoutMask(ptr: number, n: number, keepProb: number): void {
    this.#block("fillDropoutMask", ptr, n);
    checkNumber("Rng.fillDropoutMask", "keepProb", keepProb, 0, 1);
    if (keepProb === 0) throw new RangeError("Rng.fillDropoutMask: keepProb must be in (0, 1]; got 0");
    core().rngFillBernoulliScaled(this.#state.ptr, ptr, n, keepProb);
  }

  /** Frees the generator's state; any later call throws (a second dispose does nothing). */
  dispose(): void {
    if (isDisposed(this)) return;
    this.#state.free();
    markDisposed(this);
  }
}
