// The TypeScript declarations of the core (bindings/kernels/*.ts, combined as CoreExports in
// bindings/core.ts) and init()'s list of exports (bindings/core-abi.ts) against every build's
// binary: each declared function is exported with the same number of parameters, each declared
// memory and global with its kind, and nothing is exported that is not declared.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CORE_FUNCTION_NAMES } from "../bindings/core-abi.js";
import { CORE_CONSTANTS } from "../bindings/kernels/constants.js";
import { binaryExports, type BinaryExport } from "./helpers/wasm-exports.js";
import { declaredExports } from "./helpers/declared-exports.js";

const BUILDS = ["release", "release-relaxed", "release-threads", "release-threads-relaxed", "debug"] as const;

/**
 * Exports of the AssemblyScript runtime that no kernel interface declares (such as __new, __pin):
 * none, the core being built with runtime "minimal" and exportRuntime false (asconfig.json).
 */
const AS_RUNTIME_EXPORTS: readonly string[] = [];

function describeExport(e: { kind: string; params?: number }): string {
  return e.params === undefined ? e.kind : `${e.kind} of ${e.params} parameters`;
}

describe("the core's declarations match its binaries", function () {
  this.timeout(60000);
  const declared = declaredExports();
  const declaredOfKind = (kind: string): string[] => [...declared].filter(([, d]) => d.kind === kind).map(([n]) => n).sort();

  it("CoreExports declares functions, one memory and the constants", () => {
    assert.ok(declaredOfKind("function").length > 50, `${declaredOfKind("function").length} functions`);
    assert.deepEqual(declaredOfKind("memory"), ["memory"]);
  });

  it("init()'s list (bindings/core-abi.ts) names every declared function and constant, and only those", () => {
    assert.deepEqual([...CORE_FUNCTION_NAMES, "coreAbiVersion"].sort(), declaredOfKind("function"));
    assert.deepEqual(Object.keys(CORE_CONSTANTS).sort(), declaredOfKind("global"));
  });

  for (const build of BUILDS) {
    describe(`build/${build}.wasm`, () => {
      const bytes = readFileSync(fileURLToPath(new URL(`../../build/${build}.wasm`, import.meta.url)));
      const { exports: exported } = binaryExports(bytes);

      it("exports every declared function with the declared number of parameters, and every declared memory and global", () => {
        const wrong = [...declared].filter(([name, d]) => {
          const e = exported.get(name);
          return e === undefined || e.kind !== d.kind || e.params !== d.params;
        }).map(([name, d]) => `${name} (${d.file}): declared ${describeExport(d)}, exported ${exported.has(name) ? describeExport(exported.get(name)!) : "nothing"}`);
        assert.deepEqual(wrong, []);
      });

      it("exports nothing undeclared besides the runtime's exports", () => {
        assert.deepEqual([...exported.keys()].filter((name) => !declared.has(name)).sort(), [...AS_RUNTIME_EXPORTS].sort());
      });

      it("init()'s list names only exports of the binary", () => {
        const absent = [...CORE_FUNCTION_NAMES, "coreAbiVersion"].filter((n) => exported.get(n)?.kind !== "function")
          .concat(Object.keys(CORE_CONSTANTS).filter((n) => exported.get(n)?.kind !== "global"));
        assert.deepEqual(absent, []);
      });

      it("the binary reader agrees with the runtime (WebAssembly.Module.exports kinds, each function's length)", function () {
        if (!WebAssembly.validate(bytes)) {
          assert.ok(build.endsWith("-relaxed"), "only the relaxed builds may fail to validate here (Node 20 without --experimental-wasm-relaxed-simd)");
          this.skip();
        }
        const module = new WebAssembly.Module(bytes);
        // a threads build imports its memory, shared
        const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
        const instance = new WebAssembly.Instance(module, { env: { abort: () => undefined, memory } });
        const seen = new Map<string, BinaryExport>(WebAssembly.Module.exports(module).map(({ name, kind }) => {
          const value = instance.exports[name];
          return [name, kind === "function" ? { kind, params: (value as (...args: unknown[]) => unknown).length } : { kind }];
        }));
        assert.deepEqual(seen, exported);
      });
    });
  }
});
