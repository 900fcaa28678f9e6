// A stacked LSTM as an ONNX model, written directly in the ONNX protobuf format: the fallback for
// ONNX Runtime (web and node) when PyTorch (whose torch.onnx.export is the first choice) is not installed.
// The graph is what torch.onnx.export makes of nn.LSTM: per layer one ONNX LSTM node (W [1, 4H, D],
// R [1, 4H, H], B [1, 8H]) whose output Y [T, 1, B, H] is squeezed to [T, B, H] for the next layer.
// Input "x" [T, B, D]; outputs "y" [T, B, H] and the last layer's final states "h", "c" [1, B, H].
// Weights are seeded uniform(-1/sqrt(H), 1/sqrt(H)), as PyTorch initialises them.
import { rng } from "./common.mjs";

// --- protobuf wire format: varints, length-delimited fields.
function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}
const concat = (parts) => {
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const intField = (field, n) => Uint8Array.from([...varint((field << 3) | 0), ...varint(n)]);
const bytesField = (field, bytes) => concat([Uint8Array.from([...varint((field << 3) | 2), ...varint(bytes.length)]), bytes]);
const stringField = (field, s) => bytesField(field, new TextEncoder().encode(s));
const message = (field, parts) => bytesField(field, concat(parts));

const FLOAT = 1;
const INT64 = 7;

/** TensorProto: dims (1), data_type (2), name (8), raw_data (9, little-endian). */
function tensor(field, name, dims, dataType, raw) {
  return message(field, [...dims.map((d) => intField(1, d)), intField(2, dataType), stringField(8, name), bytesField(9, raw)]);
}
/** ValueInfoProto with a float tensor type of a fixed shape. */
function valueInfo(field, name, dims) {
  const shape = message(2, dims.map((d) => message(1, [intField(1, d)])));
  const tensorType = message(1, [intField(1, FLOAT), shape]);
  return message(field, [stringField(1, name), message(2, [tensorType])]);
}
/** NodeProto: inputs (1), outputs (2), name (3), op_type (4), attributes (5: name 1, i 3, type 20 = INT). */
function node(name, opType, inputs, outputs, intAttributes = {}) {
  const attrs = Object.entries(intAttributes).map(([k, v]) => message(5, [stringField(1, k), intField(3, v), intField(20, 2)]));
  return message(1, [...inputs.map((s) => stringField(1, s)), ...outputs.map((s) => stringField(2, s)), stringField(3, name), stringField(4, opType), ...attrs]);
}

function uniformBytes(n, bound, next) {
  const data = Float32Array.from({ length: n }, () => (next() * 2 - 1) * bound);
  return new Uint8Array(data.buffer);
}

/** The bytes of an ONNX model (opset 14) of `layers` stacked LSTMs D -> H over fixed [T, B, D] inputs. */
export function lstmModel({ D, H, T, B, layers = 1, seed = 0 }) {
  const next = rng(seed);
  const bound = 1 / Math.sqrt(H);
  const nodes = [];
  const initializers = [tensor(5, "axes1", [1], INT64, new Uint8Array(new BigInt64Array([1n]).buffer))];
  let input = "x";
  for (let l = 0; l < layers; l++) {
    const inSize = l === 0 ? D : H;
    initializers.push(
      tensor(5, `W${l}`, [1, 4 * H, inSize], FLOAT, uniformBytes(4 * H * inSize, bound, next)),
      tensor(5, `R${l}`, [1, 4 * H, H], FLOAT, uniformBytes(4 * H * H, bound, next)),
      tensor(5, `B${l}`, [1, 8 * H], FLOAT, uniformBytes(8 * H, bound, next)),
    );
    const last = l === layers - 1;
    nodes.push(node(`lstm${l}`, "LSTM", [input, `W${l}`, `R${l}`, `B${l}`], [`Y${l}`, last ? "h" : `h${l}`, last ? "c" : `c${l}`], { hidden_size: H }));
    const out = last ? "y" : `y${l}`;
    nodes.push(node(`squeeze${l}`, "Squeeze", [`Y${l}`, "axes1"], [out]));
    input = out;
  }
  const graph = message(7, [
    ...nodes,
    stringField(2, "lstm"),
    ...initializers,
    valueInfo(11, "x", [T, B, D]),
    valueInfo(12, "y", [T, B, H]),
    valueInfo(12, "h", [1, B, H]),
    valueInfo(12, "c", [1, B, H]),
  ]);
  return concat([
    intField(1, 8), // ir_version
    stringField(2, "wasm-rnn bench/peers/onnx-lstm.mjs"),
    graph,
    message(8, [stringField(1, ""), intField(2, 14)]), // opset_import: default domain, opset 14
  ]);
}
