import assert from "node:assert/strict";
import { letterNgrams, fnv1a32, NgramHasher } from "../bindings/sequences/ngrams.js";

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

describe("letter n-grams", () => {
  it("frames the word with # and slides over its letters", () => {
    assert.deepEqual(letterNgrams("apple"), ["#ap", "app", "ppl", "ple", "le#"]);
    assert.deepEqual(letterNgrams("ab", 2), ["#a", "ab", "b#"]);
    assert.deepEqual(letterNgrams("aaaa"), ["#aa", "aaa", "aaa", "aa#"], "repeats are kept (they are counts)");
    assert.deepEqual(letterNgrams("a"), ["#a#"]);
    assert.deepEqual(letterNgrams("ab", 5), ["#ab#"], "a framed word shorter than n is one n-gram");
    assert.deepEqual(letterNgrams("né👍"), ["#né", "né👍", "é👍#"], "letters are code points");
  });

  it("rejects an empty word and a bad n", () => {
    assert.throws(() => letterNgrams(""), /letterNgrams: word must be a non-empty string; got ""/);
    assert.throws(() => letterNgrams(7 as unknown as string), TypeError);
    assert.throws(() => letterNgrams("a", 0), /n must be >= 1; got 0/);
  });
});

describe("fnv1a32", () => {
  it("matches the published FNV-1a 32-bit test vectors with seed 0", () => {
    assert.equal(fnv1a32(""), 0x811c9dc5);
    assert.equal(fnv1a32("a"), 0xe40c292c);
    assert.equal(fnv1a32("foobar"), 0xbf9cf968);
    assert.notEqual(fnv1a32("a", 1), fnv1a32("a"));
    assert.equal(fnv1a32("é"), fnv1a32("\u00e9"), "hashes UTF-8 bytes");
  });
});

describe("NgramHasher", () => {
  const hasher = new NgramHasher({ n: 3, buckets: 512, seed: 0 });

  it("counts n-grams into buckets: fnv1a32(gram, seed) % buckets", () => {
    const v = hasher.vector("apple");
    assert.equal(v.length, 512);
    const expected = new Float32Array(512);
    for (const g of letterNgrams("apple")) expected[fnv1a32(g) % 512]! += 1;
    assert.deepEqual(v, expected);
    assert.equal(v.reduce((a, b) => a + b, 0), 5);
  });

  it("gives similar words similar vectors: apple and apples share 4 of their n-grams", () => {
    const apple = hasher.vector("apple");
    const apples = hasher.vector("apples");
    let shared = 0;
    for (let i = 0; i < apple.length; i++) shared += Math.min(apple[i]!, apples[i]!);
    assert.ok(shared >= 4, `shared n-gram count ${shared}`);
    assert.ok(cosine(apple, apples) > 0.7, `cos(apple, apples) = ${cosine(apple, apples)}`);
    assert.ok(cosine(apple, hasher.vector("zebra")) < 0.3, `cos(apple, zebra) = ${cosine(apple, hasher.vector("zebra"))}`);
  });

  it("encodes any words, seen or not, as rows of a [words, buckets] tensor with no all-zero row", () => {
    const words = ["apple", "xqzvw", "a", "Ünïcödé"];
    const t = hasher.encode(words);
    assert.deepEqual(t.shape, [4, 512]);
    words.forEach((w, i) => {
      const row = t.data.subarray(i * 512, (i + 1) * 512);
      assert.deepEqual(row, hasher.vector(w));
      assert.equal(row.reduce((a, b) => a + b, 0), letterNgrams(w).length);
    });
    assert.deepEqual(hasher.encode([]).shape, [0, 512]);
  });

  it("is deterministic for a seed and rebuilds from its JSON", () => {
    const seeded = new NgramHasher({ buckets: 64, seed: 7 });
    assert.equal(seeded.n, 3);
    const copy = new NgramHasher(JSON.parse(JSON.stringify(seeded)));
    assert.deepEqual(copy.encode(["apple", "pear"]), seeded.encode(["apple", "pear"]));
    assert.notDeepEqual(new NgramHasher({ buckets: 64, seed: 8 }).vector("apple"), seeded.vector("apple"));
  });

  it("rejects bad options and words", () => {
    assert.throws(() => new NgramHasher(undefined as never), /NgramHasher: options \{ buckets \} are required/);
    assert.throws(() => new NgramHasher({} as never), /buckets must be an integer; got undefined/);
    assert.throws(() => new NgramHasher({ buckets: 0 }), /buckets must be >= 1; got 0/);
    assert.throws(() => new NgramHasher({ buckets: 8, seed: -1 }), /seed must be >= 0/);
    assert.throws(() => new NgramHasher({ buckets: 8, size: 3 } as never), /unknown option "size"/);
    assert.throws(() => hasher.vector(""), /NgramHasher.vector: word must be a non-empty string/);
    assert.throws(() => hasher.encode(["ok", 5 as unknown as string]), /NgramHasher.encode: words\[1\] must be a string; got number 5/);
    assert.throws(() => hasher.encode("apple" as unknown as string[]), /words must be an array of strings/);
  });
});
