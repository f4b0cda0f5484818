import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ContractRuntime } from "../contracts/runtime/runtime.js";
import { ParallelExecutor, workerEntryFile } from "../executor/parallel/parallelExecutor.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import { generateWorkload } from "../workloads/index.js";
import { capacityJustAbove } from "./helpers.js";

describe("a worker that fails mid-block", () => {
  it("still yields the sequential result, and the pool keeps working", async () => {
    const w = generateWorkload("defi", { txs: 300, seed: 4 });
    const genesis = withAccountContract(w.genesis);
    const runtime = await ContractRuntime.create({ genesis, baseDir: import.meta.dirname });
    const sequential = executeBlockSequential({ block: w.block, state: stateFromGenesis(genesis), runtime });
    const executor = await ParallelExecutor.create({ genesis, baseDir: import.meta.dirname, threads: 2, capacity: 1 << 16 });
    try {
      const loaded = await executor.load({ block: w.block });
      const snapshot = executor.state.snapshotValues();
      for (const kind of ["throw", "exit"] as const) {
        for (const mode of ["hybrid", "columns", "blockstm"] as const) {
          executor.state.restoreValues(snapshot);
          const r = await executor.execute({ block: loaded, mode, inlineBelowSpeedup: 0, testHook: { fault: { tx: 150, kind } } });
          expect(r.workerFailure, `${kind} ${mode}`).toBeDefined();
          expect(r.stateRoot, `${kind} ${mode}`).toBe(sequential.stateRoot);
          expect(r.receipts.map((x) => [x.status, x.gasUsed, x.fee])).toEqual(sequential.receipts.map((x) => [x.status, x.gasUsed, x.fee]));
        }
      }
      // Failed workers are replaced: the next block runs in parallel again.
      executor.state.restoreValues(snapshot);
      const after = await executor.execute({ block: loaded, mode: "hybrid", inlineBelowSpeedup: 0 });
      expect(after.workerFailure).toBeUndefined();
      expect(after.inline).toBe(false);
      expect(after.stateRoot).toBe(sequential.stateRoot);
    } finally {
      await executor.close();
    }
  });
});

describe("a fault injected at one thread", () => {
  it("never fires: the fault is a worker's, and there is none", async () => {
    const w = generateWorkload("defi", { txs: 60, seed: 4 });
    const genesis = withAccountContract(w.genesis);
    const runtime = await ContractRuntime.create({ genesis, baseDir: import.meta.dirname });
    const sequential = executeBlockSequential({ block: w.block, state: stateFromGenesis(genesis), runtime });
    const executor = await ParallelExecutor.create({ genesis, baseDir: import.meta.dirname, threads: 1, capacity: 1 << 16 });
    try {
      const loaded = await executor.load({ block: w.block });
      const snapshot = executor.state.snapshotValues();
      for (const kind of ["throw", "exit"] as const) {
        for (const mode of ["hybrid", "columns", "blockstm"] as const) {
          executor.state.restoreValues(snapshot);
          const r = await executor.execute({ block: loaded, mode, inlineBelowSpeedup: 0, testHook: { fault: { tx: 30, kind } } });
          expect(r.workerFailure, `${kind} ${mode}`).toBeUndefined();
          expect(r.stateRoot, `${kind} ${mode}`).toBe(sequential.stateRoot);
        }
      }
    } finally {
      await executor.close();
    }
  });
});

describe("a block that fails on the calling thread", () => {
  it("leaves the executor's state as it was before the block, also after the workers stop", async () => {
    // Room for the genesis and a few more locations: the block's new recipients fill the state
    // after its first transactions ran, on whichever thread meets the full table first.
    const w = generateWorkload("transfers", { txs: 400, seed: 9 });
    const genesis = withAccountContract(w.genesis);
    const capacity = capacityJustAbove(genesis, 4);
    for (const mode of ["hybrid", "columns"] as const) {
      const executor = await ParallelExecutor.create({ genesis, baseDir: import.meta.dirname, threads: 2, capacity });
      try {
        const root = executor.state.root();
        await expect(executor.execute({ block: w.block, mode, inlineBelowSpeedup: 0 }), mode).rejects.toThrow(/shared state is full/);
        expect(executor.state.root(), mode).toBe(root);
        // A transaction still running on a worker when the error surfaced would write now.
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(executor.state.root(), mode).toBe(root);
      } finally {
        await executor.close();
      }
    }
  });
});

describe("the pool's worker file", () => {
  // piscina require()s its worker file first. require() of an ES module instantiates it
  // synchronously, and a pool torn down during that instantiation aborts the whole process on
  // Node 20 (a fatal V8 error, not an exception). The entry must load as plain CommonJS, which
  // require() with ES module support turned off proves; the ES module itself must not.
  const requireWithoutEsm = (file: string) =>
    spawnSync(process.execPath, ["--no-experimental-require-module", "-e", `if (typeof require(${JSON.stringify(file)}) !== "function") process.exit(3)`], { encoding: "utf8" });

  it("is CommonJS, so piscina's require() never instantiates an ES module graph", () => {
    const entry = requireWithoutEsm(workerEntryFile());
    expect(entry.stderr).toBe("");
    expect(entry.status).toBe(0);
    const esm = requireWithoutEsm(join(workerEntryFile(), "..", "worker.js"));
    expect(esm.stderr).toMatch(/ERR_REQUIRE_ESM/);
    expect(esm.status).not.toBe(0);
  });
});
