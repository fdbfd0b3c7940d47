// Reads the shape of the API types straight from their TypeScript source
// with the compiler API, so the CRD agreement test compares the schemas
// with the types as written, not with a hand-kept copy of them.

import { join } from 'node:path';
import ts from 'typescript';

export type Shape =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: string[] }
  | { kind: 'int-or-string' }
  | { kind: 'array'; items: Shape }
  | { kind: 'map'; values: Shape }
  | { kind: 'object'; props: Map<string, { optional: boolean; shape: Shape }> };

export class TypeShapes {
  private readonly checker: ts.TypeChecker;
  private readonly program: ts.Program;

  constructor(
    root: string,
    readonly files: string[],
  ) {
    this.program = ts.createProgram(
      files.map((f) => join(root, f)),
      {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        types: [],
      },
    );
    this.checker = this.program.getTypeChecker();
    const diagnostics = ts.getPreEmitDiagnostics(this.program);
    if (diagnostics.length > 0)
      throw new Error(
        ts.formatDiagnostics(diagnostics, {
          getCanonicalFileName: (f) => f,
          getCurrentDirectory: () => root,
          getNewLine: () => '\n',
        }),
      );
  }

  /** The shape of an exported interface or type alias of one of the files. */
  exported(file: string, name: string): Shape {
    const sf = this.program.getSourceFiles().find((s) => s.fileName.endsWith(file));
    if (!sf) throw new Error(`${file} is not part of the program`);
    const moduleSymbol = this.checker.getSymbolAtLocation(sf);
    const sym = moduleSymbol && this.checker.getExportsOfModule(moduleSymbol).find((s) => s.name === name);
    if (!sym) throw new Error(`${file} exports no ${name}`);
    return this.shapeOf(this.checker.getDeclaredTypeOfSymbol(sym), name);
  }

  private shapeOf(type: ts.Type, where: string): Shape {
    const f = ts.TypeFlags;
    if (type.isUnion()) {
      const parts = type.types.filter((t) => (t.flags & f.Undefined) === 0);
      if (parts.length === 1) return this.shapeOf(parts[0], where);
      if (parts.every((t) => t.isStringLiteral())) return { kind: 'enum', values: parts.map((t) => t.value).sort() };
      if (parts.every((t) => (t.flags & f.BooleanLiteral) !== 0)) return { kind: 'boolean' };
      const flags = parts.map((t) => t.flags);
      if (parts.length === 2 && flags.some((x) => (x & f.Number) !== 0) && flags.some((x) => (x & f.String) !== 0))
        return { kind: 'int-or-string' };
      throw new Error(`${where}: unsupported union ${this.checker.typeToString(type)}`);
    }
    if (type.flags & f.String) return { kind: 'string' };
    if (type.flags & f.Number) return { kind: 'number' };
    if (type.flags & (f.Boolean | f.BooleanLiteral)) return { kind: 'boolean' };
    if (type.isStringLiteral()) return { kind: 'enum', values: [type.value] };
    if (this.checker.isArrayType(type)) {
      const [item] = this.checker.getTypeArguments(type as ts.TypeReference);
      return { kind: 'array', items: this.shapeOf(item, `${where}[]`) };
    }
    if (type.flags & f.Object) {
      const props = this.checker.getPropertiesOfType(type);
      const index = this.checker.getIndexInfoOfType(type, ts.IndexKind.String);
      if (index && props.length === 0) return { kind: 'map', values: this.shapeOf(index.type, `${where}.*`) };
      if (index) throw new Error(`${where}: an index signature next to named properties cannot be a structural schema`);
      const out = new Map<string, { optional: boolean; shape: Shape }>();
      for (const p of props) {
        const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
        out.set(p.name, { optional, shape: this.shapeOf(this.checker.getTypeOfSymbol(p), `${where}.${p.name}`) });
      }
      return { kind: 'object', props: out };
    }
    throw new Error(`${where}: unsupported type ${this.checker.typeToString(type)}`);
  }
}
