// GRU with the reset gate applied before the recurrent product (the original GRU), whole
// time-major sequences. Per step (gate order r, z, n; b_ih + b_hh both in the input projection):
//   [ar az an] = W_ih x_t + b_ih + b_hh;  r = σ(ar + W_hr h),  z = σ(az + W_hz h)
//   n = φ(an + W_hn (r h_{t-1})),  h_t = (1 - z) n + z h_{t-1}
//   BPTT: dn' = dh (1 - z) φ'(n);  dz' = dh (h_{t-1} - n) σ'(z);  d(rh) = dn' W_hn
//         dr' = d(rh) h_{t-1} σ'(r);  dh_{t-1} = dh z + d(rh) r + [dr' dz'] W_h{r,z}
// This convention needs r before the n product: two recurrent products per step. Weight gradients
// are large gemms over all steps after the loop; gradients below 1e-30 are flushed to zero (see
// flushTiny). Padded steps (t >= lengths[b]) hold h and pass dh straight back.
import { gemmPackB, gemmPacked } from "../gemm";
import { activateV, activationGradV } from "../activations";
import { inputProjection, inputProjectionBackward, stateWeightGradient } from "../projection";
import { loadLanes, storeLanes } from "./lanes";
import { flushTiny, startGradient } from "./step";
import { sweepSteps, sweepAllRows } from "./sweep";
import { GruForwardArgs, GruBackwardArgs, storeUpdate, storeUpdateGrads } from "./gru-shared";

// The kernels' argument structs: one pointer from the bindings, fields at fixed offsets in this
// order (4 bytes each; bindings/layers/cells/gru-table.ts lays them out under the same names).

/** Beyond GruForwardArgs: rh [T, B, H] = r h_{t-1}; packRz, packN: W_h{r,z}^T [H, 2H] and W_hn^T [H, H] packed by gemmPackB. */
@unmanaged class GruResetBeforeForwardArgs extends GruForwardArgs {
  rh: usize; packRz: usize; packN: usize;
  /** W_ih^T [D, G] packed by gemmPackB (0 with token input). */
  pih: usize;
}

/** Beyond GruBackwardArgs: rh as in the forward; scratch packRz, packN of gemmPackedSize(2H, H) and gemmPackedSize(H, H) floats, and dRh [B, H]. */
@unmanaged class GruResetBeforeBackwardArgs extends GruBackwardArgs {
  rh: usize; packRz: usize; packN: usize; dRh: usize;
}

/** r, z from their pre-activations, and r h_{t-1} for the n product (every row: padded rows ignore it). */
@unmanaged class GruResetGatesPass extends GruResetBeforeForwardArgs {
  // @ts-ignore: decorator
  @inline lanes(n: i32, g: usize, s: usize, _r: usize, _u: usize): void {
    const H4 = <usize>this.H << 2;
    const a = this.gates + g;
    const ract = this.ract;
    const r = activateV(ract, loadLanes(a, n));
    storeLanes(a, r, n);
    storeLanes(a + H4, activateV(ract, loadLanes(a + H4, n)), n);
    storeLanes(this.rh + s, f32x4.mul(r, loadLanes(this.hs + s, n)), n);
  }
}

@unmanaged class GruResetBeforeForwardPass extends GruResetBeforeForwardArgs {
  /** [ar az] += h_{t-1} W_h{r,z}^T; r, z, r h; an += (r h) W_hn^T. */
  // @ts-ignore: decorator
  @inline step(t: i32): void {
    const B = this.B;
    const H = this.H;
    const gt = this.gates + <usize>(t * B * 3 * H) * 4;
    const st = <usize>(t * B * H) * 4;
    gemmPacked(B, 2 * H, H, this.hs + st, H, 1, this.packRz, gt, 3 * H, 1);
    sweepAllRows<GruResetGatesPass>(changetype<GruResetGatesPass>(changetype<usize>(this)), t, B, H, 3 * H);
    gemmPacked(B, H, H, this.rh + st, H, 1, this.packN, gt + (<usize>(2 * H) << 2), 3 * H, 1);
  }

  // @ts-ignore: decorator
  @inline lanes(n: i32, g: usize, s: usize, _r: usize, _u: usize): void {
    const H4 = <usize>this.H << 2;
    const a = this.gates + g;
    storeUpdate(n, this.act, loadLanes(a + 2 * H4, n), a, H4, this.hs + s, this.hs + s + (<usize>(this.B * this.H) << 2));
  }

  // @ts-ignore: decorator
  @inline hold(_g: usize, s: usize, _r: usize): void {
    memory.copy(this.hs + s + (<usize>(this.B * this.H) << 2), this.hs + s, <usize>this.H << 2);
  }

  // @ts-ignore: decorator
  @inline done(_t: i32): void {}
}

/** dr' from d(r h), and dh_{t-1} += d(r h) r (every row: padded rows have d(r h) = 0). */
@unmanaged class GruResetGradPass extends GruResetBeforeBackwardArgs {
  // @ts-ignore: decorator
  @inline lanes(n: i32, g: usize, s: usize, r: usize, _u: usize): void {
    const rv = loadLanes(this.gates + g, n);
    const d = loadLanes(this.dRh + r, n);
    const dh = this.dh0 + r;
    storeLanes(this.dA + g, flushTiny(f32x4.mul(f32x4.mul(d, loadLanes(this.hs + s, n)), activationGradV(this.ract, rv))), n);
    storeLanes(dh, flushTiny(f32x4.add(loadLanes(dh, n), f32x4.mul(d, rv))), n);
  }
}

@unmanaged class GruResetBeforeBackwardPass extends GruResetBeforeBackwardArgs {
  // @ts-ignore: decorator
  @inline step(_t: i32): void {}

  // @ts-ignore: decorator
  @inline lanes(n: i32, g: usize, s: usize, r: usize, _u: usize): void {
    const dOut = this.dOut;
    storeUpdateGrads(n, this.act, this.ract, this.gates + g, <usize>this.H << 2, this.hs + s, dOut != 0 ? dOut + s : 0, this.dh0 + r, this.dA + g);
  }

  // @ts-ignore: decorator
  @inline hold(g: usize, _s: usize, _r: usize): void {
    memory.fill(this.dA + g, 0, (<usize>this.H << 2) * 3);
  }

  /** d(r h) [B, H] = dn' · W_hn; dr', dh += d(r h) r; dh_{t-1} += [dr' dz'] [B, 2H] · W_h{r,z} [2H, H]. */
  // @ts-ignore: decorator
  @inline done(t: i32): void {
    const B = this.B;
    const H = this.H;
    const dat = this.dA + <usize>(t * B * 3 * H) * 4;
    gemmPacked(B, H, H, dat + (<usize>(2 * H) << 2), 3 * H, 1, this.packN, this.dRh, H, 0);
    sweepAllRows<GruResetGradPass>(changetype<GruResetGradPass>(changetype<usize>(this)), t, B, H, 3 * H);
    gemmPacked(B, H, 2 * H, dat, 3 * H, 1, this.packRz, this.dh0, H, 1);
  }
}

/** Runs the sequence forward (GruResetBeforeForwardArgs at args). */
export function gruResetBeforeForward(args: usize): void {
  const a = changetype<GruResetBeforeForwardPass>(args);
  const H = a.H;
  memory.copy(a.hs, a.h0, <usize>(a.B * H) << 2);
  inputProjection(a.T, a.B, a.D, 3 * H, a.x, a.tokens != 0, a.wih, a.pih, a.bih, a.bhh, a.zAdd, a.gates);
  sweepSteps<GruResetBeforeForwardPass>(a, 3 * H, false);
}

/** BPTT of the last forward (GruResetBeforeBackwardArgs at args). */
export function gruResetBeforeBackward(args: usize): void {
  const a = changetype<GruResetBeforeBackwardPass>(args);
  const H = a.H;
  const G = 3 * H;
  startGradient(a.dh0, a.dhT, <usize>(a.B * H) << 2);
  gemmPackB(2 * H, H, a.whh, H, 1, a.packRz);
  gemmPackB(H, H, a.whh + <usize>(2 * H * H) * 4, H, 1, a.packN);
  sweepSteps<GruResetBeforeBackwardPass>(a, G, true);
  const M = a.T * a.B;
  inputProjectionBackward(M, a.D, G, a.x, a.tokens != 0, a.wih, a.dA, a.dx, a.dwih, a.dbih, a.dbhh);
  stateWeightGradient(M, 2 * H, H, a.dA, G, a.hs, a.dwhh);
  stateWeightGradient(M, H, H, a.dA + (<usize>(2 * H) << 2), G, a.rh, a.dwhh + <usize>(2 * H * H) * 4);
}
