/**
 * Interleaving exploration (explorer.ts) over small blocks aimed at the protocol
 * (workloads/protocolBlocks.ts: undeclared reads and writes at low indices, late violations, hot
 * keys and chains of replays, reverts after writes, out-of-gas, the sequencer paying, paid and
 * read), in every mode at two and three threads: every order's result must be the sequential one.
 *
 * The long run: `PRESCIENT_EXPLORE_SCALE=k npx vitest run test/executor/explore.test.ts` runs k
 * times the blocks (each with as many orders as here); the seed is printed and fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockAccessSets } from "../../executor/accessSets.js";
import { SYNC, SYNC_NAMES } from "../../executor/parallel/testHook.js";
import { PROTOCOL_AIMS, protocolBlock, protocolSets, type ProtocolAim } from "../../workloads/protocolBlocks.js";
import { randomChain } from "../../workloads/randomBlocks.js";
import { Explorer, emptyReport, type ExploreReport, type ExploreTarget } from "./explorer.js";

const SCALE = Number(process.env.PRESCIENT_EXPLORE_SCALE ?? 1);
const SEED = Number(process.env.PRESCIENT_EXPLORE_SEED ?? 20260523);
const chain = randomChain();

function target(seed: number, min: number, max: number, aim?: ProtocolAim): ExploreTarget {
  const p = protocolBlock(chain, `${SEED}:${seed}`, { min, max, heavyWork: 2_000, ...(aim !== undefined ? { aim } : {}) });
  return {
    label: `protocol block ${SEED}:${seed} (${p.aim}: ${p.kinds.join(", ")}; ${p.policy}${p.checkSignatures ? "" : ", no signatures"}; left out of the sets: ${p.undeclared.map((u) => `tx ${u.tx}`).join(", ") || "nothing"})`,
    block: p.block,
    policy: p.policy,
    checkSignatures: p.checkSignatures,
    sets: (prepared) => protocolSets(blockAccessSets(p.block, prepared, { checkSignatures: p.checkSignatures }), p),
  };
}

function summary(name: string, report: ExploreReport, started: number): string {
  return `${name}: ${report.orders} orders (${report.faults} with a worker fault), ${report.choices} decisions with a choice, ${report.exhausted} of ${report.trees} trees exhausted, ${report.failures.length} orders different from sequential, seed ${SEED}, ${((performance.now() - started) / 1000).toFixed(1)} s\n`;
}

describe("interleaving exploration", () => {
  let explorer: Explorer;
  const points = new Map<string, number>();
  beforeAll(async () => {
    explorer = await Explorer.create(chain.genesis, import.meta.dirname, [2, 3]);
  });
  afterAll(async () => {
    await explorer?.close();
  });
  const merge = (report: ExploreReport) => {
    for (const [name, count] of report.points) points.set(name, (points.get(name) ?? 0) + count);
  };

  it("replays an order exactly from its seed or its choices", async () => {
    const t = target(0, 4, 4);
    for (const mode of ["hybrid", "columns", "blockstm"] as const) {
      const loaded = await explorer.load(t, 3);
      for (const schedule of [{ rest: "random", seed: 99 }, { rest: "pct", seed: 7, steps: 40 }] as const) {
        const first = await explorer.run(t, loaded, mode, 3, schedule);
        const again = await explorer.run(t, loaded, mode, 3, schedule);
        const replayed = await explorer.run(t, loaded, mode, 3, { prefix: first.trace.map((s) => s.choice) });
        expect(again.trace, `${mode} ${schedule.rest}`).toEqual(first.trace);
        expect(replayed.trace, `${mode} ${schedule.rest}`).toEqual(first.trace);
        expect(again.result.stateRoot).toBe(first.result.stateRoot);
        expect(first.trace.some((s) => s.candidates > 1), `${mode}: the order had choices`).toBe(true);
      }
    }
  });

  it("every order with at most two preemptions of three-transaction blocks at two threads", { timeout: 600_000 }, async () => {
    const report = emptyReport();
    const started = performance.now();
    for (let b = 0; b < 6 * SCALE; b++) {
      await explorer.explore(target(1000 + b, 3, 3, PROTOCOL_AIMS[b % PROTOCOL_AIMS.length]), { modes: ["hybrid", "columns", "blockstm"], threads: [2], orders: 250, strategy: "exhaustive", preemptions: 2, seed: SEED }, report);
    }
    process.stdout.write(summary("exhaustive", report, started));
    merge(report);
    expect(report.failures.slice(0, 2)).toEqual([]);
    expect(report.exhausted).toBeGreaterThan(0);
  });

  it("PCT and random orders over blocks of 2 to 6 transactions at two and three threads, some with a worker fault", { timeout: 600_000 }, async () => {
    const report = emptyReport();
    const started = performance.now();
    for (let b = 0; b < 10 * SCALE; b++) {
      await explorer.explore(target(b, 2, 6, PROTOCOL_AIMS[b % PROTOCOL_AIMS.length]), { modes: ["hybrid", "columns", "blockstm"], threads: [2, 3], orders: 36, strategy: "pct", depth: 2 + (b % 2), seed: SEED, faultEvery: 40 }, report);
    }
    process.stdout.write(summary("pct", report, started));
    merge(report);
    expect(report.failures.slice(0, 2)).toEqual([]);
  });

  it("a Block-STM block ends when its last task is a failed incarnation, not when an idle thread's wait times out", async () => {
    // Found by this exploration: the thread that took the last execution index found that
    // transaction already executed, gave up its task without passing check_done, and every thread
    // slept on a finished block (the turnstile reports a deadlock: no thread could go).
    const p = protocolBlock(chain, "stm:3", { min: 4, max: 6, aim: "mixed", heavyWork: 2_000 });
    const t: ExploreTarget = { label: "stm:3", block: p.block, policy: p.policy, checkSignatures: p.checkSignatures };
    const loaded = await explorer.load(t, 3);
    const run = await explorer.run(t, loaded, "blockstm", 3, { rest: "pct", seed: 20, depth: 3, steps: 80 });
    expect(run.failure).toBe("none");
    expect(run.result.stateRoot).toBe(explorer.sequential(t).stateRoot);
  });

  it("stopped at every synchronization point of the protocol", () => {
    process.stdout.write(`points: ${JSON.stringify(Object.fromEntries(points))}\n`);
    for (const name of Object.keys(SYNC)) expect(points.get(name) ?? 0, name).toBeGreaterThan(0);
    void SYNC_NAMES;
  });
});
