// The PyTorch parity checks as one table: a row per fixture case (test/fixtures/gen_torch.py and
// gen_torch_stacks.py, float64), each naming its layer kind and option set and holding PyTorch's
// parameters, inputs, outputs, final states and gradients. test/parity.test.ts runs every row.
import { readFileSync } from "node:fs";
import type { RecurrentRow } from "./layer-kinds.js";

/** A tensor as the fixtures store it. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

/** One fixture case as gen_torch*.py write it (their docstrings give the schema). */
export interface FixtureCase {
  name: string;
  cell: "lstm" | "gru" | "rnn";
  options: { peephole?: boolean; resetAfter?: boolean };
  numLayers?: number;
  bidirectional?: boolean;
  lengths?: number[] | null;
  T: number;
  B: number;
  D: number;
  H: number;
  params: Record<string, FixtureTensor>;
  x: FixtureTensor;
  h0: FixtureTensor | null;
  c0?: FixtureTensor | null;
  output: FixtureTensor;
  hn: FixtureTensor;
  cn?: FixtureTensor;
  lossWeights: Record<string, FixtureTensor>;
  grads: Record<string, FixtureTensor>;
}

/** A parity row: the fixture file, the layer kind and option set, and PyTorch's case. */
export type ParityCase = RecurrentRow & { file: string; fixture: FixtureCase };

/** The fixture files of the parity table. */
const FIXTURE_FILES = ["lstm.json", "gru.json", "stacks.json"] as const;

function loadCases(file: string): FixtureCase[] {
  const text = readFileSync(new URL(`../../../test/fixtures/${file}`, import.meta.url), "utf8");
  return (JSON.parse(text) as { cases: FixtureCase[] }).cases;
}

/** The layer kind and options of a fixture case (torch's nn.LSTM / nn.GRU / nn.RNN, or the peephole and reset-before variants). */
function layerOf(c: FixtureCase): RecurrentRow {
  const common = { inputSize: c.D, units: c.H, numLayers: c.numLayers ?? 1, bidirectional: c.bidirectional ?? false, seed: 0 };
  if (c.cell === "lstm") return { kind: "LSTM", options: { ...common, peephole: c.options.peephole ?? false } };
  if (c.cell === "rnn") return { kind: "SimpleRNN", options: common };
  return { kind: "GRU", options: { ...common, resetAfter: c.options.resetAfter ?? true } };
}

/** Every PyTorch parity case, file by file. */
export const PARITY_CASES: readonly ParityCase[] = FIXTURE_FILES.flatMap((file) => loadCases(file).map((fixture) => ({ ...layerOf(fixture), file, fixture })));
