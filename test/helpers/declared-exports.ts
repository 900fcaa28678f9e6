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

function declared(member: ts.Declaration): Omit<DeclaredExport, "file"> {
  if (ts.isMethodSignature(member)) return { kind: "function", params: member.parameters.length };
  if (ts.isPropertySignature(member) && member.type !== undefined) {
    if (ts.isFunctionTypeNode(member.type)) return { kind: "function", params: member.type.parameters.length };
    const kind = VALUE_KINDS[member.type.getText()];
    if (kind !== undefined) return { kind };
  }
  throw new TypeError(`CoreExports member ${member.getText()} is neither a function, a WebAssembly.Memory nor a WebAssembly.Global`);
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
    const members = symbol.declarations ?? [];
    if (members.length === 0) {
      // a member of a mapped type (e.g. the cell kernels' RnnExports): read its call signature
      const signatures = checker.getTypeOfSymbolAtLocation(symbol, alias).getCallSignatures();
      if (signatures.length !== 1) throw new TypeError(`CoreExports member ${symbol.name} of a mapped type is not one function`);
      result.set(symbol.name, { kind: "function", params: signatures[0]!.parameters.length, file: "a mapped type" });
      continue;
    }
    if (members.length !== 1) throw new TypeError(`CoreExports member ${symbol.name} is declared ${members.length} times`);
    const member = members[0]!;
    result.set(symbol.name, { ...declared(member), file: member.getSourceFile().fileName.replace(/^.*\/bindings\//, "bindings/") });
  }
  return result;
}
