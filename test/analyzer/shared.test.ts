/**
 * Shared sub-expressions (SharedSyms): evaluating a sub-expression once per call gives exactly
 * what evaluating every use on its own gives — values, class and reasons for random expressions
 * over random call environments, and whole access sets for random blocks and the workloads.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { templatesForRuntime } from "../../analyzer/analyze.js";
import { Instantiator } from "../../analyzer/instantiate.js";
import { Multi, SharedSyms, Top, compileGuards, compileSym, nextCall, type CV, type SymContext, type SymEnv } from "../../analyzer/symbolic.js";
import type { Sym } from "../../analyzer/template.js";
import type { EnforcementPolicy } from "../../core/types.js";
import { deployChain } from "../../executor/chain.js";
import { withAccountContract } from "../../state/genesis.js";
import type { StateStore } from "../../state/state.js";
import { generateWorkload } from "../../workloads/index.js";
import { randomBlock, randomChain } from "../../workloads/randomBlocks.js";

const SELF = "0x00000000000000000000000000000000000a0001";

const symArb: fc.Arbitrary<Sym> = fc.letrec<{ sym: Sym }>((tie) => ({
  sym: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom<Sym>({ k: "lit", v: "a" }, { k: "lit", v: "b/c" }, { k: "lit", v: true }, { k: "big", v: "0" }, { k: "big", v: "7" }, { k: "top", mutable: false, why: "t" }, { k: "top", mutable: true, why: "m" }),
    fc.constantFrom<Sym>({ k: "ctx", f: "sender" }, { k: "ctx", f: "self" }, { k: "ctx", f: "origin" }, { k: "ctx", f: "number" }),
    fc.integer({ min: 0, max: 2 }).map((i): Sym => ({ k: "arg", i })),
    fc.integer({ min: 0, max: 2 }).map((i): Sym => ({ k: "each", i })),
    fc.record({ v: fc.constantFrom("x", "y"), keys: fc.array(tie("sym"), { maxLength: 1 }) }).map(({ v, keys }): Sym => ({ k: "imm", v, keys, def: { k: "lit", v: "d" } })),
    fc.array(tie("sym"), { minLength: 1, maxLength: 3 }).map((parts): Sym => ({ k: "cat", parts })),
    fc.tuple(tie("sym"), tie("sym")).map(([a, b]): Sym => ({ k: "eq", a, b })),
    tie("sym").map((a): Sym => ({ k: "not", a })),
    fc.tuple(fc.boolean(), tie("sym"), tie("sym")).map(([and, a, b]): Sym => ({ k: and ? "and" : "or", a, b })),
    fc.tuple(tie("sym"), tie("sym"), tie("sym")).map(([c, t, e]): Sym => ({ k: "ite", c, t, e })),
  ),
})).sym;

/** Expressions built over a small pool, so that sub-expressions repeat (guards, keys, targets). */
const expressionsArb = fc
  .tuple(fc.array(symArb, { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom("same", "not", "eq", "and", "ite")), { minLength: 1, maxLength: 10 }))
  .map(([pool, uses]) =>
    uses.map(([i, j, op]): Sym => {
      const a = pool[i % pool.length]!;
      const b = pool[j % pool.length]!;
      switch (op) {
        case "same":
          return a;
        case "not":
          return { k: "not", a };
        case "eq":
          return { k: "eq", a, b };
        case "and":
          return { k: "and", a, b };
        case "ite":
          return { k: "ite", c: a, t: b, e: a };
      }
    }),
  );

const valueArb: fc.Arbitrary<CV> = fc.oneof(
  fc.constantFrom<CV>("a", "b/c", "", SELF, 0n, 7n, -1n, true, false, undefined),
  fc.array(fc.constantFrom<CV>("a", 7n, true), { maxLength: 3 }) as fc.Arbitrary<CV>,
  fc.array(fc.constantFrom<CV>("a", "b", 0n, false), { maxLength: 3 }).map((vs) => new Multi(vs as never)),
  fc.constantFrom(new Top(false, "arg"), new Top(true, "storage")),
);

/** A pre-block state holding a few immutable values. */
function stateOf(entries: readonly [string, string][]): StateStore {
  const map = new Map(entries);
  return { get: (location: string) => map.get(location) } as unknown as StateStore;
}

describe("shared sub-expressions", () => {
  it("give the values, class and reasons of evaluating every use on its own, call after call", () => {
    fc.assert(
      fc.property(expressionsArb, fc.array(fc.tuple(valueArb, valueArb, valueArb, fc.constantFrom("a", SELF)), { minLength: 1, maxLength: 3 }), fc.subarray(["x", "y", "x/a", "y/7", "x/true"]), (exprs, calls, stored) => {
        const state = stateOf(stored.map((k) => [`${SELF}/${k}`, k.length % 2 === 0 ? "a" : "q"]));
        const shared = new SharedSyms();
        for (const e of exprs) shared.count(e);
        const sharedFns = exprs.map((e) => compileSym(e, shared));
        const plainFns = exprs.map((e) => compileSym(e));
        const sharedGuard = compileGuards(exprs, shared);
        const plainGuard = compileGuards(exprs);
        const context = (): SymContext => ({ block: { number: 5n, timestamp: 9n, sequencer: SELF }, state, level: 0, reasons: undefined });
        const xs = context();
        const xp = context();
        for (const [a0, a1, a2, sender] of calls) {
          const call = nextCall();
          const env = (x: SymContext): SymEnv => ({ self: SELF, sender, origin: sender, args: [a0, a1, a2], x, call });
          const es = env(xs);
          const ep = env(xp);
          // Twice per call: the second evaluation of a shared expression is the remembered value.
          for (let round = 0; round < 2; round++) {
            for (let i = 0; i < exprs.length; i++) expect(sharedFns[i]!(es)).toStrictEqual(plainFns[i]!(ep));
            expect(sharedGuard?.(es)).toBe(plainGuard?.(ep));
          }
          expect(xs.level).toBe(xp.level);
          expect(xs.reasons).toStrictEqual(xp.reasons);
        }
      }),
      { numRuns: 400, seed: 3 },
    );
  });

  it("give the same access sets as the straightforward evaluation on random blocks and the DeFi workload", async () => {
    const chain = randomChain();
    const policies: readonly EnforcementPolicy[] = ["strict", "fallback", "off"];
    const blocks = Array.from({ length: 30 }, (_, seed) => ({ ...randomBlock(chain, `shared:${seed}`, { min: 10, max: 30 }), genesis: chain.genesis }));
    for (const seed of [1, 2]) {
      const w = generateWorkload("defi", { txs: 300, seed, declare: seed === 1 });
      blocks.push({ block: w.block, genesis: w.genesis, policy: policies[seed]! });
    }
    let compared = 0;
    for (const { block, genesis, policy } of blocks) {
      const loaded = await deployChain(block, withAccountContract(genesis), process.cwd());
      const contracts = await templatesForRuntime(loaded.runtime);
      const run = (shareSubexpressions: boolean) =>
        new Instantiator({ contracts, block: loaded.block, state: loaded.state, enforce: policy, shareSubexpressions }).instantiateBlock(loaded.prepared);
      const shared = run(true);
      expect(shared).toStrictEqual(run(false));
      compared += shared.txs.length;
    }
    expect(compared).toBeGreaterThan(800);
  });
});
