// GRU (gate order r, z, n), whole time-major sequences, in two conventions.
//
// Reset after the recurrent product (PyTorch nn.GRU, Keras' default), per step:
//   [ar az an] = W_ih x_t + b_ih           [hr hz hn] = W_hh h_{t-1} + b_hh
//   r = σ(ar + hr),  z = σ(az + hz),  n = φ(an + r hn),  h_t = (1 - z) n + z h_{t-1}
//   BPTT: dh = dOut_t + dh_next;  dn' = dh (1 - z) φ'(n);  dr' = dn' hn σ'(r);  dz' = dh (h_{t-1} - n) σ'(z)
//         dA = [dr' dz' dn'] (for W_ih, b_ih),  dHh = [dr' dz' r dn'] (for W_hh, b_hh)
//         dh_{t-1} = dh z + dHh W_hh
// Reset before the product (the original GRU), per step (b_ih + b_hh both in the projection):
//   [ar az an] = W_ih x_t + b_ih + b_hh;  r = σ(ar + W_hr h),  z = σ(az + W_hz h)
//   n = φ(an + W_hn (r h_{t-1})),  h_t = (1 - z) n + z h_{t-1}
//   BPTT: dn' = dh (1 - z) φ'(n);  dz' = dh (h_{t-1} - n) σ'(z);  d(rh) = dn' W_hn
//         dr' = d(rh) h_{t-1} σ'(r);  dh_{t-1} = dh z + d(rh) r + [dr' dz'] W_h{r,z}
//   This convention needs r before the n product: two recurrent products per step.
// Weight gradients are large gemms over all steps after the loop; gradients below 1e-30 are
// flushed to zero (see flushTiny). Padded steps (t >= lengths[b])
// hold h and pass dh straight back.
import { gemmPackB, gemmPacked } from "../gemm";
import { activateV, activationGradV } from "../activations";
import { broadcastRows, sumRowsInto } from "../rows";
import { inputProjection, inputProjectionBackward, stateWeightGradient } from "../projection";
import { loadLanes, storeLanes } from "./lanes";
import { isPadded, flushTiny } from "./step";

const ONE: v128 = f32x4.splat(1);

// @ts-ignore: decorator
@inline function afterForward(n: i32, act: i32, ract: i32, a: usize, gh: usize, H4: usize, hPrev: usize, h: usize): void {
  const r = activateV(ract, f32x4.add(loadLanes(a, n), loadLanes(gh, n)));
  const z = activateV(ract, f32x4.add(loadLanes(a + H4, n), loadLanes(gh + H4, n)));
  const nv = activateV(act, f32x4.add(loadLanes(a + 2 * H4, n), f32x4.mul(r, loadLanes(gh + 2 * H4, n))));
  const hp = loadLanes(hPrev, n);
  storeLanes(a, r, n);
  storeLanes(a + H4, z, n);
  storeLanes(a + 2 * H4, nv, n);
  storeLanes(h, f32x4.add(nv, f32x4.mul(z, f32x4.sub(hp, nv))), n);
}

// @ts-ignore: decorator
@inline function afterBackward(
  n: i32, act: i32, ract: i32, a: usize, gh: usize, H4: usize, hPrev: usize, dOut: usize, dh: usize, dA: usize, dHh: usize,
): void {
  const r = loadLanes(a, n);
  const z = loadLanes(a + H4, n);
  const nv = loadLanes(a + 2 * H4, n);
  let dhv = loadLanes(dh, n);
  if (dOut != 0) dhv = f32x4.add(dhv, loadLanes(dOut, n));
  const dn = f32x4.mul(f32x4.mul(dhv, f32x4.sub(ONE, z)), activationGradV(act, nv));
  const dr = f32x4.mul(f32x4.mul(dn, loadLanes(gh + 2 * H4, n)), activationGradV(ract, r));
  const dz = f32x4.mul(f32x4.mul(dhv, f32x4.sub(loadLanes(hPrev, n), nv)), activationGradV(ract, z));
  storeLanes(dA, flushTiny(dr), n);
  storeLanes(dA + H4, flushTiny(dz), n);
  storeLanes(dA + 2 * H4, flushTiny(dn), n);
  storeLanes(dHh, flushTiny(dr), n);
  storeLanes(dHh + H4, flushTiny(dz), n);
  storeLanes(dHh + 2 * H4, flushTiny(f32x4.mul(r, dn)), n);
  storeLanes(dh, flushTiny(f32x4.mul(dhv, z)), n);
}

// @ts-ignore: decorator
@inline function beforeGates(n: i32, ract: i32, a: usize, H4: usize, hPrev: usize, rh: usize): void {
  const r = activateV(ract, loadLanes(a, n));
  storeLanes(a, r, n);
  storeLanes(a + H4, activateV(ract, loadLanes(a + H4, n)), n);
  storeLanes(rh, f32x4.mul(r, loadLanes(hPrev, n)), n);
}

// @ts-ignore: decorator
@inline function beforeUpdate(n: i32, act: i32, a: usize, H4: usize, hPrev: usize, h: usize): void {
  const z = loadLanes(a + H4, n);
  const nv = activateV(act, loadLanes(a + 2 * H4, n));
  storeLanes(a + 2 * H4, nv, n);
  storeLanes(h, f32x4.add(nv, f32x4.mul(z, f32x4.sub(loadLanes(hPrev, n), nv))), n);
}

// @ts-ignore: decorator
@inline function beforeBackwardUpdate(n: i32, act: i32, ract: i32, a: usize, H4: usize, hPrev: usize, dOut: usize, dh: usize, dG: usize): void {
  const z = loadLanes(a + H4, n);
  const nv = loadLanes(a + 2 * H4, n);
  let dhv = loadLanes(dh, n);
  if (dOut != 0) dhv = f32x4.add(dhv, loadLanes(dOut, n));
  storeLanes(dG + 2 * H4, flushTiny(f32x4.mul(f32x4.mul(dhv, f32x4.sub(ONE, z)), activationGradV(act, nv))), n);
  storeLanes(dG + H4, flushTiny(f32x4.mul(f32x4.mul(dhv, f32x4.sub(loadLanes(hPrev, n), nv)), activationGradV(ract, z))), n);
  storeLanes(dh, flushTiny(f32x4.mul(dhv, z)), n);
}

// @ts-ignore: decorator
@inline function beforeBackwardReset(n: i32, ract: i32, a: usize, hPrev: usize, drh: usize, dh: usize, dG: usize): void {
  const r = loadLanes(a, n);
  const d = loadLanes(drh, n);
  storeLanes(dG, flushTiny(f32x4.mul(f32x4.mul(d, loadLanes(hPrev, n)), activationGradV(ract, r))), n);
  storeLanes(dh, flushTiny(f32x4.add(loadLanes(dh, n), f32x4.mul(d, r))), n);
}

/**
 * Forward. gates [T, B, 3H] receives the activated r, z, n; hs [T+1, B, H] (hs[0] = h0).
 * resetAfter: aux [T, B, 3H] keeps W_hh h + b_hh per step; pack1 holds gemmPackedSize(H, 3H).
 * reset before: aux [T, B, H] keeps r h_{t-1}; pack1 gemmPackedSize(H, 2H), pack2 gemmPackedSize(H, H).
 * lengths: i32 [B] or 0; zAdd [B, 3H] (or 0) is added to every step's input projection.
 */
export function gruForward(
  T: i32, B: i32, D: i32, H: i32, act: i32, ract: i32, resetAfter: i32,
  x: usize, tokens: bool, h0: usize, wih: usize, whh: usize, bih: usize, bhh: usize,
  gates: usize, hs: usize, aux: usize, pack1: usize, pack2: usize, lengths: usize, zAdd: usize,
): void {
  const G = 3 * H;
  const H4 = <usize>H << 2;
  const stateBytes = <usize>(B * H) << 2;
  memory.copy(hs, h0, stateBytes);
  inputProjection(T, B, D, G, x, tokens, wih, bih, resetAfter == 0 ? bhh : 0, zAdd, gates);
  if (resetAfter != 0) {
    gemmPackB(H, G, whh, 1, H, pack1);
  } else {
    gemmPackB(H, 2 * H, whh, 1, H, pack1);
    gemmPackB(H, H, whh + <usize>(2 * H * H) * 4, 1, H, pack2);
  }
  const tail = H & 3;
  const body = <usize>(H - tail) << 2;
  for (let t = 0; t < T; t++) {
    const gt = gates + <usize>(t * B * G) * 4;
    const hPrevT = hs + <usize>t * stateBytes;
    const hT = hPrevT + stateBytes;
    if (resetAfter != 0) {
      const ght = aux + <usize>(t * B * G) * 4;
      broadcastRows(ght, bhh, B, G);
      gemmPacked(B, G, H, hPrevT, H, 1, pack1, ght, G, 1);
      for (let b = 0; b < B; b++) {
        const g = gt + <usize>(b * G) * 4;
        const gh = ght + <usize>(b * G) * 4;
        const row = <usize>(b * H) << 2;
        if (isPadded(lengths, b, t)) {
          memory.copy(hT + row, hPrevT + row, H4);
          continue;
        }
        for (let j: usize = 0; j < body; j += 16) afterForward(4, act, ract, g + j, gh + j, H4, hPrevT + row + j, hT + row + j);
        if (tail != 0) afterForward(tail, act, ract, g + body, gh + body, H4, hPrevT + row + body, hT + row + body);
      }
    } else {
      const rht = aux + <usize>t * stateBytes;
      gemmPacked(B, 2 * H, H, hPrevT, H, 1, pack1, gt, G, 1);
      for (let b = 0; b < B; b++) {
        const g = gt + <usize>(b * G) * 4;
        const row = <usize>(b * H) << 2;
        for (let j: usize = 0; j < body; j += 16) beforeGates(4, ract, g + j, H4, hPrevT + row + j, rht + row + j);
        if (tail != 0) beforeGates(tail, ract, g + body, H4, hPrevT + row + body, rht + row + body);
      }
      gemmPacked(B, H, H, rht, H, 1, pack2, gt + 2 * H4, G, 1);
      for (let b = 0; b < B; b++) {
        const g = gt + <usize>(b * G) * 4;
        const row = <usize>(b * H) << 2;
        if (isPadded(lengths, b, t)) {
          memory.copy(hT + row, hPrevT + row, H4);
          continue;
        }
        for (let j: usize = 0; j < body; j += 16) beforeUpdate(4, act, g + j, H4, hPrevT + row + j, hT + row + j);
        if (tail != 0) beforeUpdate(tail, act, g + body, H4, hPrevT + row + body, hT + row + body);
      }
    }
  }
}

/**
 * BPTT of the last forward. dOut [T, B, H] (0: none), dhT [B, H] (0: none). Scratch: dA [T, B, 3H];
 * dHh [T, B, 3H] (resetAfter) or [B, H] (reset before, holds d(r h)); pack1, pack2 as in forward
 * but transposed: gemmPackedSize(3H, H), or gemmPackedSize(2H, H) and gemmPackedSize(H, H);
 * lengths as in the forward.
 * Writes dx [T, B, D] (0: skip) and dh0 [B, H]; adds into dwih, dwhh, dbih, dbhh.
 */
export function gruBackward(
  T: i32, B: i32, D: i32, H: i32, act: i32, ract: i32, resetAfter: i32,
  x: usize, tokens: bool, gates: usize, hs: usize, aux: usize, wih: usize, whh: usize,
  dOut: usize, dhT: usize, dA: usize, dHh: usize, dx: usize, dh0: usize,
  dwih: usize, dwhh: usize, dbih: usize, dbhh: usize, pack1: usize, pack2: usize, lengths: usize,
): void {
  const G = 3 * H;
  const H4 = <usize>H << 2;
  const stateBytes = <usize>(B * H) << 2;
  if (dhT != 0) memory.copy(dh0, dhT, stateBytes);
  else memory.fill(dh0, 0, stateBytes);
  if (resetAfter != 0) {
    gemmPackB(G, H, whh, H, 1, pack1);
  } else {
    gemmPackB(2 * H, H, whh, H, 1, pack1);
    gemmPackB(H, H, whh + <usize>(2 * H * H) * 4, H, 1, pack2);
  }
  const tail = H & 3;
  const body = <usize>(H - tail) << 2;
  for (let t = T - 1; t >= 0; t--) {
    const gt = gates + <usize>(t * B * G) * 4;
    const dat = dA + <usize>(t * B * G) * 4;
    const hPrevT = hs + <usize>t * stateBytes;
    const dOutT = dOut != 0 ? dOut + <usize>t * stateBytes : 0;
    if (resetAfter != 0) {
      const ght = aux + <usize>(t * B * G) * 4;
      const dht = dHh + <usize>(t * B * G) * 4;
      for (let b = 0; b < B; b++) {
        const off = <usize>(b * G) * 4;
        const row = <usize>(b * H) << 2;
        const dO = dOutT != 0 ? dOutT + row : 0;
        if (isPadded(lengths, b, t)) {
          memory.fill(dat + off, 0, H4 * 3);
          memory.fill(dht + off, 0, H4 * 3);
          continue;
        }
        for (let j: usize = 0; j < body; j += 16) {
          afterBackward(4, act, ract, gt + off + j, ght + off + j, H4, hPrevT + row + j, dO != 0 ? dO + j : 0, dh0 + row + j, dat + off + j, dht + off + j);
        }
        if (tail != 0) {
          afterBackward(tail, act, ract, gt + off + body, ght + off + body, H4, hPrevT + row + body, dO != 0 ? dO + body : 0, dh0 + row + body, dat + off + body, dht + off + body);
        }
      }
      // dh_{t-1} += dHh_t [B, 3H] · W_hh [3H, H]
      gemmPacked(B, H, G, dht, G, 1, pack1, dh0, H, 1);
    } else {
      for (let b = 0; b < B; b++) {
        const off = <usize>(b * G) * 4;
        const row = <usize>(b * H) << 2;
        const dO = dOutT != 0 ? dOutT + row : 0;
        if (isPadded(lengths, b, t)) {
          memory.fill(dat + off, 0, H4 * 3);
          continue;
        }
        for (let j: usize = 0; j < body; j += 16) {
          beforeBackwardUpdate(4, act, ract, gt + off + j, H4, hPrevT + row + j, dO != 0 ? dO + j : 0, dh0 + row + j, dat + off + j);
        }
        if (tail != 0) {
          beforeBackwardUpdate(tail, act, ract, gt + off + body, H4, hPrevT + row + body, dO != 0 ? dO + body : 0, dh0 + row + body, dat + off + body);
        }
      }
      // d(r h) [B, H] = dn' [B, H] · W_hn [H, H]
      gemmPacked(B, H, H, dat + 2 * H4, G, 1, pack2, dHh, H, 0);
      for (let b = 0; b < B; b++) {
        const off = <usize>(b * G) * 4;
        const row = <usize>(b * H) << 2;
        for (let j: usize = 0; j < body; j += 16) beforeBackwardReset(4, ract, gt + off + j, hPrevT + row + j, dHh + row + j, dh0 + row + j, dat + off + j);
        if (tail != 0) beforeBackwardReset(tail, ract, gt + off + body, hPrevT + row + body, dHh + row + body, dh0 + row + body, dat + off + body);
      }
      // dh_{t-1} += [dr' dz'] [B, 2H] · W_h{r,z} [2H, H]
      gemmPacked(B, H, 2 * H, dat, G, 1, pack1, dh0, H, 1);
    }
  }
  const M = T * B;
  inputProjectionBackward(M, D, G, x, tokens, wih, dA, dx, dwih, dbih, resetAfter != 0 ? 0 : dbhh);
  if (resetAfter != 0) {
    stateWeightGradient(M, G, H, dHh, G, hs, dwhh);
    sumRowsInto(dbhh, dHh, M, G);
  } else {
    stateWeightGradient(M, 2 * H, H, dA, G, hs, dwhh);
    stateWeightGradient(M, H, H, dA + 2 * H4, G, aux, dwhh + <usize>(2 * H * H) * 4);
  }
}
