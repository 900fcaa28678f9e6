// Every layer kind the case tables name, built from a row's option set.
import { SimpleRNN, type SimpleRNNOptions } from "../../bindings/layers/simple-rnn.js";
import { Jordan, type JordanOptions } from "../../bindings/layers/jordan.js";
import { LSTM, type LSTMOptions } from "../../bindings/layers/lstm.js";
import { GRU, type GRUOptions } from "../../bindings/layers/gru.js";
import { MGU, type MGUOptions } from "../../bindings/layers/mgu.js";
import type { RecurrentLayer } from "../../bindings/layers/recurrent.js";

/** The options of each recurrent layer kind. */
export interface RecurrentKindOptions {
  SimpleRNN: SimpleRNNOptions;
  Jordan: JordanOptions;
  LSTM: LSTMOptions;
  GRU: GRUOptions;
  MGU: MGUOptions;
}

/** A recurrent layer kind. */
export type RecurrentKind = keyof RecurrentKindOptions;

/** A layer kind with one of its option sets. */
export type RecurrentRow = { [K in RecurrentKind]: { kind: K; options: RecurrentKindOptions[K] } }[RecurrentKind];

const BUILDERS: { [K in RecurrentKind]: (options: RecurrentKindOptions[K]) => RecurrentLayer } = {
  SimpleRNN: (o) => new SimpleRNN(o),
  Jordan: (o) => new Jordan(o),
  LSTM: (o) => new LSTM(o),
  GRU: (o) => new GRU(o),
  MGU: (o) => new MGU(o),
};

/** The layer a row describes. */
export function buildRecurrent(row: RecurrentRow): RecurrentLayer {
  return (BUILDERS[row.kind] as (options: RecurrentKindOptions[RecurrentKind]) => RecurrentLayer)(row.options);
}
