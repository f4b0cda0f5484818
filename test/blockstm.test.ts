import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Block, EnforcementPolicy } from "../core/types.js";
import { ContractRuntime } from "../contracts/runtime/runtime.js";
import { ParallelExecutor } from "../executor/parallel/parallelExecutor.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import { generateWorkload } from "../workloads/index.js";
import { buildBlock, comparable, fixture, txArb } from "./parallelFixture.js";

const THREADS = [1, 2, 4] as const;

describe("blockstm gives the sequential result", () => {
  const f = fixture();
  let runtime: ContractRuntime;
  const executors = new Map<number, ParallelExecutor>();
  const snapshots = new Map<number, ReturnType<ParallelExecutor["state"]["snapshotValues"]>>();

  beforeAll(async () => {
    runtime = await ContractRuntime.create({ genesis: f.genesis, baseDir: import.meta.dirname });
    for (const threads of THREADS) {
      const executor = await ParallelExecutor.create({ genesis: f.genesis, baseDir: import.meta.dirname, threads, capacity: 1 << 16 });
      executors.set(threads, executor);
      snapshots.set(threads, executor.state.snapshotValues());
    }
  });

  afterAll(async () => {
    for (const e of executors.values()) await e.close();
  });

  async function check(block: Block, enforce: EnforcementPolicy, checkSignatures: boolean) {
    const sequential = executeBlockSequential({ block, state: stateFromGenesis(f.genesis), runtime, enforce, checkSignatures });
    for (const [threads, executor] of executors) {
      executor.state.restoreValues(snapshots.get(threads)!);
      const result = await executor.execute({ block, mode: "blockstm", enforce, checkSignatures, events: true });
      const where = `blockstm at ${threads} thread(s), enforce ${enforce}`;
      expect(result.workerFailure, where).toBeUndefined();
      expect(result.stateRoot, where).toBe(sequential.stateRoot);
      expect(comparable(result.receipts), where).toEqual(comparable(sequential.receipts));
      expect(result.stats.violations, where).toBe(sequential.stats.violations);
      expect(result.stats.mode).toBe("blockstm");
    }
    return sequential;
  }

  it("on random blocks with reverts, out-of-gas, hot keys, the sequencer paid, wrong lists, under every policy", async () => {
    let sawViolation = false;
    let sawRevert = false;
    await fc.assert(
      fc.asyncProperty(fc.array(txArb, { minLength: 1, maxLength: 40 }), fc.constantFrom<EnforcementPolicy>("strict", "fallback", "off"), fc.boolean(), async (specs, enforce, sigs) => {
        const sequential = await check(buildBlock(f, specs), enforce, sigs);
        if (sequential.stats.violations > 0) sawViolation = true;
        if (sequential.receipts.some((r) => r.status !== "success")) sawRevert = true;
      }),
      { numRuns: 40, seed: 20261121 },
    );
    expect(sawViolation).toBe(true);
    expect(sawRevert).toBe(true);
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
    const sequential = await check(buildBlock(f, specs.map((s) => ({ ...s }))), "fallback", true);
    expect(sequential.receipts.every((r) => r.status === "success")).toBe(true);
  });
});

describe("blockstm on every workload", () => {
  const cases = [
    { name: "transfers", options: { txs: 300 } },
    { name: "erc20", options: { txs: 300 } },
    { name: "p2p", options: { txs: 300, accounts: 4 } },
    { name: "p2p", options: { txs: 300, accounts: 100 } },
    { name: "hot", options: { txs: 300, hotRatio: 0.5 } },
    { name: "chain", options: { txs: 200 } },
    { name: "defi", options: { txs: 300 } },
  ] as const;
  for (const c of cases) {
    it(`${c.name} ${JSON.stringify(c.options)}`, async () => {
      const w = generateWorkload(c.name, { seed: 9, ...c.options });
      const genesis = withAccountContract(w.genesis);
      const runtime = await ContractRuntime.create({ genesis, baseDir: import.meta.dirname });
      const sequential = executeBlockSequential({ block: w.block, state: stateFromGenesis(genesis), runtime });
      for (const threads of THREADS) {
        const executor = await ParallelExecutor.create({ genesis, baseDir: import.meta.dirname, threads, capacity: 1 << 16 });
        try {
          const loaded = await executor.load({ block: w.block });
          const snapshot = executor.state.snapshotValues();
          for (let run = 0; run < 2; run++) {
            executor.state.restoreValues(snapshot);
            const result = await executor.execute({ block: loaded, mode: "blockstm", events: true });
            const where = `${c.name} at ${threads} thread(s), run ${run}`;
            expect(result.workerFailure, where).toBeUndefined();
            expect(result.stateRoot, where).toBe(sequential.stateRoot);
            expect(comparable(result.receipts), where).toEqual(comparable(sequential.receipts));
            expect(result.stats.executions, where).toBeGreaterThanOrEqual(w.block.txs.length);
          }
        } finally {
          await executor.close();
        }
      }
    });
  }

  it("aborts and re-executes on a contended block", async () => {
    const w = generateWorkload("p2p", { txs: 400, accounts: 3, seed: 4 });
    const genesis = withAccountContract(w.genesis);
    const runtime = await ContractRuntime.create({ genesis, baseDir: import.meta.dirname });
    const sequential = executeBlockSequential({ block: w.block, state: stateFromGenesis(genesis), runtime });
    const executor = await ParallelExecutor.create({ genesis, baseDir: import.meta.dirname, threads: 2, capacity: 1 << 16 });
    try {
      const result = await executor.execute({ block: w.block, mode: "blockstm" });
      expect(result.stateRoot).toBe(sequential.stateRoot);
      expect(result.stats.aborts).toBeGreaterThan(0);
      expect(result.stats.validations).toBeGreaterThan(0);
      expect(result.stats.executions).toBeGreaterThan(w.block.txs.length);
    } finally {
      await executor.close();
    }
  });
});
