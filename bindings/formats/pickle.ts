// A restricted unpickler: only the opcodes PyTorch's weights-only unpickler accepts (plus
// STACK_GLOBAL, judged like GLOBAL), with every global, call, persistent id and BUILD handed to
// hooks that allow-list them. It builds plain values; it never looks anything up or runs it.

/** A Python tuple. */
export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** A Python dict (or OrderedDict), in insertion order. */
export class PickleDict {
  readonly entries = new Map<PickleValue, PickleValue>();
}

/** A global (module.name) the hooks allowed; REDUCE may call it through the hooks. */
export class PickleGlobal {
  constructor(readonly module: string, readonly name: string) {}

  /** "module.name". */
  get path(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Base of the values hooks build (e.g. tensor references); the unpickler only moves them around. */
export abstract class PickleObject {}

/** What the restricted unpickler produces. A Python list is a JS array; ints beyond 2^53 are bigints. */
export type PickleValue = null | boolean | number | bigint | string | PickleValue[] | PickleTuple | PickleDict | PickleGlobal | PickleObject;

/** The allow-list of an unpickling: every hook throws for what it does not accept. */
export interface UnpicklerHooks {
  /** GLOBAL / STACK_GLOBAL: throws unless the global may be referenced at all. */
  checkGlobal(global: PickleGlobal): void;
  /** REDUCE: the value of calling the (allowed) `callable` with `args`. */
  reduce(callable: PickleGlobal, args: PickleTuple): PickleValue;
  /** BINPERSID: the object a persistent id stands for. */
  persistentLoad(pid: PickleValue): PickleValue;
  /** BUILD: applies `state` to `target` (which stays on the stack). */
  build(target: PickleValue, state: PickleValue): void;
}

const MAX_PROTOCOL = 5;

/** A short description of a pickled value for messages ("a dict", "the string "x""). */
export function describePickle(value: PickleValue): string {
  if (value === null) return "None";
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof PickleTuple) return `a tuple of ${value.items.length}`;
  if (value instanceof PickleDict) return `a dict of ${value.entries.size}`;
  if (value instanceof PickleGlobal) return `the global ${value.path}`;
  if (value instanceof PickleObject) return `a ${value.constructor.name}`;
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `the ${typeof value} ${String(value)}`;
}

function opcodeName(op: number): string {
  const hex = `0x${op.toString(16).padStart(2, "0")}`;
  return op >= 0x21 && op < 0x7f ? `'${String.fromCharCode(op)}' (${hex})` : hex;
}

class Unpickler {
  private pos = 0;
  private opStart = 0;
  private stack: PickleValue[] = [];
  private readonly marks: PickleValue[][] = [];
  private readonly memo = new Map<number, PickleValue>();
  private readonly view: DataView;
  private readonly utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  constructor(private readonly prefix: string, private readonly bytes: Uint8Array, private readonly hooks: UnpicklerHooks) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private malformed(detail: string): RangeError {
    return new RangeError(`${this.prefix} is malformed: ${detail} (opcode at byte ${this.opStart})`);
  }

  private take(n: number): number {
    if (this.pos + n > this.bytes.length) throw this.malformed(`it ends inside an opcode that needs ${n} more bytes`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private text(length: number): string {
    const at = this.take(length);
    try {
      return this.utf8.decode(this.bytes.subarray(at, at + length));
    } catch {
      throw this.malformed("a string is not valid UTF-8");
    }
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw this.malformed("a GLOBAL name has no terminating newline");
    return this.text(end - this.pos + 1).slice(0, -1);
  }

  private pop(): PickleValue {
    if (this.stack.length === 0) throw this.malformed("the stack is empty");
    return this.stack.pop()!;
  }

  private top(): PickleValue {
    if (this.stack.length === 0) throw this.malformed("the stack is empty");
    return this.stack[this.stack.length - 1]!;
  }

  private popMark(): PickleValue[] {
    const items = this.stack;
    const outer = this.marks.pop();
    if (outer === undefined) throw this.malformed("no MARK precedes it");
    this.stack = outer;
    return items;
  }

  private global(module: string, name: string): void {
    const g = new PickleGlobal(module, name);
    this.hooks.checkGlobal(g);
    this.stack.push(g);
  }

  private long(length: number): number | bigint {
    const at = this.take(length);
    let value = 0n;
    for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.bytes[at + i]!);
    if (length > 0 && this.bytes[at + length - 1]! & 0x80) value -= 1n << BigInt(8 * length);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  private dictTarget(): PickleDict {
    const target = this.top();
    if (!(target instanceof PickleDict)) throw new TypeError(`${this.prefix}: SETITEM(S) applies to ${describePickle(target)}; only a dict accepts items`);
    return target;
  }

  private listTarget(): PickleValue[] {
    const target = this.top();
    if (!Array.isArray(target)) throw new TypeError(`${this.prefix}: APPEND(S) applies to ${describePickle(target)}; only a list accepts items`);
    return target;
  }

  private memoGet(index: number): void {
    if (!this.memo.has(index)) throw this.malformed(`memo entry ${index} was never stored`);
    this.stack.push(this.memo.get(index)!);
  }

  private tuple(n: number): void {
    if (this.stack.length < n) throw this.malformed("the stack is empty");
    this.stack.push(new PickleTuple(this.stack.splice(this.stack.length - n, n)));
  }

  /** Runs one opcode; returns true at STOP. */
  private step(): boolean {
    this.opStart = this.pos;
    const op = this.bytes[this.take(1)]!;
    switch (op) {
      case 0x80: { // PROTO
        const version = this.bytes[this.take(1)]!;
        if (version > MAX_PROTOCOL) throw this.malformed(`pickle protocol ${version} is beyond the highest known, ${MAX_PROTOCOL}`);
        return false;
      }
      case 0x2e: // STOP
        return true;
      case 0x28: // MARK
        this.marks.push(this.stack);
        this.stack = [];
        return false;
      case 0x63: // GLOBAL
        this.global(this.line(), this.line());
        return false;
      case 0x93: { // STACK_GLOBAL
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== "string" || typeof name !== "string") throw this.malformed("STACK_GLOBAL needs two strings");
        this.global(module, name);
        return false;
      }
      case 0x52: { // REDUCE
        const args = this.pop();
        const callable = this.pop();
        if (!(callable instanceof PickleGlobal)) throw new TypeError(`${this.prefix}: REDUCE calls ${describePickle(callable)}, which is not a callable global`);
        if (!(args instanceof PickleTuple)) throw this.malformed(`REDUCE takes a tuple of arguments; got ${describePickle(args)}`);
        this.stack.push(this.hooks.reduce(callable, args));
        return false;
      }
      case 0x62: { // BUILD
        const state = this.pop();
        this.hooks.build(this.top(), state);
        return false;
      }
      case 0x51: // BINPERSID
        this.stack.push(this.hooks.persistentLoad(this.pop()));
        return false;
      case 0x61: { // APPEND
        const item = this.pop();
        this.listTarget().push(item);
        return false;
      }
      case 0x65: { // APPENDS
        const items = this.popMark();
        const list = this.listTarget();
        for (const item of items) list.push(item);
        return false;
      }
      case 0x73: { // SETITEM
        const value = this.pop();
        const key = this.pop();
        this.dictTarget().entries.set(key, value);
        return false;
      }
      case 0x75: { // SETITEMS
        const items = this.popMark();
        if (items.length % 2 !== 0) throw this.malformed(`SETITEMS has ${items.length} values, not key/value pairs`);
        const dict = this.dictTarget();
        for (let i = 0; i < items.length; i += 2) dict.entries.set(items[i]!, items[i + 1]!);
        return false;
      }
      case 0x74: { // TUPLE
        const items = this.popMark();
        this.stack.push(new PickleTuple(items));
        return false;
      }
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: // TUPLE3
        this.tuple(op - 0x84);
        return false;
      case 0x29: // EMPTY_TUPLE
        this.stack.push(new PickleTuple([]));
        return false;
      case 0x5d: // EMPTY_LIST
        this.stack.push([]);
        return false;
      case 0x7d: // EMPTY_DICT
        this.stack.push(new PickleDict());
        return false;
      case 0x4e: // NONE
        this.stack.push(null);
        return false;
      case 0x88: // NEWTRUE
      case 0x89: // NEWFALSE
        this.stack.push(op === 0x88);
        return false;
      case 0x4b: // BININT1
        this.stack.push(this.bytes[this.take(1)]!);
        return false;
      case 0x4d: // BININT2
        this.stack.push(this.view.getUint16(this.take(2), true));
        return false;
      case 0x4a: // BININT
        this.stack.push(this.view.getInt32(this.take(4), true));
        return false;
      case 0x8a: // LONG1
        this.stack.push(this.long(this.bytes[this.take(1)]!));
        return false;
      case 0x47: // BINFLOAT
        this.stack.push(this.view.getFloat64(this.take(8), false));
        return false;
      case 0x58: // BINUNICODE
        this.stack.push(this.text(this.view.getUint32(this.take(4), true)));
        return false;
      case 0x55: { // SHORT_BINSTRING (bytes; read as latin-1 text)
        const length = this.bytes[this.take(1)]!;
        const at = this.take(length);
        this.stack.push(String.fromCharCode(...this.bytes.subarray(at, at + length)));
        return false;
      }
      case 0x68: // BINGET
        this.memoGet(this.bytes[this.take(1)]!);
        return false;
      case 0x6a: // LONG_BINGET
        this.memoGet(this.view.getUint32(this.take(4), true));
        return false;
      case 0x71: // BINPUT
        this.memo.set(this.bytes[this.take(1)]!, this.top());
        return false;
      case 0x72: // LONG_BINPUT
        this.memo.set(this.view.getUint32(this.take(4), true), this.top());
        return false;
      default:
        throw new TypeError(`${this.prefix} uses opcode ${opcodeName(op)} at byte ${this.opStart}, which a weights-only unpickler does not accept`);
    }
  }

  run(): PickleValue {
    while (this.pos < this.bytes.length) {
      if (this.step()) return this.pop();
    }
    throw this.malformed("it ends without STOP");
  }
}

/**
 * Unpickles `bytes` under the allow-list `hooks`. Errors start with `prefix` (e.g.
 * "readTorchStateDict: data.pkl"): RangeError for malformed or truncated data, TypeError for an
 * opcode outside the weights-only set or a value used where it cannot be.
 */
export function unpickle(prefix: string, bytes: Uint8Array, hooks: UnpicklerHooks): PickleValue {
  return new Unpickler(prefix, bytes, hooks).run();
}
