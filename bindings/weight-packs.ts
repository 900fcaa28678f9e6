// The weight matrices of an arena packed into the column panels the core's matrix products read
// (assembly/gemm.ts gemmPackB), kept between calls and packed again only when the parameters
// changed since (the arena's `version`). A layer's forward kernels read W^T through these instead
// of packing W on every call.
import { mainThreadCore } from "./core.js";
import { WasmArray } from "./buffer.js";

/** What packs read of their arena: where a parameter lives, its shape, and the parameters' version. */
export interface PackSource {
  readonly version: number;
  paramPtr(name: string): number;
  entry(name: string): { readonly shape: readonly number[] };
}

interface Pack {
  array: WasmArray;
  version: number;
}

/**
 * Floats a pack starts after the beginning of its block: packs starting on a cache-line boundary
 * ran 10-15% slower with some strides (their panels' rows then share cache sets with the input's).
 */
const PACK_OFFSET = 4;

/** Packs of an arena's weight matrices W [rows, K] (PyTorch's [out, in]) as B = W^T [K, rows] for gemmPacked. */
export class WeightPacks {
  readonly #packs = new Map<string, Pack>();

  constructor(private readonly source: PackSource) {}

  /**
   * The address of rows [first, first + count) of weight `name` transposed and packed: B [K, count]
   * with B(k, n) = W(first + n, k) (all rows by default). Packed now, on the main thread, when new or
   * when the arena's version changed since it was packed.
   */
  rows(name: string, first = 0, count?: number): number {
    const [rows, K = 1] = this.source.entry(name).shape as [number, number?];
    const n = count ?? rows - first;
    const key = `${name}[${first}:${first + n}]`;
    const c = mainThreadCore();
    let pack = this.#packs.get(key);
    if (pack === undefined) {
      pack = { array: new WasmArray(c.gemmPackedSize(K, n) + PACK_OFFSET), version: -1 };
      this.#packs.set(key, pack);
    }
    const ptr = pack.array.ptr + PACK_OFFSET * 4;
    if (pack.version !== this.source.version) {
      c.gemmPackB(K, n, this.source.paramPtr(name) + first * K * 4, 1, K, ptr);
      pack.version = this.source.version;
    }
    return ptr;
  }

  /** Floats the packs hold now. */
  get size(): number {
    let n = 0;
    for (const { array } of this.#packs.values()) n += array.capacity;
    return n;
  }

  /** Frees every pack (the next `rows` packs again). */
  free(): void {
    for (const { array } of this.#packs.values()) array.free();
    this.#packs.clear();
  }
}
