// The recurrent layers' shared parts, in bindings/layers/recurrent/: the options (options.ts), the
// cells per layer and direction (cells.ts), merging and reversing directions (directions.ts),
// pooling (pooling.ts), the context input (context.ts), the pointer-level stack (stack.ts) and the
// tensor-level API (tensor-api.ts). A cell (simple-rnn.ts, jordan.ts, lstm.ts, gru.ts, mgu.ts) extends
// RecurrentLayer with its parameters, states and kernel calls.
export { RecurrentLayer, type RecurrentState, type RecurrentForwardOptions, type RecurrentForwardResult, type RecurrentBackwardResult } from "./recurrent/tensor-api.js";
export {
  RECURRENT_OPTIONS, GATED_ACTIVATION_OPTIONS, withoutIneffectiveOptions, CELL_ACTIVATIONS, GATE_ACTIVATIONS,
  type RecurrentOptions, type MergeMode, type Pooling, type CellActivation, type GateActivation,
} from "./recurrent/options.js";
export { torchRecurrentParams, type Cell, type CarriedState } from "./recurrent/cells.js";
