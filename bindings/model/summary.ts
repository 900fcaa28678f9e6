// Model.summary: Keras' model.summary() table (layer, output shape, parameters; totals) and the
// bytes of wasm memory the parameter arena and the optimizer's state take, as an object and text.
import { sequenceAxes } from "../dataset.js";
import type { ModelRuntime } from "./runtime.js";
import { RecurrentLayer } from "../layers/recurrent.js";
import { checkBoolean, checkOptionKeys, describe } from "../validate.js";

/** A free dimension of an output shape: "T" the steps of the sequences, "N" the sequences (Keras' None). */
export type FreeDimension = "T" | "N";

/** One layer's row of the summary. */
export interface SummaryRow {
  /** The layer's name in the model: its index, the prefix of its stateDict keys ("0", "1", ...). */
  name: string;
  /** Its class, e.g. "LSTM". */
  type: string;
  /** Its output, time-major as the model's data: [T, N, 64] for a sequence, [N, 64] for one vector per sequence. */
  outputShape: (number | FreeDimension)[];
  /** Its parameters (`layer.parameterCount`). */
  parameters: number;
}

/** What `Model.summary()` returns. */
export interface ModelSummary {
  rows: SummaryRow[];
  /** Every parameter of the model: its arena's parameters (`model.parameters.packedSize`). */
  totalParameters: number;
  /** The parameters the optimizer updates: every one (wasm-rnn freezes none). */
  trainableParameters: number;
  nonTrainableParameters: number;
  /** Bytes of wasm memory of the parameter block (alignment padding included), and as many again for the gradients. */
  parameterBytes: number;
  gradientBytes: number;
  /** Bytes of the optimizer's state (Adam: two blocks of the parameters' size; SGD without momentum: none). */
  optimizerStateBytes: number;
  /** The table as Keras prints it, one line per element. */
  lines: string[];
}

/** Options of `Model.summary`. */
export interface SummaryOptions {
  /** Print the table with console.log (default false; true when printFn is given). */
  print?: boolean;
  /** Called with each line of the table instead of console.log, as Keras' print_fn. */
  printFn?: (line: string) => void;
}

/** The output shape of every layer, from the model's input [T, N, D] (ids [T, N]; batch-first [N, T, ...]). */
function outputShapes(runtime: ModelRuntime): (number | FreeDimension)[][] {
  let sequence = true;
  const steps = sequenceAxes(runtime.spec, null, null).names as FreeDimension[];
  return runtime.layers.map((layer) => {
    if (layer instanceof RecurrentLayer && !layer.returnSequences) sequence = false;
    return sequence ? [...steps, layer.outputSize] : ["N", layer.outputSize];
  });
}

/** 1234567 as "1,234,567". */
function grouped(n: number): string {
  return n.toLocaleString("en-US");
}

/** Bytes as "67.25 KB" (binary units, as Keras). */
function bytesText(bytes: number): string {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(2)} ${units[unit]}`;
}

/** The table's lines. */
function tableLines(s: Omit<ModelSummary, "lines">, optimizer: string): string[] {
  const cells = s.rows.map((r) => [`${r.name} (${r.type})`, `[${r.outputShape.join(", ")}]`, grouped(r.parameters)]);
  const header = ["Layer (type)", "Output Shape", "Param #"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)) + 4);
  const line = (c: readonly string[]): string => c.map((v, i) => v.padEnd(widths[i]!)).join("").trimEnd();
  const width = widths.reduce((a, b) => a + b, 0);
  return [
    "_".repeat(width), line(header), "=".repeat(width),
    ...cells.map(line),
    "=".repeat(width),
    `Total params: ${grouped(s.totalParameters)} (${bytesText(s.parameterBytes)})`,
    `Trainable params: ${grouped(s.trainableParameters)}`,
    `Non-trainable params: ${grouped(s.nonTrainableParameters)}`,
    `Gradients: ${bytesText(s.gradientBytes)}`,
    `Optimizer state (${optimizer}): ${bytesText(s.optimizerStateBytes)}`,
    "_".repeat(width),
  ];
}

/** Model.summary: the rows, the totals, the memory and the text; printed when asked. */
export function modelSummary(runtime: ModelRuntime, options: SummaryOptions | undefined): ModelSummary {
  const where = "Model.summary";
  checkOptionKeys(where, options, ["print", "printFn"]);
  const printFn = options?.printFn;
  if (printFn !== undefined && typeof printFn !== "function") throw new TypeError(`${where}: printFn must be a function (line: string) => void; got ${describe(printFn)}`);
  const print = options?.print === undefined ? printFn !== undefined : checkBoolean(where, "print", options.print);
  const shapes = outputShapes(runtime);
  const rows = runtime.layers.map((layer, i) => ({ name: String(i), type: layer.constructor.name, outputShape: shapes[i]!, parameters: layer.parameterCount }));
  const { arena, optimizer } = runtime;
  const totals = {
    rows,
    totalParameters: arena.packedSize,
    trainableParameters: arena.packedSize,
    nonTrainableParameters: 0,
    parameterBytes: 4 * arena.size,
    gradientBytes: 4 * arena.size,
    optimizerStateBytes: 4 * arena.size * optimizer.stateNames.length,
  };
  const lines = tableLines(totals, optimizer.constructor.name);
  if (print) for (const l of lines) (printFn ?? console.log)(l);
  return { ...totals, lines };
}
