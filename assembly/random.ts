// A seeded PRNG for weight init, shuffling and dropout: xoshiro128** (Blackman & Vigna), whose
// 16-byte state (four u32) lives at a pointer the bindings own. Integer arithmetic and
// AssemblyScript's own Math (no host imports) make a seed give the same bits everywhere.

@inline const TWO_POW_M24: f32 = 5.9604644775390625e-8; // 2^-24
@inline const TWO_POW_M53: f64 = 1.1102230246251565e-16; // 2^-53
@inline const TWO_PI: f64 = 6.283185307179586;

/**
 * Seeds the state from a u32 through splitmix32 (a Weyl sequence through the murmur3
 * finalizer), so nearby seeds give unrelated streams. The finalizer is a bijection, so at most
 * one of the four words is zero and the state is never all zeros.
 */
export function rngSeed(state: usize, seed: u32): void {
  let s = seed;
  for (let k: usize = 0; k < 4; k++) {
    s += 0x9e3779b9;
    let z = s;
    z = (z ^ (z >>> 16)) * 0x85ebca6b;
    z = (z ^ (z >>> 13)) * 0xc2b2ae35;
    store<u32>(state + (k << 2), z ^ (z >>> 16));
  }
}

/** The next 32 random bits (xoshiro128**). */
export function rngNextU32(state: usize): u32 {
  let s0 = load<u32>(state);
  let s1 = load<u32>(state, 4);
  let s2 = load<u32>(state, 8);
  let s3 = load<u32>(state, 12);
  const result = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl<u32>(s3, 11);
  store<u32>(state, s0);
  store<u32>(state, s1, 4);
  store<u32>(state, s2, 8);
  store<u32>(state, s3, 12);
  return result;
}

/** A uniform f64 in [0, 1) with 53 random bits (from two draws). */
export function rngNextFloat(state: usize): f64 {
  const hi = <u64>(rngNextU32(state) >>> 5);
  const lo = <u64>(rngNextU32(state) >>> 6);
  return <f64>((hi << 26) | lo) * TWO_POW_M53;
}

/** A uniform f32 in [0, 1) with 24 random bits (one draw). */
@inline function nextUnitF32(state: usize): f32 {
  return <f32>(rngNextU32(state) >>> 8) * TWO_POW_M24;
}

/**
 * A uniform integer in [0, bound) for bound >= 1, without bias: Lemire's multiply-shift,
 * redrawing the few 32-bit values that would make some results more likely.
 */
export function rngNextBelow(state: usize, bound: u32): u32 {
  let m = <u64>rngNextU32(state) * <u64>bound;
  if (<u32>m < bound) {
    const threshold: u32 = (~bound + 1) % bound; // 2^32 mod bound
    while (<u32>m < threshold) m = <u64>rngNextU32(state) * <u64>bound;
  }
  return <u32>(m >>> 32);
}

/** x[i] = lo + (hi - lo) u with u uniform in [0, 1) (24 bits), for i < n. */
export function rngFillUniform(state: usize, x: usize, n: i32, lo: f32, hi: f32): void {
  const width = hi - lo;
  const end = x + (<usize>n << 2);
  for (let p = x; p < end; p += 4) store<f32>(p, lo + width * nextUnitF32(state));
}

/**
 * x[i] = mean + std z with z standard normal, by Box–Muller in f64: each pair of 53-bit
 * uniforms gives two values (r cos θ, r sin θ); an odd n drops the last sine.
 */
export function rngFillNormal(state: usize, x: usize, n: i32, mean: f32, std: f32): void {
  const mu = <f64>mean;
  const sigma = <f64>std;
  const end = x + (<usize>n << 2);
  for (let p = x; p < end; p += 8) {
    const r = Math.sqrt(-2.0 * Math.log(1.0 - rngNextFloat(state)));
    const theta = TWO_PI * rngNextFloat(state);
    store<f32>(p, <f32>(mu + sigma * r * Math.cos(theta)));
    if (p + 4 < end) store<f32>(p, <f32>(mu + sigma * r * Math.sin(theta)), 4);
  }
}

/** Shuffles the i32 block x[0..n) in place: Fisher–Yates with unbiased bounded draws. */
export function rngShuffleI32(state: usize, x: usize, n: i32): void {
  for (let i = n - 1; i > 0; i--) {
    const a = x + (<usize>i << 2);
    const b = x + (<usize>rngNextBelow(state, <u32>(i + 1)) << 2);
    const t = load<i32>(a);
    store<i32>(a, load<i32>(b));
    store<i32>(b, t);
  }
}

/**
 * A dropout mask: x[i] = 1 / keepProb with probability keepProb, else 0 (keepProb in (0, 1]),
 * from one 24-bit uniform per element.
 */
export function rngFillBernoulliScaled(state: usize, x: usize, n: i32, keepProb: f32): void {
  const scale: f32 = 1.0 / keepProb;
  const end = x + (<usize>n << 2);
  for (let p = x; p < end; p += 4) store<f32>(p, nextUnitF32(state) < keepProb ? scale : 0);
}
