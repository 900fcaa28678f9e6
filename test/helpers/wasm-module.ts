// Tiny hand-assembled WebAssembly modules, to show init() what a foreign module looks like.

/** What the module holds: functions () -> i32 returning a constant, exported by name; a memory; imports. */
export interface ModuleSpec {
  /** Exported functions and the constant each returns. */
  functions?: Record<string, number>;
  /** Export one page of memory under this name. */
  memory?: string;
  /** Import a function () -> i32 as module.field (which init() cannot provide). */
  importFunction?: [string, string];
}

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of an i32. */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, items: number[][]): number[] {
  const body = [...uleb(items.length), ...items.flat()];
  return [id, ...uleb(body.length), ...body];
}

/** The bytes of a module as `spec` describes it. */
export function wasmModule(spec: ModuleSpec): Uint8Array {
  const functions = Object.entries(spec.functions ?? {});
  const imported = spec.importFunction === undefined ? 0 : 1;
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  bytes.push(...section(1, [[0x60, 0x00, 0x01, 0x7f]]));
  if (spec.importFunction !== undefined) bytes.push(...section(2, [[...name(spec.importFunction[0]), ...name(spec.importFunction[1]), 0x00, 0x00]]));
  bytes.push(...section(3, functions.map(() => [0x00])));
  if (spec.memory !== undefined) bytes.push(...section(5, [[0x00, 0x01]]));
  const exports = functions.map(([n], i) => [...name(n), 0x00, ...uleb(imported + i)]);
  if (spec.memory !== undefined) exports.push([...name(spec.memory), 0x02, 0x00]);
  bytes.push(...section(7, exports));
  bytes.push(...section(10, functions.map(([, value]) => {
    const body = [0x00, 0x41, ...sleb(value), 0x0b];
    return [...uleb(body.length), ...body];
  })));
  return Uint8Array.from(bytes);
}
