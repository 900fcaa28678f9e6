// Jordan network: the memory holds the network's previous OUTPUT, not its hidden layer.
//
// Forward:  h_t = f(W_ih x_t + W_hy y_{t-1} + b),  y_t = g(W_o h_t + b_o)
//   x [T, B, D], y0 [B, O], W_ih [H, D], W_hy [H, O], b [H], W_o [O, H], b_o [O];
//   hs [T, B, H] hidden layers, ys [T+1, B, O] with ys[0] = y0 (ys[1..T] is the output sequence).
//   g is an activation code or OUT_SOFTMAX (row-wise softmax over O). Padded steps
//   (t >= lengths[b]) hold h and y and pass dy straight back.
// Backward (BPTT): dy_t = dOut_t + dz_{t+1} W_hy,  do_t = g'(dy_t),  dz_t = (do_t W_o + dh_t) ⊙ f'(h_t)
//   (dh_t: the gradient given for the final hidden layer, at each row's last valid step; else 0),
//   then dW_o += dO^T Hs, db_o += Σ dO, dW_ih += dZ^T X, dW_hy += dZ^T Y_prev, db += Σ dZ,
//   dX = dZ W_ih, dy0 = dz_1 W_hy.
import { gemmPackB, gemmPacked } from "../gemm";
import { activationForward, activationBackward } from "../activations";
import { softmaxRows, softmaxBackwardRows } from "../softmax";
import { broadcastRows, sumRowsInto, addInPlace } from "../rows";
import { inputProjection, inputProjectionBackward, stateWeightGradient } from "../projection";
import { gateGradient, holdPaddedRows, zeroRows, startGradient } from "./step";
import { CellArgs } from "./args";

/** Output-activation code for a row-wise softmax (beside the ACT_* activation codes). */
export const OUT_SOFTMAX: i32 = 5;

function outputForward(g: i32, y: usize, B: i32, O: i32): void {
  if (g == OUT_SOFTMAX) softmaxRows(y, y, B, O);
  else activationForward(g, y, y, B * O);
}

function outputBackward(g: i32, y: usize, dy: usize, dO: usize, B: i32, O: i32): void {
  if (g == OUT_SOFTMAX) softmaxBackwardRows(y, dy, dO, B, O);
  else activationBackward(g, y, dy, dO, B * O);
}

// The kernels' argument structs: one pointer from the bindings, fields at fixed offsets in this
// order (4 bytes each; bindings/layers/cells/jordan-table.ts lays them out under the same names).

/** What forward and backward share. */
@unmanaged class JordanArgs extends CellArgs {
  O: i32; f: i32; g: i32; wih: usize; why: usize; wo: usize;
  /** hs [T, B, H] hidden layers, ys [T+1, B, O] outputs (ys[0] = y0). */
  hs: usize; ys: usize;
  /** Forward: W_hy^T [O, H] and W_o^T [H, O] packed by gemmPackB; backward: scratch for W_hy [H, O] (gemmPackedSize(H, O)) and W_o [O, H] (gemmPackedSize(O, H)). */
  packHy: usize; packO: usize;
}

/** Forward from y0 [B, O]; zAdd [B, H] (or 0) is added to every step's input projection. */
@unmanaged class JordanForwardArgs extends JordanArgs {
  y0: usize; b: usize; bo: usize; zAdd: usize;
  /** W_ih^T [D, H] packed by gemmPackB (0 with token input). */
  pih: usize;
}

/**
 * Backward: dOut [T, B, O] (0: none), dyT [B, O] (0: none), dhT [B, H] (0: none) the gradient of
 * the final hidden layer (each row's h at its last valid step). Scratch: dOs [T, B, O],
 * dz [T, B, H], dh [B, H], dhCarry [B, H] (with dhT). Writes dx [T, B, D] (0: skip) and dy0 [B, O];
 * adds into dwih, dwhy, db, dwo, dbo.
 */
@unmanaged class JordanBackwardArgs extends JordanArgs {
  dOut: usize; dyT: usize; dhT: usize; dOs: usize; dz: usize; dh: usize; dhCarry: usize; dx: usize; dy0: usize;
  dwih: usize; dwhy: usize; db: usize; dwo: usize; dbo: usize;
}

/** Runs the sequence forward (JordanForwardArgs at args); writes hs and ys. */
export function jordanForward(args: usize): void {
  const a = changetype<JordanForwardArgs>(args);
  const B = a.B;
  const H = a.H;
  const O = a.O;
  const hBytes = <usize>(B * H) << 2;
  const yBytes = <usize>(B * O) << 2;
  memory.copy(a.ys, a.y0, yBytes);
  // Z [T*B, H] = X · W_ih^T + b
  inputProjection(a.T, B, a.D, H, a.x, a.tokens != 0, a.wih, a.pih, a.b, 0, a.zAdd, a.hs);
  for (let t = 0; t < a.T; t++) {
    const h = a.hs + <usize>t * hBytes;
    const yPrev = a.ys + <usize>t * yBytes;
    const y = yPrev + yBytes;
    gemmPacked(B, H, O, yPrev, O, 1, a.packHy, h, H, 1);
    activationForward(a.f, h, h, B * H);
    broadcastRows(y, a.bo, B, O);
    gemmPacked(B, O, H, h, H, 1, a.packO, y, O, 1);
    outputForward(a.g, y, B, O);
    if (t > 0) holdPaddedRows(h - hBytes, h, a.lengths, t, B, H);
    holdPaddedRows(yPrev, y, a.lengths, t, B, O);
  }
}

/** BPTT (JordanBackwardArgs at args). */
export function jordanBackward(args: usize): void {
  const a = changetype<JordanBackwardArgs>(args);
  const B = a.B;
  const H = a.H;
  const O = a.O;
  const lengths = a.lengths;
  const dh = a.dh;
  const dhCarry = a.dhCarry;
  const dy0 = a.dy0;
  const hBytes = <usize>(B * H) << 2;
  const yBytes = <usize>(B * O) << 2;
  if (a.dhT != 0) memory.copy(dhCarry, a.dhT, hBytes);
  startGradient(dy0, a.dyT, yBytes);
  gemmPackB(H, O, a.why, O, 1, a.packHy);
  gemmPackB(O, H, a.wo, H, 1, a.packO);
  for (let t = a.T - 1; t >= 0; t--) {
    const dO = a.dOs + <usize>t * yBytes;
    const dzt = a.dz + <usize>t * hBytes;
    // dy_t = dOut_t + dy_next, then through g
    if (a.dOut != 0) addInPlace(dy0, a.dOut + <usize>t * yBytes, B * O);
    outputBackward(a.g, a.ys + <usize>(t + 1) * yBytes, dy0, dO, B, O);
    zeroRows(dO, lengths, t, B, O, true);
    // dh [B, H] = dO [B, O] · W_o [O, H]; dz = dh ⊙ f'(h)
    gemmPacked(B, H, O, dO, O, 1, a.packO, dh, H, 0);
    // dhT enters each row at its last valid step: padded steps held h, so they pass it through
    if (a.dhT != 0) {
      addInPlace(dh, dhCarry, B * H);
      zeroRows(dh, lengths, t, B, H, true);
      zeroRows(dhCarry, lengths, t, B, H, false);
    }
    gateGradient(a.f, a.hs + <usize>t * hBytes, 0, dh, dzt, B * H);
    // padded rows pass dy through; valid rows: dy_{t-1} [B, O] = dz_t [B, H] · W_hy [H, O]
    zeroRows(dy0, lengths, t, B, O, false);
    gemmPacked(B, O, H, dzt, H, 1, a.packHy, dy0, O, 1);
  }
  const M = a.T * B;
  stateWeightGradient(M, O, H, a.dOs, O, a.hs, a.dwo);
  sumRowsInto(a.dbo, a.dOs, M, O);
  stateWeightGradient(M, H, O, a.dz, H, a.ys, a.dwhy);
  inputProjectionBackward(M, a.D, H, a.x, a.tokens != 0, a.wih, a.dz, a.dx, a.dwih, a.db, 0);
}
