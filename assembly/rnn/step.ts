// The fused per-step pass every recurrent backward shares.
import { activationGradV, activationGrad } from "../activations";

/**
 * dz = (dOut + dNext) ⊙ f'(y) over n floats, f' expressed through the output y = f(z).
 * dOut may be 0 (no gradient from this step's output). dz may alias dNext.
 */
export function gateGradient(kind: i32, y: usize, dOut: usize, dNext: usize, dz: usize, n: i32): void {
  const end = <usize>n << 2;
  let i: usize = 0;
  if (dOut != 0) {
    for (; i + 16 <= end; i += 16) {
      const d = f32x4.add(v128.load(dOut + i), v128.load(dNext + i));
      v128.store(dz + i, f32x4.mul(d, activationGradV(kind, v128.load(y + i))));
    }
    for (; i < end; i += 4) {
      store<f32>(dz + i, (load<f32>(dOut + i) + load<f32>(dNext + i)) * activationGrad(kind, load<f32>(y + i)));
    }
  } else {
    for (; i + 16 <= end; i += 16) {
      v128.store(dz + i, f32x4.mul(v128.load(dNext + i), activationGradV(kind, v128.load(y + i))));
    }
    for (; i < end; i += 4) store<f32>(dz + i, load<f32>(dNext + i) * activationGrad(kind, load<f32>(y + i)));
  }
}
