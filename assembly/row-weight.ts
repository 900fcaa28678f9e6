// The weight of one row of a loss or a metric under a per-row mask (shared by losses.ts and metrics.ts).

/** Weight of row i: mask[i], or 1 without a mask (mask 0). */
// @ts-ignore: decorator
@inline export function rowWeight(mask: usize, i: i32): f32 {
  return mask == 0 ? 1 : load<f32>(mask + (<usize>i << 2));
}
