/**
 * The conflict DAG of a block: an edge i→j (i<j) whenever j must run after i because they touch a
 * common location and at least one of them writes it (write→read, read→write, write→write).
 *
 * Only the edges ordering needs are kept: a read depends on the location's last writer, a write on
 * the readers since the last write (or on the last writer when there are none). Every other
 * conflicting pair is ordered transitively, so the edge count stays linear in the number of
 * accesses even on a hot key (n writers make a chain of n−1 edges, not n²/2).
 *
 * The representation is built for 100k–1M transactions: locations are interned to integers,
 * per-location state lives in typed arrays, and adjacency is CSR (an Int32Array of offsets plus an
 * Int32Array of neighbours) in both directions.
 *
 * Cost: O(accesses) hash lookups plus O(edges) without wildcards. Wildcards add O(depth) lookups
 * per access and stay linear except in one pattern: whole-prefix reads (`p/*`) interleaved with
 * writes of distinct locations under `p/`, where each such write follows every wildcard reader
 * since the last whole write (and vice versa) — bounded by (wildcard accesses × accesses under
 * the prefix), the price of not merging readers into false dependencies.
 */

import type { BlockAccessSets } from "../core/accessSet.js";
import { Int32Buffer } from "./int32Buffer.js";
import { LocationInterner } from "./locationInterner.js";
import { isWildcardEntry, WildcardPrefixIndex } from "./wildcardPrefixes.js";

export class ConflictGraph {
  /** Number of transactions (nodes); node i is the transaction at index i. */
  readonly txCount: number;
  /** Estimated gas per transaction. */
  readonly gas: Float64Array;
  /** Predecessors of j are `predecessors[predecessorOffsets[j] .. predecessorOffsets[j+1])`. */
  readonly predecessorOffsets: Int32Array;
  readonly predecessors: Int32Array;
  /** Successors of i are `successors[successorOffsets[i] .. successorOffsets[i+1])`, ascending. */
  readonly successorOffsets: Int32Array;
  readonly successors: Int32Array;
  /** Distinct concrete locations seen (fee credits excluded). */
  readonly locationCount: number;

  constructor(
    gas: Float64Array,
    predecessorOffsets: Int32Array,
    predecessors: Int32Array,
    locationCount: number,
  ) {
    this.txCount = gas.length;
    this.gas = gas;
    this.predecessorOffsets = predecessorOffsets;
    this.predecessors = predecessors;
    this.locationCount = locationCount;
    // Successor CSR by counting sort over the predecessor lists; visiting targets in ascending
    // order leaves each successor list sorted.
    const n = this.txCount;
    const successorOffsets = new Int32Array(n + 1);
    for (let e = 0; e < predecessors.length; e++) successorOffsets[predecessors[e]! + 1]!++;
    for (let i = 0; i < n; i++) successorOffsets[i + 1]! += successorOffsets[i]!;
    const fill = successorOffsets.slice(0, n);
    const successors = new Int32Array(predecessors.length);
    for (let j = 0; j < n; j++) {
      for (let e = predecessorOffsets[j]!; e < predecessorOffsets[j + 1]!; e++) {
        const i = predecessors[e]!;
        successors[fill[i]!++] = j;
      }
    }
    this.successorOffsets = successorOffsets;
    this.successors = successors;
  }

  get edgeCount(): number {
    return this.predecessors.length;
  }

  predecessorsOf(j: number): Int32Array {
    return this.predecessors.subarray(this.predecessorOffsets[j]!, this.predecessorOffsets[j + 1]!);
  }

  successorsOf(i: number): Int32Array {
    return this.successors.subarray(this.successorOffsets[i]!, this.successorOffsets[i + 1]!);
  }

  /** All edges as [from, to] pairs (for tests and export; allocates). */
  edges(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let j = 0; j < this.txCount; j++) {
      for (let e = this.predecessorOffsets[j]!; e < this.predecessorOffsets[j + 1]!; e++) {
        out.push([this.predecessors[e]!, j]);
      }
    }
    return out;
  }
}

/**
 * Grow-only working space reused from one build to the next (typed arrays whose contents never
 * escape a build). A sequencer schedules block after block; allocating ~100 MB of fresh typed
 * arrays for a 1M-transaction block made V8 run full mark-compact collections over the whole
 * heap — the block's own access sets included — on every build. An array far larger than needed
 * is dropped rather than reused, so a huge block does not pin its memory for ever.
 */
class Int32Scratch {
  #buffer = new Int32Array(0);

  /** A view of at least `length` elements (filled with `fill` when given). */
  take(length: number, fill?: number): Int32Array {
    const needed = Math.max(1, length);
    if (this.#buffer.length < needed || this.#buffer.length > needed * 4 + 4096) this.#buffer = new Int32Array(needed);
    const view = this.#buffer.subarray(0, needed);
    if (fill !== undefined) view.fill(fill);
    return view;
  }
}

// buildConflictGraph is synchronous and never re-entered, so one set of scratch arrays suffices.
const scratch = {
  interner: new LocationInterner(),
  lastWriter: new Int32Scratch(),
  readerHead: new Int32Scratch(),
  readerNodeTx: new Int32Scratch(),
  readerNodeNext: new Int32Scratch(),
  addedFor: new Int32Scratch(),
};

/** Reads of the current tx kept to resolve its writes without a second lookup. */
const REMEMBERED_READS = 8;

/** Lock state of one wildcard prefix (see wildcardPrefixes.ts for the access kinds). */
interface PrefixLock {
  lastWholeWriter: number;
  wholeReaders: number[];
  intentReaders: number[];
  intentWriters: number[];
}

/**
 * Builds the conflict DAG. Transaction `sets.txs[k]` is node k (its `index` field is expected to
 * equal k, as in every loader).
 *
 * The fee recipient's location is the commutative fee credit and creates no edge. A transaction
 * whose `feeRecipient` is not `none` sees (or changes) the balance all earlier credits built up,
 * so it follows every earlier transaction. Edges stay linear: it depends on each transaction since
 * the previous such transaction and on that transaction, which by induction follows the rest.
 * The same chain makes every later direct transaction follow a `read-write` one.
 */
export function buildConflictGraph(sets: BlockAccessSets): ConflictGraph {
  const txs = sets.txs;
  const n = txs.length;
  const feeLocation = sets.feeRecipientLocation;

  // Pass 1: sizes for the typed arrays, and the wildcard prefixes (needed before any concrete
  // location is processed, since an earlier concrete access must conflict with a later wildcard).
  let totalAccesses = 0;
  let totalReads = 0;
  let prefixes: WildcardPrefixIndex | undefined;
  for (let k = 0; k < n; k++) {
    const tx = txs[k]!;
    totalReads += tx.reads.length;
    // A tx that writes exactly what it read (the same list) adds no new location.
    totalAccesses += tx.writes === tx.reads ? tx.reads.length : tx.reads.length + tx.writes.length;
    for (const entry of tx.reads) if (isWildcardEntry(entry)) (prefixes ??= new WildcardPrefixIndex()).add(entry);
    if (tx.writes !== tx.reads) {
      for (const entry of tx.writes) if (isWildcardEntry(entry)) (prefixes ??= new WildcardPrefixIndex()).add(entry);
    }
  }

  // Pass 2: per-location state. Location ids are dense; at most one per access.
  const locationIds = scratch.interner;
  locationIds.reset(totalAccesses);
  const lastWriter = scratch.lastWriter.take(totalAccesses, -1);
  const readerHead = scratch.readerHead.take(totalAccesses, -1);
  // Readers since the last write, as singly linked lists in a node pool (one node per read).
  const readerNodeTx = scratch.readerNodeTx.take(totalReads);
  const readerNodeNext = scratch.readerNodeNext.take(totalReads);
  let readerNodes = 0;

  const gas = new Float64Array(n);
  const predecessorOffsets = new Int32Array(n + 1);
  const predecessors = new Int32Buffer(Math.max(1024, n));
  // addedFor[i] === j when the edge i→j has already been recorded (deduplication per target).
  const addedFor = scratch.addedFor.take(n, -1);

  const prefixLocks: PrefixLock[] = [];
  if (prefixes !== undefined) {
    for (let p = 0; p < prefixes.size; p++) {
      prefixLocks.push({ lastWholeWriter: -1, wholeReaders: [], intentReaders: [], intentWriters: [] });
    }
  }
  const covering: number[] = [];

  let previousDirect = -1;
  const readLocations = new Int32Array(REMEMBERED_READS);
  const readEntries: string[] = new Array<string>(REMEMBERED_READS).fill("");
  let readCount = 0;

  let j = 0;
  // Used on the rarer paths (wildcards, fee-recipient chain); the hot path inlines the same test.
  const addEdge = (i: number): void => {
    if (i >= 0 && i !== j && addedFor[i] !== j) {
      addedFor[i] = j;
      predecessors.push(i);
    }
  };
  const addEdges = (list: readonly number[]): void => {
    for (const i of list) addEdge(i);
  };

  for (j = 0; j < n; j++) {
    const tx = txs[j]!;
    gas[j] = tx.gas;
    // Only the first few reads are remembered: the scan below must stay O(1) per write.
    readCount = 0;

    // Reads before writes, so a read-modify-write of one location is seen as both.
    for (const entry of tx.reads) {
      if (entry === feeLocation) continue;
      if (prefixes !== undefined && isWildcardEntry(entry)) {
        const lock = prefixLocks[prefixes.add(entry)]!;
        addEdge(lock.lastWholeWriter);
        addEdges(lock.intentWriters);
        lock.wholeReaders.push(j);
        for (const p of prefixes.coveringIds(entry.slice(0, -1), covering)) {
          const outer = prefixLocks[p]!;
          addEdge(outer.lastWholeWriter);
          outer.intentReaders.push(j);
        }
        continue;
      }
      const loc = locationIds.intern(entry);
      if (readCount < REMEMBERED_READS) {
        readLocations[readCount] = loc;
        readEntries[readCount++] = entry;
      }
      const writer = lastWriter[loc]!;
      if (writer >= 0 && writer !== j && addedFor[writer] !== j) {
        addedFor[writer] = j;
        predecessors.push(writer);
      }
      readerNodeTx[readerNodes] = j;
      readerNodeNext[readerNodes] = readerHead[loc]!;
      readerHead[loc] = readerNodes++;
      if (prefixes !== undefined) {
        for (const p of prefixes.coveringIds(entry, covering)) {
          const lock = prefixLocks[p]!;
          addEdge(lock.lastWholeWriter);
          lock.intentReaders.push(j);
        }
      }
    }

    for (const entry of tx.writes) {
      if (entry === feeLocation) continue;
      if (prefixes !== undefined && isWildcardEntry(entry)) {
        const lock = prefixLocks[prefixes.add(entry)]!;
        addEdge(lock.lastWholeWriter);
        addEdges(lock.wholeReaders);
        addEdges(lock.intentReaders);
        addEdges(lock.intentWriters);
        lock.lastWholeWriter = j;
        lock.wholeReaders.length = 0;
        lock.intentReaders.length = 0;
        lock.intentWriters.length = 0;
        for (const p of prefixes.coveringIds(entry.slice(0, -1), covering)) {
          const outer = prefixLocks[p]!;
          addEdge(outer.lastWholeWriter);
          addEdges(outer.wholeReaders);
          outer.intentWriters.push(j);
        }
        continue;
      }
      // Most writes were also read by the same tx (read-modify-write): reuse the id from the read
      // pass instead of a second hash lookup, which dominates the cost on large blocks.
      let loc: number | undefined;
      for (let r = 0; r < readCount; r++) {
        if (readEntries[r] === entry) {
          loc = readLocations[r]!;
          break;
        }
      }
      if (loc === undefined) loc = locationIds.intern(entry);
      let node = readerHead[loc]!;
      if (node < 0) {
        // No reader since the last write: order after the last writer (write→write).
        const writer = lastWriter[loc]!;
        if (writer >= 0 && writer !== j && addedFor[writer] !== j) {
          addedFor[writer] = j;
          predecessors.push(writer);
        }
      } else {
        // Readers since the last write each follow that writer, so they suffice (read→write).
        while (node >= 0) {
          const reader = readerNodeTx[node]!;
          if (reader !== j && addedFor[reader] !== j) {
            addedFor[reader] = j;
            predecessors.push(reader);
          }
          node = readerNodeNext[node]!;
        }
        readerHead[loc] = -1;
      }
      lastWriter[loc] = j;
      if (prefixes !== undefined) {
        for (const p of prefixes.coveringIds(entry, covering)) {
          const lock = prefixLocks[p]!;
          addEdge(lock.lastWholeWriter);
          addEdges(lock.wholeReaders);
          lock.intentWriters.push(j);
        }
      }
    }

    if (tx.feeRecipient !== "none") {
      for (let i = Math.max(0, previousDirect); i < j; i++) addEdge(i);
      previousDirect = j;
    }

    predecessorOffsets[j + 1] = predecessors.length;
  }

  const locationCount = locationIds.size;
  locationIds.releaseKeys();
  return new ConflictGraph(gas, predecessorOffsets, predecessors.toInt32Array(), locationCount);
}
