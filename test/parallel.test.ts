import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Block, EnforcementPolicy, Genesis } from "../core/types.js";
import { ContractRuntime } from "../contracts/runtime/runtime.js";
import { ParallelExecutor, priorityLevels, type ParallelMode } from "../executor/parallel/parallelExecutor.js";
import { BlockView, PRIORITY_LEVELS, createBlockBuffers } from "../executor/parallel/blockBuffers.js";
import { buildConflictGraph, gasBottomLevels } from "../scheduler/index.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { blockAccessSets } from "../executor/accessSets.js";
import { prepareBlock } from "../executor/prepare.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import { generateWorkload, WORKLOADS } from "../workloads/index.js";
import { buildBlock, comparable, fixture, txArb } from "./parallelFixture.js";

describe("parallel executors give the sequential result", () => {
  const f = fixture();
  let runtime: ContractRuntime;
  const executors = new Map<number, ParallelExecutor>();
  const snapshots = new Map<number, ReturnType<ParallelExecutor["state"]["snapshotValues"]>>();

  beforeAll(async () => {
    runtime = await ContractRuntime.create({ genesis: f.genesis, baseDir: import.meta.dirname });
    for (const threads of [1, 2, 4]) {
      const executor = await ParallelExecutor.create({ genesis: f.genesis, baseDir: import.meta.dirname, threads, capacity: 1 << 16 });
      executors.set(threads, executor);
      snapshots.set(threads, executor.state.snapshotValues());
    }
  });

  afterAll(async () => {
    for (const e of executors.values()) await e.close();
  });

  let recoveries = 0;

  async function check(block: Block, genesis: Genesis, enforce: EnforcementPolicy, checkSignatures: boolean) {
    const sequential = executeBlockSequential({ block, state: stateFromGenesis(genesis), runtime, enforce, checkSignatures });
    // Declared lists alone (no analyzer): wrong lists make transactions leave their sets.
    const prepared = prepareBlock(block, runtime);
    const declaredOnly = blockAccessSets(block, prepared, { checkSignatures });
    for (const [threads, executor] of executors) {
      // blockstm takes no hints: it runs once, whatever the sets.
      for (const [mode, sets] of [["hybrid", undefined], ["columns", undefined], ["blockstm", undefined], ["hybrid", declaredOnly], ["columns", declaredOnly]] as const) {
        executor.state.restoreValues(snapshots.get(threads)!);
        const loaded = await executor.load({ block, checkSignatures, ...(sets !== undefined ? { sets } : {}) });
        const parallel = await executor.execute({ block: loaded, mode: mode as ParallelMode, enforce, events: true, inlineBelowSpeedup: 0 });
        const where = `${mode} at ${threads} thread(s), enforce ${enforce}, ${sets === undefined ? "analyzer" : "declared-only"} sets`;
        expect(parallel.workerFailure, where).toBeUndefined();
        expect(parallel.stats.mode, where).toBe(mode);
        expect(parallel.stateRoot, where).toBe(sequential.stateRoot);
        expect(comparable(parallel.receipts), where).toEqual(comparable(sequential.receipts));
        expect(parallel.stats.violations, where).toBe(sequential.stats.violations);
        if (parallel.rounds > 1) recoveries++;
      }
    }
    return sequential;
  }

  it("on random blocks with reverts, out-of-gas, hot keys, wrong and missing lists, under every policy", async () => {
    let sawViolation = false;
    let sawRevert = false;
    await fc.assert(
      fc.asyncProperty(fc.array(txArb, { minLength: 1, maxLength: 40 }), fc.constantFrom<EnforcementPolicy>("strict", "fallback", "off"), fc.boolean(), async (specs, enforce, sigs) => {
        const sequential = await check(buildBlock(f, specs), f.genesis, enforce, sigs);
        if (sequential.stats.violations > 0) sawViolation = true;
        if (sequential.receipts.some((r) => r.status !== "success")) sawRevert = true;
      }),
      { numRuns: 40, seed: 20261121 },
    );
    expect(sawViolation).toBe(true);
    expect(sawRevert).toBe(true);
    // Wrong lists under fallback made some runs leave their scheduled sets and recover.
    expect(recoveries).toBeGreaterThan(0);
  });

  it("when the sequencer sends, receives and reads its balance", async () => {
    const specs = [
      { kind: "native", from: 1, to: 2, amount: 5n, list: "exact" },
      { kind: "native", from: 0, to: 3, amount: 5n, list: "exact" },
      { kind: "payFeeRecipient", from: 4, to: 0, amount: 7n, list: "exact" },
      { kind: "token", from: 5, to: 6, amount: 5n, list: "exact" },
      { kind: "native", from: 0, to: 3, amount: 5n, list: "none" },
      { kind: "token", from: 6, to: 7, amount: 5n, list: "exact" },
    ] as const;
    const sequential = await check(buildBlock(f, specs.map((s) => ({ ...s }))), f.genesis, "fallback", true);
    expect(sequential.receipts.every((r) => r.status === "success")).toBe(true);
  });
});

describe("parallel executors on every workload", () => {
  for (const name of Object.keys(WORKLOADS) as (keyof typeof WORKLOADS)[]) {
    it(name, async () => {
      const w = generateWorkload(name, { txs: 300, seed: 9, accounts: 20 });
      const genesis = withAccountContract(w.genesis);
      const runtime = await ContractRuntime.create({ genesis, baseDir: import.meta.dirname });
      const sequential = executeBlockSequential({ block: w.block, state: stateFromGenesis(genesis), runtime });
      const executor = await ParallelExecutor.create({ genesis, baseDir: import.meta.dirname, threads: 2, capacity: 1 << 16 });
      try {
        const loaded = await executor.load({ block: w.block });
        const snapshot = executor.state.snapshotValues();
        for (const mode of ["hybrid", "columns", "blockstm"] as ParallelMode[]) {
          executor.state.restoreValues(snapshot);
          const parallel = await executor.execute({ block: loaded, mode, events: true, inlineBelowSpeedup: 0 });
          expect(parallel.stateRoot, mode).toBe(sequential.stateRoot);
          expect(comparable(parallel.receipts), mode).toEqual(comparable(sequential.receipts));
        }
      } finally {
        await executor.close();
      }
    });
  }
});

describe("progress while the calling thread runs transactions", () => {
  it("is reported in order, never beyond the block, and ends at the block's size", async () => {
    const w = generateWorkload("transfers", { txs: 3000, seed: "progress" });
    const genesis = withAccountContract(w.genesis);
    const executor = await ParallelExecutor.create({ genesis, baseDir: import.meta.dirname, threads: 2, capacity: 1 << 16 });
    const pre = executor.state.snapshotValues();
    try {
      for (const mode of ["hybrid", "columns"] as const) {
        executor.state.restoreValues(pre);
        const calls: [number, number][] = [];
        const r = await executor.execute({ block: w.block, mode, checkSignatures: false, inlineBelowSpeedup: 0, onProgress: (done, total) => calls.push([done, total]) });
        expect(r.inline, mode).toBe(false);
        expect(calls.at(-1), mode).toEqual([3000, 3000]);
        for (let i = 1; i < calls.length; i++) expect(calls[i]![0], mode).toBeGreaterThanOrEqual(calls[i - 1]![0]);
        expect(calls.every(([done, total]) => total === 3000 && done <= 3000), mode).toBe(true);
        expect(r.receipts.every((x) => x.status === "success"), mode).toBe(true);
      }
    } finally {
      await executor.close();
    }
  });
});

describe("the order a round starts its ready transactions in", () => {
  it("is heaviest remaining path first, in both DAG and column rounds", async () => {
    const w = generateWorkload("transfers", { txs: 200, seed: "heaviest-first" });
    const genesis = withAccountContract(w.genesis);
    const executor = await ParallelExecutor.create({ genesis, baseDir: import.meta.dirname, threads: 2, capacity: 1 << 16 });
    const pre = executor.state.snapshotValues();
    try {
      const prepared = prepareBlock(w.block, executor.runtime);
      const sets = blockAccessSets(w.block, prepared, { checkSignatures: false });
      // Independent transfers, the last but fifty weighed as ten of the others: in index order it
      // would start after 150 others, heaviest first it is the round's first pop, so it is the
      // first transaction of whichever thread took it.
      const heavy = 150;
      const weighted = { ...sets, txs: sets.txs.map((t) => (t.index === heavy ? { ...t, gas: 10 * t.gas } : t)) };
      const loaded = await executor.load({ block: w.block, prepared, checkSignatures: false, sets: weighted });
      for (const mode of ["hybrid", "columns"] as const) {
        executor.state.restoreValues(pre);
        const r = await executor.execute({ block: loaded, mode, inlineBelowSpeedup: 0, activity: true });
        expect(r.inline, mode).toBe(false);
        const lane = r.activity!.lanes.find((l) => l.events.some((e) => e.tx === heavy))!;
        expect(lane.events[0]!.tx, mode).toBe(heavy);
      }
    } finally {
      await executor.close();
    }
  });
});

describe("ready-queue priority", () => {
  it("pops the highest level first and each level in the order it was pushed", () => {
    const view = new BlockView(createBlockBuffers(10));
    view.clearQueues();
    const pushes: [number, number][] = [[5, 0], [6, 3], [7, 1], [8, 3], [9, 2], [1, 0], [2, 1]];
    for (const [tx, level] of pushes) view.push(tx, level);
    const popped: number[] = [];
    for (let tx = view.pop(); tx >= 0; tx = view.pop()) popped.push(tx);
    expect(popped).toEqual([6, 8, 9, 7, 2, 5, 1]);
    view.push(4, PRIORITY_LEVELS - 1);
    expect(view.pop()).toBe(4);
    expect(view.pop()).toBe(-1);
  });

  it("has room in a level for every transaction of the round and one handed back", () => {
    const view = new BlockView(createBlockBuffers(2));
    view.clearQueues();
    view.push(0, 3);
    view.push(1, 3);
    const first = view.pop();
    view.push(first, 3);
    expect([view.pop(), view.pop(), view.pop()]).toEqual([1, 0, -1]);
  });

  it("ranks a long chain above the independent transactions beside it, its head highest", () => {
    // A chain of 8 transactions through distinct keys (each reads the previous one's write), then
    // 40 light independent ones, and one independent transaction as heavy as the whole chain.
    const tx = (index: number, reads: string[], writes: string[], gas: number) => ({ index, reads, writes, gas, class: "exact" as const, feeRecipient: "none" as const });
    const txs = [
      ...Array.from({ length: 8 }, (_, i) => tx(i, i === 0 ? [] : [`c/${i - 1}`], [`c/${i}`], 100)),
      ...Array.from({ length: 40 }, (_, i) => tx(8 + i, [], [`free/${i}`], 40)),
      tx(48, [], ["big"], 800),
    ];
    const graph = buildConflictGraph({ feeRecipientLocation: undefined, txs });
    const levels = priorityLevels(graph, gasBottomLevels(graph));
    // Bottom levels along the chain: 800, 700, …, 100 of a heaviest 800 (levels at 1/2, 1/4, 1/16).
    expect(Array.from(levels.slice(0, 8))).toEqual([3, 3, 3, 3, 3, 2, 2, 1]);
    expect(new Set(levels.slice(8, 48))).toEqual(new Set([0]));
    expect(levels[48]).toBe(3);
  });
});
