// The weight matrices of an arena packed into the column panels the core's matrix products read
// (assembly/gemm.ts gemmPackB), kept between calls and packed again only when the parameters
// changed since (the arena's `version`). A layer's forward kernels read W^T through these instead
// of packing W on every call.
import { mainThreadCore } from "./core.js";
import { Workspace, blockPtr, type BlockRef } from "./buffer.js";

/** What packs read of their arena: where a parameter lives, its shape, and the parameters' version. */
export interface PackSource {
  readonly version: number;
  paramPtr(name: string): number;
  entry(name: string): { readonly shape: readonly number[] };
}

/** Packs of an arena's weight matrices W [rows, K] (PyTorch's [out, in]) as B = W^T [K, rows] for gemmPacked. */
export class WeightPacks {
  /** The packs' memory, one block per packed row range: memory plans list them (`block`) as any workspace's. */
  readonly ws = new Workspace();
  /** Where each block was packed last, and at which parameter version. */
  readonly #packed = new Map<string, { ptr: number; version: number }>();

  constructor(private readonly source: PackSource) {}

  /** The block holding rows [first, first + count) of weight `name` (all rows by default) packed. */
  block(name: string, first = 0, count?: number): BlockRef {
    const [rows, K = 1] = this.source.entry(name).shape as [number, number?];
    const n = count ?? rows - first;
    return { ws: this.ws, name: `${name}[${first}:${first + n}]`, length: mainThreadCore().gemmPackedSize(K, n) };
  }

  /**
   * The address of rows [first, first + count) of weight `name` transposed and packed: B [K, count]
   * with B(k, n) = W(first + n, k) (all rows by default). Packed now, on the main thread, when new or
   * when the arena's version changed since it was packed.
   */
  rows(name: string, first = 0, count?: number): number {
    const block = this.block(name, first, count);
    const ptr = blockPtr(block);
    const version = this.source.version;
    const last = this.#packed.get(block.name);
    if (last === undefined || last.ptr !== ptr || last.version !== version) {
      const [rows, K = 1] = this.source.entry(name).shape as [number, number?];
      mainThreadCore().gemmPackB(K, count ?? rows - first, this.source.paramPtr(name) + first * K * 4, 1, K, ptr);
      this.#packed.set(block.name, { ptr, version });
    }
    return ptr;
  }

  /** Frees every pack (the next `rows` packs again). */
  free(): void {
    this.ws.free();
    this.#packed.clear();
  }
}
