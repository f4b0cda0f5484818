/**
 * Per-location demand of a block, computed from the multiset of accesses only (sums over the
 * transactions, never positions), so anything derived from it — quotes, congestion updates —
 * is independent of the order in which transactions arrived.
 */

import type { BlockAccessSets } from "../core/accessSet.js";
import { isWildcardEntry, wildcardPrefix, WildcardPrefixIndex } from "./wildcardPrefixes.js";

export interface LocationDemand {
  /** Σ gas of the transactions writing the location. */
  writeGas: number;
  /** Σ gas of the transactions reading but not writing the location. */
  readOnlyGas: number;
}

export interface BlockDemand {
  readonly byLocation: Map<string, LocationDemand>;
  /** Total gas of the block. */
  readonly totalGas: number;
  /**
   * The keys each transaction is charged on, split by access kind, fee credit excluded. A wildcard
   * entry is keyed by itself (`a/b/*`); a concrete location is also charged on every wildcard key
   * covering it, so wildcards and the locations below them see each other's demand (conservative:
   * two concrete locations under one wildcard then also see each other's demand).
   */
  readonly writeKeys: ReadonlyArray<readonly string[]>;
  readonly readOnlyKeys: ReadonlyArray<readonly string[]>;
}

export function measureDemand(sets: BlockAccessSets): BlockDemand {
  const fee = sets.feeRecipientLocation;
  let prefixes: WildcardPrefixIndex | undefined;
  for (const tx of sets.txs) {
    for (const e of tx.reads) if (isWildcardEntry(e)) (prefixes ??= new WildcardPrefixIndex()).add(e);
    for (const e of tx.writes) if (isWildcardEntry(e)) (prefixes ??= new WildcardPrefixIndex()).add(e);
  }
  const covering: number[] = [];
  const prefixKeys: string[] = [];
  const keysOf = (entries: readonly string[], out: Set<string>): void => {
    for (const entry of entries) {
      if (entry === fee) continue;
      out.add(entry);
      if (prefixes === undefined) continue;
      const key = isWildcardEntry(entry) ? wildcardPrefix(entry) : entry;
      for (const p of prefixes.coveringIds(key, covering)) out.add(prefixKeys[p]!);
    }
  };
  if (prefixes !== undefined) {
    const all = new Set<string>();
    for (const tx of sets.txs) for (const e of [...tx.reads, ...tx.writes]) if (isWildcardEntry(e)) all.add(e);
    for (const e of all) prefixKeys[prefixes.add(e)] = e;
  }

  const byLocation = new Map<string, LocationDemand>();
  const demandOf = (key: string): LocationDemand => {
    let d = byLocation.get(key);
    if (d === undefined) {
      d = { writeGas: 0, readOnlyGas: 0 };
      byLocation.set(key, d);
    }
    return d;
  };
  const writeKeys: string[][] = [];
  const readOnlyKeys: string[][] = [];
  let totalGas = 0;
  for (const tx of sets.txs) {
    totalGas += tx.gas;
    const writes = new Set<string>();
    keysOf(tx.writes, writes);
    const reads = new Set<string>();
    keysOf(tx.reads, reads);
    for (const w of writes) reads.delete(w);
    for (const key of writes) demandOf(key).writeGas += tx.gas;
    for (const key of reads) demandOf(key).readOnlyGas += tx.gas;
    writeKeys.push([...writes]);
    readOnlyKeys.push([...reads]);
  }
  return { byLocation, totalGas, writeKeys, readOnlyKeys };
}

