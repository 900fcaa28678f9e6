// The finite-difference check of every gradient of a recurrent layer's backward.
import type { RecurrentLayer } from "../../bindings/layers/recurrent.js";
import type { Tensor, IntTensor } from "../../bindings/tensor.js";
import { checkGradient, dot } from "./gradcheck.js";
import { randomArray } from "./random.js";

/** Extra forward inputs of a gradient check: lengths [B] and a context [B, C] (also checked). */
export interface GradCheckExtras {
  lengths?: IntTensor;
  context?: Tensor;
}

/**
 * Checks every gradient of a recurrent layer by central differences on the scalar
 * L = Σ w ⊙ output + Σ_s v_s ⊙ finalState[s], with fixed random w, v_s, given initial states.
 */
export function gradCheckRecurrent(layer: RecurrentLayer, x: Tensor, init: Record<string, Tensor>, name: string, extras: GradCheckExtras = {}): void {
  const options = { initialState: init, ...extras };
  const first = layer.forward(x, options);
  const w = randomArray(first.output.data.length, 11);
  const names = Object.keys(init);
  const v = names.map((s, i) => randomArray(first.state[s]!.data.length, 12 + i));
  const loss = (): number => {
    const r = layer.forward(x, options);
    return names.reduce((sum, s, i) => sum + dot(r.state[s]!.data, v[i]!), dot(r.output.data, w));
  };
  loss();
  layer.zeroGrad();
  const dFinal = Object.fromEntries(names.map((s, i) => [s, { shape: first.state[s]!.shape, data: v[i]! }]));
  const g = layer.backward({ shape: first.output.shape, data: w }, dFinal);
  checkGradient({ name: `${name} dInput`, values: () => x.data, analytic: g.dInput.data, loss });
  for (const s of names) {
    checkGradient({ name: `${name} dInitialState.${s}`, values: () => init[s]!.data, analytic: g.dInitialState[s]!.data, loss });
  }
  if (extras.context) checkGradient({ name: `${name} dContext`, values: () => extras.context!.data, analytic: g.dContext!.data, loss });
  for (const [pname, grad] of Object.entries(layer.gradDict())) {
    checkGradient({ name: `${name} ${pname}`, values: () => layer.paramView(pname), analytic: grad.data, loss });
  }
}
