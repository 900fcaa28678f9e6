// The core's exported constants (assembly/constants.ts; OUT_SOFTMAX in assembly/rnn/jordan.ts),
// and the tables of codes that the bindings fill from them at init() instead of copying numbers.

/** The constants of the wasm core: immutable i32 globals. */
export interface ConstantsExports {
  ACT_LINEAR: WebAssembly.Global;
  ACT_TANH: WebAssembly.Global;
  ACT_SIGMOID: WebAssembly.Global;
  ACT_RELU: WebAssembly.Global;
  ACT_HARD_SIGMOID: WebAssembly.Global;
  /** The output code of a row-wise softmax (Jordan's output activation), beside the ACT_* codes. */
  OUT_SOFTMAX: WebAssembly.Global;
  MERGE_CONCAT: WebAssembly.Global;
  MERGE_SUM: WebAssembly.Global;
  MERGE_MUL: WebAssembly.Global;
  MERGE_AVE: WebAssembly.Global;
  /** f32 lanes per v128 (the elementwise kernels' step before their scalar tail). */
  F32_LANES: WebAssembly.Global;
  /** gemm: columns per packed panel of B. */
  GEMM_NR: WebAssembly.Global;
  /** gemm: K slice per pass over a panel. */
  GEMM_KC: WebAssembly.Global;
  /** gemm: rows of A per packed block. */
  GEMM_MC: WebAssembly.Global;
  /** gemm: columns per column block of gemmPacked when K has several slices. */
  GEMM_NC: WebAssembly.Global;
  /** gemm: bytes of a packed B above which gemmPacked loads the next panel slice ahead. */
  GEMM_TOUCH_BYTES: WebAssembly.Global;
  /** gemm: rows of the main micro-tile. */
  GEMM_MR: WebAssembly.Global;
  /** gemm: columns of the main micro-tile. */
  GEMM_TILE_N: WebAssembly.Global;
  /** gemm: columns of a lone row's micro-tile. */
  GEMV_WIDE_N: WebAssembly.Global;
}

/** The name of one constant of the core. */
export type ConstantName = keyof ConstantsExports;

/** Every constant the bindings read (the keys of ConstantsExports, kept in step by the compiler). */
export const CORE_CONSTANTS: Record<ConstantName, true> = {
  ACT_LINEAR: true, ACT_TANH: true, ACT_SIGMOID: true, ACT_RELU: true, ACT_HARD_SIGMOID: true, OUT_SOFTMAX: true,
  MERGE_CONCAT: true, MERGE_SUM: true, MERGE_MUL: true, MERGE_AVE: true, F32_LANES: true,
  GEMM_NR: true, GEMM_KC: true, GEMM_MC: true, GEMM_NC: true, GEMM_TOUCH_BYTES: true, GEMM_MR: true, GEMM_TILE_N: true, GEMV_WIDE_N: true,
};

const tables: { table: Record<string, number>; names: Record<string, ConstantName> }[] = [];
let loaded: Readonly<Record<ConstantName, number>> | null = null;

function fill(table: Record<string, number>, names: Record<string, ConstantName>, values: Readonly<Record<ConstantName, number>>): void {
  for (const [key, constant] of Object.entries(names)) table[key] = values[constant];
}

/**
 * A table of numbers by name whose values are the core's constants `names` name: NaN until
 * `init()` has read them, refilled by every `init()` with a new core.
 */
export function coreConstantTable<K extends string>(names: Record<K, ConstantName>): Readonly<Record<K, number>> {
  const table = Object.fromEntries(Object.keys(names).map((key) => [key, NaN])) as Record<K, number>;
  tables.push({ table, names });
  if (loaded !== null) fill(table, names, loaded);
  return table;
}

/** Reads every constant from a core's raw exports (checked by checkCoreExports) and fills every table. */
export function loadCoreConstants(exports: WebAssembly.Exports): void {
  const values = {} as Record<ConstantName, number>;
  for (const name of Object.keys(CORE_CONSTANTS) as ConstantName[]) values[name] = (exports[name] as WebAssembly.Global).value as number;
  loaded = values;
  for (const { table, names } of tables) fill(table, names, values);
}
