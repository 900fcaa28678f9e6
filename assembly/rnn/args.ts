// The fields every cell kernel's argument struct starts with (bindings/layers/cells/table.ts
// CELL_FIELDS): 4 bytes each, at fixed offsets, read through @unmanaged classes that extend this one.

/** Steps T, batch B, inputs D, units H; the sequence x [T, B, D] (or token ids i32 [T, B] when tokens != 0) and lengths i32 [B] (or 0). */
@unmanaged export class CellArgs {
  T: i32; B: i32; D: i32; H: i32; tokens: i32;
  x: usize; lengths: usize;
}
