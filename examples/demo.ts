// wasm-rnn demo: a tour of the examples, one phase per kind of task, each on real data and each
// printing its held-out metric, samples of its output and a progress bar while it trains.
// Every phase is its own example program (examples/*.ts), run here one after another as a child
// process, so each starts with a fresh core and prints exactly what `npm run example:…` prints.
//   node dist/examples/demo.js                    the tour, 1.5 to 2 minutes on 2 cores
//   node dist/examples/demo.js --only spam,g2p    some phases
//   node dist/examples/demo.js --full             every phase's longer run (many minutes)
// Everything is seeded: two runs print the same numbers and the same samples.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { seconds } from "./progress.js";

/** One phase of the tour: the example program it runs and what it shows. */
interface Phase {
  name: string;
  script: string;
  shows: string;
}

const PHASES: readonly Phase[] = [
  { name: "names", script: "conditioned-names.js", shows: "one-to-many generation conditioned on a context vector: first names that sound like the female or the male list" },
  { name: "slots", script: "slot-filling.js", shows: 'tagging with a bidirectional LSTM: "arrive Taipei" vs "leave Taipei"' },
  { name: "forecast", script: "forecast.js", shows: "time-series forecasting with a GRU and an LSTM, against persistence" },
  { name: "spam", script: "spam.js", shows: "many-to-one classification of e-mails, against a bag-of-words baseline" },
  { name: "moby-dick", script: "moby-dick.js", shows: "a character-level language model: bits per character, samples, sentence probabilities" },
  { name: "g2p", script: "g2p.js", shows: "encoder-decoder seq2seq: spelling to pronunciation, greedy and beam search" },
];

const { values: flags } = parseArgs({
  options: { full: { type: "boolean", default: false }, only: { type: "string" } },
});
const wanted = flags.only?.split(",").map((s) => s.trim()) ?? PHASES.map((p) => p.name);
const unknown = wanted.filter((name) => !PHASES.some((p) => p.name === name));
if (unknown.length > 0) {
  throw new RangeError(`--only: unknown phase ${unknown.join(", ")}; expected some of ${PHASES.map((p) => p.name).join(", ")}`);
}
const phases = PHASES.filter((p) => wanted.includes(p.name));

const here = dirname(fileURLToPath(import.meta.url));
const started = performance.now();
const times: string[] = [];
console.log(`wasm-rnn demo: ${phases.length} phases${flags.full ? " (--full)" : ""}`);
for (const [i, phase] of phases.entries()) {
  console.log(`\n━━ ${i + 1}/${phases.length} ${phase.name}: ${phase.shows}\n`);
  const phaseStart = performance.now();
  const run = spawnSync(process.execPath, [join(here, phase.script), ...(flags.full ? ["--full"] : [])], { stdio: "inherit" });
  if (run.status !== 0) {
    throw new Error(`phase ${phase.name} (${phase.script}) failed: exit status ${run.status}${run.signal ? `, signal ${run.signal}` : ""}`);
  }
  times.push(`${phase.name} ${seconds(phaseStart)}`);
}
console.log(`\ndemo done in ${seconds(started)} (${times.join(", ")}); each phase alone: npm run example:<name>, see the README`);
