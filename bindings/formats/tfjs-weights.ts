// Reading the weights of layers-model artifacts: float32 values decoded from weightData by the specs
// in order, then found by layer under the names tfjs and Keras write ("lstm/kernel",
// "lstm/lstm_cell/kernel", "sequential/lstm/kernel", "bidirectional/forward_lstm/kernel", ...).
import type { Tensor } from "../tensor.js";
import { describe, shapeString } from "../validate.js";
import type { TfjsArtifactsLike, TfjsWeightSpecLike } from "./tfjs-types.js";

const WHERE = "Model.fromTfjs";

/** Bytes per value of the dtypes whose values can be skipped over (optimizer state). */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4 };

/** Which direction of a Bidirectional layer a weight belongs to ("" outside one). */
export type Direction = "" | "forward" | "backward";

/** The weight specs: weightSpecs, or model.json's weightsManifest groups in order. */
function specsOf(artifacts: TfjsArtifactsLike): readonly TfjsWeightSpecLike[] {
  if (Array.isArray(artifacts.weightSpecs)) return artifacts.weightSpecs;
  if (Array.isArray(artifacts.weightsManifest)) {
    return artifacts.weightsManifest.flatMap((group, i) => {
      if (group === null || typeof group !== "object" || !Array.isArray(group.weights)) {
        throw new TypeError(`${WHERE}: artifacts.weightsManifest[${i}] must be { paths, weights }; got ${describe(group)}`);
      }
      return group.weights;
    });
  }
  throw new TypeError(`${WHERE}: artifacts must hold weightSpecs (or model.json's weightsManifest); got ${describe(artifacts.weightSpecs)}`);
}

/** weightData as one byte array: an ArrayBuffer, an array of them (tfjs' sharded form) or a view (a Node Buffer). */
function bytesOf(data: TfjsArtifactsLike["weightData"]): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data) && data.every((b) => b instanceof ArrayBuffer)) {
    const out = new Uint8Array(data.reduce((n, b) => n + b.byteLength, 0));
    let offset = 0;
    for (const b of data) {
      out.set(new Uint8Array(b), offset);
      offset += b.byteLength;
    }
    return out;
  }
  throw new TypeError(`${WHERE}: artifacts.weightData must be an ArrayBuffer, an array of ArrayBuffers or a typed array; got ${describe(data)}`);
}

/** Validates a spec; returns its value count. */
function checkSpec(spec: TfjsWeightSpecLike, i: number): number {
  if (spec === null || typeof spec !== "object" || typeof spec.name !== "string") throw new TypeError(`${WHERE}: weight spec ${i} must be { name, shape, dtype }; got ${describe(spec)}`);
  const { name, shape, dtype } = spec;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new TypeError(`${WHERE}: weight "${name}": shape must be an array of non-negative integers; got ${describe(shape)}`);
  if (spec.quantization !== undefined && spec.quantization !== null) throw new RangeError(`${WHERE}: weight "${name}" is quantized; only float32 weights are supported (export the model without quantization)`);
  const optimizer = spec.group === "optimizer";
  if (optimizer ? DTYPE_BYTES[dtype] === undefined : dtype !== "float32") {
    throw new RangeError(`${WHERE}: weight "${name}" has dtype ${describe(dtype)}; expected "float32"`);
  }
  return shape.reduce((n, d) => n * d, 1);
}

/** The model's weights decoded from weightData by the specs in order (optimizer state skipped). */
export function decodeWeights(artifacts: TfjsArtifactsLike): Map<string, Tensor> {
  const specs = specsOf(artifacts);
  const bytes = bytesOf(artifacts.weightData);
  const counts = specs.map((spec, i) => checkSpec(spec, i));
  const needed = counts.reduce((n, c, i) => n + c * DTYPE_BYTES[specs[i]!.dtype]!, 0);
  if (bytes.byteLength !== needed) {
    throw new RangeError(`${WHERE}: weightData holds ${bytes.byteLength} bytes; the ${specs.length} weight specs need ${needed}`);
  }
  const weights = new Map<string, Tensor>();
  let offset = 0;
  specs.forEach((spec, i) => {
    const size = counts[i]! * DTYPE_BYTES[spec.dtype]!;
    if (spec.group !== "optimizer") {
      if (weights.has(spec.name)) throw new RangeError(`${WHERE}: weight "${spec.name}" appears twice in the weight specs`);
      const data = new Float32Array(counts[i]!);
      new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + size));
      const bad = data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new RangeError(`${WHERE}: weight "${spec.name}" must be finite; got ${data[bad]} at flat index ${bad}`);
      weights.set(spec.name, { shape: [...spec.shape], data });
    }
    offset += size;
  });
  return weights;
}

/** A weight's place: its layer, its Bidirectional direction and its own name (kernel, bias, ...). */
interface WeightPlace {
  layer: string;
  direction: Direction;
  weight: string;
}

/** Where a stored weight name points, given the topology's layer names; null when it names no layer. */
function placeOf(name: string, layers: ReadonlySet<string>): WeightPlace | null {
  const parts = name.replace(/:\d+$/, "").split("/");
  const at = parts.findIndex((p, i) => i < parts.length - 1 && layers.has(p));
  if (at < 0) return null;
  const middle = parts.slice(at + 1, -1);
  const direction: Direction = middle.some((p) => p.startsWith("forward_")) ? "forward" : middle.some((p) => p.startsWith("backward_")) ? "backward" : "";
  return { layer: parts[at]!, direction, weight: parts[parts.length - 1]! };
}

/** The decoded weights by layer; each is taken once, with its shape checked, and none may be left over. */
export class LayerWeights {
  private readonly places = new Map<string, { name: string; tensor: Tensor }>();

  constructor(weights: ReadonlyMap<string, Tensor>, layerNames: readonly string[]) {
    const layers = new Set(layerNames);
    for (const [name, tensor] of weights) {
      const place = placeOf(name, layers);
      if (place === null) throw new RangeError(`${WHERE}: weight "${name}" belongs to no layer of the topology (layers: ${layerNames.join(", ")})`);
      const key = `${place.layer}/${place.direction}/${place.weight}`;
      const other = this.places.get(key);
      if (other !== undefined) throw new RangeError(`${WHERE}: weights "${other.name}" and "${name}" are the same weight of layer "${place.layer}"`);
      this.places.set(key, { name, tensor });
    }
  }

  /** Takes weight `weight` of `layer` (and direction), which must have `shape`. */
  take(layer: string, direction: Direction, weight: string, shape: readonly number[]): Tensor {
    const key = `${layer}/${direction}/${weight}`;
    const found = this.places.get(key);
    const what = `${direction === "" ? "" : `${direction} `}weight "${weight}" ${shapeString(shape)} of layer "${layer}"`;
    if (found === undefined) throw new RangeError(`${WHERE}: the weight specs have no ${what}`);
    if (shapeString(found.tensor.shape) !== shapeString(shape)) throw new RangeError(`${WHERE}: weight "${found.name}" must have shape ${shapeString(shape)}; got ${shapeString(found.tensor.shape)}`);
    this.places.delete(key);
    return found.tensor;
  }

  /** Throws when a weight was not taken by any layer. */
  checkAllTaken(): void {
    const left = [...this.places.values()].map((w) => `"${w.name}"`);
    if (left.length > 0) throw new RangeError(`${WHERE}: weights ${left.join(", ")} match no weight of their layer`);
  }
}
