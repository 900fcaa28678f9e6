// The exports of a WebAssembly binary read from its bytes (type, import, function and export
// sections), so that a build this runtime cannot compile (relaxed SIMD on Node 20) is checked too.

/** One export: its kind and, for a function, its parameter count. */
export interface BinaryExport {
  kind: "function" | "table" | "memory" | "global" | "tag";
  params?: number;
}

const EXPORT_KINDS = ["function", "table", "memory", "global", "tag"] as const;

/** A cursor over the bytes with the LEB128 and name readers the sections need. */
class Reader {
  constructor(private readonly bytes: Uint8Array, public at = 0) {}

  byte(): number {
    if (this.at >= this.bytes.length) throw new RangeError(`wasm binary ends at byte ${this.at}`);
    return this.bytes[this.at++]!;
  }

  u32(): number {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
  }

  /** Skips n bytes (a method, as `r.at += r.u32()` would add to the position read before the call). */
  skip(n: number): void {
    this.at += n;
  }

  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.bytes.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }

  limits(): void {
    const flags = this.byte();
    this.u32();
    if ((flags & 1) !== 0) this.u32();
  }
}

/** Every export of the module in `bytes` by name. */
export function binaryExports(bytes: Uint8Array): Map<string, BinaryExport> {
  const r = new Reader(bytes, 8);
  const typeParams: number[] = [];
  const functionTypes: number[] = [];
  const exports = new Map<string, BinaryExport>();
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.at + size;
    if (id === 1) {
      for (let i = r.u32(); i > 0; i--) {
        if (r.byte() !== 0x60) throw new RangeError("wasm binary: a type that is not a function type");
        const params = r.u32();
        r.skip(params);
        typeParams.push(params);
        r.skip(r.u32());
      }
    } else if (id === 2) {
      for (let i = r.u32(); i > 0; i--) {
        r.name();
        r.name();
        const kind = r.byte();
        if (kind === 0) functionTypes.push(r.u32());
        else if (kind === 1) { r.byte(); r.limits(); }
        else if (kind === 2) r.limits();
        else if (kind === 3) { r.byte(); r.byte(); }
        else throw new RangeError(`wasm binary: import kind ${kind}`);
      }
    } else if (id === 3) {
      for (let i = r.u32(); i > 0; i--) functionTypes.push(r.u32());
    } else if (id === 7) {
      for (let i = r.u32(); i > 0; i--) {
        const name = r.name();
        const kind = EXPORT_KINDS[r.byte()]!;
        const index = r.u32();
        exports.set(name, kind === "function" ? { kind, params: typeParams[functionTypes[index]!]! } : { kind });
      }
    }
    r.at = end;
  }
  return exports;
}
