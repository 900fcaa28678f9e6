// The ONNX messages wasm-rnn reads and writes (onnx/onnx.proto field numbers), as plain objects:
// ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto with its
// TypeProto.Tensor / TensorShapeProto, OperatorSetIdProto and StringStringEntryProto. Fields
// other than these are skipped when decoding (sub-graphs of If / Loop / Scan attributes included).
import { ProtoReader, ProtoWriter } from "./protobuf.js";

/** TensorProto.DataType values used here. */
export const DATA_TYPE = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, double: 11 } as const;

/** AttributeProto.AttributeType values. */
export const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7, strings: 8 } as const;

/** A TensorProto. Values are in exactly one of rawData (little-endian) or the typed *Data lists. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array | null;
  floatData: number[];
  int32Data: number[];
  int64Data: number[];
  doubleData: number[];
  /** Stored outside the model file (data_location EXTERNAL or external_data entries). */
  external: boolean;
}

/** An AttributeProto; the field matching `type` holds the value. */
export interface OnnxAttribute {
  name: string;
  type: number;
  f: number;
  i: number;
  s: string;
  t: OnnxTensor | null;
  floats: number[];
  ints: number[];
  strings: string[];
}

/** A NodeProto. */
export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
}

/** A ValueInfoProto of a tensor: element type (0 when not a tensor) and dims (numbers or names; null when unknown). */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  shape: (number | string | null)[] | null;
}

/** A GraphProto. */
export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  /** How many sparse initializers the graph holds (they are not decoded). */
  sparseInitializerCount: number;
}

/** A ModelProto. */
export interface OnnxModel {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graph: OnnxGraph;
  metadataProps: { key: string; value: string }[];
}

/** An attribute with every field at its default. */
function blankAttribute(name: string, type: number): OnnxAttribute {
  return { name, type, f: 0, i: 0, s: "", t: null, floats: [], ints: [], strings: [] };
}

/** The attribute type of each value field. */
const FIELD_TYPES = {
  f: ATTRIBUTE_TYPE.float, i: ATTRIBUTE_TYPE.int, s: ATTRIBUTE_TYPE.string, t: ATTRIBUTE_TYPE.tensor,
  floats: ATTRIBUTE_TYPE.floats, ints: ATTRIBUTE_TYPE.ints, strings: ATTRIBUTE_TYPE.strings,
} as const;

/** An attribute holding one value, its type from the field given: { i: 0 } is an INT, { floats: [1, 2] } FLOATS, ... */
export function attribute<K extends keyof typeof FIELD_TYPES>(name: string, value: { [F in K]: OnnxAttribute[F] }): OnnxAttribute {
  const field = Object.keys(value)[0] as K;
  return { ...blankAttribute(name, FIELD_TYPES[field]), ...value };
}

// ---- encoding ----

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  w.packedVarints(1, t.dims).varint(2, t.dataType).string(8, t.name);
  if (t.rawData !== null) w.bytes(9, t.rawData);
  w.packedFloats(4, t.floatData).packedVarints(5, t.int32Data).packedVarints(7, t.int64Data);
  if (t.external) w.varint(14, 1);
}

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  w.string(1, a.name).varint(20, a.type);
  switch (a.type) {
    case ATTRIBUTE_TYPE.float: w.float(2, a.f); break;
    case ATTRIBUTE_TYPE.int: w.varint(3, a.i); break;
    case ATTRIBUTE_TYPE.string: w.string(4, a.s); break;
    case ATTRIBUTE_TYPE.tensor: w.message(5, (m) => writeTensor(m, a.t!)); break;
    case ATTRIBUTE_TYPE.floats: for (const f of a.floats) w.float(7, f); break;
    case ATTRIBUTE_TYPE.ints: for (const i of a.ints) w.varint(8, i); break;
    case ATTRIBUTE_TYPE.strings: for (const s of a.strings) w.string(9, s); break;
    default: throw new RangeError(`ONNX attribute "${a.name}": cannot encode attribute type ${a.type}`);
  }
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.input) w.string(1, i);
  for (const o of n.output) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const a of n.attribute) w.message(5, (m) => writeAttribute(m, a));
  if (n.domain !== "") w.string(7, n.domain);
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name).message(2, (type) => type.message(1, (tensor) => {
    tensor.varint(1, v.elemType);
    if (v.shape !== null) {
      tensor.message(2, (shape) => {
        for (const d of v.shape!) {
          shape.message(1, (dim) => {
            if (typeof d === "number") dim.varint(1, d);
            else if (d !== null) dim.string(2, d);
          });
        }
      });
    }
  }));
}

function writeGraph(w: ProtoWriter, g: OnnxGraph): void {
  for (const n of g.node) w.message(1, (m) => writeNode(m, n));
  w.string(2, g.name);
  for (const t of g.initializer) w.message(5, (m) => writeTensor(m, t));
  for (const v of g.input) w.message(11, (m) => writeValueInfo(m, v));
  for (const v of g.output) w.message(12, (m) => writeValueInfo(m, v));
}

/** The ModelProto as bytes. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.varint(1, model.irVersion).string(2, model.producerName).string(3, model.producerVersion);
  w.message(7, (m) => writeGraph(m, model.graph));
  for (const o of model.opsetImport) w.message(8, (m) => m.string(1, o.domain).varint(2, o.version));
  for (const p of model.metadataProps) w.message(14, (m) => m.string(1, p.key).string(2, p.value));
  return w.finish();
}

// ---- decoding ----

/** Calls `field(key)` for every field of the message `r` reads; `field` reads or skips its value. */
function eachField(r: ProtoReader, field: (key: number) => void): void {
  while (!r.done) field(r.key());
}

function readTensor(r: ProtoReader): OnnxTensor {
  const t: OnnxTensor = { name: "", dims: [], dataType: 0, rawData: null, floatData: [], int32Data: [], int64Data: [], doubleData: [], external: false };
  eachField(r, (key) => {
    if (key === 1) r.repeatedInts(t.dims);
    else if (key === 2) t.dataType = r.int();
    else if (key === 4) r.repeatedFloats(t.floatData);
    else if (key === 5) r.repeatedInts(t.int32Data);
    else if (key === 7) r.repeatedInts(t.int64Data);
    else if (key === 8) t.name = r.string();
    else if (key === 9) t.rawData = r.bytesField();
    else if (key === 10) r.repeatedDoubles(t.doubleData);
    else if (key === 13) { r.skip(); t.external = true; }
    else if (key === 14) t.external = r.int() === 1 || t.external;
    else r.skip();
  });
  return t;
}

function readAttribute(r: ProtoReader): OnnxAttribute {
  const a = blankAttribute("", 0);
  eachField(r, (key) => {
    if (key === 1) a.name = r.string();
    else if (key === 20) a.type = r.int();
    else if (key === 2) a.f = r.float();
    else if (key === 3) a.i = r.int();
    else if (key === 4) a.s = r.string();
    else if (key === 5) a.t = readTensor(r.message());
    else if (key === 7) r.repeatedFloats(a.floats);
    else if (key === 8) r.repeatedInts(a.ints);
    else if (key === 9) a.strings.push(r.string());
    else r.skip();
  });
  return a;
}

function readNode(r: ProtoReader): OnnxNode {
  const n: OnnxNode = { name: "", opType: "", domain: "", input: [], output: [], attribute: [] };
  eachField(r, (key) => {
    if (key === 1) n.input.push(r.string());
    else if (key === 2) n.output.push(r.string());
    else if (key === 3) n.name = r.string();
    else if (key === 4) n.opType = r.string();
    else if (key === 5) n.attribute.push(readAttribute(r.message()));
    else if (key === 7) n.domain = r.string();
    else r.skip();
  });
  return n;
}

function readShape(r: ProtoReader): (number | string | null)[] {
  const dims: (number | string | null)[] = [];
  eachField(r, (key) => {
    if (key !== 1) return r.skip();
    const dim = r.message();
    let d: number | string | null = null;
    eachField(dim, (k) => {
      if (k === 1) d = dim.int();
      else if (k === 2) d = dim.string();
      else dim.skip();
    });
    dims.push(d);
  });
  return dims;
}

function readValueInfo(r: ProtoReader): OnnxValueInfo {
  const v: OnnxValueInfo = { name: "", elemType: 0, shape: null };
  eachField(r, (key) => {
    if (key === 1) v.name = r.string();
    else if (key !== 2) r.skip();
    else {
      const type = r.message();
      eachField(type, (k) => {
        if (k !== 1) return type.skip();
        const tensor = type.message();
        eachField(tensor, (tk) => {
          if (tk === 1) v.elemType = tensor.int();
          else if (tk === 2) v.shape = readShape(tensor.message());
          else tensor.skip();
        });
      });
    }
  });
  return v;
}

function readGraph(r: ProtoReader): OnnxGraph {
  const g: OnnxGraph = { name: "", node: [], initializer: [], input: [], output: [], sparseInitializerCount: 0 };
  eachField(r, (key) => {
    if (key === 1) g.node.push(readNode(r.message()));
    else if (key === 2) g.name = r.string();
    else if (key === 5) g.initializer.push(readTensor(r.message()));
    else if (key === 11) g.input.push(readValueInfo(r.message()));
    else if (key === 12) g.output.push(readValueInfo(r.message()));
    else if (key === 15) { r.skip(); g.sparseInitializerCount++; }
    else r.skip();
  });
  return g;
}

/** Decodes a ModelProto; malformed bytes are RangeErrors starting with `where`. */
export function decodeOnnxModel(bytes: Uint8Array, where: string): OnnxModel {
  const r = new ProtoReader(bytes, where);
  const model: OnnxModel = { irVersion: 0, opsetImport: [], producerName: "", producerVersion: "", graph: null as unknown as OnnxGraph, metadataProps: [] };
  eachField(r, (key) => {
    if (key === 1) model.irVersion = r.int();
    else if (key === 2) model.producerName = r.string();
    else if (key === 3) model.producerVersion = r.string();
    else if (key === 7) model.graph = readGraph(r.message());
    else if (key === 8) {
      const m = r.message();
      const o = { domain: "", version: 0 };
      eachField(m, (k) => (k === 1 ? (o.domain = m.string()) : k === 2 ? (o.version = m.int()) : m.skip()));
      model.opsetImport.push(o);
    } else if (key === 14) {
      const m = r.message();
      const p = { key: "", value: "" };
      eachField(m, (k) => (k === 1 ? (p.key = m.string()) : k === 2 ? (p.value = m.string()) : m.skip()));
      model.metadataProps.push(p);
    } else r.skip();
  });
  if (model.graph === null) throw new RangeError(`${where}: not an ONNX model: no graph (field 7) in ${bytes.length} bytes`);
  return model;
}
