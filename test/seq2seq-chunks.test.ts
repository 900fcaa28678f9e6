// Decoding many sources: greedyDecode and beamSearch decode them a bounded batch at a time, so a
// source's result does not depend on how many others come with it (each row is computed alone).
import assert from "node:assert/strict";
import { Seq2Seq } from "../bindings/seq2seq/seq2seq.js";
import type { IntTensor } from "../bindings/tensor.js";
import { smallBatch } from "./helpers/seq2seq-batch.js";

/** Column n of a time-major [S, N] id tensor as a batch of one. */
function column(source: IntTensor, n: number): IntTensor {
  const [S, N] = source.shape as [number, number];
  return { shape: [S, 1], data: Int32Array.from({ length: S }, (_, t) => source.data[t * N + n]!) };
}

describe("Seq2Seq decoding of more sources than one batch holds", () => {
  const N = 600;
  const lengths = Array.from({ length: N }, (_, n) => 1 + ((n * 7) % 9));
  const { source } = smallBatch(12, 10, lengths, lengths.map(() => 3), 5);
  const picked = [0, 255, 256, 511, 512, 599];

  for (const attention of [undefined, "bahdanau"] as const) {
    it(`${attention ?? "plain"}: greedy and beam results of ${N} sources equal each source decoded alone`, () => {
      const model = new Seq2Seq({ sourceVocabSize: 12, targetVocabSize: 10, units: 6, embeddingSize: 4, seed: 7, ...(attention ? { attention } : {}) });
      try {
        const sourceLengths = Int32Array.from(lengths);
        const greedy = model.greedyDecode(source, { sourceLengths, maxLength: 6 });
        const beams = model.beamSearch(source, { sourceLengths, beamWidth: 3, maxLength: 6 });
        assert.equal(greedy.length, N);
        assert.equal(beams.length, N);
        for (const n of picked) {
          const alone = { sourceLengths: [lengths[n]!], maxLength: 6 };
          assert.deepEqual(greedy[n], model.greedyDecode(column(source, n), alone)[0], `greedy ${n}`);
          assert.deepEqual(beams[n], model.beamSearch(column(source, n), { ...alone, beamWidth: 3 })[0], `beam ${n}`);
          if (attention) assert.deepEqual(model.greedyDecodeWithAttention(source, { sourceLengths, maxLength: 6 })[n], model.greedyDecodeWithAttention(column(source, n), alone)[0], `weights ${n}`);
        }
      } finally {
        model.dispose();
      }
    });
  }
});
