// Feature detection for the wasm core: which release binary this runtime can run.

/**
 * The smallest module that uses relaxed SIMD: one function `() -> v128` whose body is
 * `f32x4.relaxed_madd(i32x4.splat(0), i32x4.splat(0), i32x4.splat(0))`. A runtime without relaxed
 * SIMD (Node 20 without `--experimental-wasm-relaxed-simd`, Safari) rejects it at validation,
 * exactly as it would reject the relaxed core.
 */
export const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: 1 type, func () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: 1 function of type 0
  0x0a, 0x13, 0x01, 0x11, 0x00, // code section: 1 body of 17 bytes, no locals
  0x41, 0x00, 0xfd, 0x11, // i32.const 0; i32x4.splat
  0x41, 0x00, 0xfd, 0x11, // i32.const 0; i32x4.splat
  0x41, 0x00, 0xfd, 0x11, // i32.const 0; i32x4.splat
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd (0xfd 0x105)
  0x0b, // end
]);

/**
 * True when this runtime validates relaxed-SIMD instructions (`f32x4.relaxed_madd`), so that the
 * relaxed release binary can be used. Checked anew on each call (it is a few microseconds), since
 * Node can turn the feature on at run time with `v8.setFlagsFromString`.
 */
export function relaxedSimdSupported(): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(RELAXED_SIMD_PROBE);
  } catch {
    return false;
  }
}
