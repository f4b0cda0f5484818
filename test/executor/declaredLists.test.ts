/**
 * Sets handed to `load` must contain each transaction's declared list: the schedule guard lets a
 * transaction touch what its list declares without looking at its set. `withDeclaredLists` puts
 * the lists back; an exploration of every order shows that a declared access left out of the sets
 * can no longer race.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlockAccessSets } from "../../core/accessSet.js";
import { balanceLocation } from "../../core/protocol.js";
import { ContractRuntime } from "../../contracts/runtime/runtime.js";
import { blockAccessSets, withDeclaredLists } from "../../executor/accessSets.js";
import { prepareBlock } from "../../executor/prepare.js";
import { withAccountContract } from "../../state/genesis.js";
import { WorkloadBuilder } from "../../workloads/builder.js";
import { Explorer, emptyReport, type ExploreTarget } from "./explorer.js";
import { TALLY } from "./roundRaceBlock.js";

const counter = (key: string) => `${TALLY}/counters/${key}`;

function tallyBlock() {
  const b = new WorkloadBuilder("declared-lists");
  b.deploy(TALLY, join(import.meta.dirname, "..", "fixtures", "Tally.ts"));
  // Sequentially x ends at 101; if tx 1 commits before tx 0, at 100.
  b.call(b.account(0), { to: TALLY, fn: "set", args: ["x", "100"], gasLimit: 100_000n, accessList: { reads: [], writes: [counter("x")] } });
  b.call(b.account(1), { to: TALLY, fn: "add", args: ["x", "1", "0"], gasLimit: 100_000n, accessList: { reads: [], writes: [counter("x")] } });
  const w = b.build();
  return { genesis: withAccountContract(w.genesis), block: w.block };
}

/** The declared-only sets without tx 0's declared write: what a trace that missed it would give. */
function withoutDeclaredX(sets: BlockAccessSets): BlockAccessSets {
  return { ...sets, txs: sets.txs.map((t) => (t.index === 0 ? { ...t, writes: t.writes.filter((l) => l !== counter("x")) } : t)) };
}

describe("sets that leave out a declared location", () => {
  const { genesis, block } = tallyBlock();

  it("get the declared lists back, and the sequencer's balance counted when a list reaches it", async () => {
    const runtime = await ContractRuntime.create({ genesis, baseDir: import.meta.dirname });
    const sets = withoutDeclaredX(blockAccessSets(block, prepareBlock(block, runtime), { checkSignatures: false }));
    const merged = withDeclaredLists(sets, block);
    expect(merged.txs[0]!.writes).toContain(counter("x"));
    expect(merged.txs[1]).toBe(sets.txs[1]);
    expect(withDeclaredLists(merged, block)).toBe(merged);
    const paying = { ...block, txs: [{ ...block.txs[0]!, accessList: { reads: [], writes: [balanceLocation(block.sequencer)] } }, block.txs[1]!] };
    expect(withDeclaredLists(sets, paying).txs[0]!.feeRecipient).toBe("read-write");
  });

  let explorer: Explorer;
  beforeAll(async () => {
    explorer = await Explorer.create(genesis, import.meta.dirname, [2]);
  });
  afterAll(async () => {
    await explorer?.close();
  });

  it("cannot race: every order with at most two preemptions gives the sequential result", { timeout: 120_000 }, async () => {
    const target: ExploreTarget = {
      label: "tally set/add with tx 0's declared write left out of its set",
      block,
      policy: "fallback",
      checkSignatures: false,
      sets: (prepared) => withoutDeclaredX(blockAccessSets(block, prepared, { checkSignatures: false })),
    };
    const report = emptyReport();
    await explorer.explore(target, { modes: ["hybrid", "columns"], threads: [2], orders: 500, strategy: "exhaustive", preemptions: 2, seed: 1 }, report);
    expect(report.failures.slice(0, 1)).toEqual([]);
    expect(report.exhausted).toBe(2);
  });
});
