// The version of the core's ABI: what the bindings' init() checks before it accepts a module as the core.

/**
 * The ABI version of this core: the exports' names, signatures and memory conventions the bindings
 * of the same version call (bindings/core-abi.ts, CORE_ABI_VERSION). Bump both together when an
 * export changes its signature or meaning, or is removed; a new export needs no bump (the bindings
 * check for the names they call).
 */
export function coreAbiVersion(): i32 {
  return 3;
}
