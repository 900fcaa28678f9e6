// Entity-level scores for BIO tags, with the semantics of CoNLL's conlleval: an entity counts as
// found only when its type and its exact span match a gold entity.
import { describe } from "../validate.js";

/** An entity: its type and its token span [start, end). */
export interface Entity {
  type: string;
  start: number;
  end: number;
}

/** Precision, recall and F1 with the counts behind them. */
export interface EntityScores {
  precision: number;
  recall: number;
  f1: number;
  /** Entities in the predicted tags. */
  predicted: number;
  /** Entities in the gold tags. */
  gold: number;
  /** Predicted entities whose type and span match a gold one. */
  correct: number;
}

/** What `entityF1` returns: overall scores and the same per entity type. */
export interface EntityF1 extends EntityScores {
  /** Scores per type, for every type in the predicted or gold tags. */
  perType: Record<string, EntityScores>;
}

const TAG = /^([BI])-(.+)$/;

/** Splits a tag into its prefix ("B", "I" or "O") and type. */
function parseTag(where: string, name: string, tag: unknown): [string, string] {
  if (tag === "O") return ["O", ""];
  const m = typeof tag === "string" ? TAG.exec(tag) : null;
  if (m === null) throw new RangeError(`${where}: ${name} must be "O", "B-<type>" or "I-<type>" (BIO tags); got ${describe(tag)}`);
  return [m[1]!, m[2]!];
}

function tagList(where: string, name: string, tags: unknown): readonly unknown[] {
  if (!Array.isArray(tags)) throw new TypeError(`${where}: ${name} must be an array of BIO tag strings; got ${describe(tags)}`);
  return tags;
}

/**
 * The entities of one BIO-tagged sequence, as conlleval reads them: B-X starts an entity; I-X
 * continues the entity before it when that one has type X, and otherwise starts a new one (an
 * I-X after O or after another type is read as a start); O ends it.
 */
export function bioEntities(tags: readonly string[]): Entity[] {
  return entitiesOf("bioEntities", "tags", tagList("bioEntities", "tags", tags));
}

function entitiesOf(where: string, name: string, tags: readonly unknown[]): Entity[] {
  const out: Entity[] = [];
  let open: { type: string; start: number } | null = null;
  for (let i = 0; i < tags.length; i++) {
    const [prefix, type] = parseTag(where, `${name}[${i}]`, tags[i]);
    const continues = open !== null && prefix === "I" && type === open.type;
    if (open !== null && !continues) {
      out.push({ type: open.type, start: open.start, end: i });
      open = null;
    }
    if (prefix !== "O" && !continues) open = { type, start: i };
  }
  if (open !== null) out.push({ type: open.type, start: open.start, end: tags.length });
  return out;
}

function scores(predicted: number, gold: number, correct: number): EntityScores {
  const precision = predicted > 0 ? correct / predicted : 0;
  const recall = gold > 0 ? correct / gold : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, predicted, gold, correct };
}

/**
 * Entity-level precision, recall and F1 of BIO-tagged sequences against gold ones (conlleval):
 * a predicted entity is correct only when a gold entity has the same type and exactly the same
 * span. Overall and per type; a score with nothing to divide by is 0, as in conlleval.
 * predictedTags[i] and goldTags[i] must have the same length.
 */
export function entityF1(predictedTags: readonly (readonly string[])[], goldTags: readonly (readonly string[])[]): EntityF1 {
  const where = "entityF1";
  const p = tagList(where, "predictedTags", predictedTags);
  const g = tagList(where, "goldTags", goldTags);
  if (p.length !== g.length) throw new RangeError(`${where}: goldTags must hold as many sequences as predictedTags (${p.length}); got ${g.length}`);
  const counts = new Map<string, { predicted: number; gold: number; correct: number }>();
  const count = (type: string) => {
    let c = counts.get(type);
    if (c === undefined) counts.set(type, (c = { predicted: 0, gold: 0, correct: 0 }));
    return c;
  };
  p.forEach((ps, i) => {
    const pred = entitiesOf(where, `predictedTags[${i}]`, tagList(where, `predictedTags[${i}]`, ps));
    const gs = tagList(where, `goldTags[${i}]`, g[i]);
    const gold = entitiesOf(where, `goldTags[${i}]`, gs);
    if ((ps as unknown[]).length !== gs.length) throw new RangeError(`${where}: goldTags[${i}] must have the length of predictedTags[${i}] (${(ps as unknown[]).length}); got ${gs.length}`);
    const goldKeys = new Set(gold.map((e) => `${e.type}\u0000${e.start}\u0000${e.end}`));
    for (const e of pred) {
      const c = count(e.type);
      c.predicted++;
      if (goldKeys.has(`${e.type}\u0000${e.start}\u0000${e.end}`)) c.correct++;
    }
    for (const e of gold) count(e.type).gold++;
  });
  const perType: Record<string, EntityScores> = {};
  let predicted = 0;
  let gold = 0;
  let correct = 0;
  for (const type of [...counts.keys()].sort()) {
    const c = counts.get(type)!;
    perType[type] = scores(c.predicted, c.gold, c.correct);
    predicted += c.predicted;
    gold += c.gold;
    correct += c.correct;
  }
  return { ...scores(predicted, gold, correct), perType };
}
