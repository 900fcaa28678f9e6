import assert from "node:assert/strict";
import { Dense } from "../bindings/layers/dense.js";
import { Embedding } from "../bindings/layers/embedding.js";
import { checkGradient, dot } from "./helpers/gradcheck.js";
import { randomArray } from "./helpers/random.js";

describe("Dense", () => {
  it("hand-computed forward: y = x W^T + b", () => {
    // W = [[1, 2], [3, 4], [5, 6]], b = [1, 0, -1], x = [1, -1]: y = [1-2+1, 3-4, 5-6-1] = [0, -1, -2]
    const d = new Dense({ inputSize: 2, units: 3, seed: 1 });
    d.loadStateDict({ weight: [[1, 2], [3, 4], [5, 6]], bias: [1, 0, -1] });
    assert.deepEqual(Array.from(d.forward([[1, -1]]).data), [0, -1, -2]);
    d.dispose();
  });
});

describe("Embedding", () => {
  it("looks up rows and accumulates gradients of repeated ids", () => {
    const e = new Embedding({ inputSize: 4, units: 2, seed: 1 });
    e.loadStateDict({ weight: [[0, 1], [2, 3], [4, 5], [6, 7]] });
    const y = e.forward([[3, 1], [1, 0]]);
    assert.deepEqual(y.shape, [2, 2, 2]);
    assert.deepEqual(Array.from(y.data), [6, 7, 2, 3, 2, 3, 0, 1]);
    const w = randomArray(8, 5);
    const loss = (): number => dot(e.forward([[3, 1], [1, 0]]).data, w);
    e.zeroGrad();
    e.backward({ shape: [2, 2, 2], data: w });
    const g = e.gradDict().weight!;
    checkGradient({ name: "Embedding weight", values: () => e.paramView("weight"), analytic: g.data, loss });
    assert.deepEqual(Array.from(g.data.subarray(4, 6)), [0, 0]);
    e.dispose();
  });

  it("rejects ids outside [0, V) and keeps working", () => {
    const e = new Embedding({ inputSize: 4, units: 2, seed: 1 });
    assert.throws(() => e.forward([[4]]), (err: Error) => err instanceof RangeError && /ids must hold ids in \[0, 4\); got 4/.test(err.message));
    assert.throws(() => e.forward([[1.5]]), RangeError);
    assert.equal(e.forward([[3]]).data.length, 2);
    e.dispose();
  });
});
