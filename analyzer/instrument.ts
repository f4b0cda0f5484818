/**
 * Gas metering injected into compiled contracts. A TypeScript transformer (run by
 * `transpileModule`) rewrites:
 *
 * - every function, method, accessor and arrow body into
 *   `{ __prescient_enter(); try { …body } finally { __prescient_exit(); } }` — entering charges
 *   `GAS.step` and counts the frame, so unbounded recursion ends in out-of-gas or in the
 *   frame-depth revert, never in an engine-dependent stack overflow;
 * - every loop body (`for`, `for…of`, `while`, `do`) into `{ __prescient_step(); …body }`, so an
 *   infinite loop runs out of gas in every executor.
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

export function gasTransformer(ts: Ts): TsNs.TransformerFactory<TsNs.SourceFile> {
  return (context) => {
    const f = context.factory;
    const callStatement = (name: string) => f.createExpressionStatement(f.createCallExpression(f.createIdentifier(name), undefined, []));

    const meteredBody = (statements: readonly TsNs.Statement[]): TsNs.Block =>
      f.createBlock([callStatement(ENTER_HELPER), f.createTryStatement(f.createBlock(statements, true), undefined, f.createBlock([callStatement(EXIT_HELPER)], true))], true);

    const loopBody = (body: TsNs.Statement): TsNs.Statement => f.createBlock([callStatement(STEP_HELPER), body], true);

    const visit = (node: TsNs.Node): TsNs.Node => {
      const n = ts.visitEachChild(node, visit, context);
      if (ts.isMethodDeclaration(n) && n.body !== undefined) {
        return f.updateMethodDeclaration(n, n.modifiers, n.asteriskToken, n.name, n.questionToken, n.typeParameters, n.parameters, n.type, meteredBody(n.body.statements));
      }
      if (ts.isFunctionDeclaration(n) && n.body !== undefined) {
        return f.updateFunctionDeclaration(n, n.modifiers, n.asteriskToken, n.name, n.typeParameters, n.parameters, n.type, meteredBody(n.body.statements));
      }
      if (ts.isFunctionExpression(n)) {
        return f.updateFunctionExpression(n, n.modifiers, n.asteriskToken, n.name, n.typeParameters, n.parameters, n.type, meteredBody(n.body.statements));
      }
      if (ts.isArrowFunction(n)) {
        const statements = ts.isBlock(n.body) ? n.body.statements : [f.createReturnStatement(n.body)];
        return f.updateArrowFunction(n, n.modifiers, n.typeParameters, n.parameters, n.type, n.equalsGreaterThanToken, meteredBody(statements));
      }
      if (ts.isGetAccessorDeclaration(n) && n.body !== undefined) {
        return f.updateGetAccessorDeclaration(n, n.modifiers, n.name, n.parameters, n.type, meteredBody(n.body.statements));
      }
      if (ts.isSetAccessorDeclaration(n) && n.body !== undefined) {
        return f.updateSetAccessorDeclaration(n, n.modifiers, n.name, n.parameters, meteredBody(n.body.statements));
      }
      if (ts.isForStatement(n)) return f.updateForStatement(n, n.initializer, n.condition, n.incrementor, loopBody(n.statement));
      if (ts.isForOfStatement(n)) return f.updateForOfStatement(n, n.awaitModifier, n.initializer, n.expression, loopBody(n.statement));
      if (ts.isForInStatement(n)) return f.updateForInStatement(n, n.initializer, n.expression, loopBody(n.statement));
      if (ts.isWhileStatement(n)) return f.updateWhileStatement(n, n.expression, loopBody(n.statement));
      if (ts.isDoStatement(n)) return f.updateDoStatement(n, loopBody(n.statement), n.expression);
      return n;
    };
    return (sf) => ts.visitEachChild(sf, visit, context);
  };
}
