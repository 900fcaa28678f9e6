// Accumulates an ONNX graph while exporting: nodes in topological order, initializers, and
// unique names derived from readable hints ("layers.1.LSTM_l0", "layers.1.W_l0").
import { DATA_TYPE, type OnnxAttribute, type OnnxNode, type OnnxTensor } from "./onnx-proto.js";
import { floatTensor, intTensor } from "./onnx-tensor.js";

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly names = new Set<string>();

  /** @param opset the default-domain operator set the nodes are written for. */
  constructor(readonly opset: number) {}

  /** Claims a name for a graph input so that no node output or initializer reuses it. */
  reserve(name: string): string {
    this.names.add(name);
    return name;
  }

  /** `hint`, or `hint_2`, `hint_3`, ... when taken. */
  private unique(hint: string): string {
    let name = hint;
    for (let k = 2; this.names.has(name); k++) name = `${hint}_${k}`;
    this.names.add(name);
    return name;
  }

  /** A float initializer; returns its name. */
  floats(hint: string, dims: readonly number[], data: ArrayLike<number>): string {
    const t = floatTensor(this.unique(hint), dims, data);
    this.initializers.push(t);
    return t.name;
  }

  /** A 1-D int64 initializer (axes, shapes, indices); returns its name. */
  ints(hint: string, values: readonly number[], dataType: number = DATA_TYPE.int64): string {
    const t = intTensor(this.unique(hint), [values.length], values, dataType);
    this.initializers.push(t);
    return t.name;
  }

  /** A scalar int64 initializer (a Gather index that drops its axis); returns its name. */
  scalarInt(hint: string, value: number): string {
    const t = intTensor(this.unique(hint), [], [value]);
    this.initializers.push(t);
    return t.name;
  }

  /** Appends a node with `outputs` outputs named after `hint` ("" skips an optional output); returns their names. */
  node(opType: string, inputs: readonly string[], attributes: OnnxAttribute[], hint: string, outputs: readonly string[] = ["out"]): string[] {
    const name = this.unique(hint);
    const outputNames = outputs.map((o) => (o === "" ? "" : this.unique(`${name}.${o}`)));
    this.nodes.push({ name, opType, domain: "", input: [...inputs], output: outputNames, attribute: attributes });
    return outputNames;
  }

  /** Appends a one-output node; returns the output's name. */
  op(opType: string, inputs: readonly string[], hint: string, attributes: OnnxAttribute[] = []): string {
    return this.node(opType, inputs, attributes, hint)[0]!;
  }

  /** Renames the output of the last node that produced `name` to `finalName` (the graph output). */
  renameOutput(name: string, finalName: string): void {
    const node = [...this.nodes].reverse().find((n) => n.output.includes(name));
    if (node === undefined) throw new Error(`GraphBuilder: no node produces "${name}"`);
    node.output[node.output.indexOf(name)] = finalName;
    for (const n of this.nodes) n.input = n.input.map((i) => (i === name ? finalName : i));
  }
}
