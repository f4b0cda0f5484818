/**
 * Issue 23's round-end race, reproduced: a low-index transaction leaves its set while a worker
 * commits later ones and flags a higher violation first (roundRaceBlock.ts). Forced through the
 * test hook's turnstile: the calling thread's guard trip on tx 0 is held until nothing else can
 * move, so the worker commits tx 1, flags tx 2 and ends its round first. Then the same block in
 * plain runs, in every mode. `PRESCIENT_ROUND_RACE_RUNS=1000` runs it 1,000 times per mode.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecutionResult } from "../../core/types.js";
import { ContractRuntime } from "../../contracts/runtime/runtime.js";
import { blockAccessSets } from "../../executor/accessSets.js";
import { ParallelExecutor, type LoadedParallelBlock, type ParallelMode } from "../../executor/parallel/parallelExecutor.js";
import { SYNC, SYNC_NAMES } from "../../executor/parallel/testHook.js";
import { Turnstile, formatTrace, type TurnstileStep } from "../../executor/parallel/turnstile.js";
import { prepareBlock } from "../../executor/prepare.js";
import { executeBlockSequential } from "../../executor/sequential.js";
import { stateFromGenesis } from "../../state/genesis.js";
import { comparable } from "../parallelFixture.js";
import { TALLY, roundRaceBlock } from "./roundRaceBlock.js";

const { genesis, block } = roundRaceBlock();
const RUNS = Number(process.env.PRESCIENT_ROUND_RACE_RUNS ?? 20);

describe("the round-end race (issue 23)", () => {
  let sequential: ExecutionResult;
  let executor: ParallelExecutor;
  let loaded: LoadedParallelBlock;
  let snapshot: ReturnType<ParallelExecutor["state"]["snapshotValues"]>;

  beforeAll(async () => {
    const runtime = await ContractRuntime.create({ genesis, baseDir: import.meta.dirname });
    sequential = executeBlockSequential({ block, state: stateFromGenesis(genesis), runtime, enforce: "fallback" });
    executor = await ParallelExecutor.create({ genesis, baseDir: import.meta.dirname, threads: 2, capacity: 1 << 12 });
    snapshot = executor.state.snapshotValues();
    // Declared lists alone (no analyzer): tx 0 and tx 2 leave their sets, as written.
    const prepared = prepareBlock(block, executor.runtime);
    loaded = await executor.load({ block, prepared, sets: blockAccessSets(block, prepared, { checkSignatures: true }) });
  });

  afterAll(async () => {
    await executor?.close();
  });

  function expectSequential(result: ExecutionResult, where: string): void {
    expect(result.stateRoot, where).toBe(sequential.stateRoot);
    expect(comparable(result.receipts), where).toEqual(comparable(sequential.receipts));
    expect(result.stats.violations, where).toBe(sequential.stats.violations);
  }

  it("is a block on which the race shows: every transaction succeeds, two leave their declared lists, x ends at 100", () => {
    expect(sequential.receipts.map((r) => r.status)).toEqual(["success", "success", "success", "success"]);
    expect(sequential.stats.violations).toBe(2);
    const state = stateFromGenesis(genesis);
    executeBlockSequential({ block, state, runtime: executor.runtime, enforce: "fallback" });
    expect(state.get(`${TALLY}/counters/x`)).toBe(100n);
  });

  for (const mode of ["hybrid", "columns"] as const) {
    it(`${mode}: a worker's commits below the violation it read are rolled back when the calling thread flags a lower one`, async () => {
      const turnstile = new Turnstile();
      // Lowest thread first, except the calling thread's guard trip on tx 0: held until nothing
      // else can move. So the calling thread starts tx 0, and the worker takes the rest.
      turnstile.reset({ holds: [{ slot: 0, point: SYNC.guard, tx: 0 }] });
      executor.state.restoreValues(snapshot);
      const result = await executor.execute({ block: loaded, mode, enforce: "fallback", events: true, inlineBelowSpeedup: 0, testHook: { turnstile } });
      const trace = turnstile.trace();
      const where = `${mode}, schedule:\n${formatTrace(trace, SYNC_NAMES)}`;
      expect(turnstile.failure(), where).toBe("none");
      // The interleaving was the race's: the worker committed tx 1 and flagged tx 2 while the
      // calling thread held tx 0's guard trip, which it flagged last.
      const at = (slot: number, point: number, tx: number) => trace.findIndex((s: TurnstileStep) => s.slot === slot && s.point === point && s.tx === tx);
      const flag0 = at(0, SYNC.flag, 0);
      expect(at(0, SYNC.guard, 0), where).toBeGreaterThanOrEqual(0);
      expect(at(1, SYNC.commit, 1), where).toBeGreaterThanOrEqual(0);
      expect(at(1, SYNC.commit, 1), where).toBeLessThan(flag0);
      expect(at(1, SYNC.flag, 2), where).toBeLessThan(flag0);
      expect(at(1, SYNC.roundEnd, -1), where).toBeLessThan(flag0);
      expectSequential(result, where);
      expect(executor.state.get(`${TALLY}/counters/x`)).toBe(100n);
    });
  }

  for (const mode of ["hybrid", "columns", "blockstm"] as const satisfies readonly ParallelMode[]) {
    it(`${mode}: ${RUNS} plain runs at two threads give the sequential result`, async () => {
      let wrong = 0;
      for (let run = 0; run < RUNS; run++) {
        executor.state.restoreValues(snapshot);
        const result = await executor.execute({ block: loaded, mode, enforce: "fallback", events: true, inlineBelowSpeedup: 0 });
        if (result.stateRoot !== sequential.stateRoot) wrong++;
        expectSequential(result, `${mode}, run ${run}`);
      }
      expect(wrong).toBe(0);
    });
  }
});
