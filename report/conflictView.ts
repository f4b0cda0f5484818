/**
 * Which keys cause a block's conflicts: every edge of the conflict DAG is traced back to the
 * location(s) its two transactions share with at least one write, the locations are ranked by
 * the edges they cause, and each transaction keeps its nearest neighbours on either side and the
 * key it conflicts with them on. An edge with no shared key orders a transaction after the fee
 * recipient's balance changes (see conflictGraph.ts), and is counted as such.
 */
import type { BlockAccessSets, TxAccessSet } from "../core/accessSet.js";
import { covers, isWildcard } from "../core/location.js";
import type { ConflictGraph } from "../scheduler/conflictGraph.js";

/** `via` of an edge ordered by the fee recipient's balance, not by a shared key. */
export const VIA_FEE_RECIPIENT = -1;

export interface HotLocation {
  readonly location: string;
  /** Conflict edges this location causes (an edge can have several). */
  readonly edges: number;
  /** Of them, edges between consecutive transactions of the critical path. */
  readonly criticalEdges: number;
  /** Transactions writing it, and reading it without writing. */
  readonly writers: number;
  readonly readers: number;
  /** Gas of the transactions touching it. */
  readonly gas: number;
}

/** Neighbours in the DAG, column-wise: transaction i's are `tx[offsets[i] .. offsets[i+1])`. */
export interface NeighbourLists {
  readonly offsets: readonly number[];
  readonly tx: readonly number[];
  /** Index into `ConflictView.locations` of the key of each edge, or VIA_FEE_RECIPIENT. */
  readonly via: readonly number[];
  /** All neighbours of each transaction (the lists keep the nearest few). */
  readonly count: readonly number[];
}

export interface ConflictView {
  readonly edges: number;
  /** Edges ordered by the fee recipient's balance. */
  readonly feeRecipientEdges: number;
  /** The locations causing the most edges, most first. */
  readonly hot: readonly HotLocation[];
  /** Keys the neighbour lists name. */
  readonly locations: readonly string[];
  /** What each transaction waits for, nearest first. */
  readonly before: NeighbourLists;
  /** What waits for each transaction, nearest first. */
  readonly after: NeighbourLists;
}

export interface ConflictViewParameters {
  readonly sets: BlockAccessSets;
  readonly graph: ConflictGraph;
  /** The critical path's transactions, in order. */
  readonly criticalPath: readonly number[];
  /** Locations in the hot table (default 12). */
  readonly top?: number;
  /** Neighbours kept per transaction and side (default 5). */
  readonly neighbours?: number;
}

/** Whether a wildcard `p/*` and an entry can name a common location (the entry under `p/`, or a wildcard over or under it). */
function overlaps(wildcard: string, entry: string): boolean {
  if (!isWildcard(entry)) return covers(wildcard, entry);
  const a = wildcard.slice(0, -1);
  const b = entry.slice(0, -1);
  return a.startsWith(b) || b.startsWith(a);
}

/** One transaction's accesses, for looking up the keys it shares with an earlier one. */
class Accesses {
  readonly reads = new Set<string>();
  readonly writes = new Set<string>();
  readonly wildcards: string[] = [];
  readonly all: string[] = [];

  constructor(tx: TxAccessSet, fee: string | undefined) {
    for (const e of tx.reads) if (e !== fee) this.#add(e, this.reads);
    for (const e of tx.writes) if (e !== fee) this.#add(e, this.writes);
  }

  #add(entry: string, into: Set<string>): void {
    into.add(entry);
    this.all.push(entry);
    if (isWildcard(entry)) this.wildcards.push(entry);
  }

  /** Whether `entry` is touched here (`writesOnly`: written), a wildcard on either side included. */
  touches(entry: string, writesOnly: boolean): boolean {
    const counted = (e: string): boolean => !writesOnly || this.writes.has(e);
    if (this.writes.has(entry) || (!writesOnly && this.reads.has(entry))) return true;
    if (isWildcard(entry)) return this.all.some((e) => counted(e) && overlaps(entry, e));
    return this.wildcards.some((w) => counted(w) && overlaps(w, entry));
  }
}

/** The keys an earlier transaction `i` shares with `later` where one of them writes. */
function sharedKeys(i: TxAccessSet, fee: string | undefined, later: Accesses): string[] {
  const keys: string[] = [];
  for (const e of i.writes) if (e !== fee && later.touches(e, false)) keys.push(e);
  for (const e of i.reads) if (e !== fee && !keys.includes(e) && later.touches(e, true)) keys.push(e);
  return keys;
}

export function analyzeConflicts(p: ConflictViewParameters): ConflictView {
  const { sets, graph } = p;
  const n = graph.txCount;
  const top = p.top ?? 12;
  const keep = p.neighbours ?? 5;
  const fee = sets.feeRecipientLocation;
  const critical = new Set<string>();
  for (let k = 1; k < p.criticalPath.length; k++) critical.add(`${p.criticalPath[k - 1]}>${p.criticalPath[k]}`);

  const edgesOf = new Map<string, { edges: number; critical: number }>();
  const viaOf = new Map<string, number>();
  const locations: string[] = [];
  const intern = (key: string): number => {
    let k = viaOf.get(key);
    if (k === undefined) viaOf.set(key, (k = locations.push(key) - 1));
    return k;
  };
  let feeRecipientEdges = 0;
  const before: { tx: number; via: number }[][] = Array.from({ length: n }, () => []);
  const after: { tx: number; via: number }[][] = Array.from({ length: n }, () => []);
  const afterCount = new Array<number>(n).fill(0);
  const beforeCount = new Array<number>(n).fill(0);

  for (let j = 0; j < n; j++) {
    const preds = Array.from(graph.predecessorsOf(j)).sort((a, b) => b - a);
    beforeCount[j] = preds.length;
    if (preds.length === 0) continue;
    const later = new Accesses(sets.txs[j]!, fee);
    for (const i of preds) {
      const keys = sharedKeys(sets.txs[i]!, fee, later);
      const onPath = critical.has(`${i}>${j}`);
      for (const key of keys) {
        const e = edgesOf.get(key) ?? { edges: 0, critical: 0 };
        e.edges++;
        if (onPath) e.critical++;
        edgesOf.set(key, e);
      }
      if (keys.length === 0) feeRecipientEdges++;
      const via = keys.length === 0 ? VIA_FEE_RECIPIENT : intern(keys[0]!);
      if (before[j]!.length < keep) before[j]!.push({ tx: i, via });
      afterCount[i]!++;
      if (after[i]!.length < keep) after[i]!.push({ tx: j, via });
    }
  }

  const ranked = [...edgesOf].sort((a, b) => b[1].edges - a[1].edges || (a[0] < b[0] ? -1 : 1)).slice(0, top);
  const touching = new Map(ranked.map(([key]) => [key, { writers: 0, readers: 0, gas: 0 }]));
  for (const tx of sets.txs) {
    for (const [key, t] of touching) {
      const writes = tx.writes.some((e) => e === key || (isWildcard(key) ? overlaps(key, e) : isWildcard(e) && overlaps(e, key)));
      const reads = !writes && tx.reads.some((e) => e === key || (isWildcard(key) ? overlaps(key, e) : isWildcard(e) && overlaps(e, key)));
      if (writes) t.writers++;
      if (reads) t.readers++;
      if (writes || reads) t.gas += tx.gas;
    }
  }
  const hot = ranked.map(([location, e]) => ({ location, edges: e.edges, criticalEdges: e.critical, ...touching.get(location)! }));
  return { edges: graph.edgeCount, feeRecipientEdges, hot, locations, before: lists(before, beforeCount), after: lists(after, afterCount) };
}

function lists(kept: readonly { tx: number; via: number }[][], count: readonly number[]): NeighbourLists {
  const offsets = [0];
  const tx: number[] = [];
  const via: number[] = [];
  for (const list of kept) {
    for (const e of list) {
      tx.push(e.tx);
      via.push(e.via);
    }
    offsets.push(tx.length);
  }
  return { offsets, tx, via, count: [...count] };
}
