/**
 * The determinism and sandbox lint every contract passes at load time (compile.ts runs it before
 * transpiling, so every load path lints). Contracts run identically on every node only if they
 * never look at the clock, randomness, timers, the event loop, the host process or code built
 * from strings, and only ever store u256 bigints, addresses and booleans.
 *
 * Every executor thread has its own instance of each contract module, so state kept anywhere but
 * storage would differ between threads and survive reverts: the module-state rules allow only
 * constants of literal data, functions and classes at module level (the compiler freezes them
 * after loading), and no constructor, private field or static block that could hide state in a
 * closure. What the realm leaves out (promises, regular expressions, JSON, buffers, Proxy,
 * locales, weak references, the console) is named here rather than failing at run time.
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
  | "no-reserved-identifier"
  | "no-module-state"
  | "no-private-field"
  | "no-constructor"
  | "no-module-wrapper"
  | "no-promise"
  | "no-regexp"
  | "no-spread-arguments"
  | "no-rest-destructuring"
  | "no-unavailable"
  | "no-load-time-code"
  | "no-decorator"
  | "no-constructor-destructuring"
  | "no-deep-nesting";

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
  Promise: ["no-promise", "Promise callbacks run as microtasks, after the transaction and outside its gas and storage; contracts are synchronous"],
  RegExp: ["no-regexp", "regular expressions can backtrack for exponential time outside the gas meter; parse with string methods"],
  JSON: ["no-unavailable", "JSON is not available to contracts (it recurses through data outside the stack budget); build strings with template literals"],
  Proxy: ["no-unavailable", "Proxy is not available to contracts (its traps recurse in the engine outside the stack budget)"],
  Intl: ["no-unavailable", "Intl is not available to contracts: its results depend on the host's locale and time zone"],
  WeakRef: ["no-unavailable", "WeakRef is not available to contracts: garbage collection is not deterministic"],
  FinalizationRegistry: ["no-unavailable", "FinalizationRegistry is not available to contracts: garbage collection is not deterministic"],
  ArrayBuffer: ["no-unavailable", "ArrayBuffer is not available to contracts (it allocates memory outside the gas meter); use arrays and bigints"],
  SharedArrayBuffer: ["no-unavailable", "SharedArrayBuffer is not available to contracts: memory shared between threads is not deterministic"],
  Atomics: ["no-unavailable", "Atomics is not available to contracts: memory shared between threads is not deterministic"],
  DataView: ["no-unavailable", "DataView is not available to contracts (it allocates memory outside the gas meter); use arrays and bigints"],
  WebAssembly: ["no-unavailable", "WebAssembly is not available to contracts"],
  console: ["no-unavailable", "console is not available to contracts: emit an event instead (this.emit)"],
  Iterator: ["no-unavailable", "Iterator helpers are not available to contracts (they materialise iterators outside the gas meter)"],
};

const TYPED_ARRAYS = ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"];

/** The rule and message an identifier that names a global triggers, if any. */
function globalRule(name: string): readonly [LintRule, string] | undefined {
  if (TYPED_ARRAYS.includes(name)) return ["no-unavailable", `${name} is not available to contracts (typed arrays allocate memory outside the gas meter); use arrays and bigints`];
  if (!Object.hasOwn(IDENTIFIER_RULES, name)) return undefined;
  const rule = IDENTIFIER_RULES[name]!;
  return rule;
}

/** Names the CommonJS module wrapper binds: what they hold outlives every transaction. */
const WRAPPER_NAMES = new Set(["module", "exports"]);

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

/** Names a class can extend to be a contract: `Contract` (or its import alias) and every module class that extends one. */
function contractBases(ts: Ts, sf: TsNs.SourceFile): Set<string> {
  const bases = new Set<string>(["Contract"]);
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || st.importClause?.namedBindings === undefined || !ts.isNamedImports(st.importClause.namedBindings)) continue;
    for (const element of st.importClause.namedBindings.elements) if ((element.propertyName ?? element.name).text === "Contract") bases.add(element.name.text);
  }
  const named: [string, TsNs.ClassLikeDeclaration | TsNs.Expression][] = [];
  const collect = (n: Node): void => {
    if (ts.isClassDeclaration(n) && n.name !== undefined) named.push([n.name.text, n]);
    else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer !== undefined) named.push([n.name.text, n.initializer]);
    ts.forEachChild(n, collect);
  };
  collect(sf);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, value] of named) {
      if (bases.has(name)) continue;
      const v = ts.isClassLike(value) ? value : unwrap(ts, value as TsNs.Expression);
      const extendsContract = ts.isClassLike(v) ? extendsBase(ts, v, bases) : ts.isIdentifier(v) && bases.has(v.text);
      if (extendsContract) {
        bases.add(name);
        grew = true;
      }
    }
  }
  return bases;
}

/** Whether a class extends one of `bases`; an extends clause that is not a plain name counts as one (it could be). */
function extendsBase(ts: Ts, cls: TsNs.ClassLikeDeclaration, bases: ReadonlySet<string>): boolean {
  const heritage = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
  if (heritage === undefined) return false;
  const base = unwrap(ts, heritage);
  return !ts.isIdentifier(base) || bases.has(base.text);
}

/**
 * Whether an expression is literal data: literals, templates, arrays and objects of literal data,
 * names, member reads, operators without side effects, functions and classes. It runs no code of
 * its own, so nothing it produces can hide mutable state in a closure.
 */
function isStaticData(ts: Ts, expr: TsNs.Expression): boolean {
  const e = unwrap(ts, expr);
  const K = ts.SyntaxKind;
  switch (e.kind) {
    case K.NumericLiteral:
    case K.BigIntLiteral:
    case K.StringLiteral:
    case K.NoSubstitutionTemplateLiteral:
    case K.TrueKeyword:
    case K.FalseKeyword:
    case K.NullKeyword:
    case K.Identifier:
    case K.ArrowFunction:
    case K.FunctionExpression:
    case K.ClassExpression:
      return true;
  }
  if (ts.isTemplateExpression(e)) return e.templateSpans.every((span) => isStaticData(ts, span.expression));
  if (ts.isPropertyAccessExpression(e)) return isStaticData(ts, e.expression);
  if (ts.isElementAccessExpression(e)) return isStaticData(ts, e.expression) && isStaticData(ts, e.argumentExpression);
  if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => ts.isOmittedExpression(x) || isStaticData(ts, ts.isSpreadElement(x) ? x.expression : x));
  if (ts.isObjectLiteralExpression(e)) {
    return e.properties.every((p) => {
      if (ts.isPropertyAssignment(p)) return (!ts.isComputedPropertyName(p.name) || isStaticData(ts, p.name.expression)) && isStaticData(ts, p.initializer);
      if (ts.isSpreadAssignment(p)) return isStaticData(ts, p.expression);
      return ts.isShorthandPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isAccessor(p);
    });
  }
  if (ts.isPrefixUnaryExpression(e)) return e.operator !== K.PlusPlusToken && e.operator !== K.MinusMinusToken && isStaticData(ts, e.operand);
  if (ts.isTypeOfExpression(e) || ts.isVoidExpression(e)) return isStaticData(ts, e.expression);
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const assigns = op >= K.FirstAssignment && op <= K.LastAssignment;
    return !assigns && op !== K.CommaToken && isStaticData(ts, e.left) && isStaticData(ts, e.right);
  }
  if (ts.isConditionalExpression(e)) return isStaticData(ts, e.condition) && isStaticData(ts, e.whenTrue) && isStaticData(ts, e.whenFalse);
  return false;
}

function isStorageField(ts: Ts, expr: TsNs.Expression): boolean {
  const e = unwrap(ts, expr);
  return ts.isNewExpression(e) && ts.isIdentifier(e.expression) && (e.expression.text === "StorageValue" || e.expression.text === "StorageMap") && (e.arguments ?? []).every((a) => isStaticData(ts, a));
}

function hasModifier(ts: Ts, node: Node, kind: TsNs.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

/** Whether `node` (an array or object literal) is, or is inside, the target of a destructuring assignment. */
function isAssignmentPattern(ts: Ts, node: Node): boolean {
  let child = node;
  for (let p = node.parent; p !== undefined; child = p, p = p.parent) {
    if (ts.isArrayLiteralExpression(p) || ts.isObjectLiteralExpression(p) || ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isSpreadElement(p) || ts.isSpreadAssignment(p) || ts.isParenthesizedExpression(p)) continue;
    if (ts.isBinaryExpression(p)) return p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.left === child;
    if (ts.isForOfStatement(p) || ts.isForInStatement(p)) return p.initializer === child;
    return false;
  }
  return false;
}

/** Whether `node` is outside every non-arrow function: `arguments` there is the module wrapper's. */
function atModuleLevel(ts: Ts, node: Node): boolean {
  for (let p: Node | undefined = node.parent; p !== undefined; p = p.parent) {
    if (ts.isFunctionLike(p) && !ts.isArrowFunction(p)) return false;
  }
  return true;
}

/**
 * How deeply syntax may nest in a contract source. Every tool that reads a contract (the compiler,
 * the lint, the gas transformer, the analyzer) walks the tree recursively on the calling thread,
 * whose stack differs between threads; a source nested deeper is refused before any of them runs.
 */
export const MAX_SYNTAX_DEPTH = 200;

/** The first node nested deeper than MAX_SYNTAX_DEPTH, found without recursion. */
export function tooDeep(ts: Ts, sf: TsNs.SourceFile): Node | undefined {
  const pending: [Node, number][] = [[sf, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (depth > MAX_SYNTAX_DEPTH) return node;
    ts.forEachChild(node, (child) => {
      pending.push([child, depth + 1]);
    });
  }
  return undefined;
}

/** An expression that runs no code: literals, names, member reads of names (`Symbol.iterator`), and operators on those. */
function isConstantExpression(ts: Ts, expr: TsNs.Expression): boolean {
  const e = unwrap(ts, expr);
  if (ts.isLiteralExpression(e) || ts.isIdentifier(e) || e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isPropertyAccessExpression(e)) return isConstantExpression(ts, e.expression);
  if (ts.isPrefixUnaryExpression(e)) return e.operator !== ts.SyntaxKind.PlusPlusToken && e.operator !== ts.SyntaxKind.MinusMinusToken && isConstantExpression(ts, e.operand);
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const assigns = op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment;
    return !assigns && op !== ts.SyntaxKind.CommaToken && isConstantExpression(ts, e.left) && isConstantExpression(ts, e.right);
  }
  if (ts.isTemplateExpression(e)) return e.templateSpans.every((span) => isConstantExpression(ts, span.expression));
  return false;
}

/** Whether `node` runs when the module loads: outside every function body (a class at module level, its members' names, an enum). */
function runsAtLoad(ts: Ts, node: Node): boolean {
  for (let p: Node | undefined = node.parent; p !== undefined; p = p.parent) {
    if (ts.isFunctionLike(p)) return false;
  }
  return true;
}

const LOAD_TIME = {
  enum: "an enum member's initializer runs when the module loads; use a literal, or compute the value inside a function",
  computedName: "a computed member name of a module-level class runs when the module loads; use a literal, a name or a member of one (Symbol.iterator)",
  heritage: "a module-level class's extends clause runs when the module loads; extend a name (Contract, a class of this module)",
} as const;

const MODULE_STATE = {
  letVar: "module-level let and var are state outside storage: every executor thread has its own copy and a revert does not undo it; use a StorageValue or StorageMap",
  constant: "a module-level constant holds literal data, a function or a class (frozen after loading); this initializer runs code at load time, whose result outlives every transaction: compute it inside a function",
  statement: "module-level code runs once per executor thread, at load time, and its effects outlive every transaction; only imports and declarations may appear at module level",
  staticField: "a static field lives as long as the module and is shared by every transaction: it may hold literal data, a function or a class only",
  instanceField: "a deployed contract's fields live as long as the contract and are shared by every transaction: they may be storage (new StorageValue/StorageMap) or literal data only",
  staticBlock: "a static block runs at load time and what it keeps outlives every transaction",
} as const;

/** Every finding in a contract source, in source order. */
export function lintSource(ts: Ts, sf: TsNs.SourceFile, file: string): LintFinding[] {
  // Depth first, without recursion: every walk after it (here and in the compiler) recurses.
  const deep = tooDeep(ts, sf);
  if (deep !== undefined) {
    const { line, character } = sf.getLineAndCharacterOfPosition(deep.getStart(sf));
    return [{ file, line: line + 1, column: character + 1, rule: "no-deep-nesting", message: `syntax nested more than ${MAX_SYNTAX_DEPTH} levels deep; split the expression or the function` }];
  }
  const findings: { readonly at: number; readonly finding: LintFinding }[] = [];
  const fields = storageFields(ts, sf);
  const bases = contractBases(ts, sf);
  const K = ts.SyntaxKind;
  const report = (node: Node, rule: LintRule, message: string): void => {
    const at = node.getStart(sf);
    const { line, character } = sf.getLineAndCharacterOfPosition(at);
    findings.push({ at, finding: { file, line: line + 1, column: character + 1, rule, message } });
  };
  const locallyDeclared = (id: TsNs.Identifier): boolean => {
    const decl = findDeclaration(ts, id, id.text);
    if (decl === undefined) return false;
    // `declare const module: …` declares a type, not a binding.
    const statement = ts.isVariableDeclaration(decl) ? decl.parent?.parent : undefined;
    return statement === undefined || !hasModifier(ts, statement, K.DeclareKeyword);
  };

  for (const st of sf.statements) {
    if (hasModifier(ts, st, K.DeclareKeyword)) continue;
    if (ts.isVariableStatement(st)) {
      if ((st.declarationList.flags & ts.NodeFlags.Const) === 0) report(st, "no-module-state", MODULE_STATE.letVar);
      else for (const d of st.declarationList.declarations) if (d.initializer !== undefined && !isStaticData(ts, d.initializer)) report(d.initializer, "no-module-state", MODULE_STATE.constant);
    } else if (ts.isExportAssignment(st)) {
      if (!isStaticData(ts, st.expression)) report(st.expression, "no-module-state", MODULE_STATE.constant);
    } else if (
      !ts.isImportDeclaration(st) &&
      !ts.isExportDeclaration(st) &&
      !ts.isFunctionDeclaration(st) &&
      !ts.isClassDeclaration(st) &&
      !ts.isInterfaceDeclaration(st) &&
      !ts.isTypeAliasDeclaration(st) &&
      !ts.isEnumDeclaration(st) &&
      !ts.isEmptyStatement(st)
    ) {
      report(st, "no-module-state", MODULE_STATE.statement);
    }
  }

  const checkClass = (cls: TsNs.ClassLikeDeclaration): void => {
    const contract = extendsBase(ts, cls, bases);
    if (runsAtLoad(ts, cls)) {
      const heritage = cls.heritageClauses?.find((h) => h.token === K.ExtendsKeyword)?.types[0]?.expression;
      if (heritage !== undefined && !isEntityName(heritage)) report(heritage, "no-load-time-code", LOAD_TIME.heritage);
      for (const member of cls.members) {
        if (member.name !== undefined && ts.isComputedPropertyName(member.name) && !isConstantExpression(ts, member.name.expression)) report(member.name, "no-load-time-code", LOAD_TIME.computedName);
      }
    }
    for (const member of cls.members) {
      if (ts.isPropertyDeclaration(member)) {
        if (ts.isPrivateIdentifier(member.name) || hasModifier(ts, member, K.AccessorKeyword)) {
          report(member, "no-private-field", "private (#) and accessor fields stay writable on frozen objects, so they would keep state outside storage; use a StorageValue or StorageMap field");
        } else if (member.initializer !== undefined) {
          if (hasModifier(ts, member, K.StaticKeyword)) {
            if (!isStaticData(ts, member.initializer)) report(member.initializer, "no-module-state", MODULE_STATE.staticField);
          } else if (contract && !isStorageField(ts, member.initializer) && !isStaticData(ts, member.initializer)) {
            report(member.initializer, "no-module-state", MODULE_STATE.instanceField);
          }
        }
      } else if (ts.isClassStaticBlockDeclaration(member)) {
        report(member, "no-module-state", MODULE_STATE.staticBlock);
      } else if (ts.isConstructorDeclaration(member) && contract) {
        report(member, "no-constructor", "a contract's constructor runs once per executor thread, at deployment, and whatever it keeps outlives every transaction; declare storage fields with their defaults and put initial state in the genesis");
      }
    }
  };

  /** `a`, `a.b.c`: a name or a member read of one. */
  const isEntityName = (e: TsNs.Expression): boolean => {
    const x = unwrap(ts, e);
    return ts.isIdentifier(x) || (ts.isPropertyAccessExpression(x) && isEntityName(x.expression));
  };

  const visit = (node: Node): void => {
    if (ts.isDecorator(node)) {
      report(node, "no-decorator", "decorators run when the class is defined (at load time for a module-level class), in helpers the gas meter does not see; call the function yourself");
    } else if (ts.isEnumMember(node) && node.initializer !== undefined && !isConstantExpression(ts, node.initializer)) {
      report(node.initializer, "no-load-time-code", LOAD_TIME.enum);
    } else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent) && isConstructorKey(node.propertyName ?? node.name)) {
      report(node, "no-constructor-destructuring", "destructuring a computed key or `constructor` is not available to contracts (it could hand out the engine's Array constructor); read the property with `.` or `[…]`");
    } else if ((ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) && ts.isObjectLiteralExpression(node.parent) && isAssignmentPattern(ts, node.parent) && isConstructorKey(node.name)) {
      report(node, "no-constructor-destructuring", "destructuring a computed key or `constructor` is not available to contracts (it could hand out the engine's Array constructor); read the property with `.` or `[…]`");
    }
    if (ts.isIdentifier(node)) {
      if (node.text.startsWith(RESERVED_PREFIX)) report(node, "no-reserved-identifier", `identifiers starting with ${RESERVED_PREFIX} are reserved for gas metering`);
      else if (!isNameOnly(ts, node) && !inTypePosition(ts, node)) {
        const rule = globalRule(node.text);
        if (rule !== undefined) report(node, rule[0], rule[1]);
        else if (WRAPPER_NAMES.has(node.text) && !locallyDeclared(node)) {
          report(node, "no-module-wrapper", `${node.text} is the module wrapper's and outlives every transaction; contracts export with export declarations`);
        } else if (node.text === "arguments" && atModuleLevel(ts, node)) {
          report(node, "no-module-wrapper", "arguments outside a function is the module wrapper's and outlives every transaction");
        }
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
      if (node.expression.kind === K.ImportKeyword) report(node, "no-dynamic-import", "dynamic import() loads code at run time");
      else checkStorageWrite(node);
    } else if (node.kind === K.RegularExpressionLiteral) {
      report(node, "no-regexp", "regular expressions can backtrack for exponential time outside the gas meter; parse with string methods");
    } else if (ts.isClassLike(node)) {
      checkClass(node);
    } else if (ts.isBindingElement(node) && node.dotDotDotToken !== undefined) {
      report(node, "no-rest-destructuring", "a rest element copies the rest of the value inside the engine, outside the gas meter; index into the value or slice it");
    } else if ((ts.isSpreadElement(node) && ts.isArrayLiteralExpression(node.parent)) || (ts.isSpreadAssignment(node) && ts.isObjectLiteralExpression(node.parent))) {
      if (isAssignmentPattern(ts, node.parent)) report(node, "no-rest-destructuring", "a rest element copies the rest of the value inside the engine, outside the gas meter; index into the value or slice it");
    }
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments !== undefined) {
      for (const arg of node.arguments) {
        if (ts.isSpreadElement(arg)) report(arg, "no-spread-arguments", "spreading into arguments puts every element on the engine's stack, whose size differs between threads; pass the array itself");
      }
    }
    if (ts.canHaveModifiers(node)) {
      const asyncModifier = ts.getModifiers(node)?.find((m) => m.kind === K.AsyncKeyword);
      if (asyncModifier !== undefined) report(asyncModifier, "no-async", "async functions: contracts are synchronous");
    }
    ts.forEachChild(node, visit);
  };
  /** A destructured key that is computed or names `constructor`. */
  const isConstructorKey = (name: TsNs.PropertyName | TsNs.BindingName): boolean =>
    ts.isComputedPropertyName(name) || ((ts.isIdentifier(name) || ts.isStringLiteral(name)) && name.text === "constructor");

  const checkStorageWrite = (call: TsNs.CallExpression): void => {
    const callee = unwrap(ts, call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== "set") return;
    const target = unwrap(ts, callee.expression);
    if (!ts.isPropertyAccessExpression(target) || target.expression.kind !== K.ThisKeyword || !fields.has(target.name.text)) return;
    const value = call.arguments[call.arguments.length - 1];
    if (value !== undefined && isNumberish(ts, value)) {
      report(value, "no-float-storage", `storage holds u256 bigints, addresses and booleans; ${value.getText(sf)} is a number (write a bigint, e.g. 1n)`);
    }
  };
  visit(sf);
  // Stable: findings at the same position keep the order they were found in.
  return findings.sort((a, b) => a.at - b.at).map((f) => f.finding);
}

/**
 * `parse()`, or a ContractLoadError when the source nests too deeply for the compiler's recursive
 * parser on this thread's stack (the lint refuses anything nested deeper than MAX_SYNTAX_DEPTH
 * anyway, far below what any thread can parse).
 */
export function parseOrRefuse<T>(parse: () => T, file: string): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof RangeError) throw new ContractLoadError(`${file}: no-deep-nesting: syntax nested more than ${MAX_SYNTAX_DEPTH} levels deep; split the expression or the function`);
    throw error;
  }
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
