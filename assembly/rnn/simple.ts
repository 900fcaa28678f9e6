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
import { gateGradient, holdPaddedRows, zeroRows, startGradient } from "./step";
import { CellArgs } from "./args";

// The kernels' argument structs: one pointer from the bindings, fields at fixed offsets in this
// order (4 bytes each; bindings/layers/cells/simple-rnn-table.ts lays them out under the same names).

/** What forward and backward share. */
@unmanaged class SimpleRnnArgs extends CellArgs {
  act: i32; wih: usize; whh: usize;
  /** hs [T+1, B, H] (hs[0] = h0; hs[1..T] is the output sequence). */
  hs: usize;
  /** Forward: W_hh^T [H, H] packed by gemmPackB; backward: scratch of gemmPackedSize(H, H) floats. */
  pack: usize;
}

/** Forward from h0 [B, H]; zAdd [B, H] (or 0) is added to every step's input projection. */
@unmanaged class SimpleRnnForwardArgs extends SimpleRnnArgs {
  h0: usize; bih: usize; bhh: usize; zAdd: usize;
  /** W_ih^T [D, G] packed by gemmPackB (0 with token input). */
  pih: usize;
}

/**
 * Backward: dOut [T, B, H] (0: none), dhT [B, H] (0: none) the gradients of the outputs and of
 * the final state. Writes dz [T, B, H] (scratch), dx [T, B, D] (0: skip), dh0 [B, H]; adds into
 * dwih [H, D], dwhh [H, H], dbih [H], dbhh [H].
 */
@unmanaged class SimpleRnnBackwardArgs extends SimpleRnnArgs {
  dOut: usize; dhT: usize; dz: usize; dx: usize; dh0: usize;
  dwih: usize; dwhh: usize; dbih: usize; dbhh: usize;
}

/** Runs the sequence forward (SimpleRnnForwardArgs at args). */
export function simpleRnnForward(args: usize): void {
  const a = changetype<SimpleRnnForwardArgs>(args);
  const B = a.B;
  const H = a.H;
  const hs = a.hs;
  const stepBytes = <usize>(B * H) << 2;
  memory.copy(hs, a.h0, stepBytes);
  // Z [T*B, H] = X [T*B, D] · W_ih^T + b_ih + b_hh
  inputProjection(a.T, B, a.D, H, a.x, a.tokens != 0, a.wih, a.pih, a.bih, a.bhh, a.zAdd, hs + stepBytes);
  for (let t = 0; t < a.T; t++) {
    const prev = hs + <usize>t * stepBytes;
    const cur = prev + stepBytes;
    gemmPacked(B, H, H, prev, H, 1, a.pack, cur, H, 1);
    activationForward(a.act, cur, cur, B * H);
    holdPaddedRows(prev, cur, a.lengths, t, B, H);
  }
}

/** BPTT over the whole sequence (SimpleRnnBackwardArgs at args). */
export function simpleRnnBackward(args: usize): void {
  const a = changetype<SimpleRnnBackwardArgs>(args);
  const B = a.B;
  const H = a.H;
  const n = B * H;
  const stepBytes = <usize>n << 2;
  const dh0 = a.dh0;
  startGradient(dh0, a.dhT, stepBytes);
  gemmPackB(H, H, a.whh, H, 1, a.pack);
  for (let t = a.T - 1; t >= 0; t--) {
    const off = <usize>t * stepBytes;
    const dzt = a.dz + off;
    gateGradient(a.act, a.hs + off + stepBytes, a.dOut != 0 ? a.dOut + off : 0, dh0, dzt, n);
    // padded rows: no gate gradient, dh passes through; valid rows: dh_{t-1} = dz_t [B, H] · W_hh [H, H]
    zeroRows(dzt, a.lengths, t, B, H, true);
    zeroRows(dh0, a.lengths, t, B, H, false);
    gemmPacked(B, H, H, dzt, H, 1, a.pack, dh0, H, 1);
  }
  const M = a.T * B;
  inputProjectionBackward(M, a.D, H, a.x, a.tokens != 0, a.wih, a.dz, a.dx, a.dwih, a.dbih, a.dbhh);
  stateWeightGradient(M, H, H, a.dz, H, a.hs, a.dwhh);
}
