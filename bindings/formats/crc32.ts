// CRC-32 of the IEEE 802.3 polynomial (reflected 0xEDB88320), as zlib's crc32 and zip archives use.
import { describe, MAX_U32 } from "../validate.js";

const TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32 of `bytes`, continuing from `initial` (the CRC of the bytes before them; default 0),
 * as zlib.crc32(bytes, initial): crc32(b, crc32(a)) equals crc32 of a followed by b.
 */
export function crc32(bytes: Uint8Array, initial = 0): number {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`crc32: bytes must be a Uint8Array; got ${describe(bytes)}`);
  if (!Number.isInteger(initial) || initial < 0 || initial > MAX_U32) {
    throw new RangeError(`crc32: initial must be an integer in [0, ${MAX_U32}]; got ${describe(initial)}`);
  }
  let c = ~initial;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
