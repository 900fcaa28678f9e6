// LSTM (PyTorch nn.LSTM, gate order i, f, g, o), optional peepholes, whole time-major sequences.
//
// Forward, per step (σ = recurrent activation, φ = activation; p = peephole weights or 0):
//   [zi zf zg zo] = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh            gates [T, B, 4H]
//   i = σ(zi + p_i c_{t-1}),  f = σ(zf + p_f c_{t-1}),  g = φ(zg)
//   c_t = f c_{t-1} + i g,   o = σ(zo + p_o c_t),  h_t = o φ(c_t)
//   Kept for BPTT: activated gates (in place of z), hs/cs [T+1, B, H], φ(c_t) [T, B, H].
// Backward, per step (dh = dOut_t + dh_next, dc carried):
//   dzo = dh φ(c_t) σ'(o);  dc = dc_next + dh o φ'(c_t) + p_o dzo
//   dzi = dc g σ'(i);  dzf = dc c_{t-1} σ'(f);  dzg = dc i φ'(g)
//   dc_{t-1} = dc f + p_i dzi + p_f dzf;  dh_{t-1} = dZ_t W_hh
//   dp_i += Σ_b dzi c_{t-1},  dp_f += Σ_b dzf c_{t-1},  dp_o += Σ_b dzo c_t
//   (gradients below 1e-30 are flushed to zero: see flushTiny)
//   then over all steps: dW_ih += dZ^T X, dW_hh += dZ^T H_prev, db_ih = db_hh += Σ dZ, dX = dZ W_ih.
// Padded steps (t >= lengths[b]) hold h and c and pass dh, dc straight back.
import { gemmPackB, gemmPacked } from "../gemm";
import { activateV, activationGradV } from "../activations";
import { inputProjection, inputProjectionBackward, stateWeightGradient } from "../projection";
import { loadLanes, storeLanes, addLanes } from "./lanes";
import { isPadded, zeroRows, flushTiny } from "./step";

// @ts-ignore: decorator
@inline function cellForward(
  n: i32, act: i32, ract: i32, gi: usize, H4: usize, cPrev: usize, c: usize, ac: usize, h: usize,
  pi: usize, pf: usize, po: usize,
): void {
  const gf = gi + H4;
  const gg = gf + H4;
  const go = gg + H4;
  const cp = loadLanes(cPrev, n);
  let zi = loadLanes(gi, n);
  let zf = loadLanes(gf, n);
  if (pi != 0) {
    zi = f32x4.add(zi, f32x4.mul(loadLanes(pi, n), cp));
    zf = f32x4.add(zf, f32x4.mul(loadLanes(pf, n), cp));
  }
  const i = activateV(ract, zi);
  const f = activateV(ract, zf);
  const g = activateV(act, loadLanes(gg, n));
  const cv = f32x4.add(f32x4.mul(f, cp), f32x4.mul(i, g));
  let zo = loadLanes(go, n);
  if (po != 0) zo = f32x4.add(zo, f32x4.mul(loadLanes(po, n), cv));
  const o = activateV(ract, zo);
  const acv = activateV(act, cv);
  storeLanes(gi, i, n);
  storeLanes(gf, f, n);
  storeLanes(gg, g, n);
  storeLanes(go, o, n);
  storeLanes(c, cv, n);
  storeLanes(ac, acv, n);
  storeLanes(h, f32x4.mul(o, acv), n);
}

// @ts-ignore: decorator
@inline function cellBackward(
  n: i32, act: i32, ract: i32, gi: usize, dgi: usize, H4: usize, cPrev: usize, c: usize, ac: usize,
  dOut: usize, dh: usize, dc: usize, pi: usize, pf: usize, po: usize, dpi: usize, dpf: usize, dpo: usize,
): void {
  const i = loadLanes(gi, n);
  const f = loadLanes(gi + H4, n);
  const g = loadLanes(gi + 2 * H4, n);
  const o = loadLanes(gi + 3 * H4, n);
  const cp = loadLanes(cPrev, n);
  const acv = loadLanes(ac, n);
  let dhv = loadLanes(dh, n);
  if (dOut != 0) dhv = f32x4.add(dhv, loadLanes(dOut, n));
  const dzo = f32x4.mul(f32x4.mul(dhv, acv), activationGradV(ract, o));
  let dcv = f32x4.add(loadLanes(dc, n), f32x4.mul(f32x4.mul(dhv, o), activationGradV(act, acv)));
  if (po != 0) dcv = f32x4.add(dcv, f32x4.mul(loadLanes(po, n), dzo));
  const dzi = f32x4.mul(f32x4.mul(dcv, g), activationGradV(ract, i));
  const dzf = f32x4.mul(f32x4.mul(dcv, cp), activationGradV(ract, f));
  const dzg = f32x4.mul(f32x4.mul(dcv, i), activationGradV(act, g));
  let dcPrev = f32x4.mul(dcv, f);
  if (pi != 0) {
    dcPrev = f32x4.add(dcPrev, f32x4.add(f32x4.mul(loadLanes(pi, n), dzi), f32x4.mul(loadLanes(pf, n), dzf)));
    addLanes(dpi, f32x4.mul(dzi, cp), n);
    addLanes(dpf, f32x4.mul(dzf, cp), n);
    addLanes(dpo, f32x4.mul(dzo, loadLanes(c, n)), n);
  }
  storeLanes(dc, flushTiny(dcPrev), n);
  storeLanes(dgi, flushTiny(dzi), n);
  storeLanes(dgi + H4, flushTiny(dzf), n);
  storeLanes(dgi + 2 * H4, flushTiny(dzg), n);
  storeLanes(dgi + 3 * H4, flushTiny(dzo), n);
}

/**
 * Runs the sequence forward. Writes gates [T, B, 4H] (activated), hs and cs [T+1, B, H]
 * (index 0 = the initial states) and acs [T, B, H] = φ(c_t). Peephole pointers are all 0 or all
 * set. pack: scratch of gemmPackedSize(H, 4H) floats. lengths: i32 [B] or 0; zAdd [B, 4H] (or 0)
 * is added to every step's input projection.
 */
export function lstmForward(
  T: i32, B: i32, D: i32, H: i32, act: i32, ract: i32,
  x: usize, tokens: bool, h0: usize, c0: usize, wih: usize, whh: usize, bih: usize, bhh: usize, pi: usize, pf: usize, po: usize,
  gates: usize, hs: usize, cs: usize, acs: usize, pack: usize, lengths: usize, zAdd: usize,
): void {
  const G = 4 * H;
  const H4 = <usize>H << 2;
  const stateBytes = <usize>(B * H) << 2;
  memory.copy(hs, h0, stateBytes);
  memory.copy(cs, c0, stateBytes);
  inputProjection(T, B, D, G, x, tokens, wih, bih, bhh, zAdd, gates);
  gemmPackB(H, G, whh, 1, H, pack);
  const tail = H & 3;
  const body = <usize>(H - tail) << 2;
  for (let t = 0; t < T; t++) {
    const gt = gates + <usize>(t * B * G) * 4;
    const st = <usize>t * stateBytes;
    gemmPacked(B, G, H, hs + st, H, 1, pack, gt, G, 1);
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * H) << 2;
      const gRow = gt + <usize>(b * G) * 4;
      const cPrev = cs + st + row;
      const c = cPrev + stateBytes;
      const ac = acs + st + row;
      const h = hs + st + stateBytes + row;
      if (isPadded(lengths, b, t)) {
        memory.copy(h, h - stateBytes, H4);
        memory.copy(c, cPrev, H4);
        continue;
      }
      for (let j: usize = 0; j < body; j += 16) {
        cellForward(4, act, ract, gRow + j, H4, cPrev + j, c + j, ac + j, h + j, pi != 0 ? pi + j : 0, pf + j, po != 0 ? po + j : 0);
      }
      if (tail != 0) {
        cellForward(tail, act, ract, gRow + body, H4, cPrev + body, c + body, ac + body, h + body, pi != 0 ? pi + body : 0, pf + body, po != 0 ? po + body : 0);
      }
    }
  }
}

/**
 * BPTT over the sequence of the last forward. dOut [T, B, H] (0: none), dhT, dcT [B, H] (0: none).
 * Writes dGates [T, B, 4H] (scratch), dx [T, B, D] (0: skip), dh0 and dc0 [B, H]; adds into
 * dwih [4H, D], dwhh [4H, H], dbih, dbhh [4H] and, with peepholes, dpi, dpf, dpo [H].
 * pack: scratch of gemmPackedSize(4H, H) floats; lengths as in the forward.
 */
export function lstmBackward(
  T: i32, B: i32, D: i32, H: i32, act: i32, ract: i32,
  x: usize, tokens: bool, gates: usize, hs: usize, cs: usize, acs: usize, wih: usize, whh: usize, pi: usize, pf: usize, po: usize,
  dOut: usize, dhT: usize, dcT: usize, dGates: usize, dx: usize, dh0: usize, dc0: usize,
  dwih: usize, dwhh: usize, dbih: usize, dbhh: usize, dpi: usize, dpf: usize, dpo: usize, pack: usize, lengths: usize,
): void {
  const G = 4 * H;
  const H4 = <usize>H << 2;
  const stateBytes = <usize>(B * H) << 2;
  if (dhT != 0) memory.copy(dh0, dhT, stateBytes);
  else memory.fill(dh0, 0, stateBytes);
  if (dcT != 0) memory.copy(dc0, dcT, stateBytes);
  else memory.fill(dc0, 0, stateBytes);
  gemmPackB(G, H, whh, H, 1, pack);
  const tail = H & 3;
  const body = <usize>(H - tail) << 2;
  for (let t = T - 1; t >= 0; t--) {
    const gt = gates + <usize>(t * B * G) * 4;
    const dgt = dGates + <usize>(t * B * G) * 4;
    const st = <usize>t * stateBytes;
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * H) << 2;
      const gRow = gt + <usize>(b * G) * 4;
      const dgRow = dgt + <usize>(b * G) * 4;
      const cPrev = cs + st + row;
      const c = cPrev + stateBytes;
      const ac = acs + st + row;
      const dO = dOut != 0 ? dOut + st + row : 0;
      const dh = dh0 + row;
      const dc = dc0 + row;
      if (isPadded(lengths, b, t)) {
        memory.fill(dgRow, 0, H4 << 2);
        continue;
      }
      for (let j: usize = 0; j < body; j += 16) {
        cellBackward(4, act, ract, gRow + j, dgRow + j, H4, cPrev + j, c + j, ac + j, dO != 0 ? dO + j : 0, dh + j, dc + j,
          pi != 0 ? pi + j : 0, pf + j, po != 0 ? po + j : 0, dpi + j, dpf + j, dpo + j);
      }
      if (tail != 0) {
        cellBackward(tail, act, ract, gRow + body, dgRow + body, H4, cPrev + body, c + body, ac + body, dO != 0 ? dO + body : 0,
          dh + body, dc + body, pi != 0 ? pi + body : 0, pf + body, po != 0 ? po + body : 0, dpi + body, dpf + body, dpo + body);
      }
    }
    // padded rows pass dh through; valid rows: dh_{t-1} [B, H] = dZ_t [B, 4H] · W_hh [4H, H]
    zeroRows(dh0, lengths, t, B, H, false);
    gemmPacked(B, H, G, dgt, G, 1, pack, dh0, H, 1);
  }
  const M = T * B;
  inputProjectionBackward(M, D, G, x, tokens, wih, dGates, dx, dwih, dbih, dbhh);
  stateWeightGradient(M, G, H, dGates, G, hs, dwhh);
}
