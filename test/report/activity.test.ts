import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Block, EnforcementPolicy } from "../../core/types.js";
import { ContractRuntime } from "../../contracts/runtime/runtime.js";
import { RAW_ACTIVITY, assembleActivity, type ExecutionActivity } from "../../executor/activity.js";
import { blockAccessSets } from "../../executor/accessSets.js";
import { ParallelExecutor, type ParallelMode } from "../../executor/parallel/parallelExecutor.js";
import { prepareBlock } from "../../executor/prepare.js";
import { executeBlockSequential } from "../../executor/sequential.js";
import { stateFromGenesis, withAccountContract } from "../../state/genesis.js";
import { generateWorkload } from "../../workloads/index.js";
import { buildBlock, fixture, txArb } from "../parallelFixture.js";

function records(...rows: [number, number, number, number, number][]): Float64Array {
  return Float64Array.from(rows.flat());
}

describe("assembleActivity", () => {
  it("keeps each transaction's last completed execution and marks the others aborted", () => {
    const { completed, stopped, validated, failedValidation } = RAW_ACTIVITY;
    const activity = assembleActivity({
      parts: [
        { thread: 3, records: records([completed, 0, 0, 0, 1], [stopped, 1, 0, 1, 2], [completed, 1, 1, 5, 6], [validated, 0, 0, 6, 7]) },
        { thread: 2, records: records([completed, 1, 0, 2, 3], [failedValidation, 1, 0, 3, 4], [completed, 2, 0, 4, 9]) },
      ],
      threads: [2, 3],
      workers: 3,
    });
    expect(activity.lanes.map((l) => l.label)).toEqual(["worker 1", "worker 2", "worker 3 (no task)"]);
    const [w1, w2, idle] = activity.lanes;
    // Thread 2 ran tx 1's incarnation 0, later invalidated: an abort. Thread 3 kept incarnation 1.
    expect(w1!.events.map((e) => [e.kind, e.tx])).toEqual([["abort", 1], ["failed-validation", 1], ["execution", 2]]);
    expect(w2!.events.map((e) => [e.kind, e.tx])).toEqual([["execution", 0], ["abort", 1], ["execution", 1], ["validation", 0]]);
    expect(idle!.events).toEqual([]);
  });

  it("without incarnations, the latest completed execution is the kept one", () => {
    const activity = assembleActivity({
      parts: [{ thread: 0, records: records([RAW_ACTIVITY.completed, 4, 0, 0, 1], [RAW_ACTIVITY.completed, 4, 0, 3, 4]) }],
      threads: [0],
      mainLabel: "main thread (inline)",
    });
    expect(activity.lanes).toHaveLength(1);
    expect(activity.lanes[0]!.label).toBe("main thread (inline)");
    expect(activity.lanes[0]!.events.map((e) => e.kind)).toEqual(["abort", "execution"]);
  });
});

/** What every recorded execution must satisfy, whatever the mode. */
function checkActivity(activity: ExecutionActivity, txs: number, stats: { executions: number; aborts: number; validations: number }, where: string) {
  const kept = new Array<number>(txs).fill(0);
  let attempts = 0;
  let aborts = 0;
  let validations = 0;
  for (const lane of activity.lanes) {
    let previousEnd = -Infinity;
    for (const e of lane.events) {
      expect(e.endMs, where).toBeGreaterThanOrEqual(e.startMs);
      // One thread does one thing at a time.
      expect(e.startMs, where).toBeGreaterThanOrEqual(previousEnd - 1e-6);
      previousEnd = e.endMs;
      if (e.kind === "execution") kept[e.tx]!++;
      if (e.kind === "execution" || e.kind === "abort") attempts++;
      if (e.kind === "abort") aborts++;
      if (e.kind === "validation" || e.kind === "failed-validation") validations++;
    }
  }
  expect(kept.every((k) => k === 1), `${where}: one kept execution per transaction`).toBe(true);
  expect(attempts, where).toBe(stats.executions);
  expect(aborts, where).toBe(stats.aborts);
  expect(validations, where).toBe(stats.validations);
}

describe("the executors record what each thread did, when asked", () => {
  const f = fixture();
  let runtime: ContractRuntime;
  let executor: ParallelExecutor;
  let snapshot: ReturnType<ParallelExecutor["state"]["snapshotValues"]>;

  beforeAll(async () => {
    runtime = await ContractRuntime.create({ genesis: f.genesis, baseDir: import.meta.dirname });
    executor = await ParallelExecutor.create({ genesis: f.genesis, baseDir: import.meta.dirname, threads: 2, capacity: 1 << 16 });
    snapshot = executor.state.snapshotValues();
  });

  afterAll(async () => {
    await executor.close();
  });

  const aborted = new Set<string>();

  async function run(block: Block, enforce: EnforcementPolicy) {
    const sequential = executeBlockSequential({ block, state: stateFromGenesis(f.genesis), runtime, enforce, activity: true });
    expect(sequential.activity!.lanes.map((l) => l.label)).toEqual(["main thread"]);
    expect(sequential.activity!.lanes[0]!.events.map((e) => e.tx)).toEqual(block.txs.map((_, i) => i));
    // Declared lists alone: wrong lists make hybrid and columns abort and recover.
    const declaredOnly = blockAccessSets(block, prepareBlock(block, runtime), { checkSignatures: true });
    for (const [mode, sets] of [["hybrid", declaredOnly], ["columns", declaredOnly], ["blockstm", undefined]] as const) {
      executor.state.restoreValues(snapshot);
      const loaded = await executor.load({ block, ...(sets !== undefined ? { sets } : {}) });
      const quiet = await executor.execute({ block: loaded, mode: mode as ParallelMode, enforce, inlineBelowSpeedup: 0 });
      expect(quiet.activity, mode).toBeUndefined();
      executor.state.restoreValues(snapshot);
      const recorded = await executor.execute({ block: loaded, mode: mode as ParallelMode, enforce, inlineBelowSpeedup: 0, activity: true });
      expect(recorded.stateRoot, mode).toBe(sequential.stateRoot);
      const activity = recorded.activity!;
      expect(activity.lanes.filter((l) => l.label.startsWith("worker")), mode).toHaveLength(2);
      checkActivity(activity, block.txs.length, recorded.stats, `${mode}, enforce ${enforce}`);
      if (recorded.stats.aborts > 0) aborted.add(mode);
    }
  }

  it("on random blocks, wrong lists and contention included: one kept execution per transaction, counts as in the stats", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(txArb, { minLength: 1, maxLength: 30 }), fc.constantFrom<EnforcementPolicy>("strict", "fallback"), async (specs, enforce) => {
        await run(buildBlock(f, specs), enforce);
      }),
      { numRuns: 10, seed: 20261122 },
    );
    // The runs did exercise the abort paths of hybrid and columns: lying lists always leave their sets.
    expect(aborted.has("hybrid") && aborted.has("columns")).toBe(true);
  });

  it("Block-STM on a contended block: aborts, re-executions and validations are recorded as counted", async () => {
    const w = generateWorkload("p2p", { txs: 400, accounts: 3, seed: 4 });
    const genesis = withAccountContract(w.genesis);
    const stm = await ParallelExecutor.create({ genesis, baseDir: import.meta.dirname, threads: 2, capacity: 1 << 16 });
    try {
      const r = await stm.execute({ block: w.block, mode: "blockstm", activity: true });
      expect(r.stats.aborts).toBeGreaterThan(0);
      checkActivity(r.activity!, w.block.txs.length, r.stats, "blockstm, contended");
      const kinds = new Set(r.activity!.lanes.flatMap((l) => l.events.map((e) => e.kind)));
      expect(kinds.has("abort")).toBe(true);
      expect(kinds.has("validation")).toBe(true);
    } finally {
      await stm.close();
    }
  });

  it("a block that runs inline has one lane, the calling thread's", async () => {
    const block = buildBlock(f, [{ kind: "token", from: 1, to: 2, amount: 5n, list: "exact" }]);
    executor.state.restoreValues(snapshot);
    const r = await executor.execute({ block, mode: "hybrid", activity: true });
    expect(r.inline).toBe(true);
    expect(r.activity!.lanes.map((l) => l.label)).toEqual(["main thread (inline)"]);
    expect(r.activity!.lanes[0]!.events).toHaveLength(1);
  });

  it("reports progress while a block runs, ending at every transaction", async () => {
    const block = buildBlock(f, Array.from({ length: 20 }, (_, i) => ({ kind: "token" as const, from: i % 8, to: (i + 3) % 8, amount: 5n, list: "exact" as const })));
    for (const mode of ["hybrid", "blockstm"] as const) {
      executor.state.restoreValues(snapshot);
      const seen: [number, number][] = [];
      await executor.execute({ block, mode, inlineBelowSpeedup: 0, onProgress: (done, total) => seen.push([done, total]) });
      expect(seen.at(-1), mode).toEqual([20, 20]);
      expect(seen.every(([done, total]) => done >= 0 && done <= total), mode).toBe(true);
    }
  });
});
