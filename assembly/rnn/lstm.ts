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
import { zeroRows, flushTiny, startGradient } from "./step";
import { sweepSteps } from "./sweep";
import { CellArgs } from "./args";

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

// The kernels' argument structs: one pointer from the bindings, fields at fixed offsets in this
// order (4 bytes each; bindings/layers/cells/lstm-table.ts lays them out under the same names).
// Peephole pointers are all 0 or all set.

/** What forward and backward share: sizes, codes, the sequence, weights and kept activations. */
@unmanaged class LstmArgs extends CellArgs {
  act: i32; ract: i32; wih: usize; whh: usize; pi: usize; pf: usize; po: usize;
  /** gates [T, B, 4H] (activated), hs and cs [T+1, B, H] (index 0: initial states), acs [T, B, H] = φ(c_t). */
  gates: usize; hs: usize; cs: usize; acs: usize;
  /** Forward: W_hh^T [H, 4H] packed by gemmPackB; backward: scratch of gemmPackedSize(4H, H) floats. */
  pack: usize;
}

/** Forward: from h0, c0 [B, H]; zAdd [B, 4H] (or 0) is added to every step's input projection. */
@unmanaged class LstmForwardArgs extends LstmArgs {
  h0: usize; c0: usize; bih: usize; bhh: usize; zAdd: usize;
  /** W_ih^T [D, G] packed by gemmPackB (0 with token input). */
  pih: usize;
}

/**
 * Backward: dOut [T, B, H] (0: none), dhT, dcT [B, H] (0: none); writes dGates [T, B, 4H]
 * (may be gates), dx [T, B, D] (0: skip), dh0 and dc0 [B, H]; adds into dwih [4H, D],
 * dwhh [4H, H], dbih, dbhh [4H] and, with peepholes, dpi, dpf, dpo [H].
 */
@unmanaged class LstmBackwardArgs extends LstmArgs {
  dOut: usize; dhT: usize; dcT: usize; dGates: usize; dx: usize; dh0: usize; dc0: usize;
  dwih: usize; dwhh: usize; dbih: usize; dbhh: usize; dpi: usize; dpf: usize; dpo: usize;
}

@unmanaged class LstmForwardPass extends LstmForwardArgs {
  // @ts-ignore: decorator
  @inline step(t: i32): void {
    const G = 4 * this.H;
    gemmPacked(this.B, G, this.H, this.hs + <usize>(t * this.B * this.H) * 4, this.H, 1, this.pack, this.gates + <usize>(t * this.B * G) * 4, G, 1);
  }

  // @ts-ignore: decorator
  @inline lanes(n: i32, g: usize, s: usize, _r: usize, u: usize): void {
    const next = s + (<usize>(this.B * this.H) << 2);
    const pi = this.pi;
    const po = this.po;
    cellForward(n, this.act, this.ract, this.gates + g, <usize>this.H << 2, this.cs + s, this.cs + next, this.acs + s, this.hs + next,
      pi != 0 ? pi + u : 0, this.pf + u, po != 0 ? po + u : 0);
  }

  // @ts-ignore: decorator
  @inline hold(_g: usize, s: usize, _r: usize): void {
    const next = s + (<usize>(this.B * this.H) << 2);
    const H4 = <usize>this.H << 2;
    memory.copy(this.hs + next, this.hs + s, H4);
    memory.copy(this.cs + next, this.cs + s, H4);
  }

  // @ts-ignore: decorator
  @inline done(_t: i32): void {}
}

@unmanaged class LstmBackwardPass extends LstmBackwardArgs {
  // @ts-ignore: decorator
  @inline step(_t: i32): void {}

  // @ts-ignore: decorator
  @inline lanes(n: i32, g: usize, s: usize, r: usize, u: usize): void {
    const dOut = this.dOut;
    const pi = this.pi;
    const po = this.po;
    cellBackward(n, this.act, this.ract, this.gates + g, this.dGates + g, <usize>this.H << 2, this.cs + s, this.cs + s + (<usize>(this.B * this.H) << 2),
      this.acs + s, dOut != 0 ? dOut + s : 0, this.dh0 + r, this.dc0 + r,
      pi != 0 ? pi + u : 0, this.pf + u, po != 0 ? po + u : 0, this.dpi + u, this.dpf + u, this.dpo + u);
  }

  // @ts-ignore: decorator
  @inline hold(g: usize, _s: usize, _r: usize): void {
    memory.fill(this.dGates + g, 0, <usize>this.H << 4);
  }

  /** Padded rows pass dh through; valid rows: dh_{t-1} [B, H] = dZ_t [B, 4H] · W_hh [4H, H]. */
  // @ts-ignore: decorator
  @inline done(t: i32): void {
    const B = this.B;
    const H = this.H;
    zeroRows(this.dh0, this.lengths, t, B, H, false);
    gemmPacked(B, H, 4 * H, this.dGates + <usize>(t * B * 4 * H) * 4, 4 * H, 1, this.pack, this.dh0, H, 1);
  }
}

/** Runs the sequence forward (LstmForwardArgs at args). */
export function lstmForward(args: usize): void {
  const a = changetype<LstmForwardPass>(args);
  const H = a.H;
  const stateBytes = <usize>(a.B * H) << 2;
  memory.copy(a.hs, a.h0, stateBytes);
  memory.copy(a.cs, a.c0, stateBytes);
  inputProjection(a.T, a.B, a.D, 4 * H, a.x, a.tokens != 0, a.wih, a.pih, a.bih, a.bhh, a.zAdd, a.gates);
  sweepSteps<LstmForwardPass>(a, 4 * H, false);
}

/** BPTT over the sequence of the last forward (LstmBackwardArgs at args). */
export function lstmBackward(args: usize): void {
  const a = changetype<LstmBackwardPass>(args);
  const H = a.H;
  const G = 4 * H;
  const stateBytes = <usize>(a.B * H) << 2;
  startGradient(a.dh0, a.dhT, stateBytes);
  startGradient(a.dc0, a.dcT, stateBytes);
  gemmPackB(G, H, a.whh, H, 1, a.pack);
  sweepSteps<LstmBackwardPass>(a, G, true);
  const M = a.T * a.B;
  inputProjectionBackward(M, a.D, G, a.x, a.tokens != 0, a.wih, a.dGates, a.dx, a.dwih, a.dbih, a.dbhh);
  stateWeightGradient(M, G, H, a.dGates, G, a.hs, a.dwhh);
}
