// GRU with the reset gate applied after the recurrent product (PyTorch nn.GRU, Keras' default),
// whole time-major sequences. Per step (gate order r, z, n):
//   [ar az an] = W_ih x_t + b_ih           [hr hz hn] = W_hh h_{t-1} + b_hh
//   r = σ(ar + hr),  z = σ(az + hz),  n = φ(an + r hn),  h_t = (1 - z) n + z h_{t-1}
//   BPTT: dh = dOut_t + dh_next;  dn' = dh (1 - z) φ'(n);  dr' = dn' hn σ'(r);  dz' = dh (h_{t-1} - n) σ'(z)
//         dA = [dr' dz' dn'] (for W_ih, b_ih),  dHh = [dr' dz' r dn'] (for W_hh, b_hh)
//         dh_{t-1} = dh z + dHh W_hh
// Weight gradients are large gemms over all steps after the loop; gradients below 1e-30 are
// flushed to zero (see flushTiny). Padded steps (t >= lengths[b]) hold h and pass dh straight back.
import { gemmPackB, gemmPacked } from "../gemm";
import { activateV, activationGradV } from "../activations";
import { broadcastRows, sumRowsInto } from "../rows";
import { inputProjection, inputProjectionBackward, stateWeightGradient } from "../projection";
import { loadLanes, storeLanes } from "./lanes";
import { flushTiny, startGradient } from "./step";
import { sweepSteps } from "./sweep";
import { GruForwardArgs, GruBackwardArgs, storeUpdate, storeUpdateGrads } from "./gru-shared";

// The kernels' argument structs: one pointer from the bindings, fields at fixed offsets in this
// order (4 bytes each; bindings/layers/cells/gru-table.ts lays them out under the same names).

/** Beyond GruForwardArgs: hh [T, B, 3H] = W_hh h_{t-1} + b_hh; pack: W_hh^T [H, 3H] packed by gemmPackB. */
@unmanaged class GruResetAfterForwardArgs extends GruForwardArgs {
  hh: usize; pack: usize;
  /** W_ih^T [D, G] packed by gemmPackB (0 with token input). */
  pih: usize;
}

/** Beyond GruBackwardArgs: hh as in the forward; scratch pack of gemmPackedSize(3H, H) floats and dHh [T, B, 3H] (may be hh). */
@unmanaged class GruResetAfterBackwardArgs extends GruBackwardArgs {
  hh: usize; pack: usize; dHh: usize;
}

@unmanaged class GruResetAfterForwardPass extends GruResetAfterForwardArgs {
  // @ts-ignore: decorator
  @inline step(t: i32): void {
    const B = this.B;
    const H = this.H;
    const hht = this.hh + <usize>(t * B * 3 * H) * 4;
    broadcastRows(hht, this.bhh, B, 3 * H);
    gemmPacked(B, 3 * H, H, this.hs + <usize>(t * B * H) * 4, H, 1, this.pack, hht, 3 * H, 1);
  }

  // @ts-ignore: decorator
  @inline lanes(n: i32, g: usize, s: usize, _r: usize, _u: usize): void {
    const H4 = <usize>this.H << 2;
    const a = this.gates + g;
    const hh = this.hh + g;
    const ract = this.ract;
    const r = activateV(ract, f32x4.add(loadLanes(a, n), loadLanes(hh, n)));
    storeLanes(a, r, n);
    storeLanes(a + H4, activateV(ract, f32x4.add(loadLanes(a + H4, n), loadLanes(hh + H4, n))), n);
    const zn = f32x4.add(loadLanes(a + 2 * H4, n), f32x4.mul(r, loadLanes(hh + 2 * H4, n)));
    storeUpdate(n, this.act, zn, a, H4, this.hs + s, this.hs + s + (<usize>(this.B * this.H) << 2));
  }

  // @ts-ignore: decorator
  @inline hold(_g: usize, s: usize, _r: usize): void {
    memory.copy(this.hs + s + (<usize>(this.B * this.H) << 2), this.hs + s, <usize>this.H << 2);
  }

  // @ts-ignore: decorator
  @inline done(_t: i32): void {}
}

@unmanaged class GruResetAfterBackwardPass extends GruResetAfterBackwardArgs {
  // @ts-ignore: decorator
  @inline step(_t: i32): void {}

  // @ts-ignore: decorator
  @inline lanes(n: i32, g: usize, s: usize, r: usize, _u: usize): void {
    const H4 = <usize>this.H << 2;
    const dOut = this.dOut;
    const dA = this.dA + g;
    const dHh = this.dHh + g;
    const rv = loadLanes(this.gates + g, n);
    const hn = loadLanes(this.hh + g + 2 * H4, n);
    const dn = storeUpdateGrads(n, this.act, this.ract, this.gates + g, H4, this.hs + s, dOut != 0 ? dOut + s : 0, this.dh0 + r, dA);
    const dr = f32x4.mul(f32x4.mul(dn, hn), activationGradV(this.ract, rv));
    storeLanes(dA, flushTiny(dr), n);
    storeLanes(dHh, flushTiny(dr), n);
    storeLanes(dHh + H4, loadLanes(dA + H4, n), n);
    storeLanes(dHh + 2 * H4, flushTiny(f32x4.mul(rv, dn)), n);
  }

  // @ts-ignore: decorator
  @inline hold(g: usize, _s: usize, _r: usize): void {
    const bytes = (<usize>this.H << 2) * 3;
    memory.fill(this.dA + g, 0, bytes);
    memory.fill(this.dHh + g, 0, bytes);
  }

  /** dh_{t-1} += dHh_t [B, 3H] · W_hh [3H, H]. */
  // @ts-ignore: decorator
  @inline done(t: i32): void {
    const B = this.B;
    const H = this.H;
    gemmPacked(B, H, 3 * H, this.dHh + <usize>(t * B * 3 * H) * 4, 3 * H, 1, this.pack, this.dh0, H, 1);
  }
}

/** Runs the sequence forward (GruResetAfterForwardArgs at args). */
export function gruResetAfterForward(args: usize): void {
  const a = changetype<GruResetAfterForwardPass>(args);
  const H = a.H;
  memory.copy(a.hs, a.h0, <usize>(a.B * H) << 2);
  inputProjection(a.T, a.B, a.D, 3 * H, a.x, a.tokens != 0, a.wih, a.pih, a.bih, 0, a.zAdd, a.gates);
  sweepSteps<GruResetAfterForwardPass>(a, 3 * H, false);
}

/** BPTT of the last forward (GruResetAfterBackwardArgs at args). */
export function gruResetAfterBackward(args: usize): void {
  const a = changetype<GruResetAfterBackwardPass>(args);
  const H = a.H;
  const G = 3 * H;
  startGradient(a.dh0, a.dhT, <usize>(a.B * H) << 2);
  gemmPackB(G, H, a.whh, H, 1, a.pack);
  sweepSteps<GruResetAfterBackwardPass>(a, G, true);
  const M = a.T * a.B;
  inputProjectionBackward(M, a.D, G, a.x, a.tokens != 0, a.wih, a.dA, a.dx, a.dwih, a.dbih, 0);
  stateWeightGradient(M, G, H, a.dHh, G, a.hs, a.dwhh);
  sumRowsInto(a.dbhh, a.dHh, M, G);
}
