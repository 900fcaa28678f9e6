// torch's idioms for the final states of a recurrent module: h_n of a stacked module is the
// Concat of every node's Y_h; h_n[-1] (a Gather) takes the last layer's, and
// cat((h_n[-2], h_n[-1]), dim=1) the two directions of a bidirectional one side by side.
import type { NodeContext } from "./onnx-import-context.js";
import { closeOpen, dimNumber, fixedDim, isOpen, rolesOf, type DataValue, type OpenValue, type Value } from "./onnx-import-values.js";

/** Concat of final states on axis 0 (h_n), or of a recurrent output's two directions on the feature axis; null for other Concats. */
export function concatStates(ctx: NodeContext): Value | null {
  const parts = ctx.node.input.map((_, i) => ctx.input(i));
  if (!parts.every(isOpen)) return null;
  const open = parts as OpenValue[];
  const rank = open[0]!.axes.length;
  const axis = ctx.axis(ctx.int("axis", 0), rank);
  if (axis === 0 && open.every((p) => p.tag.output === "Y_h" && p.tag.direction === null)) {
    const entries = open.flatMap((source) => Array.from({ length: source.tag.node.dirs }, (_, direction) => ({ source: source as DataValue, direction })));
    return { kind: "data", stages: open[0]!.stages, axes: [{ role: "dir", size: fixedDim(entries.length) }, ...open[0]!.axes.slice(1)], tag: { t: "stateStack", entries } };
  }
  const [a, b] = open;
  const both = open.length === 2 && a!.tag.node === b!.tag.node && a!.tag.output === b!.tag.output;
  if (both && axis === rank - 1 && a!.tag.direction === 0 && b!.tag.direction === 1) {
    const F = dimNumber(a!.axes[rank - 1]!.size)!;
    return closeOpen(a!, "concat", [...a!.axes.slice(0, -1), { role: "F", size: fixedDim(2 * F) }]);
  }
  return ctx.fail("concatenates recurrent outputs other than h_n (final states on axis 0) or the forward then backward direction on the feature axis");
}

/** One row of a stateStack: a unidirectional node's final state, or one direction of a bidirectional one's. */
export function gatherState(ctx: NodeContext, v: DataValue & { tag: { t: "stateStack" } }, index: number): DataValue {
  const n = v.tag.entries.length;
  if (ctx.axis(ctx.int("axis", 0), v.axes.length) !== 0 || index < -n || index >= n) ctx.fail(`takes row ${index} of final states [${n}, B, H] (axes ${rolesOf(v.axes)})`);
  const { source, direction } = v.tag.entries[index < 0 ? index + n : index]!;
  const open = source as OpenValue;
  const axes = open.axes.slice(1);
  if (open.tag.node.dirs === 1) return closeOpen(open, "concat", axes);
  return { ...open, axes, tag: { ...open.tag, direction } };
}
