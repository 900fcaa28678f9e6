// The one place the attentional decoder calls the core's cell kernels: a stacked, unidirectional
// LSTM or GRU stepped one time step at a time (T = 1) with pointer offsets into whole-sequence
// buffers (bindings/kernels/rnn.ts), so a step can read what the previous step's attention
// produced (input feeding). Layer l at step t reads x_t (layer 0: the step input, plus zAdd
// [B, gates·H] on its input-side pre-activations; layer l > 0: layer l-1's h_t) and its states at
// index t, and writes index t+1. The kernels' argument structs come from the cells' tables.
import { core } from "../core.js";
import { Workspace } from "../buffer.js";
import type { ParameterArena } from "../arena.js";
import { LSTM } from "../layers/lstm.js";
import type { GRU } from "../layers/gru.js";
import { runKernel, workspaceBlock, type CellCall } from "../layers/cells/table.js";
import { LSTM_FORWARD, LSTM_BACKWARD } from "../layers/cells/lstm-table.js";
import { GRU_RESET_AFTER_FORWARD, GRU_RESET_AFTER_BACKWARD, GRU_RESET_BEFORE_FORWARD, GRU_RESET_BEFORE_BACKWARD } from "../layers/cells/gru-table.js";

/** The decoder layers the cells step: LSTM or GRU, unidirectional. */
export type SteppedLayer = LSTM | GRU;

/** Step t's pointers into a layer's whole-sequence buffers (cs, acs: LSTM; hh: GRU reset after; rh: reset before). */
interface StepFields {
  T: number;
  lengths: number;
  gates: number;
  hs: number;
  cs?: number;
  acs?: number;
  hh?: number;
  rh?: number;
}

/**
 * Stepping of a decoder layer's cells over [T+1, B, H] state buffers (index 0: the initial states).
 * Parameters are read from `arena` under `prefix` + the layer's PyTorch names.
 */
export class DecoderCells {
  readonly numLayers: number;
  readonly units: number;
  /** Carried states per layer: ["h", "c"] (LSTM) or ["h"] (GRU). */
  readonly stateNames: readonly string[];
  /** One workspace per stacked layer (the tables name its blocks). */
  private readonly layerWs: Workspace[];
  private readonly ws = new Workspace();
  private T = 0;
  private B = 0;

  constructor(private readonly layer: SteppedLayer, private readonly arena: ParameterArena, private readonly prefix: string) {
    this.numLayers = layer.numLayers;
    this.units = layer.units;
    this.stateNames = layer instanceof LSTM ? ["h", "c"] : ["h"];
    this.layerWs = Array.from({ length: this.numLayers }, () => new Workspace());
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

  /** Layer l's call description for whole-sequence buffers of T steps (`layer` is this.layer, narrowed). */
  private call<L extends SteppedLayer>(layer: L, l: number): CellCall<L> {
    return {
      layer, sizes: { T: this.T, B: this.B, D: l === 0 ? layer.inputSize : this.units, H: this.units }, tokens: false, ws: this.layerWs[l]!,
      param: (base, grad) => (grad ? this.arena.gradPtr(`${this.prefix}${base}_l${l}`) : this.arena.paramPtr(`${this.prefix}${base}_l${l}`)),
      packs: this.arena.packs,
      packedName: (base) => `${this.prefix}${base}_l${l}`,
    };
  }

  /** Step t's block of layer l's workspace field `field` ([T, B, width] or, for states, [T+1, B, H]). */
  private at(l: number, field: string, t: number, width: number): number {
    const layer = this.layer;
    const block = layer instanceof LSTM ? workspaceBlock(LSTM_FORWARD, field, this.call(layer, l))
      : workspaceBlock(layer.resetAfter ? GRU_RESET_AFTER_FORWARD : GRU_RESET_BEFORE_FORWARD, field, this.call(layer, l));
    return block + t * this.B * width * 4;
  }

  /** State `name` of layer l at index t in [0, T] (0: initial), [B, H]. */
  state(l: number, name: string, t: number): number {
    return this.at(l, `${name}s`, t, this.units);
  }

  /** The gradient carried to state `name` of layer l, [B, H], during a backward pass. */
  dState(l: number, name: string): number {
    return this.ws.ptr(`d${name}${l}`, this.B * this.units);
  }

  /** Zeroes the carried state gradients before a backward pass. */
  beginBackward(): void {
    for (let l = 0; l < this.numLayers; l++) for (const name of this.stateNames) core().fillF32(this.dState(l, name), this.B * this.units, 0);
  }

  /** The per-step pointers of layer l at step t that both kernels of its cell read: gates, states and the cell's own step block. */
  private stepFields(l: number, t: number): StepFields {
    const H = this.units;
    const fields = { T: 1, lengths: 0, gates: this.at(l, "gates", t, this.gates * H), hs: this.state(l, "h", t) };
    if (this.layer instanceof LSTM) return { ...fields, cs: this.state(l, "c", t), acs: this.at(l, "acs", t, H) };
    if (this.layer.resetAfter) return { ...fields, hh: this.at(l, "hh", t, 3 * H) };
    return { ...fields, rh: this.at(l, "rh", t, H) };
  }

  /** Runs step t of every layer: x [B, inputSize] into layer 0 (with zAdd, or 0). */
  forwardStep(t: number, x: number, zAdd: number): void {
    const layer = this.layer;
    let input = x;
    for (let l = 0; l < this.numLayers; l++) {
      const step = { ...this.stepFields(l, t), x: input, zAdd: l === 0 ? zAdd : 0, h0: this.state(l, "h", t) };
      if (layer instanceof LSTM) runKernel(LSTM_FORWARD, this.call(layer, l), { ...step, c0: this.state(l, "c", t) });
      else if (layer.resetAfter) runKernel(GRU_RESET_AFTER_FORWARD, this.call(layer, l), step);
      else runKernel(GRU_RESET_BEFORE_FORWARD, this.call(layer, l), step);
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
    const layer = this.layer;
    let dOut = dTop;
    let dZ = 0;
    for (let l = this.numLayers - 1; l >= 0; l--) {
      const fields = this.stepFields(l, t);
      const dIn = l === 0 ? dx : this.ws.ptr(`dInput${l % 2}`, this.B * this.units);
      const dh = this.dState(l, "h");
      const step = { ...fields, x: l === 0 ? x : this.state(l - 1, "h", t + 1), dOut, dhT: dh, dh0: dh, dx: dIn };
      dZ = fields.gates; // the step's gate gradients overwrite its gates
      if (layer instanceof LSTM) {
        const dc = this.dState(l, "c");
        runKernel(LSTM_BACKWARD, this.call(layer, l), { ...step, dcT: dc, dc0: dc, dGates: dZ });
      } else if (layer.resetAfter) {
        runKernel(GRU_RESET_AFTER_BACKWARD, this.call(layer, l), { ...step, dA: dZ, dHh: fields.hh });
      } else {
        runKernel(GRU_RESET_BEFORE_BACKWARD, this.call(layer, l), { ...step, dA: dZ });
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
    for (const ws of this.layerWs) ws.free();
    this.ws.free();
  }
}
