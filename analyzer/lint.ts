/**
 * The determinism and sandbox lint every contract passes at load time (compile.ts runs it before
 * transpiling, so every load path lints). Contracts run identically on every node only if they
 * never look at the clock, randomness, timers, the event loop, the host process or code built
 * from strings, and only ever store u256 bigints, addresses and booleans.
 *
 * Each finding names `file:line:column`, the rule and what to do instead; the first finding in
 * source order is raised as a `ContractLoadError`.
 */
import type { ts as TsNs } from "ts-morph";
import { ContractLoadError } from "../core/errors.js";

type Ts = typeof TsNs;
type Node = TsNs.Node;

export type LintRule =
  | "no-date"
  | "no-math-random"
  | "no-timers"
  | "no-async"
  | "no-eval"
  | "no-process"
  | "no-globalthis"
  | "no-require"
  | "no-dynamic-import"
  | "no-for-in"
  | "no-float-storage"
  | "no-reserved-identifier";

export interface LintFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly rule: LintRule;
  readonly message: string;
}

/** Prefix of the identifiers the gas instrumentation injects; contracts may not use it. */
export const RESERVED_PREFIX = "__prescient";

const IDENTIFIER_RULES: Readonly<Record<string, readonly [LintRule, string]>> = {
  Date: ["no-date", "Date reads the wall clock; use this.ctx.block.timestamp"],
  setTimeout: ["no-timers", "timers are not deterministic (setTimeout)"],
  setInterval: ["no-timers", "timers are not deterministic (setInterval)"],
  setImmediate: ["no-timers", "timers are not deterministic (setImmediate)"],
  queueMicrotask: ["no-timers", "timers are not deterministic (queueMicrotask)"],
  eval: ["no-eval", "eval builds code from strings"],
  Function: ["no-eval", "Function builds code from strings"],
  process: ["no-process", "process is the host's; contracts cannot see it"],
  globalThis: ["no-globalthis", "globalThis is not available to contracts"],
  require: ["no-require", "contracts may only import \"prescient/contract\" (with an import declaration)"],
};

/** Whether an identifier is a name being declared or a property name, not a reference. */
function isNameOnly(ts: Ts, id: TsNs.Identifier): boolean {
  const parent = id.parent;
  if (parent === undefined) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return true;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isPropertySignature(parent) || ts.isMethodSignature(parent) || ts.isGetAccessor(parent) || ts.isSetAccessor(parent) || ts.isEnumMember(parent)) && parent.name === id) {
    return true;
  }
  if (ts.isQualifiedName(parent) && parent.right === id) return true;
  return false;
}

function inTypePosition(ts: Ts, node: Node): boolean {
  for (let n: Node | undefined = node.parent; n !== undefined; n = n.parent) {
    if (ts.isTypeNode(n) && !ts.isExpressionWithTypeArguments(n)) return true;
    if (ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) return true;
    if (ts.isStatement(n) || ts.isClassElement(n)) return false;
  }
  return false;
}

function unwrap(ts: Ts, e: TsNs.Expression): TsNs.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
    else return e;
  }
}

/** The variable declaration or parameter that `name` refers to, searching enclosing scopes by name. */
function findDeclaration(ts: Ts, from: Node, name: string): TsNs.VariableDeclaration | TsNs.ParameterDeclaration | undefined {
  let found: TsNs.VariableDeclaration | TsNs.ParameterDeclaration | undefined;
  for (let scope: Node | undefined = from.parent; scope !== undefined && found === undefined; scope = scope.parent) {
    if (!(ts.isFunctionLike(scope) || ts.isBlock(scope) || ts.isSourceFile(scope) || ts.isForStatement(scope) || ts.isForOfStatement(scope))) continue;
    const visit = (n: Node): void => {
      if (found !== undefined) return;
      if ((ts.isVariableDeclaration(n) || ts.isParameter(n)) && ts.isIdentifier(n.name) && n.name.text === name) {
        found = n;
        return;
      }
      // Do not descend into nested functions: their declarations are not in scope here.
      if (n !== scope && ts.isFunctionLike(n)) return;
      ts.forEachChild(n, visit);
    };
    if (ts.isFunctionLike(scope)) for (const p of scope.parameters) visit(p);
    ts.forEachChild(scope, visit);
  }
  return found;
}

const NUMBER_FUNCTIONS = new Set(["Number", "parseInt", "parseFloat"]);

/** Whether an expression is number-typed, judged syntactically (literals, Number(), Math, locals). */
function isNumberish(ts: Ts, expr: TsNs.Expression, depth = 0): boolean {
  if (depth > 8) return false;
  const e = unwrap(ts, expr);
  if (ts.isNumericLiteral(e)) return true;
  if (ts.isPrefixUnaryExpression(e)) return e.operator !== ts.SyntaxKind.ExclamationToken && isNumberish(ts, e.operand, depth + 1);
  if (ts.isCallExpression(e)) {
    const callee = unwrap(ts, e.expression);
    if (ts.isIdentifier(callee) && NUMBER_FUNCTIONS.has(callee.text)) return true;
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "Math") return true;
    return false;
  }
  if (ts.isPropertyAccessExpression(e)) {
    if (ts.isIdentifier(e.expression) && (e.expression.text === "Math" || e.expression.text === "Number")) return true;
    return e.name.text === "length";
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const arithmetic = [ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken, ts.SyntaxKind.PercentToken, ts.SyntaxKind.AsteriskAsteriskToken, ts.SyntaxKind.PlusToken];
    if (arithmetic.includes(op)) return isNumberish(ts, e.left, depth + 1) || isNumberish(ts, e.right, depth + 1);
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) return isNumberish(ts, e.left, depth + 1) || isNumberish(ts, e.right, depth + 1);
    return false;
  }
  if (ts.isConditionalExpression(e)) return isNumberish(ts, e.whenTrue, depth + 1) || isNumberish(ts, e.whenFalse, depth + 1);
  if (ts.isIdentifier(e)) {
    if (e.text === "NaN" || e.text === "Infinity") return true;
    const decl = findDeclaration(ts, e, e.text);
    if (decl === undefined) return false;
    if (decl.type !== undefined) return decl.type.kind === ts.SyntaxKind.NumberKeyword || (ts.isLiteralTypeNode(decl.type) && ts.isNumericLiteral(decl.type.literal));
    return decl.initializer !== undefined && isNumberish(ts, decl.initializer, depth + 1);
  }
  return false;
}

/** Names of the class fields initialised with `new StorageValue(…)` / `new StorageMap(…)`. */
function storageFields(ts: Ts, sf: TsNs.SourceFile): Set<string> {
  const fields = new Set<string>();
  const visit = (n: Node): void => {
    if (ts.isPropertyDeclaration(n) && n.initializer !== undefined && ts.isNewExpression(n.initializer) && ts.isIdentifier(n.initializer.expression)) {
      const cls = n.initializer.expression.text;
      if ((cls === "StorageValue" || cls === "StorageMap") && (ts.isIdentifier(n.name) || ts.isPrivateIdentifier(n.name))) fields.add(n.name.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return fields;
}

/** Every finding in a contract source, in source order. */
export function lintSource(ts: Ts, sf: TsNs.SourceFile, file: string): LintFinding[] {
  const findings: LintFinding[] = [];
  const fields = storageFields(ts, sf);
  const report = (node: Node, rule: LintRule, message: string): void => {
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    findings.push({ file, line: line + 1, column: character + 1, rule, message });
  };
  const visit = (node: Node): void => {
    if (ts.isIdentifier(node)) {
      if (node.text.startsWith(RESERVED_PREFIX)) report(node, "no-reserved-identifier", `identifiers starting with ${RESERVED_PREFIX} are reserved for gas metering`);
      else {
        const rule = IDENTIFIER_RULES[node.text];
        if (rule !== undefined && Object.hasOwn(IDENTIFIER_RULES, node.text) && !isNameOnly(ts, node) && !inTypePosition(ts, node)) report(node, rule[0], rule[1]);
      }
    } else if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      const object = unwrap(ts, node.expression);
      const name = ts.isPropertyAccessExpression(node) ? node.name.text : ts.isStringLiteralLike(node.argumentExpression) ? node.argumentExpression.text : undefined;
      if (ts.isIdentifier(object) && object.text === "Math" && name === "random") report(node, "no-math-random", "Math.random is not deterministic; derive randomness from the block (hashValues)");
    } else if (ts.isAwaitExpression(node)) {
      report(node, "no-async", "await: contracts are synchronous");
    } else if (ts.isForInStatement(node)) {
      report(node, "no-for-in", "for…in enumerates keys in an engine-defined order; use for…of over an array");
    } else if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) report(node, "no-dynamic-import", "dynamic import() loads code at run time");
      else checkStorageWrite(node);
    }
    if (ts.canHaveModifiers(node)) {
      const asyncModifier = ts.getModifiers(node)?.find((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
      if (asyncModifier !== undefined) report(asyncModifier, "no-async", "async functions: contracts are synchronous");
    }
    ts.forEachChild(node, visit);
  };
  const checkStorageWrite = (call: TsNs.CallExpression): void => {
    const callee = unwrap(ts, call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== "set") return;
    const target = unwrap(ts, callee.expression);
    if (!ts.isPropertyAccessExpression(target) || target.expression.kind !== ts.SyntaxKind.ThisKeyword || !fields.has(target.name.text)) return;
    const value = call.arguments[call.arguments.length - 1];
    if (value !== undefined && isNumberish(ts, value)) {
      report(value, "no-float-storage", `storage holds u256 bigints, addresses and booleans; ${value.getText(sf)} is a number (write a bigint, e.g. 1n)`);
    }
  };
  visit(sf);
  return findings;
}

/** Throws a ContractLoadError naming the first finding. */
export function lintOrThrow(ts: Ts, sf: TsNs.SourceFile, file: string): void {
  const findings = lintSource(ts, sf, file);
  const first = findings[0];
  if (first === undefined) return;
  const more = findings.length > 1 ? ` (and ${findings.length - 1} more finding${findings.length > 2 ? "s" : ""})` : "";
  throw new ContractLoadError(`${formatFinding(first)}${more}`, {
    details: findings.map(formatFinding).join("\n"),
  });
}

export function formatFinding(f: LintFinding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.rule}: ${f.message}`;
}
