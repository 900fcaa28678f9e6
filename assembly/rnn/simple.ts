// Elman network (SimpleRNN), whole batched time-major sequences.
//
// Forward:  z_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh,  h_t = f(z_t)
//   x [T, B, D], h0 [B, H], W_ih [H, D], W_hh [H, H] (PyTorch layouts), hs [T+1, B, H] with hs[0] = h0.
//   One gemm projects all T*B inputs; then per step one [B, H] x [H, H] gemm and one activation pass.
// Padded steps (t >= lengths[b]) hold the state: h_t = h_{t-1}, and pass dh straight back.
// Backward (BPTT): dh_t = dOut_t + dz_{t+1} W_hh,  dz_t = dh_t ⊙ f'(h_t)
//   then over all steps at once: dW_ih += dZ^T X, dW_hh += dZ^T H_prev, db_ih = db_hh += Σ dZ,
//   dX = dZ W_ih, dh0 = dz_1 W_hh.
import { gemmPackB, gemmPacked } from "../gemm";
import { activationForward } from "../activations";
import { inputProjection, inputProjectionBackward, stateWeightGradient } from "../projection";
import { gateGradient, holdPaddedRows, zeroRows } from "./step";

/**
 * Runs the sequence forward. Writes hs [T+1, B, H] (hs[0] = h0; hs[1..T] is the output sequence).
 * pack is scratch of gemmPackedSize(H, H) floats for W_hh^T. lengths: i32 [B] or 0; zAdd [B, H]
 * (or 0) is added to every step's input projection.
 */
export function simpleRnnForward(
  T: i32, B: i32, D: i32, H: i32, act: i32,
  x: usize, tokens: bool, h0: usize, wih: usize, whh: usize, bih: usize, bhh: usize,
  hs: usize, pack: usize, lengths: usize, zAdd: usize,
): void {
  const stepBytes = <usize>(B * H) << 2;
  memory.copy(hs, h0, stepBytes);
  const z = hs + stepBytes;
  // Z [T*B, H] = X [T*B, D] · W_ih^T + b_ih + b_hh
  inputProjection(T, B, D, H, x, tokens, wih, bih, bhh, zAdd, z);
  gemmPackB(H, H, whh, 1, H, pack);
  for (let t = 0; t < T; t++) {
    const prev = hs + <usize>t * stepBytes;
    const cur = prev + stepBytes;
    gemmPacked(B, H, H, prev, H, 1, pack, cur, H, 1);
    activationForward(act, cur, cur, B * H);
    holdPaddedRows(prev, cur, lengths, t, B, H);
  }
}

/**
 * BPTT over the whole sequence. dOut [T, B, H] (0: none), dhT [B, H] (0: none) are the gradients
 * of the outputs and of the final state. Writes dz [T, B, H] (scratch), dx [T, B, D] (0: skip),
 * dh0 [B, H]; adds into dWih [H, D], dWhh [H, H], dbih [H], dbhh [H].
 * pack is scratch of gemmPackedSize(H, H) floats for W_hh; lengths as in the forward.
 */
export function simpleRnnBackward(
  T: i32, B: i32, D: i32, H: i32, act: i32,
  x: usize, tokens: bool, hs: usize, wih: usize, whh: usize,
  dOut: usize, dhT: usize, dz: usize, dx: usize, dh0: usize,
  dwih: usize, dwhh: usize, dbih: usize, dbhh: usize, pack: usize, lengths: usize,
): void {
  const n = B * H;
  const stepBytes = <usize>n << 2;
  if (dhT != 0) memory.copy(dh0, dhT, stepBytes);
  else memory.fill(dh0, 0, stepBytes);
  gemmPackB(H, H, whh, H, 1, pack);
  for (let t = T - 1; t >= 0; t--) {
    const off = <usize>t * stepBytes;
    const dzt = dz + off;
    gateGradient(act, hs + off + stepBytes, dOut != 0 ? dOut + off : 0, dh0, dzt, n);
    // padded rows: no gate gradient, dh passes through; valid rows: dh_{t-1} = dz_t [B, H] · W_hh [H, H]
    zeroRows(dzt, lengths, t, B, H, true);
    zeroRows(dh0, lengths, t, B, H, false);
    gemmPacked(B, H, H, dzt, H, 1, pack, dh0, H, 1);
  }
  const M = T * B;
  inputProjectionBackward(M, D, H, x, tokens, wih, dz, dx, dwih, dbih, dbhh);
  stateWeightGradient(M, H, H, dz, H, hs, dwhh);
}
