// The one place the attentional decoder calls the core's cell kernels: a stacked, unidirectional
// LSTM or GRU stepped one time step at a time (T = 1) with pointer offsets into whole-sequence
// buffers, so a step can read what the previous step's attention produced (input feeding).
// Layer l at step t reads x_t (layer 0: the step input, plus zAdd [B, gates·H] on its input-side
// pre-activations; layer l > 0: layer l-1's h_t) and its states at index t, and writes index t+1.
import { core } from "../core.js";
import { Workspace } from "../buffer.js";
import type { ParameterArena } from "../arena.js";
import { LSTM } from "../layers/lstm.js";
import { GRU } from "../layers/gru.js";
import { ACTIVATION_CODES } from "../kernels/activations.js";

/** The decoder layers the cells step: LSTM or GRU, unidirectional. */
export type SteppedLayer = LSTM | GRU;

/**
 * Stepping of a decoder layer's cells over [T+1, B, H] state buffers (index 0: the initial states).
 * Parameters are read from `arena` under `prefix` + the layer's PyTorch names.
 */
export class DecoderCells {
  readonly numLayers: number;
  readonly units: number;
  /** Carried states per layer: ["h", "c"] (LSTM) or ["h"] (GRU). */
  readonly stateNames: readonly string[];
  private readonly ws = new Workspace();
  private T = 0;
  private B = 0;

  constructor(private readonly layer: SteppedLayer, private readonly arena: ParameterArena, private readonly prefix: string) {
    this.numLayers = layer.numLayers;
    this.units = layer.units;
    this.stateNames = layer instanceof LSTM ? ["h", "c"] : ["h"];
  }

  /** Gates per unit: 4 (LSTM) or 3 (GRU). */
  get gates(): number {
    return this.layer instanceof LSTM ? 4 : 3;
  }

  /** Sizes the buffers for T steps of B sequences (contents are lost). */
  reserve(T: number, B: number): void {
    this.T = T;
    this.B = B;
  }

  private block(name: string, l: number, perStep: number, steps: number): number {
    return this.ws.ptr(`${name}${l}`, steps * this.B * perStep);
  }

  /** State `name` of layer l at index t in [0, T] (0: initial), [B, H]. */
  state(l: number, name: string, t: number): number {
    return this.block(name, l, this.units, this.T + 1) + t * this.B * this.units * 4;
  }

  /** The gradient carried to state `name` of layer l, [B, H], during a backward pass. */
  dState(l: number, name: string): number {
    return this.ws.ptr(`d${name}${l}`, this.B * this.units);
  }

  /** Zeroes the carried state gradients before a backward pass. */
  beginBackward(): void {
    for (let l = 0; l < this.numLayers; l++) for (const name of this.stateNames) core().fillF32(this.dState(l, name), this.B * this.units, 0);
  }

  private param(name: string, l: number, grad: boolean): number {
    const full = `${this.prefix}${name}_l${l}`;
    return grad ? this.arena.gradPtr(full) : this.arena.paramPtr(full);
  }

  private inputSize(l: number): number {
    return l === 0 ? this.layer.inputSize : this.units;
  }

  /** Step-t block of a [T, B, width] buffer of layer l. */
  private stepBlock(name: string, l: number, width: number, t: number): number {
    return this.block(name, l, width, this.T) + t * this.B * width * 4;
  }

  private pack(): number {
    const H = this.units;
    const G = this.gates * H;
    return this.ws.ptr("pack", Math.max(core().gemmPackedSize(H, G), core().gemmPackedSize(G, H)));
  }

  /** The activation codes of the cell (φ) and of its gates (σ). */
  private get codes(): [number, number] {
    return [ACTIVATION_CODES[this.layer.activation], ACTIVATION_CODES[this.layer.recurrentActivation]];
  }

  private lstmPeepholes(l: number, grad: boolean): [number, number, number] {
    if (!(this.layer instanceof LSTM) || !this.layer.peephole) return [0, 0, 0];
    return (["i", "f", "o"] as const).map((g) => this.param(`peephole_${g}`, l, grad)) as [number, number, number];
  }

  /** Runs step t of every layer: x [B, inputSize] into layer 0 (with zAdd, or 0). */
  forwardStep(t: number, x: number, zAdd: number): void {
    const c = core();
    const { B, units: H } = this;
    const [act, ract] = this.codes;
    let input = x;
    for (let l = 0; l < this.numLayers; l++) {
      const wih = this.param("weight_ih", l, false), whh = this.param("weight_hh", l, false);
      const bih = this.param("bias_ih", l, false), bhh = this.param("bias_hh", l, false);
      const add = l === 0 ? zAdd : 0;
      const h = this.state(l, "h", t);
      if (this.layer instanceof LSTM) {
        const [pi, pf, po] = this.lstmPeepholes(l, false);
        c.lstmForward(1, B, this.inputSize(l), H, act, ract, input, false, h, this.state(l, "c", t), wih, whh, bih, bhh, pi, pf, po,
          this.stepBlock("gates", l, 4 * H, t), h, this.state(l, "c", t), this.stepBlock("acs", l, H, t), this.pack(), 0, add);
      } else {
        const after = this.layer.resetAfter ? 1 : 0;
        c.gruForward(1, B, this.inputSize(l), H, act, ract, after, input, false, h, wih, whh, bih, bhh,
          this.stepBlock("gates", l, 3 * H, t), h, this.stepBlock("aux", l, (after ? 3 : 1) * H, t), this.pack(), this.ws.ptr("pack2", c.gemmPackedSize(H, H)), 0, add);
      }
      input = this.state(l, "h", t + 1);
    }
  }

  /**
   * Backward of step t (steps run last to first): x the step's layer-0 input, dTop [B, H] the
   * gradient of the top layer's h_{t+1} from outside the cells. Adds into the carried state gradients
   * (dState) and the parameter gradients; writes dx [B, inputSize] (0: skip). Returns layer 0's
   * gradient of its input-side pre-activations [B, gates·H] (what zAdd received).
   */
  backwardStep(t: number, x: number, dTop: number, dx: number): number {
    const c = core();
    const { B, units: H } = this;
    const [act, ract] = this.codes;
    let dOut = dTop;
    let dZ = 0;
    for (let l = this.numLayers - 1; l >= 0; l--) {
      const input = l === 0 ? x : this.state(l - 1, "h", t + 1);
      const dIn = l === 0 ? dx : this.ws.ptr(`dInput${l % 2}`, B * H);
      const wih = this.param("weight_ih", l, false), whh = this.param("weight_hh", l, false);
      const grads = [this.param("weight_ih", l, true), this.param("weight_hh", l, true), this.param("bias_ih", l, true), this.param("bias_hh", l, true)] as const;
      const dh = this.dState(l, "h");
      if (this.layer instanceof LSTM) {
        const [pi, pf, po] = this.lstmPeepholes(l, false);
        const [dpi, dpf, dpo] = this.lstmPeepholes(l, true);
        dZ = this.stepBlock("gates", l, 4 * H, t); // the step's gate gradients overwrite its gates
        const dc = this.dState(l, "c");
        c.lstmBackward(1, B, this.inputSize(l), H, act, ract, input, false, dZ, this.state(l, "h", t), this.state(l, "c", t),
          this.stepBlock("acs", l, H, t), wih, whh, pi, pf, po, dOut, dh, dc, dZ, dIn, dh, dc, ...grads, dpi, dpf, dpo, this.pack(), 0);
      } else {
        const after = this.layer.resetAfter ? 1 : 0;
        dZ = this.stepBlock("gates", l, 3 * H, t);
        const aux = this.stepBlock("aux", l, (after ? 3 : 1) * H, t);
        c.gruBackward(1, B, this.inputSize(l), H, act, ract, after, input, false, dZ, this.state(l, "h", t), aux, wih, whh,
          dOut, dh, dZ, after ? aux : this.ws.ptr("dRh", B * H), dIn, dh, ...grads, this.pack(), this.ws.ptr("pack2", c.gemmPackedSize(H, H)), 0);
      }
      dOut = dIn;
    }
    return dZ;
  }

  /** Copies every layer's states at index 1 to index 0 (decoding one step at a time with T = 1). */
  advance(): void {
    for (let l = 0; l < this.numLayers; l++) {
      for (const name of this.stateNames) core().copyF32(this.state(l, name, 0), this.state(l, name, 1), this.B * this.units);
    }
  }

  /** Keeps rows `index` (i32 [newB]) of the index-0 states, in that order (decoding; T = 1). */
  selectRows(index: number, newB: number): void {
    const c = core();
    const H = this.units;
    const gathered: [number, string, number][] = [];
    for (let l = 0; l < this.numLayers; l++) {
      for (const name of this.stateNames) {
        const tmp = this.ws.ptr(`gathered${name}${l}`, newB * H);
        c.gatherRows(tmp, this.state(l, name, 0), index, newB, H);
        gathered.push([l, name, tmp]);
      }
    }
    this.B = newB;
    for (const [l, name, tmp] of gathered) c.copyF32(this.state(l, name, 0), tmp, newB * H);
  }

  /** Frees the buffers. */
  dispose(): void {
    this.ws.free();
  }
}
