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
import { gateGradient, holdPaddedRows, zeroRows } from "./step";

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

/**
 * Runs the sequence forward; writes hs [T, B, H] and ys [T+1, B, O].
 * packHy, packO: scratch of gemmPackedSize(O, H) and gemmPackedSize(H, O) floats. lengths: i32 [B]
 * or 0; zAdd [B, H] (or 0) is added to every step's input projection.
 */
export function jordanForward(
  T: i32, B: i32, D: i32, H: i32, O: i32, f: i32, g: i32,
  x: usize, tokens: bool, y0: usize, wih: usize, why: usize, b: usize, wo: usize, bo: usize,
  hs: usize, ys: usize, packHy: usize, packO: usize, lengths: usize, zAdd: usize,
): void {
  const hBytes = <usize>(B * H) << 2;
  const yBytes = <usize>(B * O) << 2;
  memory.copy(ys, y0, yBytes);
  // Z [T*B, H] = X · W_ih^T + b
  inputProjection(T, B, D, H, x, tokens, wih, b, 0, zAdd, hs);
  gemmPackB(O, H, why, 1, O, packHy);
  gemmPackB(H, O, wo, 1, H, packO);
  for (let t = 0; t < T; t++) {
    const h = hs + <usize>t * hBytes;
    const yPrev = ys + <usize>t * yBytes;
    const y = yPrev + yBytes;
    gemmPacked(B, H, O, yPrev, O, 1, packHy, h, H, 1);
    activationForward(f, h, h, B * H);
    broadcastRows(y, bo, B, O);
    gemmPacked(B, O, H, h, H, 1, packO, y, O, 1);
    outputForward(g, y, B, O);
    if (t > 0) holdPaddedRows(h - hBytes, h, lengths, t, B, H);
    holdPaddedRows(yPrev, y, lengths, t, B, O);
  }
}

/**
 * BPTT. dOut [T, B, O] (0: none), dyT [B, O] (0: none), dhT [B, H] (0: none) the gradient of the
 * final hidden layer (each row's h at its last valid step). Scratch: dOs [T, B, O], dz [T, B, H],
 * dh [B, H], dhCarry [B, H] (with dhT), packHy of gemmPackedSize(H, O), packO of gemmPackedSize(O, H).
 * Writes dx [T, B, D] (0: skip) and dy0 [B, O]; adds into dWih, dWhy, db, dWo, dbo. lengths as in
 * the forward.
 */
export function jordanBackward(
  T: i32, B: i32, D: i32, H: i32, O: i32, f: i32, g: i32,
  x: usize, tokens: bool, hs: usize, ys: usize, wih: usize, why: usize, wo: usize,
  dOut: usize, dyT: usize, dOs: usize, dz: usize, dh: usize, dx: usize, dy0: usize,
  dwih: usize, dwhy: usize, db: usize, dwo: usize, dbo: usize, packHy: usize, packO: usize, lengths: usize,
  dhT: usize, dhCarry: usize,
): void {
  const hBytes = <usize>(B * H) << 2;
  const yBytes = <usize>(B * O) << 2;
  if (dhT != 0) memory.copy(dhCarry, dhT, hBytes);
  if (dyT != 0) memory.copy(dy0, dyT, yBytes);
  else memory.fill(dy0, 0, yBytes);
  gemmPackB(H, O, why, O, 1, packHy);
  gemmPackB(O, H, wo, H, 1, packO);
  for (let t = T - 1; t >= 0; t--) {
    const dO = dOs + <usize>t * yBytes;
    const dzt = dz + <usize>t * hBytes;
    // dy_t = dOut_t + dy_next, then through g
    if (dOut != 0) addInPlace(dy0, dOut + <usize>t * yBytes, B * O);
    outputBackward(g, ys + <usize>(t + 1) * yBytes, dy0, dO, B, O);
    zeroRows(dO, lengths, t, B, O, true);
    // dh [B, H] = dO [B, O] · W_o [O, H]; dz = dh ⊙ f'(h)
    gemmPacked(B, H, O, dO, O, 1, packO, dh, H, 0);
    // dhT enters each row at its last valid step: padded steps held h, so they pass it through
    if (dhT != 0) {
      addInPlace(dh, dhCarry, B * H);
      zeroRows(dh, lengths, t, B, H, true);
      zeroRows(dhCarry, lengths, t, B, H, false);
    }
    gateGradient(f, hs + <usize>t * hBytes, 0, dh, dzt, B * H);
    // padded rows pass dy through; valid rows: dy_{t-1} [B, O] = dz_t [B, H] · W_hy [H, O]
    zeroRows(dy0, lengths, t, B, O, false);
    gemmPacked(B, O, H, dzt, H, 1, packHy, dy0, O, 1);
  }
  const M = T * B;
  stateWeightGradient(M, O, H, dOs, O, hs, dwo);
  sumRowsInto(dbo, dOs, M, O);
  stateWeightGradient(M, H, O, dz, H, ys, dwhy);
  inputProjectionBackward(M, D, H, x, tokens, wih, dz, dx, dwih, db, 0);
}
