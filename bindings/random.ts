// The library's one random-number generator (weight init, shuffling, dropout): a seeded
// xoshiro128** in the wasm core whose 16-byte state lives in wasm memory.
import { core } from "./core.js";
import { WasmArray } from "./buffer.js";
import { checkInt, checkNumber, checkSeed, MAX_U32 } from "./validate.js";

/**
 * A seeded pseudo-random generator. The same seed gives bit-identical streams on every
 * platform; seeds 0, 1, 2... give unrelated streams. Fill methods write into blocks of wasm
 * memory given as a byte pointer and an element count.
 */
export class Rng {
  #state: WasmArray | null;

  /** @param seed an integer in [0, 2^32 - 1]. */
  constructor(seed: number) {
    checkSeed("Rng", seed);
    this.#state = new WasmArray(4);
    core().rngSeed(this.#state.ptr, seed);
  }

  /** The state pointer; throws once disposed. */
  #ptr(where: string): number {
    if (this.#state === null) throw new Error(`Rng.${where}: the generator was disposed`);
    return this.#state.ptr;
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
    return core().rngNextFloat(this.#ptr("nextFloat"));
  }

  /** A uniform integer in [0, n), without bias; `n` is an integer in [1, 2^32 - 1]. */
  nextInt(n: number): number {
    checkInt("Rng.nextInt", "n", n, 1);
    if (n > MAX_U32) throw new RangeError(`Rng.nextInt: n must be <= ${MAX_U32}; got ${n}`);
    return core().rngNextBelow(this.#ptr("nextInt"), n) >>> 0;
  }

  /** Fills `n` floats at `ptr` uniformly from [lo, hi) (24 random bits each; float32 rounding can reach hi). */
  fillUniform(ptr: number, n: number, lo: number, hi: number): void {
    const state = this.#ptr("fillUniform");
    this.#block("fillUniform", ptr, n);
    checkNumber("Rng.fillUniform", "lo", lo);
    checkNumber("Rng.fillUniform", "hi", hi, lo);
    core().rngFillUniform(state, ptr, n, lo, hi);
  }

  /** Fills `n` floats at `ptr` from a normal distribution (Box–Muller in float64). */
  fillNormal(ptr: number, n: number, mean: number, std: number): void {
    const state = this.#ptr("fillNormal");
    this.#block("fillNormal", ptr, n);
    checkNumber("Rng.fillNormal", "mean", mean);
    checkNumber("Rng.fillNormal", "std", std, 0);
    core().rngFillNormal(state, ptr, n, mean, std);
  }

  /** Shuffles the `n` int32 values at `ptr` in place; every permutation is equally likely (Fisher–Yates). */
  shuffle(ptr: number, n: number): void {
    const state = this.#ptr("shuffle");
    this.#block("shuffle", ptr, n);
    core().rngShuffleI32(state, ptr, n);
  }

  /**
   * Fills `n` floats at `ptr` with an inverted-dropout mask: each is `1 / keepProb` with
   * probability `keepProb` (in (0, 1]) and 0 otherwise, so masked activations keep their mean.
   */
  fillDropoutMask(ptr: number, n: number, keepProb: number): void {
    const state = this.#ptr("fillDropoutMask");
    this.#block("fillDropoutMask", ptr, n);
    checkNumber("Rng.fillDropoutMask", "keepProb", keepProb, 0, 1);
    if (keepProb === 0) throw new RangeError("Rng.fillDropoutMask: keepProb must be in (0, 1]; got 0");
    core().rngFillBernoulliScaled(state, ptr, n, keepProb);
  }

  /** Frees the generator's state; any later call throws. */
  dispose(): void {
    this.#state?.free();
    this.#state = null;
  }
}
