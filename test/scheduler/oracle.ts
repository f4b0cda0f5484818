/** Brute-force conflict oracle and random access-set generators shared by the property tests. */

import fc from "fast-check";
import type { BlockAccessSets, FeeRecipientAccess, ScheduledAccessClass, TxAccessSet } from "../../core/accessSet.js";
import { covers, isWildcard } from "../../core/location.js";

export const FEE = "acct:0xfee";

/** Whether two entries (exact or wildcard) can name a common location. */
export function overlaps(a: string, b: string): boolean {
  if (a === b) return true;
  if (isWildcard(a) && isWildcard(b)) {
    const pa = a.slice(0, -1);
    const pb = b.slice(0, -1);
    return pa.startsWith(pb) || pb.startsWith(pa);
  }
  if (isWildcard(a)) return covers(a, b);
  if (isWildcard(b)) return covers(b, a);
  return false;
}

function touches(entries: readonly string[], other: readonly string[], fee: string | undefined): boolean {
  for (const a of entries) {
    if (a === fee) continue;
    for (const b of other) if (b !== fee && overlaps(a, b)) return true;
  }
  return false;
}

/** Whether tx j (later) must follow tx i (earlier), by the scheduler's documented rules. */
export function mustOrder(i: TxAccessSet, j: TxAccessSet, fee: string | undefined): boolean {
  if (j.feeRecipient !== "none") return true;
  return touches(i.writes, j.reads, fee) || touches(i.writes, j.writes, fee) || touches(i.reads, j.writes, fee);
}

const locations = [
  "tok/balances/a",
  "tok/balances/b",
  "tok/balances/c",
  "tok/allowances/a/b",
  "tok/allowances/a/c",
  "tok/supply",
  "pool/reserves/x",
  "pool/reserves/y",
  "hot/key",
];
const wildcards = ["tok/balances/*", "tok/allowances/*", "tok/allowances/a/*", "pool/reserves/*"];

export function accessSetsArbitrary(options: { wildcards?: boolean; maxTxs?: number } = {}): fc.Arbitrary<BlockAccessSets> {
  const entry = options.wildcards === false
    ? fc.constantFrom(...locations, FEE)
    : fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...locations) },
        { weight: 1, arbitrary: fc.constantFrom(...wildcards) },
        { weight: 1, arbitrary: fc.constant(FEE) },
        { weight: 2, arbitrary: fc.constant("hot/key") },
      );
  const tx = fc.record({
    reads: fc.uniqueArray(entry, { maxLength: 4 }),
    writes: fc.uniqueArray(entry, { maxLength: 3 }),
    gas: fc.integer({ min: 0, max: 200_000 }),
    class: fc.constantFrom<ScheduledAccessClass>("exact", "over-approximate", "unknown", "predicted"),
    feeRecipient: fc.oneof(
      { weight: 8, arbitrary: fc.constant<FeeRecipientAccess>("none") },
      { weight: 1, arbitrary: fc.constantFrom<FeeRecipientAccess>("read", "read-write") },
    ),
  });
  return fc.array(tx, { maxLength: options.maxTxs ?? 30 }).map((raw) => ({
    feeRecipientLocation: FEE,
    txs: raw.map((t, index): TxAccessSet => ({ index, ...t })),
  }));
}
