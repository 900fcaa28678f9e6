// Seq2Seq decoding: greedy and beam search over the sources in chunks of DECODE_CHUNK (each chunk
// one batch, so the decoder's per-step buffers stay bounded however many sources), one decoder
// step per token.
// The decoder's states stay in wasm memory (rows are reordered by a core gather); only the chosen
// ids (and, for beams, the candidates' scores) come back to JavaScript.
import { core, f32View, i32View } from "../core.js";
import type { Workspace } from "../buffer.js";
import type { Encoder } from "./encoder.js";
import type { Decoder } from "./decoder.js";
import type { BeamHypothesis } from "./options.js";
import type { Sources } from "./inputs.js";

/** The network and ids decoding runs with. */
export interface Decodable {
  encoder: Encoder;
  decoder: Decoder;
  targetVocabSize: number;
  bosId: number;
  eosId: number;
  ws: Workspace;
}

/** A live beam-search hypothesis: its tokens so far, their log-probability and (with attention) their attention weights. */
interface Live {
  tokens: number[];
  logProb: number;
  attention?: Float32Array[];
}

/** Greedy decodes: per source, the ids and (with attention) the weights over its source steps of each id, or null. */
export interface GreedyResult {
  tokens: number[][];
  attention: Float32Array[][] | null;
}

/** With an attentional decoder: a copy of row r's attention weights of the last step over its source's `length` steps; else undefined. */
function rowWeights(net: Decodable, r: number, length: number): Float32Array | undefined {
  const w = net.decoder.stepWeights?.();
  return w === undefined ? undefined : f32View(w.ptr + r * w.S * 4, length).slice();
}

/** Writes `values` to the i32 block `name` of the workspace; returns its address. */
function stageI32(ws: Workspace, name: string, values: ArrayLike<number>): number {
  const block = ws.get(name, values.length);
  block.i32().set(values);
  return block.ptr;
}

/**
 * Sources decoded as one batch at the most: a decoder keeps per-step buffers of every row (e.g. an
 * LSTM's gates [maxLength, rows, 4H]), which for 12,000 sources would outgrow wasm's 4 GiB.
 */
const DECODE_CHUNK = 256;

/**
 * `decode` run on the sources DECODE_CHUNK at a time (columns n0 .. n1 of source [S, N], or rows
 * n0 .. n1 of batch-first [N, S]), its per-source results concatenated.
 */
function inChunks<R>(src: Sources, decode: (chunk: Sources) => R[]): R[] {
  if (src.N <= DECODE_CHUNK) return decode(src);
  const { S, N } = src;
  const out: R[] = [];
  for (let n0 = 0; n0 < N; n0 += DECODE_CHUNK) {
    const n = Math.min(DECODE_CHUNK, N - n0);
    let source = src.source.subarray(n0 * S, (n0 + n) * S);
    if (!src.batchFirst) {
      source = new Int32Array(S * n);
      for (let t = 0; t < S; t++) source.set(src.source.subarray(t * N + n0, t * N + n0 + n), t * n);
    }
    out.push(...decode({ ...src, N: n, source, lengths: src.lengths.slice(n0, n0 + n) }));
  }
  return out;
}

/** Encodes the sources (batch-first ones reordered time-major by the core) and starts the decoder on them, one row per source. */
function start(net: Decodable, src: Sources): void {
  const { S, N } = src;
  let source = stageI32(net.ws, "decode.source", src.source);
  if (src.batchFirst) {
    const timeMajor = net.ws.ptr("decode.sourceTimeMajor", S * N);
    core().swapLeadingAxes(timeMajor, source, N, S, 1);
    source = timeMajor;
  }
  const lengths = stageI32(net.ws, "decode.sourceLengths", src.lengths);
  net.decoder.start(net.encoder.encode(source, S, N, lengths));
}

/**
 * Greedy decoding: from BOS and the encoder's memory, feeds back the most likely token until EOS or
 * maxLength tokens. Returns, per source, the target ids without BOS and EOS (and, with attention,
 * the weights each id was chosen with). Sequences that ended leave the batch.
 */
export function greedyDecode(net: Decodable, src: Sources): GreedyResult {
  const decodes = inChunks(src, (chunk) => {
    const { tokens, attention } = greedyDecodeBatch(net, chunk);
    return tokens.map((ids, n) => ({ ids, weights: attention?.[n] }));
  });
  const attention = net.decoder.stepWeights === undefined ? null : decodes.map((d) => d.weights!);
  return { tokens: decodes.map((d) => d.ids), attention };
}

/** greedyDecode of sources decoded as one batch. */
function greedyDecodeBatch(net: Decodable, src: Sources): GreedyResult {
  const { N, maxLength } = src;
  const V = net.targetVocabSize;
  const out: number[][] = Array.from({ length: N }, () => []);
  const attention: Float32Array[][] | null = net.decoder.stepWeights === undefined ? null : Array.from({ length: N }, () => []);
  start(net, src);
  let rows = Array.from({ length: N }, (_, n) => n); // row r decodes source rows[r]
  let tokens = stageI32(net.ws, "decode.tokens", new Int32Array(N).fill(net.bosId));
  for (let step = 0; step < maxLength && rows.length > 0; step++) {
    const logits = net.decoder.step(tokens, rows.length);
    const best = net.ws.ptr("decode.best", rows.length);
    core().argmaxRows(logits, best, rows.length, V);
    const chosen = i32View(best, rows.length);
    const keep: number[] = [];
    const kept: number[] = [];
    rows.forEach((n, r) => {
      if (chosen[r] === net.eosId) return;
      out[n]!.push(chosen[r]!);
      attention?.[n]!.push(rowWeights(net, r, src.lengths[n]!)!);
      keep.push(r);
      kept.push(chosen[r]!);
    });
    if (keep.length > 0 && keep.length < rows.length) net.decoder.reorder(stageI32(net.ws, "decode.keep", keep), keep.length);
    rows = keep.map((r) => rows[r]!);
    tokens = stageI32(net.ws, "decode.tokens", kept);
  }
  return { tokens: out, attention };
}

/**
 * Beam search: every source keeps `beamWidth` hypotheses, all sources' beams decoded together as
 * one batch (rows reordered by the chosen parents every step). Each step ranks the 2·beamWidth best
 * continuations (in the core); an EOS among the first beamWidth finishes a hypothesis, the best
 * non-EOS ones continue. A source is done with beamWidth finished hypotheses; at maxLength its live
 * ones count as finished. Returns, per source, up to beamWidth hypotheses sorted by score, best first.
 */
export function beamSearch(net: Decodable, src: Sources, K: number, alpha: number): BeamHypothesis[][] {
  return inChunks(src, (chunk) => beamSearchBatch(net, chunk, K, alpha));
}

/** beamSearch of sources decoded as one batch. */
function beamSearchBatch(net: Decodable, src: Sources, K: number, alpha: number): BeamHypothesis[][] {
  const { N, maxLength } = src;
  const V = net.targetVocabSize;
  const K2 = 2 * K;
  const c = core();
  const finish = ({ tokens, logProb, attention }: Live, length: number): BeamHypothesis => ({
    tokens, logProb, score: logProb / Math.pow(length, alpha), ...(attention === undefined ? {} : { attention }),
  });
  const finished: BeamHypothesis[][] = Array.from({ length: N }, () => []);
  // The batch: for every unfinished source (in order), its live hypotheses, one row each.
  const withAttention = net.decoder.stepWeights !== undefined;
  let beams: { n: number; live: Live[] }[] = Array.from({ length: N }, (_, n) => ({ n, live: [{ tokens: [], logProb: 0, ...(withAttention ? { attention: [] } : {}) }] }));
  let tokens = stageI32(net.ws, "decode.tokens", new Int32Array(N).fill(net.bosId));
  start(net, src);
  for (let step = 0; step < maxLength && beams.length > 0; step++) {
    const R = beams.reduce((r, { live }) => r + live.length, 0);
    const G = beams.length;
    const logits = net.decoder.step(tokens, R);
    const logp = net.ws.ptr("beam.logp", R * V);
    c.logSoftmaxRows(logits, logp, R, V);
    const base = net.ws.get("beam.base", 2 * R);
    new Float64Array(c.memory.buffer, base.ptr, R).set(beams.flatMap(({ live }) => live.map((hyp) => hyp.logProb)));
    const starts = [0];
    for (const { live } of beams) starts.push(starts[starts.length - 1]! + live.length);
    const groupStart = stageI32(net.ws, "beam.start", starts);
    const score = net.ws.get("beam.score", 2 * G * K2);
    const row = net.ws.get("beam.row", G * K2);
    const token = net.ws.get("beam.token", G * K2);
    const count = net.ws.get("beam.count", G);
    c.beamCandidates(logp, base.ptr, groupStart, G, V, K2, score.ptr, row.ptr, token.ptr, count.ptr);
    const scores = new Float64Array(c.memory.buffer, score.ptr, G * K2);
    const rows = row.i32();
    const ids = token.i32();
    const counts = count.i32();
    const parents: number[] = [];
    const nextBeams: { n: number; live: Live[] }[] = [];
    beams.forEach(({ n, live }, g) => {
      const survivors: Live[] = [];
      const survivorRows: number[] = [];
      for (let i = 0; i < counts[g]! && survivors.length < K; i++) {
        const at = g * K2 + i;
        const parent = live[rows[at]! - starts[g]!]!;
        if (ids[at] === net.eosId) {
          if (i < K) finished[n]!.push(finish({ ...parent, logProb: scores[at]! }, parent.tokens.length + 1));
        } else {
          const weights = rowWeights(net, rows[at]!, src.lengths[n]!);
          survivors.push({ tokens: [...parent.tokens, ids[at]!], logProb: scores[at]!, ...(weights === undefined ? {} : { attention: [...parent.attention!, weights] }) });
          survivorRows.push(rows[at]!);
        }
      }
      if (finished[n]!.length >= K) return; // done: its rows leave the batch
      if (step === maxLength - 1) {
        for (const hyp of survivors) finished[n]!.push(finish(hyp, hyp.tokens.length));
      } else {
        nextBeams.push({ n, live: survivors });
        parents.push(...survivorRows);
      }
    });
    beams = nextBeams;
    if (beams.length === 0) break;
    net.decoder.reorder(stageI32(net.ws, "beam.parents", parents), parents.length);
    tokens = stageI32(net.ws, "decode.tokens", beams.flatMap(({ live }) => live.map((hyp) => hyp.tokens[hyp.tokens.length - 1]!)));
  }
  return finished.map((hyps) => hyps.sort((a, b) => b.score - a.score).slice(0, K));
}
