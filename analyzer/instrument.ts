/**
 * Gas metering injected into compiled contracts. A TypeScript transformer (run by
 * `transpileModule`) rewrites:
 *
 * - every function, method, accessor, constructor and arrow body into
 *   `{ __prescient_enter(w, g, b); try { …body } finally { __prescient_exit(w); } }` — entering
 *   charges `g` gas (GAS.step per NODES_PER_GAS syntax nodes of the body's own code, plus the
 *   memory gas of `b`), counts `b` bytes against the memory limit (what the body's literals,
 *   closures and calls allocate, see `allocationBytes`), counts the frame and reserves `w` stack
 *   slots, an upper bound of the engine
 *   frame the function needs (16 + its parameters + the size of its syntax tree), so unbounded
 *   recursion ends in out-of-gas or in a depth revert, never in an engine stack overflow, whose
 *   depth depends on the thread. Default parameters and destructured parameters are evaluated
 *   inside that body (they are lowered into it), so a recursion through a default value is metered
 *   too; a class field's initializer runs inside a metered arrow of its own;
 * - every loop body (`for`, `for…of`, `while`, `do`) into `{ __prescient_step(g, b); …body }`, so
 *   an infinite loop runs out of gas in every executor, and a long body pays for its length;
 * - the operators that can make a value grow (`+ - * ** << >>` and their assignments) and template
 *   literals into helper calls that charge gas for long strings and refuse oversized bigints, and
 *   array and object spreads (`[...x]`, `{...x}`) into helpers that count what they copy (see
 *   contracts/runtime/intrinsics.ts);
 * - reads that could yield the engine's Array constructor (`x.constructor`, `x[k]`) through
 *   `__prescient_ctor`, which hands contract code the guarded one, and method calls through a
 *   computed key (`x[k](…)`) through `__prescient_key`, which refuses "constructor"; writes and
 *   deletes of computed, `constructor` or `next` members through `__prescient_wkey`, which
 *   refuses the keys that would switch off one of V8's process-wide fast paths;
 * - what chooses a prototype (`{ __proto__: p }`, `class … extends E`) through helpers that bound
 *   the prototype chain, and every `function`/`function*` through `__prescient_fn`, which makes its
 *   `prototype` read-only (an object literal or class with generator methods through
 *   `__prescient_methods`, which does the same for each);
 * - every `try` so that what it catches passes `__prescient_caught` first (a `try … finally` gets a
 *   `catch` that does so and rethrows): an error the engine made may quote a long string the
 *   contract made, and catching it in a loop must not be a cheap way to make the engine copy it;
 * - the end of the module into `__prescient_freeze(…every module-level binding)`, so a module's
 *   constants, functions and classes cannot carry state from one transaction to the next.
 *
 * The helpers are parameters of the module wrapper the sandbox evaluates (see sandbox.ts);
 * contracts cannot name them (the lint reserves the prefix).
 */
import type { ts as TsNs } from "ts-morph";
import { SIZE_GAS } from "../contracts/sdk/gas.js";

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
const CTOR = "__prescient_ctor";
const KEY = "__prescient_key";
const PROTO = "__prescient_proto";
const HERITAGE = "__prescient_heritage";
const FN = "__prescient_fn";
const METHODS = "__prescient_methods";
const CAUGHT = "__prescient_caught";
const WKEY = "__prescient_wkey";

/**
 * The module wrapper's helper parameters, in order: the SDK's metering helpers (step, enter, exit,
 * freeze), then the intrinsic guards' operator helpers (OPERATOR_HELPERS of intrinsics.ts).
 */
export const MODULE_HELPERS = [STEP_HELPER, ENTER_HELPER, EXIT_HELPER, FREEZE_HELPER, ADD, SUB, MUL, POW, SHL, SHR, STR, SPREAD, PROPS, CTOR, KEY, PROTO, HERITAGE, FN, METHODS, CAUGHT, WKEY] as const;

/** Slots every metered frame reserves on top of its size: the engine's frame header and the builtin frames a call may put above it. */
export const FRAME_BASE_SLOTS = 16;

/** Syntax nodes of a body's own code that one unit of step gas (GAS.step) pays for. */
export const NODES_PER_GAS = 8;

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
  for (const p of fn.parameters) if (p.initializer !== undefined || !ts.isIdentifier(p.name)) ts.forEachChild(p, count);
  return FRAME_BASE_SLOTS + fn.parameters.length + nodes;
}

/** The arithmetic operators (and their assignments), made once from the compiler's syntax kinds. */
let arithmetic: Set<TsNs.SyntaxKind> | undefined;

/**
 * What evaluating `n` itself allocates, in bytes, by estimate (children count on their own):
 * objects and arrays by their literal size, closures, `new`, calls (their small results and
 * argument lists), strings and boxed numbers made by operators.
 */
export function allocationBytes(ts: Ts, n: TsNs.Node): number {
  const K = ts.SyntaxKind;
  if (arithmetic === undefined) {
    arithmetic = new Set([
      K.PlusToken, K.MinusToken, K.AsteriskToken, K.AsteriskAsteriskToken, K.SlashToken, K.PercentToken, K.LessThanLessThanToken, K.GreaterThanGreaterThanToken, K.GreaterThanGreaterThanGreaterThanToken,
      K.PlusEqualsToken, K.MinusEqualsToken, K.AsteriskEqualsToken, K.AsteriskAsteriskEqualsToken, K.SlashEqualsToken, K.PercentEqualsToken, K.LessThanLessThanEqualsToken, K.GreaterThanGreaterThanEqualsToken, K.GreaterThanGreaterThanGreaterThanEqualsToken,
    ]);
  }
  switch (n.kind) {
    case K.ObjectLiteralExpression:
      return 64 + 32 * (n as TsNs.ObjectLiteralExpression).properties.length;
    case K.ArrayLiteralExpression:
      return 32 + 16 * (n as TsNs.ArrayLiteralExpression).elements.length;
    case K.FunctionExpression:
    case K.ArrowFunction:
    case K.FunctionDeclaration:
    case K.ClassExpression:
    case K.ClassDeclaration:
    case K.NewExpression:
      return 128;
    case K.CallExpression:
    case K.TemplateExpression:
      return 32;
    case K.TaggedTemplateExpression:
      return 64;
    case K.BinaryExpression:
      // A string (a cons cell) or a boxed number; longer strings are counted by the operator helpers.
      return arithmetic.has((n as TsNs.BinaryExpression).operatorToken.kind) ? 16 : 0;
    case K.Identifier:
      return (n as TsNs.Identifier).text === "arguments" ? 64 : 0;
    case K.Parameter:
      return (n as TsNs.ParameterDeclaration).dotDotDotToken !== undefined ? 64 : 0;
    default:
      return 0;
  }
}

/** The step cost of evaluating some code once: its gas (at least GAS.step) and its allocation estimate. */
export interface StepCost {
  readonly gas: number;
  readonly bytes: number;
}

function isLoop(ts: Ts, n: TsNs.Node): n is TsNs.IterationStatement {
  return ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n) || ts.isWhileStatement(n) || ts.isDoStatement(n);
}

/**
 * The cost of one evaluation of `roots`' own code: every node down to nested functions and
 * classes (their frames pay for themselves; creating one is counted here) and to loops, of which
 * only what runs once (a `for`'s initializer, a `for…of`'s iterable) is counted: the rest runs per
 * iteration and is paid by the loop's step.
 */
export function stepCost(ts: Ts, roots: readonly (TsNs.Node | undefined)[]): StepCost {
  let nodes = 0;
  let bytes = 0;
  const count = (n: TsNs.Node): void => {
    nodes++;
    bytes += allocationBytes(ts, n);
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    if (isLoop(ts, n)) {
      if (ts.isForStatement(n) && n.initializer !== undefined) count(n.initializer);
      if ((ts.isForOfStatement(n) || ts.isForInStatement(n)) && n.expression !== undefined) count(n.expression);
      return;
    }
    ts.forEachChild(n, count);
  };
  for (const root of roots) if (root !== undefined) count(root);
  // The memory gas of what the code allocates is folded in here, once, at compile time.
  return { gas: Math.max(1, Math.ceil(nodes / NODES_PER_GAS)) + Math.floor(bytes / SIZE_GAS.bytes), bytes };
}

/** What runs per iteration of a loop: its body, and a `for`'s condition and incrementor or a `while`'s condition. */
function loopCost(ts: Ts, loop: TsNs.IterationStatement): StepCost {
  if (ts.isForStatement(loop)) return stepCost(ts, [loop.condition, loop.incrementor, loop.statement]);
  if (ts.isWhileStatement(loop) || ts.isDoStatement(loop)) return stepCost(ts, [loop.expression, loop.statement]);
  return stepCost(ts, [(loop as TsNs.ForOfStatement).initializer, loop.statement]);
}

/** The cost of entering a function: its body and the parameters evaluated there (defaults, destructuring). */
function functionCost(ts: Ts, fn: TsNs.SignatureDeclaration): StepCost {
  const body = (fn as { body?: TsNs.Node }).body;
  const parameters = fn.parameters.filter((p) => p.initializer !== undefined || !ts.isIdentifier(p.name) || p.dotDotDotToken !== undefined);
  return stepCost(ts, [...(body !== undefined && ts.isBlock(body) ? body.statements : [body]), ...parameters]);
}

/** Whether `node` (a member access) is written, not read: an assignment's target, an update's operand, deleted, a destructuring or loop target. */
function isWriteTarget(ts: Ts, node: TsNs.Node): boolean {
  const K = ts.SyntaxKind;
  let child: TsNs.Node = node;
  let p = node.parent;
  while (p !== undefined && ts.isParenthesizedExpression(p)) {
    child = p;
    p = p.parent;
  }
  if (p === undefined) return false;
  if (ts.isBinaryExpression(p)) return p.left === child && p.operatorToken.kind >= K.FirstAssignment && p.operatorToken.kind <= K.LastAssignment;
  if (ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) return p.operator === K.PlusPlusToken || p.operator === K.MinusMinusToken;
  if (ts.isDeleteExpression(p)) return true;
  if (ts.isForOfStatement(p) || ts.isForInStatement(p)) return p.initializer === child;
  // An element of a destructuring assignment's target: `[x[k]] = …`, `({ a: x[k] } = …)`.
  const inPattern = (q: TsNs.Node): boolean =>
    ts.isArrayLiteralExpression(q) || ts.isObjectLiteralExpression(q) || ts.isPropertyAssignment(q) || ts.isShorthandPropertyAssignment(q) || ts.isSpreadElement(q) || ts.isSpreadAssignment(q) || ts.isParenthesizedExpression(q);
  if (!inPattern(p)) return false;
  while (p !== undefined && inPattern(p)) {
    child = p;
    p = p.parent;
  }
  if (p === undefined) return false;
  if (ts.isBinaryExpression(p)) return p.operatorToken.kind === K.EqualsToken && p.left === child;
  return (ts.isForOfStatement(p) || ts.isForInStatement(p)) && p.initializer === child;
}

/** Whether the value of `node` is used as the object of another member access or as a callee: `node.x`, `node[k]`, `node(…)`, node`…`. */
function isBaseOrCallee(ts: Ts, node: TsNs.Node): boolean {
  const p = node.parent;
  if (p === undefined) return false;
  if ((ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) && p.expression === node) return true;
  if (ts.isCallExpression(p) && p.expression === node) return true;
  return ts.isTaggedTemplateExpression(p) && p.tag === node;
}

/** Whether a computed member's key is a literal other than "constructor" (it can be left alone). */
function isHarmlessKey(ts: Ts, key: TsNs.Expression): boolean {
  if (ts.isNumericLiteral(key)) return true;
  return ts.isStringLiteralLike(key) && key.text !== "constructor";
}

/** Whether an object literal or a class defines a generator method (whose `prototype` is writable). */
function hasGeneratorMethod(ts: Ts, node: TsNs.ObjectLiteralExpression | TsNs.ClassLikeDeclaration): boolean {
  const members: readonly TsNs.Node[] = ts.isObjectLiteralExpression(node) ? node.properties : node.members;
  return members.some((m) => ts.isMethodDeclaration(m) && m.asteriskToken !== undefined);
}

function isProtoKey(ts: Ts, name: TsNs.PropertyName): boolean {
  return (ts.isIdentifier(name) || ts.isStringLiteral(name)) && name.text === "__proto__";
}

// eslint-disable-next-line max-lines-per-function
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
    /** The arguments of a step or an entry: (), or (gas, bytes) when the code costs more than one step. */
    const costArgs = (cost: StepCost): TsNs.Expression[] => (cost.gas === 1 && cost.bytes === 0 ? [] : [f.createNumericLiteral(cost.gas), f.createNumericLiteral(cost.bytes)]);

    /** `fn(F)` for every function declared directly in `statements` (hoisted: their prototypes locked before any other statement runs). */
    const lockDeclared = (statements: readonly TsNs.Statement[]): TsNs.Statement[] =>
      statements.filter((s): s is TsNs.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name !== undefined && s.body !== undefined).map((s) => callStatement(FN, [f.createIdentifier(s.name!.text)]));

    const meteredBody = (statements: readonly TsNs.Statement[], slots: number, cost: StepCost, prologue: readonly TsNs.Statement[] = []): TsNs.Block => {
      const w = f.createNumericLiteral(slots);
      // The body in a block of its own after the prologue, so its declarations keep their own scope.
      const inner = prologue.length === 0 ? [...lockDeclared(statements), ...statements] : [...lockDeclared(statements), ...prologue, f.createBlock(statements, true)];
      return f.createBlock([callStatement(ENTER_HELPER, [w, ...costArgs(cost)]), f.createTryStatement(f.createBlock(inner, true), undefined, f.createBlock([callStatement(EXIT_HELPER, [w])], true))], true);
    };

    const loopBody = (body: TsNs.Statement, cost: StepCost): TsNs.Statement => f.createBlock([callStatement(STEP_HELPER, costArgs(cost)), body], true);

    const temp = (): TsNs.Identifier => {
      const id = f.createTempVariable(undefined);
      context.hoistVariableDeclaration(id);
      return id;
    };

    /**
     * Parameters with defaults or destructuring, lowered into the body: `(a = x, { b } = y)` becomes
     * `(a, _b)` and `if (a === void 0) a = x; var { b } = _b === void 0 ? y : _b;`, evaluated after
     * the metered entry, so a default value cannot recurse unmetered.
     */
    const lowerParameters = (parameters: readonly TsNs.ParameterDeclaration[]): { parameters: TsNs.ParameterDeclaration[]; prologue: TsNs.Statement[] } => {
      const prologue: TsNs.Statement[] = [];
      const lowered = parameters.map((p) => {
        if (ts.isIdentifier(p.name)) {
          if (p.initializer === undefined) return p;
          const name = f.createIdentifier(p.name.text);
          prologue.push(f.createIfStatement(f.createStrictEquality(name, f.createVoidZero()), f.createExpressionStatement(f.createAssignment(f.createIdentifier(p.name.text), p.initializer))));
          return f.updateParameterDeclaration(p, p.modifiers, p.dotDotDotToken, p.name, undefined, p.type, undefined);
        }
        const holder = f.createUniqueName("_p");
        const value = p.initializer === undefined ? holder : f.createConditionalExpression(f.createStrictEquality(holder, f.createVoidZero()), undefined, p.initializer, undefined, holder);
        prologue.push(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(p.name, undefined, undefined, value)], ts.NodeFlags.None)));
        return f.updateParameterDeclaration(p, p.modifiers, p.dotDotDotToken, holder, undefined, p.type, undefined);
      });
      return { parameters: lowered, prologue };
    };

    /** A constructor's parameter properties (`constructor(private x)`) as plain parameters and the assignments they stand for. */
    const parameterProperties = (parameters: readonly TsNs.ParameterDeclaration[]): { parameters: TsNs.ParameterDeclaration[]; assignments: TsNs.Statement[] } => {
      const assignments: TsNs.Statement[] = [];
      const plain = parameters.map((p) => {
        const property = p.modifiers?.some((m) => m.kind === K.PublicKeyword || m.kind === K.PrivateKeyword || m.kind === K.ProtectedKeyword || m.kind === K.ReadonlyKeyword || m.kind === K.OverrideKeyword);
        if (property !== true || !ts.isIdentifier(p.name)) return p;
        assignments.push(f.createExpressionStatement(f.createAssignment(f.createPropertyAccessExpression(f.createThis(), p.name.text), f.createIdentifier(p.name.text))));
        return f.updateParameterDeclaration(p, p.modifiers?.filter((m) => ts.isDecorator(m)), p.dotDotDotToken, p.name, p.questionToken, p.type, p.initializer);
      });
      return { parameters: plain, assignments };
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

    /** A function-like node (already visited) with a metered body; `original` is the node before visiting. */
    const meterFunction = (n: TsNs.Node, original: TsNs.SignatureDeclaration): TsNs.Node | undefined => {
      // Signatures, overloads and function types have no body to meter.
      if ((n as { body?: TsNs.Node }).body === undefined) return undefined;
      const slots = frameSlots(ts, original);
      const cost = functionCost(ts, original);
      if (ts.isConstructorDeclaration(n) && n.body !== undefined) {
        const props = parameterProperties(n.parameters);
        const { parameters, prologue } = lowerParameters(props.parameters);
        // Parameter properties are assigned where TypeScript would: after `super(…)`, or first.
        const statements = [...n.body.statements];
        const at = statements.findIndex((s) => ts.isExpressionStatement(s) && ts.isCallExpression(s.expression) && s.expression.expression.kind === K.SuperKeyword);
        statements.splice(at + 1, 0, ...props.assignments);
        return f.updateConstructorDeclaration(n, n.modifiers, parameters, meteredBody(statements, slots, cost, prologue));
      }
      const { parameters, prologue } = lowerParameters((n as TsNs.SignatureDeclaration).parameters);
      if (ts.isMethodDeclaration(n) && n.body !== undefined) {
        return f.updateMethodDeclaration(n, n.modifiers, n.asteriskToken, n.name, n.questionToken, n.typeParameters, parameters, n.type, meteredBody(n.body.statements, slots, cost, prologue));
      }
      if (ts.isFunctionDeclaration(n) && n.body !== undefined) {
        return f.updateFunctionDeclaration(n, n.modifiers, n.asteriskToken, n.name, n.typeParameters, parameters, n.type, meteredBody(n.body.statements, slots, cost, prologue));
      }
      if (ts.isFunctionExpression(n)) {
        return call(FN, [f.updateFunctionExpression(n, n.modifiers, n.asteriskToken, n.name, n.typeParameters, parameters, n.type, meteredBody(n.body.statements, slots, cost, prologue))]);
      }
      if (ts.isArrowFunction(n)) {
        const statements = ts.isBlock(n.body) ? n.body.statements : [f.createReturnStatement(n.body)];
        return f.updateArrowFunction(n, n.modifiers, n.typeParameters, parameters, n.type, n.equalsGreaterThanToken, meteredBody(statements, slots, cost, prologue));
      }
      if (ts.isGetAccessorDeclaration(n) && n.body !== undefined) {
        return f.updateGetAccessorDeclaration(n, n.modifiers, n.name, parameters, n.type, meteredBody(n.body.statements, slots, cost, prologue));
      }
      if (ts.isSetAccessorDeclaration(n) && n.body !== undefined) {
        return f.updateSetAccessorDeclaration(n, n.modifiers, n.name, parameters, meteredBody(n.body.statements, slots, cost, prologue));
      }
      return undefined;
    };

    /** A class field's initializer, run by a metered arrow of its own: `x = (() => { enter; try { return init; } finally { exit; } })()`. */
    const meterField = (n: TsNs.PropertyDeclaration, original: TsNs.PropertyDeclaration): TsNs.Node => {
      const init = n.initializer!;
      if (ts.isLiteralExpression(init) || init.kind === K.TrueKeyword || init.kind === K.FalseKeyword || init.kind === K.NullKeyword || ts.isIdentifier(init)) return n;
      const arrow = f.createArrowFunction(undefined, undefined, [], undefined, f.createToken(K.EqualsGreaterThanToken), init);
      const cost = stepCost(ts, [original.initializer]);
      const slots = frameSlots(ts, f.createArrowFunction(undefined, undefined, [], undefined, undefined, original.initializer!));
      const metered = f.updateArrowFunction(arrow, undefined, undefined, [], undefined, arrow.equalsGreaterThanToken, meteredBody([f.createReturnStatement(init)], slots, cost));
      return f.updatePropertyDeclaration(n, n.modifiers, n.name, n.questionToken ?? n.exclamationToken, n.type, f.createCallExpression(f.createParenthesizedExpression(metered), undefined, []));
    };

    /** A `try` whose caught exception passes `__prescient_caught` first, whether a `catch` or a `finally` handles it. */
    const catchPaid = (n: TsNs.TryStatement): TsNs.TryStatement => {
      const clause = n.catchClause;
      if (clause === undefined) {
        const e = f.createUniqueName("_e");
        const rethrow = f.createCatchClause(f.createVariableDeclaration(e), f.createBlock([callStatement(CAUGHT, [e]), f.createThrowStatement(e)], true));
        return f.updateTryStatement(n, n.tryBlock, rethrow, n.finallyBlock);
      }
      const declared = clause.variableDeclaration;
      // A destructured binding (`catch ({ message })`) is bound from a name of our own.
      const e = declared !== undefined && ts.isIdentifier(declared.name) ? f.createIdentifier(declared.name.text) : f.createUniqueName("_e");
      const prologue: TsNs.Statement[] = [callStatement(CAUGHT, [e])];
      if (declared !== undefined && !ts.isIdentifier(declared.name)) prologue.push(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(declared.name, undefined, undefined, e)], ts.NodeFlags.Let)));
      const variable = declared !== undefined && ts.isIdentifier(declared.name) ? declared : f.createVariableDeclaration(e);
      const handled = f.updateCatchClause(clause, variable, f.createBlock([...prologue, ...clause.block.statements], true));
      if (n.finallyBlock === undefined) return f.updateTryStatement(n, n.tryBlock, handled, undefined);
      // What the catch block throws reaches the finally (which may swallow it): paid on the way too.
      const inner = f.createTryStatement(n.tryBlock, handled, undefined);
      const e2 = f.createUniqueName("_e");
      const rethrow = f.createCatchClause(f.createVariableDeclaration(e2), f.createBlock([callStatement(CAUGHT, [e2]), f.createThrowStatement(e2)], true));
      return f.updateTryStatement(n, f.createBlock([inner], true), rethrow, n.finallyBlock);
    };

    /** Member reads that could yield the engine's Array constructor, and calls through a computed key. */
    const guardMember = (n: TsNs.Node, original: TsNs.Node): TsNs.Node => {
      if (isWriteTarget(ts, original)) {
        // Some writes would switch off one of V8's fast paths for the whole process (`constructor`
        // or `@@iterator` on an array…): a computed key, or `constructor`, passes the write-key
        // helper with its object, evaluated once: `(o = x)[__prescient_wkey(o, k)]`.
        const computed = ts.isElementAccessExpression(n) && !isHarmlessKey(ts, (original as TsNs.ElementAccessExpression).argumentExpression);
        // (V8 switches a fast path off on the attempt, before it finds the property read-only.)
        const named = ts.isPropertyAccessExpression(n) && (n.name.text === "constructor" || n.name.text === "next");
        if ((!computed && !named) || (n as TsNs.AccessExpression).expression.kind === K.SuperKeyword) return n;
        const o = temp();
        const k = ts.isElementAccessExpression(n) ? n.argumentExpression : f.createStringLiteral((n as TsNs.PropertyAccessExpression).name.text);
        return f.createElementAccessExpression(f.createParenthesizedExpression(f.createAssignment(o, (n as TsNs.AccessExpression).expression)), call(WKEY, [o, k]));
      }
      if (ts.isElementAccessExpression(n)) {
        if (isHarmlessKey(ts, (original as TsNs.ElementAccessExpression).argumentExpression)) return n;
        // Used further (`x[k].y`, `x[k](…)`): the key may not be "constructor"; a value read: mapped.
        if (isBaseOrCallee(ts, original)) return f.updateElementAccessExpression(n, n.expression, call(KEY, [n.argumentExpression]));
        return call(CTOR, [n]);
      }
      if (ts.isPropertyAccessExpression(n) && n.name.text === "constructor") return call(CTOR, [n]);
      return n;
    };

    const visit = (node: TsNs.Node): TsNs.Node => {
      const n = ts.visitEachChild(node, visit, context);
      if (ts.isFunctionLike(node)) {
        const metered = meterFunction(n, node);
        if (metered !== undefined) return metered;
      }
      if (ts.isPropertyDeclaration(n) && n.initializer !== undefined) return meterField(n, node as TsNs.PropertyDeclaration);
      if (isLoop(ts, node)) {
        const cost = loopCost(ts, node);
        if (ts.isForStatement(n)) return f.updateForStatement(n, n.initializer, n.condition, n.incrementor, loopBody(n.statement, cost));
        if (ts.isForOfStatement(n)) return f.updateForOfStatement(n, n.awaitModifier, n.initializer, n.expression, loopBody(n.statement, cost));
        if (ts.isForInStatement(n)) return f.updateForInStatement(n, n.initializer, n.expression, loopBody(n.statement, cost));
        if (ts.isWhileStatement(n)) return f.updateWhileStatement(n, n.expression, loopBody(n.statement, cost));
        if (ts.isDoStatement(n)) return f.updateDoStatement(n, loopBody(n.statement, cost), n.expression);
      }
      if (ts.isBinaryExpression(n)) {
        const op = n.operatorToken.kind;
        const helper = BINARY[op];
        if (helper !== undefined) return call(helper, [n.left, n.right]);
        const assign = COMPOUND[op];
        if (assign !== undefined) return compound(assign, n.left, n.right);
      }
      if (ts.isElementAccessExpression(n) || ts.isPropertyAccessExpression(n)) return guardMember(n, node);
      // A tagged template hands its parts to the tag: only untagged templates build a string.
      if (ts.isTemplateExpression(n) && !ts.isTaggedTemplateExpression(node.parent)) return call(STR, [n]);
      if (ts.isSpreadElement(n) && ts.isArrayLiteralExpression(node.parent)) return f.updateSpreadElement(n, call(SPREAD, [n.expression]));
      if (ts.isSpreadAssignment(n)) return f.updateSpreadAssignment(n, call(PROPS, [n.expression]));
      if (ts.isPropertyAssignment(n) && isProtoKey(ts, n.name) && ts.isObjectLiteralExpression(node.parent) && !isWriteTarget(ts, node.parent)) {
        return f.updatePropertyAssignment(n, n.name, call(PROTO, [n.initializer]));
      }
      if (ts.isHeritageClause(n) && n.token === K.ExtendsKeyword && ts.isClassLike(node.parent)) {
        return f.updateHeritageClause(n, n.types.map((t) => f.updateExpressionWithTypeArguments(t, call(HERITAGE, [t.expression]), t.typeArguments)));
      }
      // Generator methods: locked as soon as their object or class exists.
      if ((ts.isObjectLiteralExpression(n) && !isWriteTarget(ts, node)) || ts.isClassExpression(n)) {
        if (hasGeneratorMethod(ts, node as TsNs.ObjectLiteralExpression | TsNs.ClassExpression)) return call(METHODS, [n as TsNs.Expression]);
      }
      if (ts.isClassDeclaration(n) && n.name !== undefined && hasGeneratorMethod(ts, node as TsNs.ClassDeclaration)) {
        return [n, callStatement(METHODS, [f.createIdentifier(n.name.text)])] as unknown as TsNs.Node;
      }
      if (ts.isTryStatement(n)) return catchPaid(n);
      if (ts.isCaseBlock(n)) {
        // A function declared in any clause exists in every clause: each clause locks them all first.
        const locks = lockDeclared(n.clauses.flatMap((c) => c.statements));
        if (locks.length === 0) return n;
        return f.updateCaseBlock(n, n.clauses.map((c) => (ts.isCaseClause(c) ? f.updateCaseClause(c, c.expression, [...locks, ...c.statements]) : f.updateDefaultClause(c, [...locks, ...c.statements]))));
      }
      if (ts.isBlock(n) && !ts.isFunctionLike(node.parent)) {
        const locks = lockDeclared(n.statements);
        return locks.length === 0 ? n : f.updateBlock(n, [...locks, ...n.statements]);
      }
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
      const locks = lockDeclared(sf.statements);
      const freeze = names.length === 0 ? [] : [callStatement(FREEZE_HELPER, names)];
      if (locks.length === 0 && freeze.length === 0) return visited;
      // Module-level functions' prototypes are locked before any module code runs (a getter read at load time included).
      const imports = visited.statements.filter((s) => ts.isImportDeclaration(s));
      const rest = visited.statements.filter((s) => !ts.isImportDeclaration(s));
      return f.updateSourceFile(visited, [...imports, ...locks, ...rest, ...freeze]);
    };
  };
}
