/**
 * Gas metering injected into compiled contracts. A TypeScript transformer (run by
 * `transpileModule`) rewrites:
 *
 * - every function, method, accessor and arrow body into
 *   `{ __prescient_enter(w); try { …body } finally { __prescient_exit(w); } }` — entering charges
 *   `GAS.step`, counts the frame and reserves `w` stack slots, an upper bound of the engine frame
 *   the function needs (16 + its parameters + the size of its syntax tree), so unbounded recursion
 *   ends in out-of-gas or in a depth revert, never in an engine stack overflow, whose depth
 *   depends on the thread;
 * - every loop body (`for`, `for…of`, `while`, `do`) into `{ __prescient_step(); …body }`, so an
 *   infinite loop runs out of gas in every executor;
 * - the operators that can make a value grow (`+ - * ** << >>` and their assignments) and template
 *   literals into helper calls that charge gas for long strings and refuse oversized bigints, and
 *   array and object spreads (`[...x]`, `{...x}`) into helpers that count what they copy (see
 *   contracts/runtime/intrinsics.ts);
 * - the end of the module into `__prescient_freeze(…every module-level binding)`, so a module's
 *   constants, functions and classes cannot carry state from one transaction to the next.
 *
 * Constructors are left alone: they run once, at deployment, where nothing is metered.
 * The helpers are parameters of the module wrapper the sandbox evaluates (see sandbox.ts);
 * contracts cannot name them (the lint reserves the prefix).
 */
import type { ts as TsNs } from "ts-morph";

type Ts = typeof TsNs;

export const STEP_HELPER = "__prescient_step";
export const ENTER_HELPER = "__prescient_enter";
export const EXIT_HELPER = "__prescient_exit";
export const FREEZE_HELPER = "__prescient_freeze";
const ADD = "__prescient_add";
const SUB = "__prescient_sub";
const MUL = "__prescient_mul";
const POW = "__prescient_pow";
const SHL = "__prescient_shl";
const SHR = "__prescient_shr";
const STR = "__prescient_str";
const SPREAD = "__prescient_spread";
const PROPS = "__prescient_props";

/**
 * The module wrapper's helper parameters, in order: the SDK's metering helpers (step, enter, exit,
 * freeze), then the intrinsic guards' operator helpers (OPERATOR_HELPERS of intrinsics.ts).
 */
export const MODULE_HELPERS = [STEP_HELPER, ENTER_HELPER, EXIT_HELPER, FREEZE_HELPER, ADD, SUB, MUL, POW, SHL, SHR, STR, SPREAD, PROPS] as const;

/** Slots every metered frame reserves on top of its size: the engine's frame header and the builtin frames a call may put above it. */
export const FRAME_BASE_SLOTS = 16;

/** An upper bound, in stack slots, of the engine frame `fn` needs: its parameters, plus one per syntax node of its own body. */
export function frameSlots(ts: Ts, fn: TsNs.SignatureDeclaration): number {
  let nodes = 0;
  const count = (n: TsNs.Node): void => {
    nodes++;
    // Nested functions and classes have frames of their own.
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    ts.forEachChild(n, count);
  };
  const body = (fn as { body?: TsNs.Node }).body;
  if (body !== undefined) ts.forEachChild(body, count);
  return FRAME_BASE_SLOTS + fn.parameters.length + nodes;
}

export function gasTransformer(ts: Ts): TsNs.TransformerFactory<TsNs.SourceFile> {
  const K = ts.SyntaxKind;
  const BINARY: Partial<Record<TsNs.SyntaxKind, string>> = {
    [K.PlusToken]: ADD,
    [K.MinusToken]: SUB,
    [K.AsteriskToken]: MUL,
    [K.AsteriskAsteriskToken]: POW,
    [K.LessThanLessThanToken]: SHL,
    [K.GreaterThanGreaterThanToken]: SHR,
  };
  const COMPOUND: Partial<Record<TsNs.SyntaxKind, string>> = {
    [K.PlusEqualsToken]: ADD,
    [K.MinusEqualsToken]: SUB,
    [K.AsteriskEqualsToken]: MUL,
    [K.AsteriskAsteriskEqualsToken]: POW,
    [K.LessThanLessThanEqualsToken]: SHL,
    [K.GreaterThanGreaterThanEqualsToken]: SHR,
  };
  return (context) => {
    const f = context.factory;
    const call = (name: string, args: readonly TsNs.Expression[]) => f.createCallExpression(f.createIdentifier(name), undefined, args);
    const callStatement = (name: string, args: readonly TsNs.Expression[] = []) => f.createExpressionStatement(call(name, args));

    const meteredBody = (statements: readonly TsNs.Statement[], slots: number): TsNs.Block => {
      const w = [f.createNumericLiteral(slots)];
      return f.createBlock([callStatement(ENTER_HELPER, w), f.createTryStatement(f.createBlock(statements, true), undefined, f.createBlock([callStatement(EXIT_HELPER, w)], true))], true);
    };

    const loopBody = (body: TsNs.Statement): TsNs.Statement => f.createBlock([callStatement(STEP_HELPER), body], true);

    const temp = (): TsNs.Identifier => {
      const id = f.createTempVariable(undefined);
      context.hoistVariableDeclaration(id);
      return id;
    };

    /** `target op= value` as `target = helper(target, value)`, evaluating the target's object and key once. */
    const compound = (helper: string, target: TsNs.Expression, value: TsNs.Expression): TsNs.Expression => {
      let t = target;
      while (ts.isParenthesizedExpression(t)) t = t.expression;
      if (ts.isPropertyAccessExpression(t) && t.expression.kind !== K.SuperKeyword) {
        const o = temp();
        const access = () => f.createPropertyAccessExpression(o, t.name);
        return f.createParenthesizedExpression(f.createCommaListExpression([f.createAssignment(o, t.expression), f.createAssignment(access(), call(helper, [access(), value]))]));
      }
      if (ts.isElementAccessExpression(t) && t.expression.kind !== K.SuperKeyword) {
        const o = temp();
        const k = temp();
        const access = () => f.createElementAccessExpression(o, k);
        return f.createParenthesizedExpression(
          f.createCommaListExpression([f.createAssignment(o, t.expression), f.createAssignment(k, t.argumentExpression), f.createAssignment(access(), call(helper, [access(), value]))]),
        );
      }
      return f.createAssignment(t, call(helper, [t, value]));
    };

    const visit = (node: TsNs.Node): TsNs.Node => {
      const slots = ts.isFunctionLike(node) ? frameSlots(ts, node) : 0;
      const n = ts.visitEachChild(node, visit, context);
      if (ts.isMethodDeclaration(n) && n.body !== undefined) {
        return f.updateMethodDeclaration(n, n.modifiers, n.asteriskToken, n.name, n.questionToken, n.typeParameters, n.parameters, n.type, meteredBody(n.body.statements, slots));
      }
      if (ts.isFunctionDeclaration(n) && n.body !== undefined) {
        return f.updateFunctionDeclaration(n, n.modifiers, n.asteriskToken, n.name, n.typeParameters, n.parameters, n.type, meteredBody(n.body.statements, slots));
      }
      if (ts.isFunctionExpression(n)) {
        return f.updateFunctionExpression(n, n.modifiers, n.asteriskToken, n.name, n.typeParameters, n.parameters, n.type, meteredBody(n.body.statements, slots));
      }
      if (ts.isArrowFunction(n)) {
        const statements = ts.isBlock(n.body) ? n.body.statements : [f.createReturnStatement(n.body)];
        return f.updateArrowFunction(n, n.modifiers, n.typeParameters, n.parameters, n.type, n.equalsGreaterThanToken, meteredBody(statements, slots));
      }
      if (ts.isGetAccessorDeclaration(n) && n.body !== undefined) {
        return f.updateGetAccessorDeclaration(n, n.modifiers, n.name, n.parameters, n.type, meteredBody(n.body.statements, slots));
      }
      if (ts.isSetAccessorDeclaration(n) && n.body !== undefined) {
        return f.updateSetAccessorDeclaration(n, n.modifiers, n.name, n.parameters, meteredBody(n.body.statements, slots));
      }
      if (ts.isForStatement(n)) return f.updateForStatement(n, n.initializer, n.condition, n.incrementor, loopBody(n.statement));
      if (ts.isForOfStatement(n)) return f.updateForOfStatement(n, n.awaitModifier, n.initializer, n.expression, loopBody(n.statement));
      if (ts.isForInStatement(n)) return f.updateForInStatement(n, n.initializer, n.expression, loopBody(n.statement));
      if (ts.isWhileStatement(n)) return f.updateWhileStatement(n, n.expression, loopBody(n.statement));
      if (ts.isDoStatement(n)) return f.updateDoStatement(n, loopBody(n.statement), n.expression);
      if (ts.isBinaryExpression(n)) {
        const op = n.operatorToken.kind;
        const helper = BINARY[op];
        if (helper !== undefined) return call(helper, [n.left, n.right]);
        const assign = COMPOUND[op];
        if (assign !== undefined) return compound(assign, n.left, n.right);
      }
      // A tagged template hands its parts to the tag: only untagged templates build a string.
      if (ts.isTemplateExpression(n) && !ts.isTaggedTemplateExpression(node.parent)) return call(STR, [n]);
      if (ts.isSpreadElement(n) && ts.isArrayLiteralExpression(node.parent)) return f.updateSpreadElement(n, call(SPREAD, [n.expression]));
      if (ts.isSpreadAssignment(n)) return f.updateSpreadAssignment(n, call(PROPS, [n.expression]));
      return n;
    };

    /** Every name a module-level statement binds (constants, functions, classes). */
    const moduleBindings = (sf: TsNs.SourceFile): TsNs.Identifier[] => {
      const names: TsNs.Identifier[] = [];
      const bind = (name: TsNs.BindingName): void => {
        if (ts.isIdentifier(name)) names.push(name);
        else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
      };
      for (const statement of sf.statements) {
        // Ambient declarations bind nothing at run time.
        if (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === K.DeclareKeyword)) continue;
        if (ts.isVariableStatement(statement)) for (const d of statement.declarationList.declarations) bind(d.name);
        else if (ts.isFunctionDeclaration(statement) && statement.name !== undefined && statement.body !== undefined) names.push(statement.name);
        else if (ts.isClassDeclaration(statement) && statement.name !== undefined) names.push(statement.name);
        else if (ts.isEnumDeclaration(statement) && !ts.getModifiers(statement)?.some((m) => m.kind === K.ConstKeyword)) names.push(statement.name);
      }
      return names;
    };

    return (sf) => {
      const visited = ts.visitEachChild(sf, visit, context);
      const names = moduleBindings(sf);
      if (names.length === 0) return visited;
      return f.updateSourceFile(visited, [...visited.statements, callStatement(FREEZE_HELPER, names)]);
    };
  };
}
