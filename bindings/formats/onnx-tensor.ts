// TensorProto values: built from typed arrays for export (little-endian raw_data), and read back
// as numbers from raw_data or the typed *_data fields for import.
import { DATA_TYPE, type OnnxTensor } from "./onnx-proto.js";
import { sizeOf } from "../tensor.js";
import { shapeString } from "../validate.js";

function tensor(name: string, dims: readonly number[], dataType: number, rawData: Uint8Array): OnnxTensor {
  return { name, dims: [...dims], dataType, rawData, floatData: [], int32Data: [], int64Data: [], doubleData: [], external: false };
}

/** A float tensor holding `data` (row-major, dims' product values). */
export function floatTensor(name: string, dims: readonly number[], data: ArrayLike<number>): OnnxTensor {
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return tensor(name, dims, DATA_TYPE.float, raw);
}

/** An int64 (or, with dataType int32, int32) tensor holding integer `values`. */
export function intTensor(name: string, dims: readonly number[], values: readonly number[], dataType: number = DATA_TYPE.int64): OnnxTensor {
  const width = dataType === DATA_TYPE.int64 ? 8 : 4;
  const raw = new Uint8Array(values.length * width);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => (width === 8 ? view.setBigInt64(i * 8, BigInt(v), true) : view.setInt32(i * 4, v, true)));
  return tensor(name, dims, dataType, raw);
}

/** Bytes per element of the numeric types read by `tensorNumbers`. */
const ELEMENT_BYTES: Record<number, number> = {
  [DATA_TYPE.float]: 4, [DATA_TYPE.double]: 8, [DATA_TYPE.int32]: 4, [DATA_TYPE.int64]: 8,
  [DATA_TYPE.int8]: 1, [DATA_TYPE.uint8]: 1, [DATA_TYPE.bool]: 1,
};

/** Reads element i of little-endian raw data of `dataType`. */
function rawElement(view: DataView, dataType: number, i: number): number {
  switch (dataType) {
    case DATA_TYPE.float: return view.getFloat32(i * 4, true);
    case DATA_TYPE.double: return view.getFloat64(i * 8, true);
    case DATA_TYPE.int32: return view.getInt32(i * 4, true);
    case DATA_TYPE.int64: return Number(view.getBigInt64(i * 8, true));
    case DATA_TYPE.int8: return view.getInt8(i);
    default: return view.getUint8(i);
  }
}

/** The typed-field list that holds values of `dataType` when raw_data is absent. */
function typedField(t: OnnxTensor): number[] {
  switch (t.dataType) {
    case DATA_TYPE.float: return t.floatData;
    case DATA_TYPE.double: return t.doubleData;
    case DATA_TYPE.int64: return t.int64Data;
    default: return t.int32Data; // int32, int8, uint8 and bool are stored in int32_data
  }
}

/**
 * The values of a numeric tensor (float, double, int8/32/64, uint8, bool) as numbers, from
 * raw_data or the typed field; `what` names it in errors (which start with `where`).
 */
export function tensorNumbers(where: string, what: string, t: OnnxTensor): Float64Array {
  if (t.external) throw new RangeError(`${where}: ${what} "${t.name}" is stored as external data (outside the .onnx file); save the model with its weights inside (onnx.save(model, path, save_as_external_data=False))`);
  const width = ELEMENT_BYTES[t.dataType];
  if (width === undefined) throw new RangeError(`${where}: ${what} "${t.name}" has ONNX data type ${t.dataType}; expected float, double or an integer type`);
  if (t.dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new RangeError(`${where}: ${what} "${t.name}" has invalid dims ${shapeString(t.dims)}`);
  const count = sizeOf(t.dims);
  if (t.rawData !== null) {
    if (t.rawData.length !== count * width) {
      throw new RangeError(`${where}: ${what} "${t.name}" of shape ${shapeString(t.dims)} needs ${count * width} bytes of raw_data; got ${t.rawData.length}`);
    }
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.length);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = rawElement(view, t.dataType, i);
    return out;
  }
  const values = typedField(t);
  if (values.length !== count) throw new RangeError(`${where}: ${what} "${t.name}" of shape ${shapeString(t.dims)} holds ${values.length} values; expected ${count}`);
  return Float64Array.from(values);
}
