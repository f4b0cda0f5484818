/** `prescient evm run` and `prescient evm schedule` as the check scripts call them. */
import { describe, expect, it } from "vitest";
import { mainnetBlockSource } from "../../evm/input/mainnetBlocks.js";
import { cli } from "../helpers.js";
import { FAST_BLOCKS, shippedJson, writeTemp } from "./helpers.js";

const source = mainnetBlockSource(FAST_BLOCKS.cancun);
const files = ["--block", source.blockFile, "--pre-state", source.preStateFile];

describe("prescient evm", () => {
  it("run --json prints the verified result document", () => {
    const r = cli(["evm", "run", ...files, "--mode", "sequential", "--threads", "1", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ number: FAST_BLOCKS.cancun, verified: true, logsBloomMatches: true });
    expect(doc.gasUsed).toBe(doc.headerGasUsed);
    expect(doc.receiptsRoot).toBe(doc.headerReceiptsRoot);
    expect(doc.postStateDigest).toMatch(/^0x[0-9a-f]{64}$/);
    expect(Object.keys(doc.receipts[0]).sort()).toEqual(["cumulativeGasUsed", "gasUsed", "index", "logs", "status"]);
    expect(Object.keys(doc.stats).sort()).toEqual(["aborts", "executions", "mode", "predictedExact", "threads", "wallMs"]);
    expect(doc.receipts.at(-1).cumulativeGasUsed).toBe(doc.headerGasUsed);
  });

  it("run exits 1 when the block does not reproduce its header", () => {
    const block = shippedJson(FAST_BLOCKS.cancun, "block");
    block.gasUsed = `0x${(Number.parseInt(block.gasUsed as string, 16) + 1).toString(16)}`;
    const r = cli(["evm", "run", "--block", writeTemp("wrong-gas.json", block), "--pre-state", source.preStateFile, "--json"]);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.verified).toBe(false);
    expect(doc.mismatches[0]).toMatch(/^gasUsed /);
  });

  it("run exits 2 for a parallel mode, which EVM blocks do not have yet", () => {
    const r = cli(["evm", "run", ...files, "--mode", "hybrid", "--threads", "2"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/mode hybrid is not available for EVM blocks yet/);
  });

  it("schedule --json prints the schedule document built from predicted sets", () => {
    const r = cli(["evm", "schedule", ...files, "--threads", "2", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.txs).toBe((shippedJson(FAST_BLOCKS.cancun, "block").transactions as unknown[]).length);
    expect(doc.assignment.threads).toBe(2);
    expect(doc.projectedSpeedup["2"]).toBeGreaterThanOrEqual(1);
  });
});
