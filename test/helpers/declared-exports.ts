// What the TypeScript declarations say the core exports: the members of CoreExports (bindings/core.ts,
// the intersection of the bindings/kernels/*.ts interfaces), read with the compiler API.
import ts from "typescript";
import { fileURLToPath } from "node:url";

/** One declared export: its kind, for a function its parameter count, and the file declaring it. */
export interface DeclaredExport {
  kind: "function" | "memory" | "global";
  params?: number;
  file: string;
}

/** Member types that declare a non-function export. */
const VALUE_KINDS: Record<string, DeclaredExport["kind"]> = { "WebAssembly.Memory": "memory", "WebAssembly.Global": "global" };

/** The source of bindings/core.ts, from dist/test/helpers/. */
const CORE_SOURCE = fileURLToPath(new URL("../../../bindings/core.ts", import.meta.url));

/** What one member of CoreExports declares, from its type (members of mapped types have no declaration of their own). */
function declared(checker: ts.TypeChecker, symbol: ts.Symbol): Omit<DeclaredExport, "file"> {
  const type = checker.getTypeOfSymbol(symbol);
  const calls = type.getCallSignatures();
  if (calls.length > 1) throw new TypeError(`CoreExports member ${symbol.name} is overloaded`);
  if (calls.length === 1) return { kind: "function", params: calls[0]!.parameters.length };
  const typeSymbol = type.getSymbol();
  const kind = typeSymbol === undefined ? undefined : VALUE_KINDS[checker.getFullyQualifiedName(typeSymbol)];
  if (kind === undefined) throw new TypeError(`CoreExports member ${symbol.name}: ${checker.typeToString(type)} is neither a function, a WebAssembly.Memory nor a WebAssembly.Global`);
  return { kind };
}

/** The file declaring a member: its own declaration's, or for a mapped type's member, the mapped type's. */
function fileOf(symbol: ts.Symbol): string {
  const declaration = symbol.declarations?.[0] ?? (symbol as { links?: { mappedType?: ts.Type } }).links?.mappedType?.aliasSymbol?.declarations?.[0];
  return declaration === undefined ? "(no declaration)" : declaration.getSourceFile().fileName.replace(/^.*\/bindings\//, "bindings/");
}

/** Every member of CoreExports by name. */
export function declaredExports(): Map<string, DeclaredExport> {
  const program = ts.createProgram([CORE_SOURCE], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true });
  const checker = program.getTypeChecker();
  const alias = program.getSourceFile(CORE_SOURCE)!.statements
    .find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === "CoreExports");
  if (alias === undefined) throw new TypeError(`${CORE_SOURCE} declares no type CoreExports`);
  const result = new Map<string, DeclaredExport>();
  for (const symbol of checker.getPropertiesOfType(checker.getTypeAtLocation(alias.name))) {
    result.set(symbol.name, { ...declared(checker, symbol), file: fileOf(symbol) });
  }
  return result;
}
