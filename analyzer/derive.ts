/**
 * Derives access templates from a contract's TypeScript AST: an abstract interpretation of each
 * method body over symbolic values (see template.ts). Storage accesses (`this.f.get/set`) become
 * access templates, `this.call(addr, "fn", …)` call templates, internal method calls
 * (`this._move(…)`) are inlined with their parameters bound, `if`s and `?:` become guards and
 * symbolic choices decided at instantiation.
 *
 * Soundness rules: every path's accesses are kept (both branches of an `if`, every loop body
 * once — variables reassigned anywhere are unknown, so one pass covers every iteration); values
 * the analysis cannot follow become `top` (a wildcard key, or an unknown call target); and any
 * way the contract instance could escape the analysis (`this` passed around, a storage field
 * used as a value, an unsupported construct touching `this`) makes the function `unknown`.
 */
import type { ts as TsNs } from "ts-morph";
import type { AccessClass } from "../core/accessSet.js";
import {
  ANALYZER_VERSION,
  CLASS_RANK,
  undecidableChoice,
  valueTop,
  type AccessTemplate,
  type CallTemplate,
  type WorkTemplate,
  type ContractTemplates,
  type CtxField,
  type FunctionTemplate,
  type StorageField,
  type Sym,
} from "./template.js";

type Ts = typeof TsNs;
type Node = TsNs.Node;
type Expr = TsNs.Expression;

/** Constants of `prescient/contract` a contract may use in keys and call targets. */
const SDK_CONSTANTS: Readonly<Record<string, Sym>> = {
  ZERO_ADDRESS: { k: "lit", v: "0x0000000000000000000000000000000000000000" },
  ACCOUNTS_ADDRESS: { k: "lit", v: "0x0000000000000000000000000000000000000001" },
};

const MAX_INLINE_DEPTH = 16;

const top = (mutable: boolean, why: string): Sym => ({ k: "top", mutable, why });

interface FieldInfo {
  readonly field: string;
  readonly name: string;
  readonly kind: "value" | "map";
  readonly def: Sym;
}

interface ContractInfo {
  readonly fields: Map<string, FieldInfo>;
  readonly methods: Map<string, TsNs.MethodDeclaration>;
  /** Fields some method writes (or uses in a way the analysis cannot follow). */
  readonly mutableFields: Set<string>;
  readonly constants: Map<string, Sym>;
  readonly functions: Map<string, TsNs.FunctionDeclaration>;
  /** The local names of the SDK's `work`. */
  readonly workNames: Set<string>;
}

/** Does `s` depend on mutable storage (anywhere, conditions included)? */
function dependsOnMutable(s: Sym): boolean {
  switch (s.k) {
    case "top":
      return s.mutable;
    case "imm":
      return s.keys.some(dependsOnMutable);
    case "cat":
      return s.parts.some(dependsOnMutable);
    case "not":
      return dependsOnMutable(s.a);
    case "eq":
    case "and":
    case "or":
      return dependsOnMutable(s.a) || dependsOnMutable(s.b);
    case "ite":
      return dependsOnMutable(s.c) || dependsOnMutable(s.t) || dependsOnMutable(s.e);
    default:
      return false;
  }
}

function opaque(why: string, ...from: readonly Sym[]): Sym {
  return top(from.some(dependsOnMutable), why);
}

class Scope {
  readonly #vars = new Map<string, Sym>();
  constructor(readonly parent: Scope | undefined) {}
  get(name: string): Sym | undefined {
    return this.#vars.get(name) ?? this.parent?.get(name);
  }
  has(name: string): boolean {
    return this.#vars.has(name) || (this.parent?.has(name) ?? false);
  }
  set(name: string, value: Sym): void {
    this.#vars.set(name, value);
  }
}

/** The accesses, calls and problems found while analyzing one public (or internal) function. */
class FunctionAnalysis {
  readonly accesses: AccessTemplate[] = [];
  readonly calls: CallTemplate[] = [];
  readonly work: WorkTemplate[] = [];
  readonly unknown: string[] = [];
  readonly over: string[] = [];
  readonly guards: Sym[] = [];
  readonly inlining: string[] = [];
  #seen = new Set<string>();

  constructor(
    readonly ts: Ts,
    readonly sf: TsNs.SourceFile,
    readonly info: ContractInfo,
  ) {}

  where(node: Node): string {
    const { line, character } = this.sf.getLineAndCharacterOfPosition(node.getStart(this.sf));
    return `${line + 1}:${character + 1}`;
  }

  fail(node: Node, why: string): void {
    this.unknown.push(`${this.where(node)}: ${why}`);
  }

  #classifyKey(node: Node, s: Sym, what: string): void {
    const t = valueTop(s);
    if (t !== undefined) {
      if (t.mutable) this.fail(node, `${what} depends on mutable storage (${t.why})`);
      else this.over.push(`${this.where(node)}: ${what} is not known before the block runs (${t.why}): wildcard`);
      return;
    }
    const choice = undecidableChoice(s);
    if (choice !== undefined) this.over.push(`${this.where(node)}: ${what}: ${choice}; every choice is included`);
  }

  access(node: Node, rw: "r" | "w", field: FieldInfo, keys: readonly Sym[]): void {
    for (const k of keys) this.#classifyKey(node, k, `a key of ${field.name}`);
    const a: AccessTemplate = { rw, v: field.name, keys, guard: [...this.guards] };
    const id = JSON.stringify(a);
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    this.accesses.push(a);
  }

  call(node: Node, target: Sym, fn: string, args: readonly Sym[]): void {
    const t = valueTop(target);
    if (t !== undefined) this.fail(node, `the target of the call to "${fn}" is not known before the block runs (${t.why})`);
    else {
      const choice = undecidableChoice(target);
      if (choice !== undefined) this.over.push(`${this.where(node)}: the target of the call to "${fn}": ${choice}; every choice is included`);
    }
    const c: CallTemplate = { target, fn, args, guard: [...this.guards] };
    const id = JSON.stringify(c);
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    this.calls.push(c);
  }

  /** A call of the SDK's `work`, for the gas estimate: every call, even at the same units. */
  spend(units: Sym): void {
    this.work.push({ units, guard: [...this.guards] });
  }

  withGuard<T>(guard: Sym, run: () => T): T {
    this.guards.push(guard);
    try {
      return run();
    } finally {
      this.guards.pop();
    }
  }
}

/** One function body being interpreted (a method, an inlined method, a callback). */
class Body {
  readonly returns: Sym[] = [];
  /** Variables assigned after their declaration, and whether an assignment involves `this`. */
  readonly #reassigned = new Map<string, boolean>();

  constructor(
    readonly a: FunctionAnalysis,
    readonly hasThis: boolean,
    fn: Node,
  ) {
    const ts = a.ts;
    const visit = (n: Node): void => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
        for (const name of this.#targets(n.left)) this.#reassigned.set(name, (this.#reassigned.get(name) ?? false) || this.#touchesThis(n.right));
      } else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) {
        for (const name of this.#targets(n.operand)) this.#reassigned.set(name, this.#reassigned.get(name) ?? false);
      }
      ts.forEachChild(n, visit);
    };
    visit(fn);
  }

  #targets(e: Node): string[] {
    const ts = this.a.ts;
    if (ts.isIdentifier(e)) return [e.text];
    if (ts.isParenthesizedExpression(e)) return this.#targets(e.expression);
    if (ts.isArrayLiteralExpression(e)) return e.elements.flatMap((x) => this.#targets(x));
    if (ts.isObjectLiteralExpression(e)) {
      return e.properties.flatMap((p) => (ts.isShorthandPropertyAssignment(p) ? [p.name.text] : ts.isPropertyAssignment(p) ? this.#targets(p.initializer) : ts.isSpreadAssignment(p) ? this.#targets(p.expression) : []));
    }
    if (ts.isSpreadElement(e)) return this.#targets(e.expression);
    return [];
  }

  #touchesThis(n: Node): boolean {
    const ts = this.a.ts;
    let found = false;
    const visit = (x: Node): void => {
      if (found) return;
      if (x.kind === ts.SyntaxKind.ThisKeyword) found = true;
      else ts.forEachChild(x, visit);
    };
    visit(n);
    return found;
  }

  bind(scope: Scope, name: Node, value: Sym): void {
    const ts = this.a.ts;
    if (ts.isIdentifier(name)) {
      const re = this.#reassigned.get(name.text);
      scope.set(name.text, re === undefined ? value : top(re || dependsOnMutable(value), `${name.text} is reassigned`));
      return;
    }
    // Destructuring: every bound name is an unknown part of the value.
    const visit = (n: Node): void => {
      if (ts.isBindingElement(n) && ts.isIdentifier(n.name)) scope.set(n.name.text, opaque(`destructured from a value`, value));
      ts.forEachChild(n, visit);
    };
    visit(name);
  }

  // ---------------------------------------------------------------- statements

  stmt(s: TsNs.Statement, scope: Scope): void {
    const ts = this.a.ts;
    if (ts.isBlock(s)) {
      const inner = new Scope(scope);
      for (const x of s.statements) this.stmt(x, inner);
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) this.bind(scope, d.name, d.initializer !== undefined ? this.ev(d.initializer, scope) : top(false, "uninitialized"));
    } else if (ts.isExpressionStatement(s)) {
      this.ev(s.expression, scope);
    } else if (ts.isIfStatement(s)) {
      const c = this.ev(s.expression, scope);
      this.a.withGuard(c, () => this.stmt(s.thenStatement, new Scope(scope)));
      if (s.elseStatement !== undefined) {
        const elseStatement = s.elseStatement;
        this.a.withGuard({ k: "not", a: c }, () => this.stmt(elseStatement, new Scope(scope)));
      }
    } else if (ts.isReturnStatement(s)) {
      this.returns.push(s.expression !== undefined ? this.ev(s.expression, scope) : top(false, "undefined"));
    } else if (ts.isThrowStatement(s)) {
      this.ev(s.expression, scope);
    } else if (ts.isForOfStatement(s)) {
      const iterable = this.ev(s.expression, scope);
      const inner = new Scope(scope);
      const element: Sym = iterable.k === "arg" ? { k: "each", i: iterable.i } : opaque("an element of a value the analysis does not follow", iterable);
      if (ts.isVariableDeclarationList(s.initializer)) {
        for (const d of s.initializer.declarations) this.bind(inner, d.name, element);
      } else this.ev(s.initializer as Expr, inner);
      this.stmt(s.statement, inner);
    } else if (ts.isForStatement(s)) {
      const inner = new Scope(scope);
      if (s.initializer !== undefined) {
        if (ts.isVariableDeclarationList(s.initializer)) {
          for (const d of s.initializer.declarations) this.bind(inner, d.name, d.initializer !== undefined ? this.ev(d.initializer, inner) : top(false, "uninitialized"));
        } else this.ev(s.initializer, inner);
      }
      if (s.condition !== undefined) this.ev(s.condition, inner);
      if (s.incrementor !== undefined) this.ev(s.incrementor, inner);
      this.stmt(s.statement, inner);
    } else if (ts.isWhileStatement(s) || ts.isDoStatement(s)) {
      this.ev(s.expression, scope);
      this.stmt(s.statement, new Scope(scope));
    } else if (ts.isTryStatement(s)) {
      this.stmt(s.tryBlock, scope);
      if (s.catchClause !== undefined) {
        const inner = new Scope(scope);
        if (s.catchClause.variableDeclaration !== undefined) this.bind(inner, s.catchClause.variableDeclaration.name, top(false, "a caught error"));
        this.stmt(s.catchClause.block, inner);
      }
      if (s.finallyBlock !== undefined) this.stmt(s.finallyBlock, scope);
    } else if (ts.isSwitchStatement(s)) {
      this.ev(s.expression, scope);
      const inner = new Scope(scope);
      for (const clause of s.caseBlock.clauses) {
        if (ts.isCaseClause(clause)) this.ev(clause.expression, inner);
        for (const x of clause.statements) this.stmt(x, inner);
      }
    } else if (ts.isLabeledStatement(s)) {
      this.stmt(s.statement, scope);
    } else if (ts.isBreakStatement(s) || ts.isContinueStatement(s) || ts.isEmptyStatement(s) || ts.isDebuggerStatement(s)) {
      // no accesses
    } else if (ts.isFunctionDeclaration(s)) {
      // A nested function: its accesses may happen whenever it is called; keep them all.
      if (s.name !== undefined) scope.set(s.name.text, top(false, "a nested function"));
      this.callback(s, scope, []);
    } else if (ts.isTypeAliasDeclaration(s) || ts.isInterfaceDeclaration(s)) {
      // types only
    } else {
      this.a.fail(s, `unsupported statement (${ts.SyntaxKind[s.kind]})`);
      this.generic(s, scope);
    }
  }

  /** Analyze a function value's body where it appears, parameters bound to `params` (or unknown). */
  callback(fn: TsNs.SignatureDeclaration, scope: Scope, params: readonly Sym[]): void {
    const ts = this.a.ts;
    const body = new Body(this.a, this.hasThis && !ts.isFunctionDeclaration(fn) && !ts.isFunctionExpression(fn), fn);
    const inner = new Scope(scope);
    fn.parameters.forEach((p, i) => body.bind(inner, p.name, params[i] ?? top(false, "a callback parameter")));
    const b = (fn as { body?: Node }).body;
    if (b === undefined) return;
    if (ts.isBlock(b)) body.stmt(b, inner);
    else body.ev(b as Expr, inner);
  }

  /** Evaluate every child expression (for their accesses); the value is unknown. */
  generic(n: Node, scope: Scope): Sym {
    const ts = this.a.ts;
    const parts: Sym[] = [];
    ts.forEachChild(n, (c) => {
      if (ts.isExpression(c)) parts.push(this.ev(c, scope));
      else if (ts.isStatement(c)) this.stmt(c, scope);
      else if (!ts.isTypeNode(c)) parts.push(this.generic(c, scope));
    });
    return opaque(`${ts.SyntaxKind[n.kind]}`, ...parts);
  }

  // ---------------------------------------------------------------- expressions

  #isThis(e: Expr): boolean {
    return e.kind === this.a.ts.SyntaxKind.ThisKeyword;
  }

  #unwrap(e: Expr): Expr {
    const ts = this.a.ts;
    for (;;) {
      if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
      else return e;
    }
  }

  /** `this.ctx.X` / `this.ctx.block.X` / `this.address`, as a context field. */
  #ctxField(e: Expr): CtxField | undefined {
    const ts = this.a.ts;
    if (!ts.isPropertyAccessExpression(e) || !this.hasThis) return undefined;
    const object = this.#unwrap(e.expression);
    const name = e.name.text;
    if (this.#isThis(object) && name === "address") return "self";
    if (ts.isPropertyAccessExpression(object) && this.#isThis(this.#unwrap(object.expression)) && object.name.text === "ctx") {
      if (name === "sender" || name === "self" || name === "origin") return name;
    }
    if (ts.isPropertyAccessExpression(object) && object.name.text === "block") {
      const ctx = this.#unwrap(object.expression);
      if (ts.isPropertyAccessExpression(ctx) && ctx.name.text === "ctx" && this.#isThis(this.#unwrap(ctx.expression))) {
        if (name === "sequencer" || name === "number" || name === "timestamp") return name;
      }
    }
    return undefined;
  }

  ev(expr: Expr, scope: Scope): Sym {
    const ts = this.a.ts;
    const e = this.#unwrap(expr);
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { k: "lit", v: e.text };
    if (ts.isBigIntLiteral(e)) return { k: "big", v: BigInt(e.text.slice(0, -1).replace(/_/g, "")).toString() };
    if (e.kind === ts.SyntaxKind.TrueKeyword) return { k: "lit", v: true };
    if (e.kind === ts.SyntaxKind.FalseKeyword) return { k: "lit", v: false };
    if (ts.isNumericLiteral(e)) return top(false, "a number");
    if (ts.isIdentifier(e)) return this.#identifier(e, scope);
    if (this.#isThis(e)) {
      this.a.fail(e, "the contract instance escapes (this used as a value)");
      return top(true, "this");
    }
    const field = this.#ctxField(e);
    if (field !== undefined) return { k: "ctx", f: field };
    if (ts.isCallExpression(e)) return this.#callExpression(e, scope);
    if (ts.isTemplateExpression(e)) {
      const parts: Sym[] = [];
      if (e.head.text !== "") parts.push({ k: "lit", v: e.head.text });
      for (const span of e.templateSpans) {
        parts.push(this.ev(span.expression, scope));
        if (span.literal.text !== "") parts.push({ k: "lit", v: span.literal.text });
      }
      return { k: "cat", parts };
    }
    if (ts.isConditionalExpression(e)) {
      const c = this.ev(e.condition, scope);
      const t = this.a.withGuard(c, () => this.ev(e.whenTrue, scope));
      const f = this.a.withGuard({ k: "not", a: c }, () => this.ev(e.whenFalse, scope));
      return { k: "ite", c, t, e: f };
    }
    if (ts.isPrefixUnaryExpression(e)) {
      const a = this.ev(e.operand, scope);
      if (e.operator === ts.SyntaxKind.ExclamationToken) return { k: "not", a };
      return opaque("arithmetic", a);
    }
    if (ts.isPostfixUnaryExpression(e)) return opaque("arithmetic", this.ev(e.operand, scope));
    if (ts.isBinaryExpression(e)) return this.#binary(e, scope);
    if (ts.isPropertyAccessExpression(e)) {
      const object = this.#unwrap(e.expression);
      if (this.#isThis(object)) {
        const name = e.name.text;
        if (name === "ctx") return top(false, "the call context");
        this.a.fail(e, `this.${name} is used as a value (only storage .get/.set, this.call, this.emit, this.ctx and method calls are followed)`);
        return top(true, `this.${name}`);
      }
      const o = this.ev(object, scope);
      return opaque(`.${e.name.text} of a value`, o);
    }
    if (ts.isElementAccessExpression(e)) {
      const o = this.ev(e.expression, scope);
      const i = this.ev(e.argumentExpression, scope);
      if (o.k === "arg") return { k: "each", i: o.i };
      return opaque("an element of a value", o, i);
    }
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) {
      this.callback(e, scope, []);
      return top(false, "a function");
    }
    return this.generic(e, scope);
  }

  #identifier(e: TsNs.Identifier, scope: Scope): Sym {
    const name = e.text;
    const local = scope.get(name);
    if (local !== undefined) return local;
    const constant = this.a.info.constants.get(name);
    if (constant !== undefined) return constant;
    if (name === "undefined") return top(false, "undefined");
    return top(false, `${name}`);
  }

  #binary(e: TsNs.BinaryExpression, scope: Scope): Sym {
    const ts = this.a.ts;
    const op = e.operatorToken.kind;
    if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) {
      const left = this.#unwrap(e.left);
      const right = this.ev(e.right, scope);
      if (!ts.isIdentifier(left)) {
        if (ts.isPropertyAccessExpression(left) && this.#isThis(this.#unwrap(left.expression))) this.a.fail(e, `assigns to this.${left.name.text}`);
        else this.ev(left, scope);
      }
      return right;
    }
    const a = this.ev(e.left, scope);
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return { k: "and", a, b: this.a.withGuard(a, () => this.ev(e.right, scope)) };
    if (op === ts.SyntaxKind.BarBarToken) return { k: "or", a, b: this.a.withGuard({ k: "not", a }, () => this.ev(e.right, scope)) };
    const b = this.ev(e.right, scope);
    switch (op) {
      case ts.SyntaxKind.EqualsEqualsEqualsToken:
        return { k: "eq", a, b };
      case ts.SyntaxKind.ExclamationEqualsEqualsToken:
        return { k: "not", a: { k: "eq", a, b } };
      case ts.SyntaxKind.CommaToken:
        return b;
      default:
        return opaque(`${ts.tokenToString(op) ?? "an operator"}`, a, b);
    }
  }

  #storageField(e: Expr): FieldInfo | undefined {
    const ts = this.a.ts;
    const u = this.#unwrap(e);
    if (!this.hasThis || !ts.isPropertyAccessExpression(u) || !this.#isThis(this.#unwrap(u.expression))) return undefined;
    return this.a.info.fields.get(u.name.text);
  }

  #callExpression(e: TsNs.CallExpression, scope: Scope): Sym {
    const ts = this.a.ts;
    const callee = this.#unwrap(e.expression);
    const args = (): Sym[] => e.arguments.map((x) => this.ev(x, scope));
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      const field = this.#storageField(callee.expression);
      if (field !== undefined) {
        const values = args();
        if (e.arguments.some((x) => ts.isSpreadElement(x))) {
          this.a.fail(e, `spread arguments to ${field.field}.${method}`);
          return top(true, "spread");
        }
        if (method === "get") {
          this.a.access(e, "r", field, values);
          if (this.a.info.mutableFields.has(field.field)) return top(true, `${field.name} is written by the contract`);
          if (values.some((v) => valueTop(v) !== undefined)) return opaque(`${field.name} at an unknown key`, ...values);
          return { k: "imm", v: field.name, keys: values, def: field.def };
        }
        if (method === "set") {
          this.a.access(e, "w", field, values.slice(0, -1));
          return top(false, "undefined");
        }
        if (method === "location") return opaque("a location", ...values);
        this.a.fail(e, `${field.field}.${method} is not a storage operation the analysis follows`);
        return top(true, method);
      }
      if (this.hasThis && this.#isThis(this.#unwrap(callee.expression))) {
        if (method === "call") return this.#contractCall(e, scope);
        if (method === "emit") {
          args();
          return top(false, "undefined");
        }
        const decl = this.a.info.methods.get(method);
        if (decl !== undefined) return this.inline(e, method, decl, args(), true);
        this.a.fail(e, `this.${method}(…) is not a method of the contract the analysis can follow`);
        args();
        return top(true, method);
      }
      // A method of some value: callbacks passed to array methods of an argument see its elements.
      const receiver = this.ev(callee.expression, scope);
      const values: Sym[] = [];
      for (const x of e.arguments) {
        const u = this.#unwrap(x);
        if (ts.isArrowFunction(u) || ts.isFunctionExpression(u)) {
          this.callback(u, scope, receiver.k === "arg" ? [{ k: "each", i: receiver.i }] : []);
          values.push(top(false, "a function"));
        } else values.push(this.ev(x, scope));
      }
      return opaque(`the result of .${method}()`, receiver, ...values);
    }
    if (ts.isIdentifier(callee) && !scope.has(callee.text) && this.a.info.workNames.has(callee.text) && e.arguments.length > 0) {
      // `work(Number(units), seed)`: the units, through the conversion a bigint argument needs.
      let units = this.#unwrap(e.arguments[0]!);
      if (ts.isCallExpression(units) && ts.isIdentifier(units.expression) && units.expression.text === "Number" && !scope.has("Number") && units.arguments.length === 1) units = this.#unwrap(units.arguments[0]!);
      const unitsSym = this.ev(units, scope);
      this.a.spend(unitsSym);
      // The result depends on what its arguments depend on, as any call's (mutable storage included).
      return opaque("the result of work()", unitsSym, ...e.arguments.slice(1).map((x) => this.ev(x, scope)));
    }
    if (ts.isIdentifier(callee) && !scope.has(callee.text)) {
      const fn = this.a.info.functions.get(callee.text);
      if (fn !== undefined) return this.inline(e, callee.text, fn, args(), false);
    }
    if (callee.kind === ts.SyntaxKind.SuperKeyword) {
      this.a.fail(e, "super calls are not followed");
      return top(true, "super");
    }
    const c = ts.isIdentifier(callee) ? top(false, callee.text) : this.ev(callee, scope);
    const values = e.arguments.map((x) => {
      const u = this.#unwrap(x);
      if (ts.isArrowFunction(u) || ts.isFunctionExpression(u)) {
        this.callback(u, scope, []);
        return top(false, "a function");
      }
      return this.ev(x, scope);
    });
    return opaque(`the result of ${ts.isIdentifier(callee) ? callee.text : "a call"}()`, c, ...values);
  }

  #contractCall(e: TsNs.CallExpression, scope: Scope): Sym {
    const ts = this.a.ts;
    const [targetExpr, fnExpr, ...rest] = e.arguments;
    if (targetExpr === undefined || fnExpr === undefined) {
      this.a.fail(e, "this.call needs a target and a function name");
      return top(true, "call");
    }
    const target = this.ev(targetExpr, scope);
    const fnSym = this.ev(fnExpr, scope);
    const args = rest.map((x) => this.ev(x, scope));
    if (rest.some((x) => ts.isSpreadElement(x))) {
      this.a.fail(e, "spread arguments to this.call");
      return top(true, "call");
    }
    if (fnSym.k !== "lit" || typeof fnSym.v !== "string") {
      this.a.fail(e, "the function name of this.call is not a constant string");
      return top(true, "call");
    }
    this.a.call(e, target, fnSym.v, args);
    return top(true, `the result of a call to ${fnSym.v}`);
  }

  /** Inline an internal method or a module function with its parameters bound. */
  inline(e: Node, name: string, decl: TsNs.MethodDeclaration | TsNs.FunctionDeclaration, args: readonly Sym[], isMethod: boolean): Sym {
    const ts = this.a.ts;
    if (decl.body === undefined) return top(false, name);
    if (this.a.inlining.includes(name) || this.a.inlining.length >= MAX_INLINE_DEPTH) {
      this.a.fail(e, `recursive call to ${name} is not followed`);
      return top(true, name);
    }
    this.a.inlining.push(name);
    try {
      const body = new Body(this.a, isMethod, decl);
      const scope = new Scope(undefined);
      decl.parameters.forEach((p, i) => {
        let value: Sym | undefined = args[i];
        if (p.dotDotDotToken !== undefined) value = top(args.slice(i).some(dependsOnMutable), "rest parameters");
        else if (value === undefined && p.initializer !== undefined) value = body.ev(p.initializer, scope);
        body.bind(scope, p.name, value ?? top(false, "undefined"));
      });
      body.stmt(decl.body, scope);
      if (body.returns.length === 1) return body.returns[0]!;
      if (body.returns.length === 0) return top(false, "undefined");
      const first = JSON.stringify(body.returns[0]);
      if (body.returns.every((r) => JSON.stringify(r) === first)) return body.returns[0]!;
      return opaque(`one of several return values of ${name}`, ...body.returns);
    } finally {
      this.a.inlining.pop();
    }
    void ts;
  }
}

function isExported(ts: Ts, node: TsNs.ClassDeclaration): boolean {
  return node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
}

/** Derive the templates of every method of the module's contract class. */
export function deriveTemplates(ts: Ts, sf: TsNs.SourceFile, file: string, sourceHash: string): ContractTemplates {
  const classes = sf.statements.filter(ts.isClassDeclaration).filter((c) => isExported(ts, c));
  const main = classes.find((c) => c.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) ?? (classes.length === 1 ? classes[0] : undefined);
  const base = { analyzerVersion: ANALYZER_VERSION, sourceHash, file };
  if (main === undefined) return { ...base, className: "default", fields: [], functions: {}, error: "the module exports no contract class" };
  const className = main.name?.text ?? "default";

  // Module constants (literal initializers) and SDK constants.
  const constants = new Map<string, Sym>();
  const workNames = new Set<string>();
  for (const stmt of sf.statements) {
    if (ts.isImportDeclaration(stmt) && stmt.importClause?.namedBindings !== undefined && ts.isNamedImports(stmt.importClause.namedBindings)) {
      for (const spec of stmt.importClause.namedBindings.elements) {
        const imported = (spec.propertyName ?? spec.name).text;
        if (imported === "work" && ts.isStringLiteral(stmt.moduleSpecifier) && stmt.moduleSpecifier.text === "prescient/contract") workNames.add(spec.name.text);
        const sym = SDK_CONSTANTS[imported];
        if (sym !== undefined && Object.hasOwn(SDK_CONSTANTS, imported)) constants.set(spec.name.text, sym);
      }
    }
    if (ts.isVariableStatement(stmt) && (stmt.declarationList.flags & ts.NodeFlags.Const) !== 0) {
      for (const d of stmt.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || d.initializer === undefined) continue;
        let init: Expr = d.initializer;
        while (ts.isAsExpression(init) || ts.isParenthesizedExpression(init) || ts.isSatisfiesExpression(init)) init = init.expression;
        if (ts.isStringLiteral(init) || ts.isNoSubstitutionTemplateLiteral(init)) constants.set(d.name.text, { k: "lit", v: init.text });
        else if (ts.isBigIntLiteral(init)) constants.set(d.name.text, { k: "big", v: BigInt(init.text.slice(0, -1).replace(/_/g, "")).toString() });
        else if (init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword) constants.set(d.name.text, { k: "lit", v: init.kind === ts.SyntaxKind.TrueKeyword });
      }
    }
  }
  const functions = new Map<string, TsNs.FunctionDeclaration>();
  for (const stmt of sf.statements) if (ts.isFunctionDeclaration(stmt) && stmt.name !== undefined && stmt.body !== undefined) functions.set(stmt.name.text, stmt);

  const fields = new Map<string, FieldInfo>();
  const methods = new Map<string, TsNs.MethodDeclaration>();
  const contractWide: string[] = [];
  const heritage = main.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
  if (heritage === undefined || !ts.isIdentifier(heritage) || heritage.text !== "Contract") {
    contractWide.push(`${className} must extend Contract directly (inherited fields and methods are not analyzed)`);
  }
  const constantSym = (init: Expr | undefined): Sym => {
    if (init === undefined) return top(false, "no default");
    let x: Expr = init;
    while (ts.isAsExpression(x) || ts.isParenthesizedExpression(x)) x = x.expression;
    if (ts.isStringLiteral(x)) return { k: "lit", v: x.text };
    if (ts.isBigIntLiteral(x)) return { k: "big", v: BigInt(x.text.slice(0, -1).replace(/_/g, "")).toString() };
    if (x.kind === ts.SyntaxKind.TrueKeyword || x.kind === ts.SyntaxKind.FalseKeyword) return { k: "lit", v: x.kind === ts.SyntaxKind.TrueKeyword };
    if (ts.isIdentifier(x)) return constants.get(x.text) ?? top(false, x.text);
    return top(false, "a computed default");
  };
  for (const member of main.members) {
    if (ts.isPropertyDeclaration(member) && member.initializer !== undefined && ts.isNewExpression(member.initializer) && ts.isIdentifier(member.initializer.expression)) {
      const kind = member.initializer.expression.text === "StorageValue" ? "value" : member.initializer.expression.text === "StorageMap" ? "map" : undefined;
      if (kind === undefined || !(ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name))) continue;
      const [nameArg, defArg] = member.initializer.arguments ?? [];
      if (nameArg === undefined || !(ts.isStringLiteral(nameArg) || ts.isNoSubstitutionTemplateLiteral(nameArg))) {
        contractWide.push(`the storage field ${member.name.text} has no constant name`);
        continue;
      }
      fields.set(member.name.text, { field: member.name.text, name: nameArg.text, kind, def: constantSym(defArg) });
    } else if (ts.isMethodDeclaration(member) && ts.isIdentifier(member.name) && member.body !== undefined) {
      if (member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
      methods.set(member.name.text, member);
    } else if (ts.isPropertyDeclaration(member) && member.initializer !== undefined && /\bthis\b/.test(member.initializer.getText(sf))) {
      contractWide.push(`the field ${member.name.getText(sf)} is initialized from this`);
    }
  }

  // A field is mutable when any code of the class writes it, or uses it other than through
  // `.get(…)` / `.location(…)` (it could then be written through an alias).
  const mutableFields = new Set<string>();
  const scan = (n: Node): void => {
    if (ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword && fields.has(n.name.text)) {
      const parent = n.parent;
      const op = parent !== undefined && ts.isPropertyAccessExpression(parent) && parent.expression === n ? parent.name.text : undefined;
      const called = op !== undefined && parent!.parent !== undefined && ts.isCallExpression(parent!.parent) && parent!.parent.expression === parent;
      if (!(called && (op === "get" || op === "location"))) mutableFields.add(n.name.text);
    }
    ts.forEachChild(n, scan);
  };
  for (const member of main.members) if (!ts.isPropertyDeclaration(member) || !fields.has(member.name.getText(sf))) scan(member);
  for (const fn of functions.values()) scan(fn);

  const info: ContractInfo = { fields, methods, mutableFields, constants, functions, workNames };
  const out: Record<string, FunctionTemplate> = {};
  for (const [name, decl] of methods) {
    const hidden = decl.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword) ?? false;
    const params = decl.parameters.map((p) => p.name.getText(sf));
    const a = new FunctionAnalysis(ts, sf, info);
    for (const why of contractWide) a.unknown.push(why);
    try {
      a.inlining.push(name);
      const body = new Body(a, true, decl);
      const scope = new Scope(undefined);
      decl.parameters.forEach((p, i) => body.bind(scope, p.name, { k: "arg", i }));
      if (decl.body !== undefined) body.stmt(decl.body, scope);
    } catch (error) {
      a.unknown.push(`analysis failed: ${(error as Error).message}`);
    }
    const cls: AccessClass = a.unknown.length > 0 ? "unknown" : a.over.length > 0 ? "over-approximate" : "exact";
    out[name] = {
      name,
      public: !name.startsWith("_") && !hidden,
      params,
      accesses: a.accesses,
      calls: a.calls,
      ...(a.work.length > 0 ? { work: a.work } : {}),
      class: cls,
      reasons: cls === "unknown" ? a.unknown : cls === "over-approximate" ? a.over : [],
    };
  }
  void CLASS_RANK;
  const storageFields: StorageField[] = Array.from(fields.values(), (f) => ({ field: f.field, name: f.name, kind: f.kind, immutable: !mutableFields.has(f.field) }));
  return { ...base, className, fields: storageFields, functions: out, ...(contractWide.length > 0 ? { error: contractWide.join("; ") } : {}) };
}
