// The exports of a WebAssembly binary read from its bytes (type, import, function and export
// sections), so that a build this runtime cannot compile (relaxed SIMD on Node 20) is checked too.

/** One export: its kind and, for a function, its parameter count. */
export interface BinaryExport {
  kind: "function" | "table" | "memory" | "global" | "tag";
  params?: number;
}

/** A module's exports and the values of its exported i32 constants (globals set by one i32.const). */
export interface BinaryExports {
  exports: Map<string, BinaryExport>;
  constants: Map<string, number>;
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

  /** Signed LEB128 of an i32. */
  i32(): number {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.byte();
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) !== 0);
    return shift < 32 && (b & 0x40) !== 0 ? result | (-1 << shift) : result;
  }

  /** One constant initializer (a const or global.get, then end): the value of an i32.const, else undefined. */
  initExpression(): number | undefined {
    const opcode = this.byte();
    let value: number | undefined;
    if (opcode === 0x41) value = this.i32();
    else if (opcode === 0x42 || opcode === 0x23) this.u32();
    else if (opcode === 0x43) this.skip(4);
    else if (opcode === 0x44) this.skip(8);
    else throw new RangeError(`wasm binary: global initializer opcode 0x${opcode.toString(16)}`);
    if (this.byte() !== 0x0b) throw new RangeError("wasm binary: a global initializer of more than one instruction");
    return value;
  }

  limits(): void {
    const flags = this.byte();
    this.u32();
    if ((flags & 1) !== 0) this.u32();
  }
}

/** Every export of the module in `bytes` by name, and the values of its exported i32 constants. */
export function binaryExports(bytes: Uint8Array): BinaryExports {
  const r = new Reader(bytes, 8);
  const typeParams: number[] = [];
  const functionTypes: number[] = [];
  /** Each global's value when it is an immutable i32 set by a lone i32.const (imported ones: undefined). */
  const globalValues: (number | undefined)[] = [];
  const exports = new Map<string, BinaryExport>();
  const constants = new Map<string, number>();
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
        else if (kind === 3) { r.byte(); r.byte(); globalValues.push(undefined); }
        else throw new RangeError(`wasm binary: import kind ${kind}`);
      }
    } else if (id === 3) {
      for (let i = r.u32(); i > 0; i--) functionTypes.push(r.u32());
    } else if (id === 6) {
      for (let i = r.u32(); i > 0; i--) {
        const type = r.byte();
        const mutable = r.byte();
        globalValues.push(type === 0x7f && mutable === 0 ? r.initExpression() : (r.initExpression(), undefined));
      }
    } else if (id === 7) {
      for (let i = r.u32(); i > 0; i--) {
        const name = r.name();
        const kind = EXPORT_KINDS[r.byte()]!;
        const index = r.u32();
        exports.set(name, kind === "function" ? { kind, params: typeParams[functionTypes[index]!]! } : { kind });
        const value = kind === "global" ? globalValues[index] : undefined;
        if (value !== undefined) constants.set(name, value);
      }
    }
    r.at = end;
  }
  return { exports, constants };
}
