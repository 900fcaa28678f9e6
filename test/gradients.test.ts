// Finite-difference checks of every layer's backward: one test per row of test/cases/gradient-cases.ts
// (layer kind, option set, sizes, initial states, lengths, context).
import { Dense } from "../bindings/layers/dense.js";
import type { Tensor } from "../bindings/tensor.js";
import { GRADIENT_CASES, type DenseGradientCase, type GradientCase, type RecurrentGradientCase } from "./cases/gradient-cases.js";
import { buildRecurrent } from "./cases/layer-kinds.js";
import { checkGradient, dot } from "./helpers/gradcheck.js";
import { gradCheckRecurrent } from "./helpers/gradcheck-recurrent.js";
import { randomArray } from "./helpers/random.js";

const PEEPHOLES = ["peephole_i_l0", "peephole_f_l0", "peephole_o_l0"];

/** Every gradient of a recurrent row: dInput, each initial state, the context and each parameter. */
function checkRecurrent(row: RecurrentGradientCase): void {
  const { T, B } = row;
  const layer = buildRecurrent(row);
  try {
    const D = layer.inputSize;
    if (row.randomPeepholes) for (const name of PEEPHOLES) layer.paramView(name).set(randomArray(row.options.units, name.length, 0.8));
    const x = { shape: [T, B, D], data: randomArray(T * B * D, row.xSeed) };
    const context: Tensor | undefined = row.contextSeed === undefined ? undefined
      : { shape: [B, layer.contextSize], data: randomArray(B * layer.contextSize, row.contextSeed) };
    // The states' shapes ([layers * directions, B, size]) from a forward over one step of zeros.
    const probe = layer.forward({ shape: [1, B, D], data: new Float32Array(B * D) }, context ? { context } : {});
    const init = Object.fromEntries(Object.entries(row.states).map(([name, [seed, scale]]) => {
      const shape = probe.state[name]!.shape;
      return [name, { shape, data: randomArray(probe.state[name]!.data.length, seed, scale) }];
    }));
    gradCheckRecurrent(layer, x, init, `${row.kind} ${row.title}`, {
      ...(row.lengths ? { lengths: { shape: [B], data: Int32Array.from(row.lengths) } } : {}),
      ...(context ? { context } : {}),
    });
  } finally {
    layer.dispose();
  }
}

/** dx and every parameter gradient of a Dense row on the loss <y, w>. */
function checkDense(row: DenseGradientCase): void {
  const d = new Dense(row.options);
  try {
    const M = row.shape.reduce((a, b) => a * b, 1);
    const x = { shape: [...row.shape, d.inputSize], data: randomArray(M * d.inputSize, row.xSeed) };
    const w = randomArray(M * d.units, row.wSeed);
    const loss = (): number => dot(d.forward(x).data, w);
    loss();
    d.zeroGrad();
    const dx = d.backward({ shape: [...row.shape, d.units], data: w });
    const name = `Dense(${row.options.activation})`;
    checkGradient({ name: `${name} dx`, values: () => x.data, analytic: dx.data, loss });
    for (const [pname, g] of Object.entries(d.gradDict())) {
      checkGradient({ name: `${name} ${pname}`, values: () => d.paramView(pname), analytic: g.data, loss });
    }
  } finally {
    d.dispose();
  }
}

function check(row: GradientCase): void {
  if (row.kind === "Dense") checkDense(row);
  else checkRecurrent(row);
}

const suites = new Map<string, GradientCase[]>();
for (const row of GRADIENT_CASES) suites.set(row.suite, [...(suites.get(row.suite) ?? []), row]);

describe("finite-difference gradient checks (test/cases/gradient-cases.ts)", () => {
  for (const [suite, rows] of suites) {
    describe(suite, () => {
      for (const row of rows) it(row.title, () => check(row));
    });
  }
});
