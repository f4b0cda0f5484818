/**
 * Turns a contract's TypeScript source into what the sandbox runs (CommonJS JavaScript) and
 * its ABI. The TypeScript compiler takes ~0.4 s to load, so results are cached on disk by a hash
 * of the source: a warm start never loads it.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ContractLoadError } from "../../core/errors.js";
import { cacheDir } from "../../core/cacheDir.js";
import type { ContractAbi, MethodAbi, ParamAbi, ParamType } from "./abi.js";
import { lintOrThrow } from "../../analyzer/lint.js";
import { gasTransformer } from "../../analyzer/instrument.js";

/** Bump when the output of `compileContract` changes for the same source. */
const COMPILER_VERSION = "4";

export interface CompiledContract {
  readonly file: string;
  readonly sourceHash: string;
  readonly js: string;
  readonly abi: ContractAbi;
}

type Ts = typeof import("ts-morph").ts;
let tsModule: Ts | undefined;

async function loadTs(): Promise<Ts> {
  tsModule ??= (await import("ts-morph")).ts;
  return tsModule;
}

export function sourceHash(source: string): string {
  return createHash("sha256").update(COMPILER_VERSION).update("\0").update(source).digest("hex");
}

function compiledDir(): string | undefined {
  return cacheDir("contracts");
}

const PARAM_TYPES: Record<string, ParamType> = {
  bigint: "u256",
  u256: "u256",
  Address: "address",
  boolean: "bool",
  string: "string",
};

function paramType(ts: Ts, node: import("ts-morph").ts.TypeNode | undefined): ParamType | undefined {
  if (node === undefined) return undefined;
  if (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword) return paramType(ts, node.type);
  if (ts.isArrayTypeNode(node)) {
    const element = paramType(ts, node.elementType);
    return element === "u256" || element === "address" || element === "string" ? (`${element}[]` as ParamType) : undefined;
  }
  return PARAM_TYPES[node.getText()];
}

function position(ts: Ts, file: string, sf: import("ts-morph").ts.SourceFile, node: import("ts-morph").ts.Node): string {
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${file}:${line + 1}:${character + 1}`;
}

function readAbi(ts: Ts, sf: import("ts-morph").ts.SourceFile, file: string): ContractAbi {
  const classes = sf.statements.filter(ts.isClassDeclaration).filter((c) => c.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword));
  const main = classes.find((c) => c.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) ?? (classes.length === 1 ? classes[0] : undefined);
  if (main === undefined) throw new ContractLoadError(`${file}: a contract module must export its contract class (export default class … extends Contract)`);
  const methods: Record<string, MethodAbi> = {};
  for (const member of main.members) {
    if (!ts.isMethodDeclaration(member) || !ts.isIdentifier(member.name)) continue;
    const name = member.name.text;
    const hidden = member.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword || m.kind === ts.SyntaxKind.StaticKeyword);
    if (name.startsWith("_") || hidden) continue;
    const params: ParamAbi[] = member.parameters.map((p) => {
      const type = paramType(ts, p.type);
      const paramName = p.name.getText(sf);
      if (type === undefined) {
        throw new ContractLoadError(
          `${position(ts, file, sf, p)}: parameter '${paramName}' of ${name}: public functions take bigint, Address, boolean, string or arrays of bigint, Address or string (got ${p.type?.getText(sf) ?? "no type"})`,
        );
      }
      return { name: paramName, type };
    });
    methods[name] = { name, params };
  }
  return { className: main.name?.text ?? "default", methods };
}

/**
 * Compile one contract module (no cache): lint it (determinism and sandbox rules, see
 * analyzer/lint.ts), read its ABI, transpile it to CommonJS with gas metering injected (see
 * analyzer/instrument.ts). The compiled code expects the metering helpers as parameters of its
 * module wrapper (sandbox.ts provides them).
 */
export async function compileContract(source: string, file: string): Promise<CompiledContract> {
  const ts = await loadTs();
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const syntax = (sf as unknown as { parseDiagnostics?: import("ts-morph").ts.DiagnosticWithLocation[] }).parseDiagnostics?.[0];
  if (syntax !== undefined) {
    const where = sf.getLineAndCharacterOfPosition(syntax.start);
    throw new ContractLoadError(`${file}:${where.line + 1}:${where.character + 1}: ${ts.flattenDiagnosticMessageText(syntax.messageText, "\n")}`);
  }
  lintOrThrow(ts, sf, file);
  const abi = readAbi(ts, sf, file);
  const out = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    transformers: { before: [gasTransformer(ts)] },
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, useDefineForClassFields: true, sourceMap: false },
  });
  const syntaxError = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (syntaxError !== undefined) {
    const where = syntaxError.file && syntaxError.start !== undefined ? syntaxError.file.getLineAndCharacterOfPosition(syntaxError.start) : undefined;
    throw new ContractLoadError(`${file}${where ? `:${where.line + 1}:${where.character + 1}` : ""}: ${ts.flattenDiagnosticMessageText(syntaxError.messageText, "\n")}`);
  }
  return { file, sourceHash: sourceHash(source), js: out.outputText, abi };
}

/** Read and compile a contract module, through the on-disk cache. */
export async function loadCompiledContract(file: string): Promise<CompiledContract> {
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch (error) {
    throw new ContractLoadError(`cannot read contract module ${file}: ${(error as Error).message}`);
  }
  const hash = sourceHash(source);
  const dir = compiledDir();
  const cached = dir === undefined ? undefined : join(dir, `${hash}.json`);
  if (cached !== undefined) {
    try {
      const hit = JSON.parse(readFileSync(cached, "utf8")) as Omit<CompiledContract, "file">;
      return { ...hit, file };
    } catch {
      // not cached yet (or unreadable): compile below
    }
  }
  const compiled = await compileContract(source, file);
  if (cached !== undefined && dir !== undefined) {
    try {
      mkdirSync(dir, { recursive: true });
      // Write then rename, so a concurrent reader never sees half a file.
      const tmp = `${cached}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ sourceHash: compiled.sourceHash, js: compiled.js, abi: compiled.abi }));
      renameSync(tmp, cached);
    } catch {
      // a read-only install still works, only colder
    }
  }
  return compiled;
}
