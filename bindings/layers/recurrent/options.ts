// The options every recurrent layer takes (one schema: type, checks, defaults, effects, config),
// and the activation names the gated cells share.
import { defaultSeed } from "../layer.js";
import { optionSchema, required, absent, defaulted, int, finite, choice, boolean, layerCount, seed, type OptionsOf } from "../options.js";

/** How the two directions of a bidirectional layer are combined at every step. */
export type MergeMode = (typeof MERGE_MODES)[number];
export const MERGE_MODES = ["concat", "sum", "mul", "ave"] as const;

/** What a layer with returnSequences false outputs: the last valid step, or the mean over valid steps. */
export type Pooling = (typeof POOLINGS)[number];
export const POOLINGS = ["last", "mean"] as const;

/** Activation φ of a gated cell's candidate and output (Keras' `activation`). */
export type CellActivation = "tanh" | "linear" | "relu" | "sigmoid";
/** Gate activation σ (Keras' `recurrentActivation`); hardSigmoid is clip(0.2x + 0.5, 0, 1). */
export type GateActivation = "sigmoid" | "hardSigmoid";
export const CELL_ACTIVATIONS: readonly CellActivation[] = ["tanh", "linear", "relu", "sigmoid"];
export const GATE_ACTIVATIONS: readonly GateActivation[] = ["sigmoid", "hardSigmoid"];

/** The activation options of the gated cells (LSTM, GRU, MGU), as Keras names them. */
export const GATED_ACTIVATION_OPTIONS = {
  /** φ for the candidate (and LSTM's output φ(c_t)): "tanh" (default), "linear", "relu" or "sigmoid". */
  activation: defaulted(choice(CELL_ACTIVATIONS), "tanh"),
  /** σ for the gates: "sigmoid" (default) or "hardSigmoid" (clip(0.2x + 0.5, 0, 1), as tfjs/Keras). */
  recurrentActivation: defaulted(choice(GATE_ACTIVATIONS), "sigmoid"),
};

/** The options of every recurrent layer; a cell's schema spreads `RECURRENT_OPTIONS.fields` and adds its own. */
export const RECURRENT_OPTIONS = optionSchema({
  /** Hidden units H. */
  units: required(int()),
  /**
   * Input features D per step (the vocabulary size with tokenInput, then required). Optional after
   * a Model's first layer: the Model builds the layer from the previous layer's outputSize.
   */
  inputSize: absent(int()),
  /** Output every step [T, B, F] (default true) or one vector per sequence [B, F] (many-to-one). */
  returnSequences: defaulted(boolean, true),
  /** With returnSequences false (only): "last" (default) valid step, or "mean" over the valid steps. */
  pooling: defaulted(choice(POOLINGS), "last", {
    when: (o) => o.returnSequences === false, needs: "with returnSequences true (it picks the one vector per sequence of returnSequences false)",
  }),
  /** Stacked layers (default 1, at most 64); layer l > 0 reads layer l-1's output. */
  numLayers: defaulted(layerCount, 1),
  /** Add a second network over the reversed sequences (each reversed within its own length). */
  bidirectional: defaulted(boolean, false),
  /** With bidirectional (only), how the directions combine: "concat" (default), "sum", "mul", "ave". */
  mergeMode: defaulted(choice(MERGE_MODES), "concat", {
    when: (o) => o.bidirectional === true, needs: "without bidirectional: true (it combines the two directions)",
  }),
  /** Dropout probability on the outputs of every stacked layer but the last, when training (default 0; above 0 needs numLayers >= 2). */
  dropout: defaulted(finite(0, 0.999), 0, {
    when: (o) => typeof o.numLayers === "number" && o.numLayers > 1, needs: "with numLayers 1 (it drops outputs between stacked layers)", off: 0,
  }),
  /** Size C of a per-sequence context vector fed to every step of the first layer (weight_ch_l0 [gates·H, C]). */
  contextSize: defaulted(int(0), 0),
  /**
   * The input is token ids [T, B] in [0, inputSize), read as one-hot vectors (default false): the
   * first layer's input product is a gather of weight_ih's columns and its gradient a scatter-add,
   * instead of a matrix product over inputSize zeros and a one. `backward` still gives dInput
   * [T, B, inputSize], the gradient with respect to the one-hot vectors (a Model never asks for it).
   */
  tokenInput: defaulted(boolean, false),
  /** Seed of the initialisation and of the dropout masks (default: 0, 1, 2, ... in construction order). */
  seed: defaulted(seed, defaultSeed),
});

/** Options every recurrent layer takes. */
export type RecurrentOptions = OptionsOf<typeof RECURRENT_OPTIONS>;

/**
 * Recurrent options without those that have no effect (pooling with returnSequences true,
 * mergeMode without bidirectional, dropout with numLayers 1), which the constructor refuses. For
 * options that describe a layer completely, where dropping them changes nothing: saved configs
 * (files written before this was an error hold them) and the importers' layer descriptions.
 */
export function withoutIneffectiveOptions<T extends object>(options: T): T {
  return RECURRENT_OPTIONS.withoutIneffective(options);
}
