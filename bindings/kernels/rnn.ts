/**
 * Recurrent-cell exports of the wasm core (assembly/rnn/); all arrays are pointers, time-major.
 * tokens: x holds ids i32 [T, B] in [0, D), read as one-hot rows (the input projection is a column
 * gather of weight_ih, its gradient a scatter-add; dx is still [T, B, D]). lengths: i32 [B] (padded steps hold the state) or 0; zAdd [B, gates·H] added to every step's input projection, or 0.
 */
export interface RnnExports {
  /** Elman forward: hs [T+1, B, H] with hs[0] = h0; pack: gemmPackedSize(H, H) floats. */
  simpleRnnForward(T: number, B: number, D: number, H: number, act: number,
    x: number, tokens: boolean, h0: number, wih: number, whh: number, bih: number, bhh: number,
    hs: number, pack: number, lengths: number, zAdd: number): void;
  /** Elman BPTT: writes dz, dx (0: skip), dh0; adds parameter gradients. */
  simpleRnnBackward(T: number, B: number, D: number, H: number, act: number,
    x: number, tokens: boolean, hs: number, wih: number, whh: number,
    dOut: number, dhT: number, dz: number, dx: number, dh0: number,
    dwih: number, dwhh: number, dbih: number, dbhh: number, pack: number, lengths: number): void;
  /** Jordan forward: hs [T, B, H], ys [T+1, B, O] with ys[0] = y0. */
  jordanForward(T: number, B: number, D: number, H: number, O: number, f: number, g: number,
    x: number, tokens: boolean, y0: number, wih: number, why: number, b: number, wo: number, bo: number,
    hs: number, ys: number, packHy: number, packO: number, lengths: number, zAdd: number): void;
  /**
   * Jordan BPTT: writes dOs, dz, dh scratch, dx (0: skip), dy0; adds parameter gradients. dhT [B, H]
   * (0: none) is the gradient of the final hidden layer, dhCarry [B, H] its scratch.
   */
  jordanBackward(T: number, B: number, D: number, H: number, O: number, f: number, g: number,
    x: number, tokens: boolean, hs: number, ys: number, wih: number, why: number, wo: number,
    dOut: number, dyT: number, dOs: number, dz: number, dh: number, dx: number, dy0: number,
    dwih: number, dwhy: number, db: number, dwo: number, dbo: number, packHy: number, packO: number, lengths: number,
    dhT: number, dhCarry: number): void;
  /** LSTM forward: gates [T, B, 4H] (activated), hs, cs [T+1, B, H], acs [T, B, H]; peepholes 0 or all set. */
  lstmForward(T: number, B: number, D: number, H: number, act: number, ract: number,
    x: number, tokens: boolean, h0: number, c0: number, wih: number, whh: number, bih: number, bhh: number, pi: number, pf: number, po: number,
    gates: number, hs: number, cs: number, acs: number, pack: number, lengths: number, zAdd: number): void;
  /** LSTM BPTT: writes dGates, dx (0: skip), dh0, dc0; adds parameter (and peephole) gradients. */
  lstmBackward(T: number, B: number, D: number, H: number, act: number, ract: number,
    x: number, tokens: boolean, gates: number, hs: number, cs: number, acs: number, wih: number, whh: number, pi: number, pf: number, po: number,
    dOut: number, dhT: number, dcT: number, dGates: number, dx: number, dh0: number, dc0: number,
    dwih: number, dwhh: number, dbih: number, dbhh: number, dpi: number, dpf: number, dpo: number, pack: number, lengths: number): void;
  /** GRU forward: gates [T, B, 3H] (activated r, z, n), hs [T+1, B, H], aux (resetAfter: W_hh h + b_hh [T, B, 3H]; else r h [T, B, H]). */
  gruForward(T: number, B: number, D: number, H: number, act: number, ract: number, resetAfter: number,
    x: number, tokens: boolean, h0: number, wih: number, whh: number, bih: number, bhh: number,
    gates: number, hs: number, aux: number, pack1: number, pack2: number, lengths: number, zAdd: number): void;
  /** GRU BPTT: writes dA, dHh scratch, dx (0: skip), dh0; adds parameter gradients. */
  gruBackward(T: number, B: number, D: number, H: number, act: number, ract: number, resetAfter: number,
    x: number, tokens: boolean, gates: number, hs: number, aux: number, wih: number, whh: number,
    dOut: number, dhT: number, dA: number, dHh: number, dx: number, dh0: number,
    dwih: number, dwhh: number, dbih: number, dbhh: number, pack1: number, pack2: number, lengths: number): void;
}
