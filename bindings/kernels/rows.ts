/** Rows exports of the wasm core. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface RowsExports {}
