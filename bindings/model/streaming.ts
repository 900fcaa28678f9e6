// Streaming: a model advanced step by step (or chunk by chunk), each recurrent layer's state
// carried between calls in wasm blocks of the model's workspace.
import { core, copyOut } from "../core.js";
import { RecurrentLayer } from "../layers/recurrent.js";
import { toProbabilities } from "../losses.js";
import { StagedDataset } from "../dataset.js";
import { toTensor, toIntTensor, type Tensor } from "../tensor.js";
import { checkOptionKeys } from "../validate.js";
import { checkModelBatch } from "../layer-chain.js";
import type { ModelRuntime } from "./runtime.js";
import { probabilitiesOption } from "./prediction.js";
import type { ModelInput, StepOptions } from "./options.js";

/** The streams of one model: their batch size and, per recurrent layer, its carried state blocks (none before the first step). */
export class ModelStreams {
  private stream: { B: number; states: Map<RecurrentLayer, number[]> } | null = null;

  constructor(private readonly model: ModelRuntime) {}

  /** Model.step: the outputs of one step x [B, D] (ids [B]) or a chunk [T, B, D] (ids [T, B]; batch-first [B, T, ...]), from the carried states. */
  step(x: ModelInput, options: StepOptions): Tensor {
    const where = "Model.step";
    const { model } = this;
    checkOptionKeys(where, options, ["context", "probabilities"]);
    const probabilities = probabilitiesOption(model, where, options.probabilities);
    const recurrent = model.layers.filter((l): l is RecurrentLayer => l instanceof RecurrentLayer);
    const bidirectional = recurrent.find((l) => l.bidirectional);
    if (bidirectional !== undefined) throw new RangeError(`${where}: a bidirectional ${bidirectional.constructor.name} needs the whole sequence; streaming is for unidirectional layers`);
    const ids = model.spec.vocabSize !== null;
    const t = ids ? toIntTensor(where, "x", x) : toTensor(where, "x", x);
    const single = t.shape.length === (ids ? 1 : 2); // one step [B(, D)]: a sequence of one step
    const { batchFirst } = model.spec;
    const oneStep = { shape: batchFirst ? [t.shape[0]!, 1, ...t.shape.slice(1)] : [1, ...t.shape], data: t.data };
    const data = new StagedDataset(where, model.spec, single ? oneStep : t, null, { context: options.context });
    try {
      const { T, N: B } = data;
      checkModelBatch(where, model.layers, T, B);
      const states = this.statesFor(where, recurrent, B);
      const batch = data.gather(model.identityIndex(B), B, model.ws);
      for (const [layer, blocks] of states) layer.setInitialStates(blocks, B);
      const out = model.forward({ x: batch.x, T, B, context: batch.context });
      for (const [layer, blocks] of states) layer.finalStatesInto(blocks);
      const O = model.spec.outputSize;
      if (probabilities) toProbabilities(model.loss, out.x, out.T * B, O);
      if (single || out.T === 1) return { shape: [B, O], data: copyOut(out.x, B * O) };
      if (batchFirst) return { shape: [B, out.T, O], data: copyOut(model.ws.swapped("batchFirstOutput", out.x, out.T, B, O), out.T * B * O) };
      return { shape: [out.T, B, O], data: copyOut(out.x, out.T * B * O) };
    } finally {
      data.free();
    }
  }

  /** Starts new streams: the next step begins from zero states. */
  reset(): void {
    this.stream = null;
  }

  /** The carried state blocks of each recurrent layer for a batch of B streams (zeros when the streams start now). */
  private statesFor(where: string, recurrent: readonly RecurrentLayer[], B: number): Map<RecurrentLayer, number[]> {
    if (this.stream !== null && this.stream.B !== B) {
      throw new RangeError(`${where}: the stream has batch size ${this.stream.B}; got ${B} (call resetState() to start new streams)`);
    }
    if (this.stream === null) {
      const { layers, ws } = this.model;
      const states = new Map(recurrent.map((l) => [l, l.stateBlockSizes(B).map((n, i) => {
        const ptr = ws.ptr(`stream.${layers.indexOf(l)}.${i}`, n);
        core().fillF32(ptr, n, 0);
        return ptr;
      })]));
      this.stream = { B, states };
    }
    return this.stream.states;
  }
}
