// The steps of the attentional decoder of a Seq2Seq (Luong et al. 2015; Bahdanau et al. 2015), run one
// target step at a time in the core over whole-sequence buffers, B sequences per call:
//   luong, luongGeneral (input feeding):
//     s_t = cell([x_t; h~_{t-1}], s_{t-1})        h~_0 = 0; the feed enters through weight_ch_l0
//     c_t, a_t = attention(query = s_t, memory)
//   bahdanau:
//     c_t, a_t = attention(query = s_{t-1}, memory)   s_0 = the encoder's final state
//     s_t = cell([x_t; c_t], s_{t-1})
//   both:  h~_t = tanh(W_c [c_t; s_t] + b_c)        the attentional vector [B, H] the output head reads
// s_t is the top layer's h; x_t the target embedding [B, E]. The memory is the encoder output [S, B, F].
// Backward runs the steps last to first; the feed's gradient flows into the previous step
// (luong: into h~_{t-1}; bahdanau: into c_t and through the attention into s_{t-1}).
import { core } from "../core.js";
import { Workspace } from "../buffer.js";
import type { ParameterArena } from "../arena.js";
import { ACTIVATION_CODES } from "../kernels/activations.js";
import type { Attention } from "./attention.js";
import { DecoderCells, type SteppedLayer } from "./attention-cells.js";

/** Where the decoder's parameters live: the model's arena and the parts' name prefixes. */
export interface AttentionStepsParts {
  /** The recurrent decoder, built with contextSize = the feed's width (H for luong kinds, F for bahdanau). */
  decoder: SteppedLayer;
  attention: Attention;
  arena: ParameterArena;
  /** Prefix of the decoder's parameters in the arena, e.g. "decoder.". */
  decoderPrefix: string;
  /** Prefix of W_c [H, F + H] ("weight") and b_c [H] ("bias"), e.g. "attentional.". */
  attentionalPrefix: string;
}

/** The gradients a teacher-forced backward returns (pointers into the decoder's workspace). */
export interface AttentionalGradients {
  /** d x [T, B, E]. */
  dInput: number;
  /** d memory [S, B, F]: the encoder outputs' gradient. */
  dMemory: number;
  /** d initial state per carried state name, each [layers, B, H]: the encoder's final states' gradient. */
  dInitialState: Record<string, number>;
}

export class AttentionSteps {
  readonly units: number;
  /** Rows attended over: the memory's steps S, batch B, steps T of the buffers. */
  private S = 0;
  private B = 0;
  private T = 0;
  private memory = 0;
  private lengths = 0;
  private x = 0;
  private readonly cells: DecoderCells;
  private readonly ws = new Workspace();
  private readonly feedsAttentionalVector: boolean;

  constructor(private readonly parts: AttentionStepsParts) {
    this.cells = new DecoderCells(parts.decoder, parts.arena, parts.decoderPrefix);
    this.units = parts.decoder.units;
    this.feedsAttentionalVector = parts.attention.kind !== "bahdanau";
  }

  /** Carried state names of the cells ("h", "c" for LSTM). */
  get stateNames(): readonly string[] {
    return this.cells.stateNames;
  }

  /** Stacked layers of the recurrent decoder. */
  get numLayers(): number {
    return this.cells.numLayers;
  }

  /** Steps S of the memory attended over. */
  get memorySteps(): number {
    return this.S;
  }

  private get F(): number {
    return this.parts.attention.memorySize;
  }

  /** Width of the feed into the cells: H (h~_{t-1}) or F (c_t). */
  private get C(): number {
    return this.feedsAttentionalVector ? this.units : this.F;
  }

  private get gateWidth(): number {
    return this.cells.gates * this.units;
  }

  private ptr(prefix: string, name: string, grad = false): number {
    const full = `${prefix}${name}`;
    return grad ? this.parts.arena.gradPtr(full) : this.parts.arena.paramPtr(full);
  }

  /** Weight `name` [rows, K] under `prefix`, transposed and packed for gemmPacked (ParameterArena.packs). */
  private packed(prefix: string, name: string): number {
    return this.parts.arena.packs.rows(`${prefix}${name}`);
  }

  /** h~ [T+1, B, H], index 0 the zero h~_0; step t writes index t+1. */
  private attentional(t: number): number {
    return this.ws.ptr("attentional", (this.T + 1) * this.B * this.units) + t * this.B * this.units * 4;
  }

  /** [c_t; s_t] of step t, [B, F + H]. */
  private combined(t: number): number {
    const W = this.F + this.units;
    return this.ws.ptr("combined", this.T * this.B * W) + t * this.B * W * 4;
  }

  /** The query of step t's attention: s_t (luong kinds) or s_{t-1} (bahdanau). */
  private query(t: number): number {
    return this.cells.state(this.cells.numLayers - 1, "h", this.feedsAttentionalVector ? t + 1 : t);
  }

  /** The feed into step t's cell: h~_{t-1} or c_t. */
  private feed(t: number): number {
    return this.feedsAttentionalVector ? this.attentional(t) : this.parts.attention.contextAt(t);
  }

  /** Sizes the buffers, sets the memory and copies the initial states ([layers, B, H] per name). */
  private begin(T: number, B: number, memory: number, S: number, lengths: number, initial: Record<string, number>): void {
    this.T = T;
    this.B = B;
    this.S = S;
    this.memory = memory;
    this.lengths = lengths;
    this.cells.reserve(T, B);
    this.parts.attention.setMemory(memory, S, B, lengths, T);
    const H = this.units;
    for (let l = 0; l < this.cells.numLayers; l++) {
      for (const name of this.stateNames) core().copyF32(this.cells.state(l, name, 0), initial[name]! + l * B * H * 4, B * H);
    }
    core().fillF32(this.attentional(0), B * H, 0);
  }

  /** Step t: attention, cells, attentional vector (x_t [B, E]). */
  private step(t: number, xt: number): void {
    const c = core();
    const { B, F, C, units: H } = this;
    const attention = this.parts.attention;
    if (!this.feedsAttentionalVector) attention.forwardStep(t, this.query(t));
    const zAdd = this.ws.ptr("zAdd", B * this.gateWidth);
    c.gemmPacked(B, this.gateWidth, C, this.feed(t), C, 1, this.packed(this.parts.decoderPrefix, "weight_ch_l0"), zAdd, this.gateWidth, 0);
    this.cells.forwardStep(t, xt, zAdd);
    if (this.feedsAttentionalVector) attention.forwardStep(t, this.query(t));
    const top = this.cells.state(this.cells.numLayers - 1, "h", t + 1);
    const comb = this.combined(t);
    c.copyColumns(comb, F + H, 0, attention.contextAt(t), F, 0, B, F);
    c.copyColumns(comb, F + H, F, top, H, 0, B, H);
    const p = this.parts.attentionalPrefix;
    c.denseForward(B, F + H, H, ACTIVATION_CODES.tanh, comb, this.packed(p, "weight"), this.ptr(p, "bias"), this.attentional(t + 1));
  }

  /**
   * Teacher forcing: x [T, B, E] (the embedded decoder inputs), memory [S, B, F] with lengths
   * (i32 [B] or 0), initial states [layers, B, H] per name. Returns h~ [T, B, H].
   */
  forward(x: number, T: number, B: number, memory: number, S: number, lengths: number, initial: Record<string, number>): number {
    this.begin(T, B, memory, S, lengths, initial);
    this.x = x;
    const E = this.parts.decoder.inputSize;
    for (let t = 0; t < T; t++) this.step(t, x + t * B * E * 4);
    return this.attentional(1);
  }

  /** Backward of the last forward from dOut = d h~ [T, B, H]; adds every parameter gradient. */
  backward(dOut: number): AttentionalGradients {
    const c = core();
    const { T, B, F, C, units: H } = this;
    const E = this.parts.decoder.inputSize;
    const GW = this.gateWidth;
    const attention = this.parts.attention;
    const p = this.parts.attentionalPrefix;
    const dx = this.ws.ptr("dInput", T * B * E);
    const dH = this.ws.ptr("dAttentional", B * H);
    const dComb = this.ws.ptr("dCombined", B * (F + H));
    const dCtx = this.ws.ptr("dContext", B * F);
    const dTop = this.ws.ptr("dTop", B * H);
    const dQuery = this.ws.ptr("dQuery", B * H);
    const dFeed = this.ws.ptr("dFeed", B * C);
    const wch = this.ptr(this.parts.decoderPrefix, "weight_ch_l0");
    const top = this.cells.numLayers - 1;
    this.cells.beginBackward();
    c.fillF32(dFeed, B * C, 0);
    for (let t = T - 1; t >= 0; t--) {
      c.copyF32(dH, dOut + t * B * H * 4, B * H);
      if (this.feedsAttentionalVector) c.addInPlace(dH, dFeed, B * H); // h~_t fed step t+1
      c.denseBackward(B, F + H, H, ACTIVATION_CODES.tanh, this.combined(t), this.ptr(p, "weight"), this.attentional(t + 1), dH, dH, dComb,
        this.ptr(p, "weight", true), this.ptr(p, "bias", true));
      c.copyColumns(dCtx, F, 0, dComb, F + H, 0, B, F);
      c.copyColumns(dTop, H, 0, dComb, F + H, F, B, H);
      if (this.feedsAttentionalVector) {
        attention.backwardStep(t, this.query(t), dCtx, 0, dQuery);
        c.addInPlace(dTop, dQuery, B * H);
      }
      const dZ = this.cells.backwardStep(t, this.x + t * B * E * 4, dTop, dx + t * B * E * 4);
      c.gemm(B, C, GW, dZ, GW, 1, wch, C, 1, dFeed, C, 0);
      c.gemm(GW, C, B, dZ, 1, GW, this.feed(t), C, 1, this.ptr(this.parts.decoderPrefix, "weight_ch_l0", true), C, 1);
      if (!this.feedsAttentionalVector) {
        c.addInPlace(dCtx, dFeed, B * F);
        attention.backwardStep(t, this.query(t), dCtx, 0, dQuery);
        c.addInPlace(this.cells.dState(top, "h"), dQuery, B * H); // the query was s_{t-1}
      }
    }
    const dInitialState: Record<string, number> = {};
    for (const name of this.stateNames) {
      const block = this.ws.ptr(`dInitial.${name}`, this.cells.numLayers * B * H);
      for (let l = 0; l <= top; l++) c.copyF32(block + l * B * H * 4, this.cells.dState(l, name), B * H);
      dInitialState[name] = block;
    }
    return { dInput: dx, dMemory: attention.memoryGradient(), dInitialState };
  }

  // ---- decoding, one step at a time (T = 1, states kept in wasm memory) ---------------------

  /** Starts decoding B rows from the initial states ([layers, B, H] per name) over memory [S, B, F] (copied) and lengths (i32 [B] or 0). */
  startDecoding(memory: number, S: number, B: number, lengths: number, initial: Record<string, number>): void {
    this.decodeCopy = 0;
    const [own, ownLengths] = this.decodeBlocks(S, B);
    core().copyF32(own, memory, S * B * this.F);
    if (lengths !== 0) core().copyF32(ownLengths, lengths, B);
    this.begin(1, B, own, S, lengths === 0 ? 0 : ownLengths, initial);
  }

  /** Which of two memory copies decoding reads (selectRows gathers into the other). */
  private decodeCopy = 0;

  /** The current decoding copy's memory [S, B, F] and lengths [B] blocks. */
  private decodeBlocks(S: number, B: number): [number, number] {
    return [this.ws.ptr(`decodeMemory${this.decodeCopy}`, S * B * this.F), this.ws.ptr(`decodeLengths${this.decodeCopy}`, B)];
  }

  /** One decoding step from the embedded tokens x [B, E]: returns h~ [B, H] (valid until the next call). */
  decodeStep(x: number): number {
    this.step(0, x);
    this.cells.advance();
    core().copyF32(this.attentional(0), this.attentional(1), this.B * this.units);
    return this.attentional(1);
  }

  /** The attention weights [B, S] of the last decodeStep. */
  get decodeWeights(): number {
    return this.parts.attention.weightsAt(0);
  }

  /** Keeps rows `index` (i32 [newB] into the current rows) of the states, h~ and the memory, in that order. */
  selectRows(index: number, newB: number): void {
    const c = core();
    const { S, B, F, units: H } = this;
    this.decodeCopy = 1 - this.decodeCopy;
    const [memory, lengths] = this.decodeBlocks(S, newB);
    c.gatherTimeMajor(memory, this.memory, index, S, B, newB, F);
    if (this.lengths !== 0) c.gatherRows(lengths, this.lengths, index, newB, 1);
    const attentional = this.ws.ptr("selectedAttentional", newB * H);
    c.gatherRows(attentional, this.attentional(0), index, newB, H);
    this.cells.selectRows(index, newB);
    this.memory = memory;
    this.lengths = this.lengths === 0 ? 0 : lengths;
    this.parts.attention.selectRows(index, memory, newB, this.lengths);
    this.B = newB;
    c.copyF32(this.attentional(0), attentional, newB * H);
  }

  /** Frees the workspaces. */
  dispose(): void {
    this.cells.dispose();
    this.ws.free();
  }
}
