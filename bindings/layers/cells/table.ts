// A recurrent cell kernel's argument struct, described once. Every cell kernel of the core takes
// ONE pointer to a struct of 4-byte fields (sizes, codes, pointers); its table names every field,
// in memory order, with where its value comes from, and so also sizes the cell's workspace.
// The AS side (assembly/rnn/<cell>.ts) declares the same fields in the same order as an
// @unmanaged class (`struct` below); test/cell-tables.test.ts checks that they agree.
//
// Calling a kernel for one time step of whole-sequence buffers (e.g. a decoder that runs step by
// step): give T: 1 and the step's pointers as overrides, e.g. for step t of an LSTM forward
// { T: 1, x: x + t·B·D·4, gates: gates + t·B·4H·4, hs: hs + t·B·H·4, cs: ..., acs: ... }
// (see bindings/kernels/rnn.ts).
import { blockPtr, type BlockRef, type Workspace } from "../../buffer.js";
import { core, i32View } from "../../core.js";
import type { CellKernelName } from "../../kernels/rnn.js";
import { ACTIVATION_CODES } from "../../kernels/activations.js";
import type { CellActivation, GateActivation } from "../recurrent.js";
import type { WeightPacks } from "../../weight-packs.js";

/** The sizes of one call, which workspace fields are sized from. */
export interface CallSizes {
  T: number;
  B: number;
  /** Input features (or the token vocabulary) of the cell. */
  D: number;
  /** Hidden units. */
  H: number;
}

/** Where one field's value comes from. */
export type FieldSource<L> =
  /** The call's steps T, batch B, the cell's input size D and units H, or 1 when its input is token ids. */
  | "T" | "B" | "D" | "H" | "tokens"
  /** Given by the caller on each call (inputs, initial states, output gradients, ...). */
  | "io"
  /** A size or a code from the layer's options (H, activation codes, ...). */
  | { readonly option: (layer: L) => number }
  /** The address of the cell's parameter (or its gradient) `base` (weight_ih, ...); 0 unless `when`. */
  | { readonly param: string; readonly when?: (layer: L) => boolean }
  | { readonly grad: string; readonly when?: (layer: L) => boolean }
  /**
   * The address of the cell's weight `packed` (a [rows, K] matrix) transposed and packed for the core's
   * matrix products (bindings/weight-packs.ts): its rows [first, first + count) (all by default);
   * with `input`, 0 when the call reads token ids (their projection gathers columns of the weight).
   */
  | { readonly packed: string; readonly rows?: (sizes: CallSizes, layer: L) => readonly [number, number]; readonly input?: true }
  /** A block of the cell's workspace of `floats` floats, named `block` (default: the field's name). */
  | { readonly floats: (sizes: CallSizes, layer: L) => number; readonly block?: string };

/** The fields every cell struct starts with (assembly/rnn/args.ts CellArgs). */
export const CELL_FIELDS = { T: "T", B: "B", D: "D", H: "H", tokens: "tokens", x: "io", lengths: "io" } as const;

/** The last field of every forward struct: W_ih^T packed for the input projection (0 with token input). */
export const PACKED_INPUT_WEIGHTS = { pih: { packed: "weight_ih", input: true } } as const;

/** A forward kernel's `pack` field: W_hh^T packed for the recurrent products (the backward's is a scratch block). */
export const PACKED_STATE_WEIGHTS = { pack: { packed: "weight_hh" } } as const;

/** The codes of a gated cell's activation φ and gate activation σ (the fields act, ract). */
export const GATE_CODES = {
  act: { option: (l: { activation: CellActivation }) => ACTIVATION_CODES[l.activation] },
  ract: { option: (l: { recurrentActivation: GateActivation }) => ACTIVATION_CODES[l.recurrentActivation] },
} as const;

/** A cell kernel: its core export, the AS class of its struct, and the struct's fields in order. */
export interface CellKernel<L, F extends Record<string, FieldSource<L>> = Record<string, FieldSource<L>>> {
  readonly kernel: CellKernelName;
  readonly struct: string;
  readonly fields: F;
  /** The field names in memory order. */
  readonly names: readonly string[];
}

/** The fields a caller gives per call. */
export type IoFields<F> = { [K in keyof F as F[K] extends "io" ? K : never]: number };

/** What a call gives: every io field, and optionally any other field's value (e.g. per-step pointers). */
export type CallFields<F> = IoFields<F> & { readonly [K in keyof F]?: number };

/** Defines a kernel of a cell used by layers of type L (curried so that L is named once). */
export function cellKernel<L>() {
  return <const F extends Record<string, FieldSource<L>>>(kernel: CellKernelName, struct: string, fields: F): CellKernel<L, F> => ({ kernel, struct, fields, names: Object.keys(fields) });
}

/** What a layer knows about one call of a cell. */
export interface CellCall<L> {
  readonly layer: L;
  readonly sizes: CallSizes;
  readonly tokens: boolean;
  readonly ws: Workspace;
  /** Address of the cell's parameter or gradient `base`. */
  param(base: string, grad: boolean): number;
  /** The packs of the arena holding the cell's parameters, and the name there of its weight `base` (for `packed` fields). */
  readonly packs: WeightPacks;
  packedName(base: string): string;
}

/** The workspace block of a `floats` field for this call. */
function fieldBlock<L>(kernel: CellKernel<L>, field: string, call: CellCall<L>): BlockRef {
  const source = kernel.fields[field];
  if (source === undefined || typeof source !== "object" || !("floats" in source)) {
    throw new TypeError(`${kernel.struct}: field "${field}" is not a workspace block`);
  }
  return { ws: call.ws, name: source.block ?? field, length: source.floats(call.sizes, call.layer) };
}

/** The workspace block of a `floats` field for this call (allocated or grown as needed). */
export function workspaceBlock<L>(kernel: CellKernel<L>, field: string, call: CellCall<L>): number {
  return blockPtr(fieldBlock(kernel, field, call));
}

type PackedSource<L> = Extract<FieldSource<L>, { packed: string }>;

/** What a `packed` field packs for this call: [weight name, first row, rows], or null when the call reads token ids instead. */
function packedRows<L>(source: PackedSource<L>, call: CellCall<L>): [string, number, number | undefined] | null {
  if (source.input === true && call.tokens) return null;
  const [first, count] = source.rows?.(call.sizes, call.layer) ?? [0, undefined];
  return [call.packedName(source.packed), first, count];
}

/** The block the kernel's struct is laid out in for this call. */
function argsBlock<L>(kernel: CellKernel<L>, call: CellCall<L>): BlockRef {
  return { ws: call.ws, name: `args.${kernel.kernel}`, length: kernel.names.length };
}

/** Every block a call of `kernel` takes: its `floats` fields' blocks and its struct's in the cell's workspace, its `packed` fields' among the packs. */
function kernelBlocks<L>(kernel: CellKernel<L>, call: CellCall<L>): BlockRef[] {
  const fields = kernel.names.filter((name) => {
    const source = kernel.fields[name];
    return typeof source === "object" && "floats" in source;
  });
  const packs = kernel.names.flatMap((name) => {
    const source = kernel.fields[name]!;
    const rows = typeof source === "object" && "packed" in source ? packedRows(source, call) : null;
    return rows === null ? [] : [call.packs.block(...rows)];
  });
  return [...fields.map((name) => fieldBlock(kernel, name, call)), argsBlock(kernel, call), ...packs];
}

/** The blocks a cell's forward kernel takes for this call and, when training, its backward kernel too. */
export function cellBlocks<L>(forward: CellKernel<L>, backward: CellKernel<L>, call: CellCall<L>, training: boolean): BlockRef[] {
  return training ? [...kernelBlocks(forward, call), ...kernelBlocks(backward, call)] : kernelBlocks(forward, call);
}

function fieldValue<L>(kernel: CellKernel<L>, name: string, call: CellCall<L>): number {
  const source = kernel.fields[name]!;
  if (source === "io") throw new TypeError(`${kernel.kernel}: the call gives no "${name}"`);
  if (source === "T" || source === "B" || source === "D" || source === "H") return call.sizes[source];
  if (source === "tokens") return call.tokens ? 1 : 0;
  if ("option" in source) return source.option(call.layer);
  if ("floats" in source) return workspaceBlock(kernel, name, call);
  if ("packed" in source) {
    const rows = packedRows(source, call);
    return rows === null ? 0 : call.packs.rows(...rows);
  }
  const base = "param" in source ? source.param : source.grad;
  if (source.when !== undefined && !source.when(call.layer)) return 0;
  return call.param(base, "grad" in source);
}

/**
 * Lays out `kernel`'s struct for one call in the cell's workspace and returns its address: the
 * values `given`, then every other field from its source (workspace blocks allocated first, so
 * the struct is written after memory last grew).
 */
export function layOutArgs<L, F extends Record<string, FieldSource<L>>>(kernel: CellKernel<L, F>, call: CellCall<L>, given: CallFields<F>): number {
  const names = kernel.names;
  const values = names.map((name) => (given as Record<string, number | undefined>)[name] ?? fieldValue(kernel, name, call));
  const ptr = blockPtr(argsBlock(kernel, call));
  i32View(ptr, names.length).set(values);
  return ptr;
}

/** Runs `kernel` on the struct laid out for this call. */
export function runKernel<L, F extends Record<string, FieldSource<L>>>(kernel: CellKernel<L, F>, call: CellCall<L>, given: CallFields<F>): void {
  core()[kernel.kernel](layOutArgs(kernel, call, given));
}
