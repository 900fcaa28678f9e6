// Slot filling, the ticket-booking example: a bidirectional LSTM tags each word of a travel request
// with BIO slots (departure, destination, date, time). The corpus is generated from templates, so a
// city word is a departure after "leave"/"from" and a destination after "arrive"/"to": only the
// context tells them apart. Scored with entity-level F1 (conlleval) on held-out sentences, beside a
// baseline: a supervised HMM tagger (tags as hidden states, words as symbols, Viterbi decoding).
//
//   npm run example:slots            # quick run (about 5 s on 2 cores)
//   npm run example:slots -- --full  # more sentences and epochs
import { parseArgs } from "node:util";
import {
  init, Model, Embedding, LSTM, Dense, Adam, Rng, Vocabulary, padSequences,
  trainValidationSplit, argmaxTags, entityF1, tokenAccuracy, HMM,
} from "../bindings/index.js";
import { fitWithProgress, seconds } from "./progress.js";

const { values: args } = parseArgs({ options: { full: { type: "boolean", default: false }, seed: { type: "string", default: "0" } } });
const SEED = Number(args.seed);
const SENTENCES = args.full ? 12000 : 4000;
const EPOCHS = args.full ? 12 : 10;
/** Pseudo-count of the HMM baseline's start, transition and emission counts. */
const HMM_SMOOTHING = 0.1;

await init();

// ---- a generated corpus of travel requests -------------------------------------------------------
const CITIES = [
  "taipei", "tokyo", "paris", "london", "berlin", "boston", "denver", "seattle", "chicago", "madrid",
  "rome", "lisbon", "dublin", "oslo", "vienna", "prague", "new york", "san francisco", "hong kong",
  "los angeles", "kuala lumpur", "rio de janeiro", "buenos aires", "cape town",
];
// Never in the training sentences: the tagger sees them as UNK and must go by the context alone.
const UNSEEN_CITIES = ["amsterdam", "nairobi", "osaka", "sydney", "salt lake city", "mexico city"];
let cities = CITIES;
const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const ORD = ["1st", "2nd", "3rd", "4th", "5th", "8th", "10th", "12th", "15th", "21st", "22nd", "23rd", "28th", "30th"];
const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

type Part = string | [string, string]; // plain words, or [words, slot]
const rng = new Rng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.nextFloat() * xs.length) % xs.length]!;
const chance = (p: number): boolean => rng.nextFloat() < p;

function date(): Part[] {
  const r = rng.nextFloat();
  if (r < 0.35) return ["on", [`${pick(MONTHS)} ${pick(ORD)}`, "date"]];
  if (r < 0.55) return [["tomorrow", "date"]];
  if (r < 0.7) return [[`next ${pick(DAYS)}`, "date"]];
  if (r < 0.85) return ["on", [pick(DAYS), "date"]];
  return ["on", ["the " + pick(ORD) + " of " + pick(MONTHS), "date"]];
}
function time(): Part[] {
  const r = rng.nextFloat();
  const hour = 1 + Math.floor(rng.nextFloat() * 12);
  if (r < 0.4) return ["at", [`${hour} ${pick(["am", "pm"])}`, "time"]];
  if (r < 0.6) return ["at", [`${hour}:${pick(["15", "30", "45"])} ${pick(["am", "pm"])}`, "time"]];
  if (r < 0.75) return ["at", [pick(["noon", "midnight"]), "time"]];
  if (r < 0.9) return ["in the", [pick(["morning", "afternoon", "evening"]), "time"]];
  return ["before", [`${hour} ${pick(["am", "pm"])}`, "time"]];
}
const when = (): Part[] => {
  const parts: Part[] = [];
  if (chance(0.7)) parts.push(...date());
  if (chance(0.5)) parts.push(...time());
  return parts;
};
const TEMPLATES: (() => Part[])[] = [
  () => ["arrive", [pick(cities), "destination"], ...when()],
  () => ["leave", [pick(cities), "departure"], ...when()],
  () => [pick(["i want to", "i need to", "i would like to"]), "leave", [pick(cities), "departure"], ...when()],
  () => [pick(["i want to", "i need to", "please"]), "arrive in", [pick(cities), "destination"], ...when()],
  () => [pick(["book a flight", "find a ticket", "show me flights"]), "from", [pick(cities), "departure"], "to", [pick(cities), "destination"], ...when()],
  () => [pick(["book a flight", "a ticket", "flights"]), "to", [pick(cities), "destination"], "from", [pick(cities), "departure"], ...when()],
  () => [pick(["fly", "travel", "go"]), "to", [pick(cities), "destination"], ...when()],
  () => ["leave", [pick(cities), "departure"], ...when(), "and arrive", [pick(cities), "destination"], ...when()],
  () => [...when(), "i", pick(["leave", "depart"]), "from", [pick(cities), "departure"]],
  () => ["what flights", pick(["leave", "depart"]), [pick(cities), "departure"], ...time()],
  () => ["what flights arrive", [pick(cities), "destination"], ...date()],
];

/** Words and BIO tags of one parts list. */
function render(parts: Part[]): { words: string[]; tags: string[] } {
  const words: string[] = [];
  const tags: string[] = [];
  for (const part of parts) {
    if (typeof part === "string") {
      for (const w of part.split(" ")) { words.push(w); tags.push("O"); }
    } else {
      part[0].split(" ").forEach((w, i) => { words.push(w); tags.push(`${i === 0 ? "B" : "I"}-${part[1]}`); });
    }
  }
  return { words, tags };
}
const corpus = Array.from({ length: SENTENCES }, () => render(pick(TEMPLATES)()));
cities = UNSEEN_CITIES;
const unseenSet = Array.from({ length: Math.round(SENTENCES / 10) }, () => render(pick(TEMPLATES)()));


// ---- ids, split, model -----------------------------------------------------------------------------
const TAGS = ["O", ...["departure", "destination", "date", "time"].flatMap((t) => [`B-${t}`, `I-${t}`])];
const { train, validation } = trainValidationSplit(corpus.length, { validationFraction: 0.2, seed: SEED });
const trainSet = [...train].map((i) => corpus[i]!);
const testSet = [...validation].map((i) => corpus[i]!);
const vocab = Vocabulary.build(trainSet.map((s) => s.words)); // built on training sentences only: unseen cities map to UNK
const encode = (set: typeof corpus) => {
  const x = padSequences(set.map((s) => vocab.encode(s.words)), { padding: "post" });
  const y = padSequences(set.map((s) => s.tags.map((t) => TAGS.indexOf(t))), { padding: "post" });
  return { ids: x.ids, lengths: x.lengths, y: y.ids };
};
// Word dropout: a tenth of the training cities become UNK, so that UNK is learned as "some city".
const cityWords = new Set(CITIES.flatMap((c) => c.split(" ")));
const trainWithDropout = trainSet.map(({ words, tags }) => ({ words: words.map((w) => (cityWords.has(w) && chance(0.1) ? "<unk>" : w)), tags }));
const tr = encode(trainWithDropout);
rng.dispose();
const te = encode(testSet);
const un = encode(unseenSet);

const tagger = new Model({
  layers: [
    new Embedding({ inputSize: vocab.size, units: 32, seed: SEED + 1 }),
    new LSTM({ inputSize: 32, units: 48, bidirectional: true, seed: SEED + 2 }), // [T, N, 96]
    new Dense({ inputSize: 96, units: TAGS.length, seed: SEED + 3 }),
  ],
  loss: "softmaxCrossEntropy",
  optimizer: new Adam({ lr: 0.01 }),
  clipNorm: 5,
});

console.log(`slot filling: ${trainSet.length} training / ${testSet.length} held-out sentences, ${vocab.size} words, ${TAGS.length} tags`);
const started = performance.now();
const epochLogs = await fitWithProgress(tagger, tr.ids, tr.y, { lengths: tr.lengths, epochs: EPOCHS, batchSize: 32, seed: SEED });
const lastEpoch = epochLogs[epochLogs.length - 1]!;
console.log(`last epoch: loss ${lastEpoch.loss.toFixed(4)}, token accuracy ${(lastEpoch.accuracy ?? 0).toFixed(4)} on the training sentences`);

// ---- the baseline: a supervised HMM tagger on the same sentences (word dropout included, so UNK has emissions) ----
const hmmStarted = performance.now();
const hmm = new HMM({ states: TAGS.length, symbols: vocab.size }).fitSupervised(
  trainWithDropout.map((s) => vocab.encode(s.words)),
  trainWithDropout.map((s) => s.tags.map((t) => TAGS.indexOf(t))),
  { smoothing: HMM_SMOOTHING },
);
console.log(`HMM baseline: ${TAGS.length} states (the tags) x ${vocab.size} symbols (the words), counted with add-${HMM_SMOOTHING} smoothing in ${seconds(hmmStarted)}`);

// ---- held-out scores -------------------------------------------------------------------------------
const tagNames = (seqs: number[][]) => seqs.map((s) => s.map((id) => TAGS[id]!));
const hmmTags = (set: typeof corpus) => tagNames(set.map((s) => hmm.viterbi(vocab.encode(s.words)).path));
function score(label: string, set: typeof corpus, data: typeof te) {
  const predicted = tagNames(argmaxTags(tagger.predict(data.ids, { lengths: data.lengths }), data.lengths));
  const gold = set.map((s) => s.tags);
  const r = entityF1(predicted, gold);
  console.log(`\n${label}: entity F1 ${r.f1.toFixed(4)}  (precision ${r.precision.toFixed(4)}, recall ${r.recall.toFixed(4)}; ` +
    `${r.correct}/${r.gold} gold entities found), token accuracy ${tokenAccuracy(predicted, gold).toFixed(4)}`);
  for (const [type, s] of Object.entries(r.perType)) console.log(`  ${type.padEnd(12)} F1 ${s.f1.toFixed(4)}  (${s.correct}/${s.gold})`);
  const baseline = hmmTags(set);
  const b = entityF1(baseline, gold);
  console.log(`  HMM baseline: entity F1 ${b.f1.toFixed(4)}  (precision ${b.precision.toFixed(4)}, recall ${b.recall.toFixed(4)}), token accuracy ${tokenAccuracy(baseline, gold).toFixed(4)}`);
}
score(`held-out sentences (${testSet.length})`, testSet, te);
// Phrasings no template produces (words such as "out of", "by", "heading", "returning" are UNK or in new places).
const NEW_PHRASINGS: Part[][] = [
  ["i am flying out of", ["boston", "departure"], ["tomorrow", "date"]],
  ["get me to", ["tokyo", "destination"], "by", ["6 pm", "time"]],
  ["heading to", ["rome", "destination"], "on", ["june 5th", "date"]],
  ["returning from", ["madrid", "departure"], ["next monday", "date"]],
  ["depart", ["oslo", "departure"], "at", ["noon", "time"], "arrive", ["vienna", "destination"], "at", ["8 pm", "time"]],
  ["from", ["seattle", "departure"], "to", ["denver", "destination"], "please"],
  ["a ticket to", ["osaka", "destination"], "leaving", ["friday", "date"], "morning"],
  ["i need to be in", ["london", "destination"], "on", ["the 2nd of march", "date"]],
];
const phrasings = NEW_PHRASINGS.map(render);
score(`held-out sentences with unseen cities (${unseenSet.length}: ${UNSEEN_CITIES.join(", ")})`, unseenSet, un);
score(`${phrasings.length} hand-labelled requests in phrasings no template produces`, phrasings, encode(phrasings));

// ---- the same city after "arrive" and "leave" -----------------------------------------------------
const samples = [
  "arrive taipei on november 2nd",
  "leave taipei tomorrow at 5 pm",
  "i want to leave new york next friday in the morning",
  "book a flight from boston to hong kong on the 3rd of may",
  "leave osaka tomorrow and arrive salt lake city on friday",
  "fly to paris on sunday at noon",
  "leave tokyo at 7:45 am and arrive london tomorrow",
  ...phrasings.map((p) => p.words.join(" ")),
].map((s) => s.split(" "));
const sx = padSequences(samples.map((w) => vocab.encode(w)), { padding: "post" });
const sampleTags = tagNames(argmaxTags(tagger.predict(sx.ids, { lengths: sx.lengths }), sx.lengths));
console.log('\nsample requests (word/slot; O words shown bare; "leave X" and "arrive X" give X different slots):');
samples.forEach((words, i) => {
  console.log("  " + words.map((w, t) => (sampleTags[i]![t] === "O" ? w : `${w}/${sampleTags[i]![t]}`)).join(" "));
});
console.log(`\ndone in ${seconds(started)} of training and scoring`);
tagger.dispose();
hmm.dispose();
