// One node as the importer sees it: its inputs' values, its attributes, and errors that name it.
import { ATTRIBUTE_TYPE, type OnnxAttribute, type OnnxNode } from "./onnx-proto.js";
import { nodeLabel, type ConstValue, type DataValue, type Value } from "./onnx-import-values.js";

/** The prefix of every import error: the public function the user called. */
export const IMPORT_WHERE = "Model.fromOnnx";

export class NodeContext {
  readonly label: string;

  constructor(readonly node: OnnxNode, index: number, private readonly values: ReadonlyMap<string, Value>) {
    this.label = nodeLabel(node, index);
  }

  /** Refuses the node: a RangeError "Model.fromOnnx: node "name" (Op): why". */
  fail(why: string): never {
    throw new RangeError(`${IMPORT_WHERE}: ${this.label}: ${why}`);
  }

  /** Input i's value, or null when absent (missing or named ""). */
  input(i: number): Value | null {
    const name = this.node.input[i];
    if (name === undefined || name === "") return null;
    return this.values.get(name)!;
  }

  /** Input i, which must be present. */
  required(i: number, what: string): Value {
    const v = this.input(i);
    if (v === null) this.fail(`input ${i} (${what}) is missing`);
    return v;
  }

  /** Input i, which must be a constant (an initializer or computed from constants). */
  constant(i: number, what: string): ConstValue {
    const v = this.required(i, what);
    if (v.kind !== "const") this.fail(`input ${i} (${what}) must be a constant; got a value computed from the graph inputs`);
    return v;
  }

  /** Input i, which must be computed from the graph inputs. */
  data(i: number, what: string): DataValue {
    const v = this.required(i, what);
    if (v.kind !== "data") this.fail(`input ${i} (${what}) must be computed from the graph inputs; got a ${v.kind === "const" ? "constant" : v.kind === "zeros" ? "tensor of zeros" : "shape computation"}`);
    return v;
  }

  private attribute(name: string, type: number): OnnxAttribute | null {
    const a = this.node.attribute.find((x) => x.name === name);
    if (a === undefined) return null;
    if (a.type !== type && a.type !== 0) this.fail(`attribute ${name} has type ${a.type}; expected ${type}`);
    return a;
  }

  /** Whether the node sets attribute `name`. */
  has(name: string): boolean {
    return this.node.attribute.some((a) => a.name === name);
  }

  int(name: string, fallback: number): number {
    return this.attribute(name, ATTRIBUTE_TYPE.int)?.i ?? fallback;
  }

  float(name: string, fallback: number): number {
    return this.attribute(name, ATTRIBUTE_TYPE.float)?.f ?? fallback;
  }

  string(name: string, fallback: string): string {
    return this.attribute(name, ATTRIBUTE_TYPE.string)?.s ?? fallback;
  }

  ints(name: string): number[] | null {
    return this.attribute(name, ATTRIBUTE_TYPE.ints)?.ints ?? null;
  }

  floats(name: string): number[] {
    return this.attribute(name, ATTRIBUTE_TYPE.floats)?.floats ?? [];
  }

  strings(name: string): string[] | null {
    return this.attribute(name, ATTRIBUTE_TYPE.strings)?.strings ?? null;
  }

  /** Integer values of a constant input. */
  intValues(i: number, what: string): number[] {
    return Array.from(this.constant(i, what).values);
  }

  /** The `axes` of Squeeze / Unsqueeze / Reduce*: the attribute (older opsets) or constant input i; null when absent. */
  axes(i: number): number[] | null {
    const attr = this.ints("axes");
    if (attr !== null) return attr;
    return this.input(i) === null ? null : this.intValues(i, "axes");
  }

  /** A possibly negative axis normalised into [0, rank). */
  axis(axis: number, rank: number): number {
    const a = axis < 0 ? axis + rank : axis;
    if (!Number.isInteger(a) || a < 0 || a >= rank) this.fail(`axis ${axis} is out of range for rank ${rank}`);
    return a;
  }
}
