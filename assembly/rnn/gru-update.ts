// What both GRU conventions share (gate order r, z, n; gates [T, B, 3H] hold r, z, n activated):
//   h_t = (1 - z) n + z h_{t-1}, computed as n + z (h_{t-1} - n)
//   BPTT: dh = dOut_t + dh_next;  dn' = dh (1 - z) φ'(n);  dz' = dh (h_{t-1} - n) σ'(z);  dh_{t-1} = dh z + ...
// (gradients below 1e-30 are flushed to zero: see flushTiny). The reset gate, and so how n is
// formed, is each convention's own: gru-reset-after.ts (PyTorch's), gru-reset-before.ts (the original).
import { activateV, activationGradV } from "../activations";
import { loadLanes, storeLanes } from "./lanes";
import { flushTiny } from "./step";

const ONE: v128 = f32x4.splat(1);

/** Stores n = φ(zn) over the n slot of the gates at g, and h = n + z (h_{t-1} - n) (z at g + H4). */
// @ts-ignore: decorator
@inline export function storeUpdate(n: i32, act: i32, zn: v128, g: usize, H4: usize, hPrev: usize, h: usize): void {
  const z = loadLanes(g + H4, n);
  const nv = activateV(act, zn);
  storeLanes(g + 2 * H4, nv, n);
  storeLanes(h, f32x4.add(nv, f32x4.mul(z, f32x4.sub(loadLanes(hPrev, n), nv))), n);
}

/**
 * The update's BPTT at gates g (z, n read before dG, which may be g, is written): stores dz' and
 * dn' into dG's z and n slots and dh z into dh (dh += dOut first; dOut may be 0). Returns dn'.
 */
// @ts-ignore: decorator
@inline export function storeUpdateGrads(n: i32, act: i32, ract: i32, g: usize, H4: usize, hPrev: usize, dOut: usize, dh: usize, dG: usize): v128 {
  const z = loadLanes(g + H4, n);
  const nv = loadLanes(g + 2 * H4, n);
  let dhv = loadLanes(dh, n);
  if (dOut != 0) dhv = f32x4.add(dhv, loadLanes(dOut, n));
  const dn = f32x4.mul(f32x4.mul(dhv, f32x4.sub(ONE, z)), activationGradV(act, nv));
  storeLanes(dG + 2 * H4, flushTiny(dn), n);
  storeLanes(dG + H4, flushTiny(f32x4.mul(f32x4.mul(dhv, f32x4.sub(loadLanes(hPrev, n), nv)), activationGradV(ract, z))), n);
  storeLanes(dh, flushTiny(f32x4.mul(dhv, z)), n);
  return dn;
}
