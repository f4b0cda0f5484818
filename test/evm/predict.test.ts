/**
 * Pre-execution: predicted sets from each transaction run alone on the pre-block state, exact sets
 * for transfers to accounts that can never hold code, and the scheduler taking them.
 */
import { describe, expect, it } from "vitest";
import { scheduleBlock } from "../../scheduler/scheduleBlock.js";
import { withBarriers } from "../../executor/accessSets.js";
import { mainnetBlockSource } from "../../evm/input/mainnetBlocks.js";
import { predictBlock } from "../../evm/predict/preExecute.js";
import { predictionAccuracy } from "../../evm/predict/predictionAccuracy.js";
import { EvmRuntime } from "../../evm/runtime/evmRuntime.js";
import { runEvmBlockSequential } from "../../evm/sequential.js";
import { State } from "../../state/state.js";
import { FAST_BLOCKS, shippedReport } from "./helpers.js";

describe("pre-execution", () => {
  for (const number of [FAST_BLOCKS.homestead, FAST_BLOCKS.recreated, FAST_BLOCKS.cancun]) {
    it(`block ${number}: exact sets never miss, predicted sets are compared with the traced accesses`, async () => {
      const report = await shippedReport(number);
      const p = report.prediction!;
      expect(p.txs).toBe(report.receipts.length);
      expect(p.exact + p.predicted + p.unknown).toBe(p.txs);
      expect(p.exactCovered).toBe(p.exact);
      expect(p.misses.filter((m) => m.class === "exact")).toEqual([]);
      expect(p.predictedMatched).toBeLessThanOrEqual(p.predicted);
      expect(report.stats.predictedExact).toBe(p.predictedMatched + p.exactEqual);
    });
  }

  it("a transaction whose path depends on an earlier one is mispredicted, and the miss names the location", async () => {
    // Block 11114732 destroys a contract and creates it again: later transactions see another incarnation.
    const p = (await shippedReport(FAST_BLOCKS.recreated)).prediction!;
    expect(p.predictedMatched).toBeLessThan(p.predicted);
  });

  it("leaves the state it predicts on untouched, and the block still verifies after predicting", async () => {
    const runtime = await EvmRuntime.create(mainnetBlockSource(FAST_BLOCKS.cancun));
    const prepared = runtime.prepareBlock();
    const prediction = await predictBlock(runtime, prepared);
    expect(prediction.sets.txs.map((t) => t.class)).toContain("predicted");
    expect(prediction.sets.txs.map((t) => t.class)).toContain("exact");
    const run = await runEvmBlockSequential({ runtime, prepared, view: new State(runtime.initialEntries()) });
    expect(run.gasUsed).toBe(runtime.block.gasUsed);
    const accuracy = predictionAccuracy(prediction.txs, run.results);
    expect(accuracy.exactCovered).toBe(accuracy.exact);
  });

  it("the scheduler takes predicted sets: every transaction in one column, the coinbase credit commutative", async () => {
    const runtime = await EvmRuntime.create(mainnetBlockSource(FAST_BLOCKS.cancun));
    const prediction = await predictBlock(runtime, runtime.prepareBlock());
    const result = scheduleBlock(withBarriers(prediction.sets), { threads: 2 });
    const json = result.toJSON();
    expect(json.txs).toBe(prediction.txs.length);
    expect(json.columns.flat().sort((a, b) => a - b)).toEqual(prediction.txs.map((t) => t.index));
    expect(prediction.sets.feeRecipientLocation).toBe(`${runtime.block.coinbase}/balance`);
    // Every transaction pays the coinbase; were the credit a real write, the block would be one chain.
    expect(json.columns.length).toBeLessThan(prediction.txs.length);
  });
});
