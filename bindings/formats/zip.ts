// A reader of zip archives of stored (uncompressed) entries, as torch.save writes them: the end of
// central directory record (and its ZIP64 form), the central directory, each local header, and
// each entry's CRC-32. Entries come back as views into the archive's bytes.
import { crc32 } from "./crc32.js";

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const ZIP64_EXTRA = 0x0001;
const EOCD_BYTES = 22;
const CENTRAL_HEADER_BYTES = 46;
const LOCAL_HEADER_BYTES = 30;
const MAX_COMMENT = 0xffff;
const U32_MAX = 0xffffffff;
const METHOD_NAMES: Readonly<Record<number, string>> = { 8: "deflate", 9: "deflate64", 12: "bzip2", 14: "lzma", 93: "zstd", 95: "xz" };

/** Where the central directory lies and how many entries it lists. */
interface Directory {
  count: number;
  offset: number;
  size: number;
  /** First byte after the central directory that belongs to the end records. */
  end: number;
}

class ArchiveView {
  private readonly view: DataView;

  constructor(readonly where: string, readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A RangeError "<where>: the zip archive is corrupt: <detail>". */
  corrupt(detail: string): RangeError {
    return new RangeError(`${this.where}: the zip archive is corrupt or truncated: ${detail}`);
  }

  /** Throws unless [offset, offset + length) lies inside the archive. */
  need(offset: number, length: number, what: string): void {
    if (offset < 0 || offset + length > this.bytes.length) {
      throw this.corrupt(`${what} at byte ${offset} (${length} bytes) goes past the end of the file (${this.bytes.length} bytes)`);
    }
  }

  u16(offset: number): number {
    return this.view.getUint16(offset, true);
  }

  u32(offset: number): number {
    return this.view.getUint32(offset, true);
  }

  /** An unsigned 64-bit field, which must stay within 2^53 (no archive here is larger). */
  u64(offset: number, what: string): number {
    const high = this.u32(offset + 4);
    if (high >= 2 ** 21) throw this.corrupt(`${what} ${high} * 2^32 + ${this.u32(offset)} is not a plausible size or offset`);
    return high * 2 ** 32 + this.u32(offset);
  }
}

function findEndRecord(a: ArchiveView): number {
  const last = a.bytes.length - EOCD_BYTES;
  for (let at = last; at >= 0 && at >= last - MAX_COMMENT; at--) {
    if (a.u32(at) === EOCD && at + EOCD_BYTES + a.u16(at + 20) === a.bytes.length) return at;
  }
  throw a.corrupt("no end-of-central-directory record (the file is not a zip archive, or it is cut short)");
}

function readDirectory(a: ArchiveView): Directory {
  const eocd = findEndRecord(a);
  const locator = eocd - 20;
  if (locator >= 0 && a.u32(locator) === ZIP64_LOCATOR) {
    const record = a.u64(locator + 8, "the ZIP64 end record offset");
    a.need(record, 56, "the ZIP64 end-of-central-directory record");
    if (a.u32(record) !== ZIP64_EOCD) throw a.corrupt(`no ZIP64 end-of-central-directory record at byte ${record}`);
    const count = a.u64(record + 32, "the ZIP64 entry count");
    return { count, size: a.u64(record + 40, "the ZIP64 directory size"), offset: a.u64(record + 48, "the ZIP64 directory offset"), end: record };
  }
  if (a.u16(eocd + 4) !== 0 || a.u16(eocd + 6) !== 0) throw a.corrupt("the archive spans several disks");
  return { count: a.u16(eocd + 10), size: a.u32(eocd + 12), offset: a.u32(eocd + 16), end: eocd };
}

/** The ZIP64 extra field's 64-bit values replace the 32-bit fields that hold 0xFFFFFFFF, in order. */
function applyZip64(a: ArchiveView, at: number, length: number, fields: number[], name: string): void {
  const end = at + length;
  while (at + 4 <= end) {
    const id = a.u16(at);
    const size = a.u16(at + 2);
    if (at + 4 + size > end) throw a.corrupt(`an extra field of entry ${JSON.stringify(name)} overruns its header`);
    if (id === ZIP64_EXTRA) {
      let value = at + 4;
      for (let i = 0; i < fields.length; i++) {
        if (fields[i] !== U32_MAX) continue;
        if (value + 8 > at + 4 + size) throw a.corrupt(`the ZIP64 field of entry ${JSON.stringify(name)} is too short`);
        fields[i] = a.u64(value, `a ZIP64 size of entry ${JSON.stringify(name)}`);
        value += 8;
      }
    }
    at += 4 + size;
  }
}

/** Reads one central header at `at`; returns the entry's name, data and the next header's offset. */
function readEntry(a: ArchiveView, at: number, directory: Directory): { name: string; data: Uint8Array; next: number } {
  a.need(at, CENTRAL_HEADER_BYTES, "a central directory header");
  if (a.u32(at) !== CENTRAL_HEADER) throw a.corrupt(`no central directory header at byte ${at}`);
  const flags = a.u16(at + 8);
  const method = a.u16(at + 10);
  const crc = a.u32(at + 16);
  const nameLength = a.u16(at + 28);
  const extraLength = a.u16(at + 30);
  const next = at + CENTRAL_HEADER_BYTES + nameLength + extraLength + a.u16(at + 32);
  if (next > directory.offset + directory.size) throw a.corrupt(`the central header at byte ${at} overruns the central directory`);
  const nameBytes = a.bytes.subarray(at + CENTRAL_HEADER_BYTES, at + CENTRAL_HEADER_BYTES + nameLength);
  const name = new TextDecoder().decode(nameBytes);
  const fields = [a.u32(at + 24), a.u32(at + 20), a.u32(at + 42)];
  applyZip64(a, at + CENTRAL_HEADER_BYTES + nameLength, extraLength, fields, name);
  const [size, storedSize, local] = fields as [number, number, number];
  const label = `entry ${JSON.stringify(name)}`;
  if (flags & 1) throw new TypeError(`${a.where}: ${label} of the zip archive is encrypted`);
  if (method !== 0) {
    throw new TypeError(`${a.where}: ${label} of the zip archive is compressed (method ${method}${METHOD_NAMES[method] ? `, ${METHOD_NAMES[method]}` : ""}); only stored entries are read, as torch.save writes them`);
  }
  if (size === U32_MAX || storedSize === U32_MAX || local === U32_MAX) throw a.corrupt(`${label} lacks its ZIP64 sizes`);
  if (size !== storedSize) throw a.corrupt(`stored ${label} has size ${size} but occupies ${storedSize} bytes`);
  a.need(local, LOCAL_HEADER_BYTES, `the local header of ${label}`);
  if (a.u32(local) !== LOCAL_HEADER) throw a.corrupt(`no local header for ${label} at byte ${local}`);
  const localName = local + LOCAL_HEADER_BYTES;
  const start = localName + a.u16(local + 26) + a.u16(local + 28);
  if (a.u16(local + 26) !== nameLength || !a.bytes.subarray(localName, localName + nameLength).every((b, i) => b === nameBytes[i])) {
    throw a.corrupt(`the local header at byte ${local} does not name ${label}`);
  }
  if (start + size > directory.offset) throw a.corrupt(`the data of ${label} (${size} bytes from byte ${start}) runs into the central directory`);
  const data = a.bytes.subarray(start, start + size);
  const actual = crc32(data);
  if (actual !== crc) {
    throw a.corrupt(`${label} fails its CRC-32 check: stored 0x${crc.toString(16).padStart(8, "0")}, computed 0x${actual.toString(16).padStart(8, "0")}`);
  }
  return { name, data, next };
}

/**
 * The entries of a zip archive of stored entries by name (views into `bytes`, CRC-32 verified).
 * Errors start with `where`: RangeError for a corrupt or truncated archive, TypeError for
 * compressed or encrypted entries.
 */
export function readZipEntries(where: string, bytes: Uint8Array): Map<string, Uint8Array> {
  const a = new ArchiveView(where, bytes);
  if (bytes.length < EOCD_BYTES) throw a.corrupt(`the file has ${bytes.length} bytes, fewer than an empty archive's ${EOCD_BYTES}`);
  const directory = readDirectory(a);
  if (directory.offset + directory.size > directory.end) {
    throw a.corrupt(`the central directory (${directory.size} bytes at byte ${directory.offset}) overlaps the end records at byte ${directory.end}`);
  }
  if (directory.count * CENTRAL_HEADER_BYTES > directory.size) {
    throw a.corrupt(`${directory.count} entries cannot fit in a central directory of ${directory.size} bytes`);
  }
  const entries = new Map<string, Uint8Array>();
  let at = directory.offset;
  for (let i = 0; i < directory.count; i++) {
    const { name, data, next } = readEntry(a, at, directory);
    if (entries.has(name)) throw a.corrupt(`entry ${JSON.stringify(name)} appears twice`);
    entries.set(name, data);
    at = next;
  }
  return entries;
}
