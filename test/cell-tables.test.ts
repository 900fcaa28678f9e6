// The cell tables (bindings/layers/cells/*-table.ts) and the core's argument structs
// (the @unmanaged classes of assembly/rnn/) name the same fields in the same order, every cell
// kernel of the registry has exactly one table, and the core exports it as a one-argument function.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { wasmPath } from "./helpers/wasm-path.js";
import { CELL_KERNELS } from "../bindings/kernels/rnn.js";
import type { CellKernel } from "../bindings/layers/cells/table.js";

const root = new URL("../../", import.meta.url);
const rnnSources = readdirSync(new URL("assembly/rnn/", root)).map((f) => readFileSync(new URL(`assembly/rnn/${f}`, root), "utf8"));

interface StructClass {
  parent: string | null;
  fields: { name: string; type: string }[];
}

/** The @unmanaged classes of the AS sources: their base class and their own fields in order. */
function structClasses(): Map<string, StructClass> {
  const classes = new Map<string, StructClass>();
  for (const source of rnnSources) {
    for (const m of source.matchAll(/@unmanaged (?:export )?class (\w+)(?: extends (\w+))? \{\n([\s\S]*?)\n\}/g)) {
      const fields = m[3]!.split("\n")
        .map((line) => line.trim())
        .filter((line) => !line.startsWith("/") && !line.startsWith("*") && !line.startsWith("@") && !line.includes("("))
        .flatMap((line) => [...line.matchAll(/(\w+): (\w+);/g)].map(([, name, type]) => ({ name: name!, type: type! })));
      classes.set(m[1]!, { parent: m[2] ?? null, fields });
    }
  }
  return classes;
}

/** A class's fields with those of its bases first: the struct's memory order. */
function layout(classes: Map<string, StructClass>, name: string): { name: string; type: string }[] {
  const c = classes.get(name);
  if (c === undefined) throw new Error(`no @unmanaged class ${name} in assembly/rnn/`);
  return [...(c.parent === null ? [] : layout(classes, c.parent)), ...c.fields];
}

/** The chain of classes from `name` up to its root. */
function ancestry(classes: Map<string, StructClass>, name: string): string[] {
  const parent = classes.get(name)?.parent ?? null;
  return [name, ...(parent === null ? [] : ancestry(classes, parent))];
}

/** The class an export reads its struct as (`changetype<Class>(args)` in `export function name(args: usize)`). */
function exportStruct(name: string): string {
  for (const source of rnnSources) {
    const m = new RegExp(`export function ${name}\\(args: usize\\): void \\{\\n\\s*const a = changetype<(\\w+)>\\(args\\);`).exec(source);
    if (m !== null) return m[1]!;
  }
  throw new Error(`no export function ${name}(args: usize) reading changetype<...>(args) in assembly/rnn/`);
}

async function cellTables(): Promise<CellKernel<unknown>[]> {
  // the tables of the sources (a stale compiled file of a removed table does not count)
  const names = readdirSync(new URL("bindings/layers/cells/", root)).filter((f) => f.endsWith("-table.ts")).map((f) => f.replace(/\.ts$/, ".js"));
  const modules = await Promise.all(names.map((f) => import(new URL(`../bindings/layers/cells/${f}`, import.meta.url).href) as Promise<Record<string, unknown>>));
  return modules.flatMap((m) => Object.values(m)).filter((v): v is CellKernel<unknown> =>
    typeof v === "object" && v !== null && "kernel" in v && "struct" in v && "fields" in v);
}

describe("cell tables and the core's argument structs", () => {
  it("every cell kernel of the registry has exactly one table", async () => {
    const names = (await cellTables()).map((t) => t.kernel).sort();
    assert.deepEqual(names, [...CELL_KERNELS].sort());
  });

  it("each table names the fields of its AS struct, in order, each 4 bytes", async () => {
    const classes = structClasses();
    for (const table of await cellTables()) {
      const fields = layout(classes, table.struct);
      assert.deepEqual(Object.keys(table.fields), fields.map((f) => f.name), table.struct);
      for (const f of fields) assert.ok(["i32", "u32", "usize", "f32"].includes(f.type), `${table.struct}.${f.name}: ${f.type} is not 4 bytes`);
    }
  });

  it("each kernel export reads its table's struct and takes the one pointer", async () => {
    const classes = structClasses();
    const module = new WebAssembly.Module(readFileSync(wasmPath()));
    const exports = new WebAssembly.Instance(module, { env: { abort: () => undefined } }).exports;
    for (const table of await cellTables()) {
      assert.ok(ancestry(classes, exportStruct(table.kernel)).includes(table.struct), `${table.kernel} reads no ${table.struct}`);
      const fn = exports[table.kernel];
      assert.equal(typeof fn, "function", table.kernel);
      assert.equal((fn as (...args: number[]) => void).length, 1, `${table.kernel} takes one argument`);
    }
  });

  it("the parser sees the fields a struct declares several to a line and skips its methods", () => {
    const lstm = layout(structClasses(), "LstmForwardPass").map((f) => f.name);
    assert.deepEqual(lstm.slice(0, 9), ["T", "B", "D", "H", "tokens", "x", "lengths", "act", "ract"]);
    assert.ok(!lstm.includes("step"));
  });
});
