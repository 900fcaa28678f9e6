// A minimal protocol-buffers wire format (proto2/proto3 binary encoding): varints, 64- and 32-bit
// fixed fields, length-delimited bytes / strings / messages and packed repeated scalars. The
// reader checks every length against the bytes left before taking a slice, so a corrupt length
// never allocates, and reports malformed input as RangeErrors prefixed by the caller's name.

/** The wire types this format uses (3 and 4, proto2 groups, are refused). */
export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8");

/** Builds one message: fields are appended in call order. */
export class ProtoWriter {
  private buffer = new Uint8Array(256);
  private length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buffer[this.length++] = b;
  }

  /** A raw varint: an unsigned value, or a negative integer as its 64-bit two's complement (10 bytes). */
  private rawVarint(value: number | bigint): void {
    if (typeof value === "number" && value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        this.byte((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      this.byte(v);
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  private raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** An integer field (int32, int64, enum, bool) as a varint; negative values take 10 bytes, as protobuf's int64. */
  varint(field: number, value: number | bigint): this {
    this.tag(field, WIRE.varint);
    this.rawVarint(value);
    return this;
  }

  /** A float field (fixed32, little-endian IEEE 754). */
  float(field: number, value: number): this {
    this.tag(field, WIRE.fixed32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.raw(b);
    return this;
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE.bytes);
    this.rawVarint(value.length);
    this.raw(value);
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, utf8Encoder.encode(value));
  }

  /** An embedded message field, written by `write` into a nested writer. */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const nested = new ProtoWriter();
    write(nested);
    return this.bytes(field, nested.finish());
  }

  /** A packed repeated integer field (int64 / int32 varints); nothing when empty, as protobuf. */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    if (values.length === 0) return this;
    const nested = new ProtoWriter();
    for (const v of values) nested.rawVarint(v);
    return this.bytes(field, nested.finish());
  }

  /** A packed repeated float field; nothing when empty. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    const b = new Uint8Array(values.length * 4);
    const view = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    return this.bytes(field, b);
  }

  /** The encoded message. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Reads the fields of one message in order; `where` prefixes every error ("Model.fromOnnx: ..."). */
export class ProtoReader {
  private pos: number;
  private readonly end: number;
  /** The wire type of the field whose key was read last (null inside packed data, which has no keys). */
  private wire: number | null = null;

  constructor(private readonly bytes: Uint8Array, private readonly where: string, start = 0, end = bytes.length) {
    this.pos = start;
    this.end = end;
  }

  private fail(what: string): never {
    throw new RangeError(`${this.where}: malformed protobuf at byte ${this.pos}: ${what}`);
  }

  /** Whether every field has been read. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The raw varint as an unsigned 64-bit BigInt. */
  private rawVarint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) this.fail("a varint runs past the end of its message");
      const b = this.bytes[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    return this.fail("a varint is longer than 10 bytes");
  }

  /** Reads the next field's key and returns its field number (the read methods then check its wire type). */
  key(): number {
    const k = this.rawVarint();
    const field = Number(k >> 3n);
    const wire = Number(k & 7n);
    if (field === 0) this.fail("field number 0");
    if (wire !== WIRE.varint && wire !== WIRE.fixed64 && wire !== WIRE.bytes && wire !== WIRE.fixed32) this.fail(`unsupported wire type ${wire} for field ${field}`);
    this.wire = wire;
    return field;
  }

  /** A varint field as a signed 64-bit integer in a Number (exact up to 2^53; larger magnitudes rounded). */
  int(): number {
    this.expectWire(WIRE.varint, "an integer");
    return Number(BigInt.asIntN(64, this.rawVarint()));
  }

  /** A fixed32 field as a float. */
  float(): number {
    this.expectWire(WIRE.fixed32, "a float");
    const at = this.take(4);
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 4).getFloat32(0, true);
  }

  /** Skips `n` bytes after checking they exist; returns where they start. */
  private take(n: number): number {
    if (n > this.end - this.pos) this.fail(`a field needs ${n} bytes but only ${this.end - this.pos} are left`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** The length prefix of a length-delimited field, checked against the bytes left. */
  private lengthPrefix(): number {
    const n = this.rawVarint();
    const left = this.end - this.pos;
    if (n > BigInt(left)) this.fail(`a length of ${n} bytes exceeds the ${left} bytes left`);
    return Number(n);
  }

  /** A bytes field: a view into the input (not a copy). */
  bytesField(): Uint8Array {
    this.expectWire(WIRE.bytes, "a length-delimited");
    const n = this.lengthPrefix();
    const at = this.take(n);
    return this.bytes.subarray(at, at + n);
  }

  /** A string field (UTF-8). */
  string(): string {
    return utf8Decoder.decode(this.bytesField());
  }

  /** An embedded message field: a reader over its bytes. */
  message(): ProtoReader {
    this.expectWire(WIRE.bytes, "a message");
    const n = this.lengthPrefix();
    const at = this.take(n);
    return new ProtoReader(this.bytes, this.where, at, at + n);
  }

  /** Appends a repeated integer field to `out`, packed (wire type 2) or not (wire type 0). */
  repeatedInts(out: number[]): void {
    if (this.wire === WIRE.varint) {
      out.push(this.int());
      return;
    }
    const packed = this.message();
    while (!packed.done) out.push(packed.int());
  }

  /** Appends a repeated float field to `out`, packed or not. */
  repeatedFloats(out: number[]): void {
    if (this.wire === WIRE.fixed32) {
      out.push(this.float());
      return;
    }
    const packed = this.bytesField();
    if (packed.length % 4 !== 0) this.fail(`packed floats of ${packed.length} bytes (not a multiple of 4)`);
    const view = new DataView(packed.buffer, packed.byteOffset, packed.length);
    for (let i = 0; i < packed.length; i += 4) out.push(view.getFloat32(i, true));
  }

  /** Appends a repeated double field to `out`, packed or not. */
  repeatedDoubles(out: number[]): void {
    if (this.wire === WIRE.fixed64) {
      const at = this.take(8);
      out.push(new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 8).getFloat64(0, true));
      return;
    }
    const packed = this.bytesField();
    if (packed.length % 8 !== 0) this.fail(`packed doubles of ${packed.length} bytes (not a multiple of 8)`);
    const view = new DataView(packed.buffer, packed.byteOffset, packed.length);
    for (let i = 0; i < packed.length; i += 8) out.push(view.getFloat64(i, true));
  }

  /** Checks the current field's wire type (not inside packed data). */
  private expectWire(expected: number, what: string): void {
    if (this.wire !== null && this.wire !== expected) this.fail(`${what} field has wire type ${this.wire}; expected ${expected}`);
  }

  /** Skips the current field (one this reader does not use). */
  skip(): void {
    if (this.wire === WIRE.varint) this.rawVarint();
    else if (this.wire === WIRE.fixed64) this.take(8);
    else if (this.wire === WIRE.fixed32) this.take(4);
    else this.take(this.lengthPrefix());
  }
}
