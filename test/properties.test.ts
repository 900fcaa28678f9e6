// Property-based suite (issue 11 item 10): random shapes, dtypes, NaN/Infinity, out-of-range ids,
// bad sizes and random option objects thrown at every public entry. Every call either throws a
// TypeError or RangeError whose message starts with the function called, or returns a finite
// result; every call the issue says must be refused is; and a refused call leaves the models,
// layers and optimizers it touched bit for bit as they were (test/helpers/contract.ts). One row per
// entry (test/helpers/entries-*.ts), each a fast-check property from a seed of its own.
//
// The suite runs on a core of its own (a fresh init before and after), so that what it allocates,
// or an init() it wrongly accepts, does not reach the other test files.
import { readFile } from "node:fs/promises";
import { init } from "../bindings/index.js";
import { wasmPath } from "./helpers/wasm-path.js";
import { buildFixtures, disposeFixtures } from "./helpers/property-fixtures.js";
import { LAYER_ROWS } from "./helpers/entries-layers.js";
import { BUILD_ROWS } from "./helpers/entries-build.js";
import { MODEL_ROWS } from "./helpers/entries-model.js";
import { SEQ2SEQ_ROWS } from "./helpers/entries-seq2seq.js";
import { DATA_ROWS } from "./helpers/entries-data.js";
import { LANGUAGE_ROWS } from "./helpers/entries-language.js";
import { FILE_ROWS } from "./helpers/entries-files.js";
import { SCHEDULE_ROWS } from "./helpers/entries-schedules.js";

const ROWS = [...BUILD_ROWS, ...LAYER_ROWS, ...MODEL_ROWS, ...SEQ2SEQ_ROWS, ...DATA_ROWS, ...LANGUAGE_ROWS, ...FILE_ROWS, ...SCHEDULE_ROWS];

describe("properties: every public entry refuses bad input clearly or returns a finite result", function () {
  this.timeout(60000);

  before(async () => {
    await init(await readFile(wasmPath()));
    buildFixtures();
  });

  after(async () => {
    disposeFixtures();
    await init(await readFile(wasmPath()));
  });

  for (const r of ROWS) it(r.title, () => r.check());
});
