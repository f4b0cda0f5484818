import { describe, expect, it } from "vitest";
import { ContractRuntime } from "../contracts/runtime/runtime.js";
import { ParallelExecutor } from "../executor/parallel/parallelExecutor.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import { generateWorkload } from "../workloads/index.js";
import { comparable } from "./parallelFixture.js";

// The random-block and sequencer differential tests of test/parallel.test.ts run blockstm too.

const THREADS = [1, 2, 4] as const;

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
