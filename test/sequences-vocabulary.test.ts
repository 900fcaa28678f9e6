import assert from "node:assert/strict";
import { Vocabulary } from "../bindings/sequences/vocabulary.js";
import { tokenizeChars, tokenizeWords } from "../bindings/sequences/tokenize.js";

// "the" 3 times, "cat" twice, then "sat", "on", "mat" once each, in that order of first appearance.
const CORPUS = [["the", "cat", "sat"], ["on", "the", "mat"], ["the", "cat"]];

describe("Vocabulary", () => {
  it("reserves PAD 0, UNK 1, EOS 2, BOS 3, then orders tokens by frequency, ties by first appearance", () => {
    const vocab = Vocabulary.build(CORPUS);
    assert.deepEqual(vocab.tokens, ["<pad>", "<unk>", "<eos>", "<bos>", "the", "cat", "sat", "on", "mat"]);
    assert.equal(vocab.size, 9);
    assert.deepEqual([Vocabulary.PAD_ID, Vocabulary.UNK_ID, Vocabulary.EOS_ID, Vocabulary.BOS_ID], [0, 1, 2, 3]);
    assert.equal(vocab.tokenOf(0), "<pad>");
    assert.equal(vocab.idOf("cat"), 5);
    assert.equal(vocab.idOf("dog"), Vocabulary.UNK_ID);
    assert.equal(vocab.has("dog"), false);
    assert.deepEqual(Vocabulary.build(CORPUS).tokens, vocab.tokens, "the same corpus gives the same ids");
  });

  it("encodes unknown words as UNK, frames with BOS/EOS, and decodes back", () => {
    const vocab = Vocabulary.build(CORPUS);
    assert.deepEqual(vocab.encode(["the", "dog", "sat"]), Int32Array.from([4, 1, 6]));
    const framed = vocab.encode(["the", "cat"], { addBos: true, addEos: true });
    assert.deepEqual(framed, Int32Array.from([3, 4, 5, 2]));
    assert.deepEqual(vocab.decode(framed), ["<bos>", "the", "cat", "<eos>"]);
    assert.deepEqual(vocab.decode([...framed, 0, 0], { stopAtEos: true, skipSpecials: true }), ["the", "cat"]);
    assert.deepEqual(vocab.decode([4, 1, 0, 2, 6], { skipSpecials: true }), ["the", "<unk>", "sat"], "UNK stands for a word and stays");
    assert.deepEqual(vocab.decode(vocab.encode(["on", "the", "mat"])), ["on", "the", "mat"]);
  });

  it("cuts by minFrequency and maxSize (which counts the reserved ids)", () => {
    assert.deepEqual(Vocabulary.build(CORPUS, { minFrequency: 2 }).tokens.slice(4), ["the", "cat"]);
    const small = Vocabulary.build(CORPUS, { maxSize: 7 });
    assert.equal(small.size, 7);
    assert.deepEqual(small.tokens.slice(4), ["the", "cat", "sat"]);
    assert.equal(Vocabulary.build(CORPUS, { maxSize: 4 }).size, 4);
    assert.deepEqual(small.encode(["mat"]), Int32Array.from([Vocabulary.UNK_ID]));
  });

  it("places extra specials after the reserved ids; corpus tokens equal to them get no second id", () => {
    const vocab = Vocabulary.build([["<sep>", "a", "<unk>", "a", "b"]], { specials: ["<sep>"] });
    assert.deepEqual(vocab.tokens, ["<pad>", "<unk>", "<eos>", "<bos>", "<sep>", "a", "b"]);
    assert.deepEqual(vocab.decode([5, 4, 6, 2], { skipSpecials: true }), ["a", "b"]);
  });

  it("one-hot encodes ids [n] to [n, V] and padded ids [T, N] to [T, N, V]", () => {
    const vocab = Vocabulary.build(CORPUS);
    const V = vocab.size;
    const rows = vocab.oneHot(vocab.encode(["cat", "dog"]));
    assert.deepEqual(rows.shape, [2, V]);
    const expected = new Float32Array(2 * V);
    expected[5] = 1; // "cat"
    expected[V + Vocabulary.UNK_ID] = 1; // "dog" is "other"
    assert.deepEqual(rows.data, expected);
    const grid = vocab.oneHot({ shape: [2, 1], data: Int32Array.from([4, 0]) });
    assert.deepEqual(grid.shape, [2, 1, V]);
    assert.equal(grid.data[4], 1);
    assert.equal(grid.data[V], 1);
    assert.equal(grid.data.reduce((a, b) => a + b, 0), 2);
    assert.deepEqual(vocab.oneHot([[4], [0]]), grid);
  });

  it("round-trips through JSON, as an object or a string", () => {
    const vocab = Vocabulary.build(CORPUS, { specials: ["<sep>"], minFrequency: 1 });
    const text = JSON.stringify(vocab);
    for (const copy of [Vocabulary.fromJSON(JSON.parse(text)), Vocabulary.fromJSON(text)]) {
      assert.deepEqual(copy.tokens, vocab.tokens);
      assert.deepEqual(copy.encode(["the", "<sep>", "dog"]), vocab.encode(["the", "<sep>", "dog"]));
      assert.deepEqual(copy.decode([4, 5, 2], { skipSpecials: true }), ["the"]);
    }
  });

  it("rejects bad input with errors that name the argument", () => {
    const vocab = Vocabulary.build(CORPUS);
    assert.throws(() => Vocabulary.build([]), /Vocabulary.build: sequences must hold at least one token/);
    assert.throws(() => Vocabulary.build([[], []]), RangeError);
    assert.throws(() => Vocabulary.build([["a"], ["b", 3 as unknown as string]]), /sequences\[1\]\[1\] must be a string; got number 3/);
    assert.throws(() => Vocabulary.build("abc" as unknown as string[][]), TypeError);
    assert.throws(() => Vocabulary.build(CORPUS, { minFrequency: 0 }), /minFrequency must be >= 1; got 0/);
    assert.throws(() => Vocabulary.build(CORPUS, { maxSize: 3 }), /maxSize must be >= 4; got 3/);
    assert.throws(() => Vocabulary.build(CORPUS, { specials: ["<pad>"] }), /specials must be distinct/);
    assert.throws(() => Vocabulary.build(CORPUS, { minFreq: 2 } as never), /unknown option "minFreq"/);
    assert.throws(() => vocab.decode([0, 9]), /Vocabulary.decode: ids must hold integers in \[0, 9\); got number 9 at index 1/);
    assert.throws(() => vocab.decode([1.5]), RangeError);
    assert.throws(() => vocab.tokenOf(-1), /id must be >= 0/);
    assert.throws(() => vocab.tokenOf(9), /id must be in \[0, 9\); got 9/);
    assert.throws(() => vocab.oneHot([3, 12]), /Vocabulary.oneHot: ids must hold integers in \[0, 9\); got number 12 at index 1/);
    assert.throws(() => vocab.encode("the cat" as unknown as string[]), /tokens must be an array of strings/);
    assert.throws(() => vocab.encode(["the"], { addEOS: true } as never), /unknown option "addEOS"/);
    assert.throws(() => Vocabulary.fromJSON({ ...vocab.toJSON(), format: "other" } as never), /json.format must be "wasm-rnn\/vocabulary"/);
    assert.throws(() => Vocabulary.fromJSON({ ...vocab.toJSON(), version: 2 } as never), /json.version must be 1 \(the only version this library reads\); got number 2/);
    assert.throws(() => Vocabulary.fromJSON({ ...vocab.toJSON(), tokens: ["<unk>", "<pad>"] }), /json.tokens\[0\] must be "<pad>"/);
    assert.throws(() => Vocabulary.fromJSON({ ...vocab.toJSON(), tokens: [...vocab.tokens, "the"] }), /json.tokens must be distinct/);
    assert.throws(() => Vocabulary.fromJSON("{not json"), /json is not valid JSON/);
  });
});

describe("tokenizers", () => {
  it("tokenizeWords keeps inner apostrophes and splits off punctuation", () => {
    assert.deepEqual(tokenizeWords("Don't stop, 2 go!"), ["Don't", "stop", ",", "2", "go", "!"]);
    assert.deepEqual(tokenizeWords("  Café  au LAIT. ", { lowercase: true }), ["café", "au", "lait", "."]);
    assert.deepEqual(tokenizeWords(" \n "), []);
    assert.throws(() => tokenizeWords(42 as unknown as string), /tokenizeWords: text must be a string; got number 42/);
    assert.throws(() => tokenizeWords("a", { lower: true } as never), /unknown option "lower"/);
    assert.throws(() => tokenizeWords("a", { lowercase: "yes" as unknown as boolean }), /lowercase must be a boolean/);
  });

  it("tokenizeChars gives one token per code point", () => {
    assert.deepEqual(tokenizeChars("héllo👍"), ["h", "é", "l", "l", "o", "👍"]);
    assert.deepEqual(tokenizeChars(""), []);
    assert.throws(() => tokenizeChars(null as unknown as string), /tokenizeChars: text must be a string; got null/);
  });

  it("feed a character vocabulary", () => {
    const vocab = Vocabulary.build(["anna", "bob"].map(tokenizeChars));
    assert.deepEqual(vocab.tokens.slice(4), ["a", "n", "b", "o"]);
    assert.deepEqual(vocab.decode(vocab.encode(tokenizeChars("nab"))).join(""), "nab");
  });
});
