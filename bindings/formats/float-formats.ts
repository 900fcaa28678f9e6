// Floating-point element formats of weight files (float32, float16, bfloat16, float64) decoded
// from raw bytes of either byte order, and the checked float64 -> float32 narrowing.

/** The floating-point element types the readers accept, by their safetensors names. */
export type FloatDtype = "F32" | "F16" | "BF16" | "F64";

/** Bytes per element of each FloatDtype. */
export const FLOAT_DTYPE_BYTES: Readonly<Record<FloatDtype, number>> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

/** The largest finite float32. */
const F32_MAX = 3.4028234663852886e38;

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The value of IEEE 754 binary16 `bits` (subnormals, ±0, ±Infinity and NaN included). */
export function f16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (0x400 + fraction) * 2 ** (exponent - 25);
}

/**
 * The elements of `bytes` (a whole number of `dtype` elements, any alignment) as a new array:
 * F64 exactly as a Float64Array, the others exactly as a Float32Array (bfloat16 and float32 bit
 * for bit, NaN payloads included).
 */
export function decodeFloats(bytes: Uint8Array, dtype: FloatDtype, littleEndian: boolean): Float32Array | Float64Array {
  const n = bytes.length / FLOAT_DTYPE_BYTES[dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === "F64") {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, littleEndian);
    return out;
  }
  const out = new Float32Array(n);
  if (dtype === "F16") {
    for (let i = 0; i < n; i++) out[i] = f16ToNumber(view.getUint16(2 * i, littleEndian));
    return out;
  }
  const bits = new Uint32Array(out.buffer);
  if (dtype === "BF16") {
    for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, littleEndian) << 16;
  } else if (littleEndian === HOST_LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes);
  } else {
    for (let i = 0; i < n; i++) bits[i] = view.getUint32(4 * i, littleEndian);
  }
  return out;
}

/**
 * `values` as float32 (a Float32Array is returned as it is; float64 is rounded to nearest).
 * A finite float64 beyond the float32 range is a RangeError naming `what` and the flat index,
 * never a silent Infinity; ±Infinity and NaN stay what they are.
 */
export function toFloat32(where: string, what: string, values: Float32Array | Float64Array): Float32Array {
  if (values instanceof Float32Array) return values;
  const out = Float32Array.from(values);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!) && Number.isFinite(values[i]!)) {
      throw new RangeError(`${where}: ${what} holds ${values[i]} at flat index ${i}, outside the float32 range [-${F32_MAX}, ${F32_MAX}]`);
    }
  }
  return out;
}
