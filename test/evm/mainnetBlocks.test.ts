/**
 * Mainnet blocks across the hardforks, run by the EVM runtime and checked against their headers:
 * receipts root (from Byzantium on), logs bloom, gasUsed. The whole set runs behind
 * PRESCIENT_EVM_ALL_BLOCKS=1 (test/evm/allBlocks.test.ts).
 */
import { describe, expect, it } from "vitest";
import { parseLocation } from "../../evm/state/locations.js";
import { FAST_BLOCKS, shippedJson, shippedReport } from "./helpers.js";

describe("mainnet blocks verify against their headers", () => {
  for (const [fork, number] of Object.entries(FAST_BLOCKS)) {
    it(`${fork}: block ${number}`, async () => {
      const report = await shippedReport(number);
      expect(report.mismatches).toEqual([]);
      expect(report.verified).toBe(true);
      expect(report.gasUsed).toBe(report.headerGasUsed);
      expect(report.logsBloomMatches).toBe(true);
      if (number >= 4_370_000) expect(report.receiptsRoot).toBe(report.headerReceiptsRoot);
      else expect(report.receiptsRoot).toBeUndefined();
      const last = report.receipts.at(-1);
      if (last !== undefined) expect(last.cumulativeGasUsed).toBe(report.headerGasUsed);
      expect(report.postStateDigest).toMatch(/^0x[0-9a-f]{64}$/);
    });
  }

  it("the recreated contract's storage is a new incarnation, read as empty without a hole in the snapshot", async () => {
    const report = await shippedReport(FAST_BLOCKS.recreated);
    const written = Array.from(report.run.written, parseLocation);
    expect(written.some((l) => l?.kind === "account" && l.field === "incarnation")).toBe(true);
    expect(written.some((l) => l?.kind === "slot" && l.incarnation > 0n)).toBe(true);
  });

  it("runs the same on prescient's shared-memory state as on a Map (every value fits a SharedState slot)", async () => {
    for (const number of [FAST_BLOCKS.byzantium, FAST_BLOCKS.cancun]) {
      const onMap = await shippedReport(number);
      const onShared = await shippedReport(number, { predict: false, state: "shared" });
      expect(onShared.verified).toBe(true);
      expect(onShared.postStateDigest).toBe(onMap.postStateDigest);
    }
  });

  it("takes the coinbase's fee credit out of the transactions: only those that reach the coinbase touch its balance", async () => {
    for (const number of [FAST_BLOCKS.accessLists, FAST_BLOCKS.cancun]) {
      const coinbase = shippedJson(number, "block").miner as string;
      const report = await shippedReport(number);
      expect(report.verified).toBe(true);
      expect(report.run.results.reduce((sum, r) => sum + r.fee, 0n)).toBeGreaterThan(0n);
      const touches = (r: (typeof report.run.results)[number]) => [...r.reads, ...r.writes.map(([l]) => l)].some((l) => l === `${coinbase}/balance` || l === `${coinbase}/exists`);
      for (const r of report.run.results) expect(touches(r), `transaction ${r.index}`).toBe(r.feeRecipient !== "none");
    }
  });
});
