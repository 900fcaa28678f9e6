// Minimal Gated Unit (Zhou et al. 2016), the forget gate applied after the recurrent product (as
// PyTorch's GRU applies its reset gate), whole time-major sequences. Per step (gate order f, n):
//   [af an] = W_ih x_t + b_ih           [hf hn] = W_hh h_{t-1} + b_hh
//   f = σ(af + hf),  n = φ(an + f hn),  h_t = (1 - f) h_{t-1} + f n, computed as h_{t-1} + f (n - h_{t-1})
//   BPTT: dh = dOut_t + dh_next;  dn' = dh f φ'(n);  df' = (dh (n - h_{t-1}) + dn' hn) σ'(f)
//         dA = [df' dn'] (for W_ih, b_ih),  dHh = [df' f dn'] (for W_hh, b_hh)
//         dh_{t-1} = dh (1 - f) + dHh W_hh
// Weight gradients are large gemms over all steps after the loop; gradients below 1e-30 are
// flushed to zero (see flushTiny). Padded steps (t >= lengths[b]) hold h and pass dh straight back.
import { gemmPackB, gemmPacked } from "../gemm";
import { activateV, activationGradV } from "../activations";
import { broadcastRows, sumRowsInto } from "../rows";
import { inputProjection, inputProjectionBackward, stateWeightGradient } from "../projection";
import { loadLanes, storeLanes } from "./lanes";
import { flushTiny, startGradient } from "./step";
import { sweepSteps } from "./sweep";
import { CellArgs } from "./args";

const ONE: v128 = f32x4.splat(1);

// The kernels' argument structs: one pointer from the bindings, fields at fixed offsets in this
// order (4 bytes each; bindings/layers/cells/mgu-table.ts lays them out under the same names).

/**
 * What forward and backward share: gates [T, B, 2H] (activated f, n), hs [T+1, B, H] (hs[0] = h0),
 * hh [T, B, 2H] = W_hh h_{t-1} + b_hh, pack: W_hh^T [H, 2H] packed by gemmPackB in the forward, scratch of
 * gemmPackedSize(2H, H) floats in the backward.
 */
@unmanaged class MguArgs extends CellArgs {
  act: i32; ract: i32; wih: usize; whh: usize;
  gates: usize; hs: usize; hh: usize; pack: usize;
}

/** Forward from h0 [B, H]; zAdd [B, 2H] (or 0) is added to every step's input projection. */
@unmanaged class MguForwardArgs extends MguArgs {
  h0: usize; bih: usize; bhh: usize; zAdd: usize;
  /** W_ih^T [D, G] packed by gemmPackB (0 with token input). */
  pih: usize;
}

/**
 * Backward: dOut [T, B, H] (0: none), dhT [B, H] (0: none); scratch dA [T, B, 2H] (may be gates)
 * and dHh [T, B, 2H] (may be hh); writes dx [T, B, D] (0: skip) and dh0 [B, H]; adds into dwih
 * [2H, D], dwhh [2H, H], dbih [2H], dbhh [2H].
 */
@unmanaged class MguBackwardArgs extends MguArgs {
  dOut: usize; dhT: usize; dA: usize; dHh: usize; dx: usize; dh0: usize;
  dwih: usize; dwhh: usize; dbih: usize; dbhh: usize;
}

@unmanaged class MguForwardPass extends MguForwardArgs {
  /** hh_t [B, 2H] = b_hh + h_{t-1} [B, H] · W_hh^T. */
  // @ts-ignore: decorator
  @inline step(t: i32): void {
    const B = this.B;
    const H = this.H;
    const hht = this.hh + <usize>(t * B * 2 * H) * 4;
    broadcastRows(hht, this.bhh, B, 2 * H);
    gemmPacked(B, 2 * H, H, this.hs + <usize>(t * B * H) * 4, H, 1, this.pack, hht, 2 * H, 1);
  }

  // @ts-ignore: decorator
  @inline lanes(n: i32, g: usize, s: usize, _r: usize, _u: usize): void {
    const H4 = <usize>this.H << 2;
    const a = this.gates + g;
    const hh = this.hh + g;
    const f = activateV(this.ract, f32x4.add(loadLanes(a, n), loadLanes(hh, n)));
    const nv = activateV(this.act, f32x4.add(loadLanes(a + H4, n), f32x4.mul(f, loadLanes(hh + H4, n))));
    storeLanes(a, f, n);
    storeLanes(a + H4, nv, n);
    const hPrev = loadLanes(this.hs + s, n);
    storeLanes(this.hs + s + (<usize>(this.B * this.H) << 2), f32x4.add(hPrev, f32x4.mul(f, f32x4.sub(nv, hPrev))), n);
  }

  // @ts-ignore: decorator
  @inline hold(_g: usize, s: usize, _r: usize): void {
    memory.copy(this.hs + s + (<usize>(this.B * this.H) << 2), this.hs + s, <usize>this.H << 2);
  }

  // @ts-ignore: decorator
  @inline done(_t: i32): void {}
}

@unmanaged class MguBackwardPass extends MguBackwardArgs {
  // @ts-ignore: decorator
  @inline step(_t: i32): void {}

  /** Reads f, n (gates) and hn (hh) before dA and dHh, which may be those blocks, are written. */
  // @ts-ignore: decorator
  @inline lanes(n: i32, g: usize, s: usize, r: usize, _u: usize): void {
    const H4 = <usize>this.H << 2;
    const dA = this.dA + g;
    const dHh = this.dHh + g;
    const f = loadLanes(this.gates + g, n);
    const nv = loadLanes(this.gates + g + H4, n);
    const hn = loadLanes(this.hh + g + H4, n);
    const hPrev = loadLanes(this.hs + s, n);
    let dh = loadLanes(this.dh0 + r, n);
    if (this.dOut != 0) dh = f32x4.add(dh, loadLanes(this.dOut + s, n));
    const dn = f32x4.mul(f32x4.mul(dh, f), activationGradV(this.act, nv));
    const df = flushTiny(f32x4.mul(f32x4.add(f32x4.mul(dh, f32x4.sub(nv, hPrev)), f32x4.mul(dn, hn)), activationGradV(this.ract, f)));
    storeLanes(dA, df, n);
    storeLanes(dA + H4, flushTiny(dn), n);
    storeLanes(dHh, df, n);
    storeLanes(dHh + H4, flushTiny(f32x4.mul(f, dn)), n);
    storeLanes(this.dh0 + r, flushTiny(f32x4.mul(dh, f32x4.sub(ONE, f))), n);
  }

  // @ts-ignore: decorator
  @inline hold(g: usize, _s: usize, _r: usize): void {
    const bytes = (<usize>this.H << 2) * 2;
    memory.fill(this.dA + g, 0, bytes);
    memory.fill(this.dHh + g, 0, bytes);
  }

  /** dh_{t-1} += dHh_t [B, 2H] · W_hh [2H, H]. */
  // @ts-ignore: decorator
  @inline done(t: i32): void {
    const B = this.B;
    const H = this.H;
    gemmPacked(B, H, 2 * H, this.dHh + <usize>(t * B * 2 * H) * 4, 2 * H, 1, this.pack, this.dh0, H, 1);
  }
}

/** Runs the sequence forward (MguForwardArgs at args). */
export function mguForward(args: usize): void {
  const a = changetype<MguForwardPass>(args);
  const H = a.H;
  memory.copy(a.hs, a.h0, <usize>(a.B * H) << 2);
  inputProjection(a.T, a.B, a.D, 2 * H, a.x, a.tokens != 0, a.wih, a.pih, a.bih, 0, a.zAdd, a.gates);
  sweepSteps<MguForwardPass>(a, 2 * H, false);
}

/** BPTT of the last forward (MguBackwardArgs at args). */
export function mguBackward(args: usize): void {
  const a = changetype<MguBackwardPass>(args);
  const H = a.H;
  const G = 2 * H;
  startGradient(a.dh0, a.dhT, <usize>(a.B * H) << 2);
  gemmPackB(G, H, a.whh, H, 1, a.pack);
  sweepSteps<MguBackwardPass>(a, G, true);
  const M = a.T * a.B;
  inputProjectionBackward(M, a.D, G, a.x, a.tokens != 0, a.wih, a.dA, a.dx, a.dwih, a.dbih, 0);
  stateWeightGradient(M, G, H, a.dHh, G, a.hs, a.dwhh);
  sumRowsInto(a.dbhh, a.dHh, M, G);
}
