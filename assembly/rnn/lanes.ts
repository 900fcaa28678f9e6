// Loads and stores of n <= 4 f32 lanes, so the fused cell passes write their formula once: the
// main loop runs it with n = 4 (plain v128 loads, the branches fold away after inlining) and the
// last H % 4 units of a row run the same code with n < 4.

// @ts-ignore: decorator
@inline export function loadLanes(ptr: usize, n: i32): v128 {
  if (n == 4) return v128.load(ptr);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(ptr));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(ptr, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(ptr, 8));
  return v;
}

// @ts-ignore: decorator
@inline export function storeLanes(ptr: usize, v: v128, n: i32): void {
  if (n == 4) {
    v128.store(ptr, v);
    return;
  }
  store<f32>(ptr, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(ptr, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(ptr, f32x4.extract_lane(v, 2), 8);
}

/** a[i] += v[i] for the n lanes at a (per-unit gradient sums such as peephole weights). */
// @ts-ignore: decorator
@inline export function addLanes(a: usize, v: v128, n: i32): void {
  storeLanes(a, f32x4.add(loadLanes(a, n), v), n);
}
