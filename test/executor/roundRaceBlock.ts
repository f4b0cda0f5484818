/**
 * The block of issue 23's round-end race, on a contract of our own (test/fixtures/Tally.ts):
 *
 * - tx 0: `add("x", 1)` after a lot of work, declaring only a decoy: it leaves its set late.
 * - tx 1: `set("x", 100)`, declared: the DAG sees no conflict with tx 0 and runs it beside it.
 * - tx 2: `add("y", 1)` at once, declaring nothing of y: it leaves its set early.
 * - tx 3: `add("z", 1)`, declared: an independent neighbour.
 *
 * Sequentially x ends at 100. The race: the calling thread runs tx 0 while a worker commits tx 1,
 * then flags tx 2's violation, reads the violation word as 2 and hands back only its commits above
 * 2; tx 0 then flags 0, tx 1's commit survives the rollback, and tx 0 runs again on top of it:
 * x = 101. All four receipts say success either way.
 */
import { join } from "node:path";
import type { Address, Block, Genesis } from "../../core/types.js";
import { withAccountContract } from "../../state/genesis.js";
import { WorkloadBuilder } from "../../workloads/builder.js";

export const TALLY: Address = "0x00000000000000000000000000000000000f0002";

/** Work units of tx 0: a few milliseconds, so that a worker wakes and races it in plain runs. */
const HEAVY_UNITS = 400_000n;

export function roundRaceBlock(): { genesis: Genesis; block: Block } {
  const b = new WorkloadBuilder("round-race");
  b.deploy(TALLY, join(import.meta.dirname, "..", "fixtures", "Tally.ts"));
  const counter = (key: string) => `${TALLY}/counters/${key}`;
  b.call(b.account(0), { to: TALLY, fn: "add", args: ["x", "1", HEAVY_UNITS.toString()], gasLimit: 2_000_000n, accessList: { reads: [], writes: [counter("decoy")] } });
  b.call(b.account(1), { to: TALLY, fn: "set", args: ["x", "100"], gasLimit: 100_000n, accessList: { reads: [], writes: [counter("x")] } });
  b.call(b.account(2), { to: TALLY, fn: "add", args: ["y", "1", "0"], gasLimit: 100_000n, accessList: { reads: [], writes: [counter("decoy2")] } });
  b.call(b.account(3), { to: TALLY, fn: "add", args: ["z", "1", "0"], gasLimit: 100_000n, accessList: { reads: [], writes: [counter("z")] } });
  const w = b.build();
  return { genesis: withAccountContract(w.genesis), block: w.block };
}
