/**
 * Concurrency stress, CI-sized: the stress run of bench/stress.ts over 500 random small blocks, each through hybrid, columns and blockstm at thread counts cycling from 1 to 8, with
 * worker faults injected, and over 60 blocks aimed at the protocol (workloads/protocolBlocks.ts);
 * then blocks where every transaction declares everything, nothing, or a lie, under every policy,
 * in every mode. Longer runs: `node dist/bench/stress.js --blocks N [--generator protocol]`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EnforcementPolicy } from "../core/types.js";
import { runStress } from "../bench/stress.js";
import { randomBlock, randomChain, type DeclaredListKind } from "../workloads/randomBlocks.js";
import { EveryMode, differences } from "./everyMode.js";

describe("concurrency stress", () => {
  it("500 random blocks through every parallel mode at 1 to 8 threads, with workers killed mid-block, give the sequential result", { timeout: 240_000 }, async () => {
    const report = await runStress({ blocks: 500, seed: 20260101, threads: [1, 2, 3, 4, 5, 6, 7, 8], faultEvery: 50, txs: [1, 10] });
    process.stdout.write(`stress: ${JSON.stringify({ ...report, mismatches: report.mismatches.length })}\n`);
    expect(report.mismatches).toEqual([]);
    expect(report.executions).toBe(1500);
    for (const t of ["1", "2", "3", "4", "5", "6", "7", "8"]) expect(report.byThreads[t]).toBeGreaterThan(150);
    // Wrong lists sent transactions outside their sets, and the executors recovered.
    expect(report.recoveries).toBeGreaterThan(50);
    // Every kind of outcome occurred.
    for (const status of ["success", "revert", "out-of-gas", "invalid"] as const) expect(report.receipts[status]).toBeGreaterThan(0);
    // Workers died mid-block (exit or throw); every such block still gave the sequential result,
    // and the next block on that executor ran on its workers again.
    expect(report.faultsHit).toBeGreaterThan(15);
    expect(report.poolRecovered).toBeGreaterThan(15);
  });
});

describe("concurrency stress aimed at the protocol", () => {
  it("blocks with low-index and late violations, rivals beside them, chains of replays, through every mode at 1 to 8 threads with worker faults, give the sequential result", { timeout: 240_000 }, async () => {
    const report = await runStress({ blocks: 60, seed: 20260523, threads: [1, 2, 3, 4, 5, 6, 7, 8], faultEvery: 20, generator: "protocol" });
    process.stdout.write(`stress (protocol): ${JSON.stringify({ ...report, mismatches: report.mismatches.length })}\n`);
    expect(report.mismatches).toEqual([]);
    expect(report.executions).toBe(180);
    // The protocol's paths ran: recoveries over several rounds, Block-STM aborts, worker faults.
    expect(report.recoveries).toBeGreaterThan(20);
    expect(report.rounds).toBeGreaterThan(2 * report.recoveries);
    expect(report.stmAborts).toBeGreaterThan(0);
    expect(report.faultsHit).toBeGreaterThan(3);
  });
});

describe("adversarial declared lists", () => {
  const chain = randomChain();
  let modes: EveryMode;
  beforeAll(async () => {
    modes = await EveryMode.create(chain.genesis, import.meta.dirname, [1, 2, 4]);
  });
  afterAll(async () => {
    await modes?.close();
  });

  const kinds: readonly DeclaredListKind[] = ["everything", "empty", "lying", "none"];
  const policies: readonly EnforcementPolicy[] = ["strict", "fallback", "off"];
  for (const list of kinds) {
    it(`every transaction declaring ${list === "empty" ? "nothing" : list === "none" ? "no list at all" : list === "lying" ? "a lie" : list}, under every policy, in every mode`, async () => {
      for (const policy of policies) {
        for (let seed = 0; seed < 2; seed++) {
          const { block } = randomBlock(chain, `adversarial:${list}:${seed}`, { min: 12, max: 20, list, policy });
          const result = await modes.run(block, { enforce: policy, checkSignatures: seed === 0 });
          expect(differences(result), `${list} under ${policy}, seed ${seed}`).toEqual([]);
          const violations = result.sequential.stats.violations;
          // Under strict, a list that declares nothing or lies makes every transaction that gets
          // past validation revert with AccessListViolation; "everything" never violates.
          if (list === "everything" || list === "none") expect(violations).toBe(0);
          if (policy === "strict" && (list === "empty" || list === "lying")) {
            for (const r of result.sequential.receipts) if (r.status === "revert" && r.error?.startsWith("AccessListViolation")) expect(r.fee > 0n).toBe(true);
            expect(result.sequential.receipts.some((r) => r.error?.startsWith("AccessListViolation"))).toBe(true);
          }
        }
      }
    });
  }
});
