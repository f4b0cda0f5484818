/**
 * Mempool mode: an incremental conflict DAG over pending transactions, in the manner of Solana's
 * prio-graph scheduler. A transaction is *ready* when no earlier-arrived pending transaction
 * conflicts with it; `nextBatch` hands out ready transactions by priority. Ready transactions never
 * conflict with each other (the later of a conflicting pair waits for the earlier), so a batch can
 * run fully in parallel.
 *
 * Edges follow the block DAG's rule (last writer; readers since the last write), so a hot key
 * costs one edge per access, not one per pair. An edge is only ever added from a pending
 * transaction to a newer one, so the graph stays acyclic and arrival order decides conflicts.
 *
 * Removing a transaction that is not ready (dropped, or included by someone else out of order)
 * would break the transitive chains that order its neighbours, so it becomes a *ghost*: never
 * handed out, it keeps ordering its successors until its own predecessors are gone, then
 * disappears. That is conservative (a ghost may order two transactions that do not conflict),
 * never unsound.
 *
 * Records carry no fee-recipient flag: the sequencer's fee credit is not a listed access here,
 * and a transaction that does touch the sequencer's account should list that account like any
 * other location.
 */

import { isWildcardEntry, wildcardPrefix } from "./wildcardPrefixes.js";

export interface MempoolTx {
  readonly id: string;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  readonly gas: number;
  /** Higher goes first; default 0. */
  readonly priority?: number;
}

type NodeState = "pending" | "in-flight" | "ghost" | "gone";

interface PoolNode {
  readonly tx: MempoolTx;
  readonly seq: number;
  readonly priority: number;
  state: NodeState;
  /** Pending predecessors not yet removed. */
  waitingOn: number;
  readonly successors: PoolNode[];
  /** Lock keys this node registered in, to clean them up. */
  readonly keys: string[];
  inReadyHeap: boolean;
}

/** Per-location lock: last writer and readers since. Wildcard prefixes use the `whole`/`intent` split. */
interface KeyLock {
  lastWriter: PoolNode | undefined;
  readers: PoolNode[];
  /** Only for wildcard prefixes: concrete (or narrower) accesses under the prefix since the last whole write. */
  intentReaders: PoolNode[];
  intentWriters: PoolNode[];
}

export interface MempoolBatch {
  readonly txs: readonly MempoolTx[];
  readonly gas: number;
}

const PREFIX_KEY = "\u0000prefix:"; // keeps wildcard lock keys apart from location keys

function live(node: PoolNode | undefined): node is PoolNode {
  return node !== undefined && node.state !== "gone";
}

/** Drops removed nodes from a lock list once it has grown, keeping the amortized cost linear. */
function pushCompacting(list: PoolNode[], node: PoolNode): void {
  if (list.length >= 32 && (list.length & (list.length - 1)) === 0) {
    let w = 0;
    for (const x of list) if (x.state !== "gone") list[w++] = x;
    list.length = w;
  }
  list.push(node);
}

export class Mempool {
  readonly #nodes = new Map<string, PoolNode>();
  readonly #locks = new Map<string, KeyLock>();
  /** Wildcard prefixes seen so far (kept: a later concrete access must still meet them). */
  readonly #prefixes = new Set<string>();
  readonly #ready: PoolNode[] = [];
  #seq = 0;
  #ghosts = 0;

  /** Pending transactions, handed out or not (ghosts excluded). */
  get size(): number {
    return this.#nodes.size - this.#ghosts;
  }

  has(id: string): boolean {
    const node = this.#nodes.get(id);
    return node !== undefined && node.state !== "ghost";
  }

  /**
   * Whether the id is still in the graph: pending, handed out, or removed while it still orders
   * transactions that arrived after it (a ghost). `add` refuses every id this is true of.
   */
  knows(id: string): boolean {
    return this.#nodes.has(id);
  }

  /** Whether the transaction could go in the next batch. */
  isReady(id: string): boolean {
    const node = this.#nodes.get(id);
    return node !== undefined && node.state === "pending" && node.waitingOn === 0;
  }

  add(tx: MempoolTx): void {
    if (this.#nodes.has(tx.id)) throw new Error(`transaction ${tx.id} is already pending`);
    const node: PoolNode = {
      tx,
      seq: this.#seq++,
      priority: tx.priority ?? 0,
      state: "pending",
      waitingOn: 0,
      successors: [],
      keys: [],
      inReadyHeap: false,
    };
    const edgeFrom = (from: PoolNode | undefined): void => {
      if (!live(from) || from === node) return;
      // Duplicates are harmless but cost a decrement each; skip the common immediate repeat.
      const last = from.successors[from.successors.length - 1];
      if (last === node) return;
      from.successors.push(node);
      node.waitingOn++;
    };
    const edgesFrom = (list: readonly PoolNode[]): void => {
      for (const x of list) edgeFrom(x);
    };

    for (const entry of [...tx.reads, ...tx.writes]) {
      if (isWildcardEntry(entry)) this.#registerPrefix(wildcardPrefix(entry), node);
    }
    const writes = new Set(tx.writes);
    const seen = new Set<string>();
    // Reads first (a read-modify-write is both), then writes.
    for (const [entries, isWrite] of [
      [tx.reads, false],
      [tx.writes, true],
    ] as const) {
      for (const entry of entries) {
        if (!isWrite && writes.has(entry)) continue; // the write below orders it fully
        if (seen.has(entry)) continue;
        seen.add(entry);
        if (isWildcardEntry(entry)) {
          const prefix = wildcardPrefix(entry);
          const lock = this.#lock(PREFIX_KEY + prefix, node);
          edgeFrom(lock.lastWriter);
          edgesFrom(lock.intentWriters);
          if (isWrite) {
            edgesFrom(lock.readers);
            edgesFrom(lock.intentReaders);
            lock.lastWriter = node;
            lock.readers.length = 0;
            lock.intentReaders.length = 0;
            lock.intentWriters.length = 0;
          } else {
            pushCompacting(lock.readers, node);
          }
          this.#intents(prefix.slice(0, -1), node, isWrite, edgeFrom, edgesFrom);
        } else {
          const lock = this.#lock(entry, node);
          if (isWrite) {
            const readers = lock.readers.filter(live);
            if (readers.length === 0) edgeFrom(lock.lastWriter);
            else edgesFrom(readers);
            lock.lastWriter = node;
            lock.readers.length = 0;
          } else {
            edgeFrom(lock.lastWriter);
            pushCompacting(lock.readers, node);
          }
          this.#intents(entry, node, isWrite, edgeFrom, edgesFrom);
        }
      }
    }
    this.#nodes.set(tx.id, node);
    if (node.waitingOn === 0) this.#pushReady(node);
  }

  /**
   * Removes a transaction: included in a block, or dropped. Its dependents may become ready.
   * Returns false when the id is unknown.
   */
  remove(id: string): boolean {
    const node = this.#nodes.get(id);
    if (node === undefined || node.state === "ghost") return false;
    if (node.waitingOn > 0) {
      node.state = "ghost";
      this.#ghosts++;
      return true;
    }
    this.#finalize(node);
    return true;
  }

  /** Puts a handed-out transaction back (its batch was not executed). */
  release(id: string): boolean {
    const node = this.#nodes.get(id);
    if (node === undefined || node.state !== "in-flight") return false;
    node.state = "pending";
    this.#pushReady(node);
    return true;
  }

  /**
   * The next batch: ready transactions, highest priority first (ties: earlier arrival), as many as
   * fit in `maxGas` (and `maxTxs`). A transaction too big for `maxGas` on its own is handed out
   * alone when it reaches the front, so it cannot starve. Handed-out transactions stay pending
   * (their dependents keep waiting) until `remove` (included) or `release` (put back).
   */
  nextBatch(maxGas = Number.POSITIVE_INFINITY, maxTxs = Number.POSITIVE_INFINITY): MempoolBatch {
    const taken: MempoolTx[] = [];
    const skipped: PoolNode[] = [];
    let gas = 0;
    while (this.#ready.length > 0 && taken.length < maxTxs) {
      const node = this.#popReady();
      if (node.state !== "pending" || node.waitingOn > 0) continue;
      if (taken.length === 0 || gas + node.tx.gas <= maxGas) {
        node.state = "in-flight";
        taken.push(node.tx);
        gas += node.tx.gas;
        if (gas >= maxGas) break;
      } else {
        skipped.push(node);
      }
    }
    for (const node of skipped) this.#pushReady(node);
    return { txs: taken, gas };
  }

  #lock(key: string, node: PoolNode): KeyLock {
    let lock = this.#locks.get(key);
    if (lock === undefined) {
      lock = { lastWriter: undefined, readers: [], intentReaders: [], intentWriters: [] };
      this.#locks.set(key, lock);
    }
    node.keys.push(key);
    return lock;
  }

  /** Intent accesses on every known wildcard prefix covering `key`. */
  #intents(
    key: string,
    node: PoolNode,
    isWrite: boolean,
    edgeFrom: (from: PoolNode | undefined) => void,
    edgesFrom: (list: readonly PoolNode[]) => void,
  ): void {
    if (this.#prefixes.size === 0) return;
    for (let i = key.indexOf("/"); i !== -1; i = key.indexOf("/", i + 1)) {
      const prefix = key.slice(0, i + 1);
      if (prefix === key || !this.#prefixes.has(prefix)) continue;
      const lock = this.#lock(PREFIX_KEY + prefix, node);
      edgeFrom(lock.lastWriter);
      if (isWrite) {
        edgesFrom(lock.readers);
        pushCompacting(lock.intentWriters, node);
      } else {
        pushCompacting(lock.intentReaders, node);
      }
    }
  }

  /**
   * A wildcard prefix seen for the first time: pending transactions that already access
   * locations under it are registered as intents, in arrival order, so the new wildcard (and any
   * later one) is ordered after the conflicting ones.
   */
  #registerPrefix(prefix: string, newcomer: PoolNode): void {
    if (this.#prefixes.has(prefix)) return;
    this.#prefixes.add(prefix);
    const key = PREFIX_KEY + prefix;
    for (const node of this.#nodes.values()) {
      if (node === newcomer || node.state === "gone") continue;
      const under = (entry: string): boolean => {
        const loc = isWildcardEntry(entry) ? wildcardPrefix(entry) : entry;
        return loc.startsWith(prefix) && loc.length > prefix.length;
      };
      const writes = node.tx.writes.some(under);
      const reads = !writes && node.tx.reads.some(under);
      if (!writes && !reads) continue;
      const lock = this.#lock(key, node);
      if (writes) lock.intentWriters.push(node);
      else lock.intentReaders.push(node);
    }
  }

  #finalize(first: PoolNode): void {
    const stack = [first];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.state === "ghost") this.#ghosts--;
      node.state = "gone";
      this.#nodes.delete(node.tx.id);
      for (const key of node.keys) {
        const lock = this.#locks.get(key);
        if (lock === undefined) continue;
        if (lock.lastWriter === node) lock.lastWriter = undefined;
        if (
          lock.lastWriter === undefined &&
          !lock.readers.some(live) &&
          !lock.intentReaders.some(live) &&
          !lock.intentWriters.some(live)
        ) {
          this.#locks.delete(key);
        }
      }
      for (const successor of node.successors) {
        if (--successor.waitingOn === 0) {
          if (successor.state === "ghost") stack.push(successor);
          else if (successor.state === "pending") this.#pushReady(successor);
        }
      }
    }
  }

  // Ready queue: a binary heap on (priority desc, arrival asc).
  #before(a: PoolNode, b: PoolNode): boolean {
    return a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);
  }

  #pushReady(node: PoolNode): void {
    if (node.inReadyHeap) return;
    node.inReadyHeap = true;
    const heap = this.#ready;
    let i = heap.length;
    heap.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #popReady(): PoolNode {
    const heap = this.#ready;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && this.#before(heap[right]!, heap[left]!) ? right : left;
        if (!this.#before(heap[child]!, heap[i]!)) break;
        [heap[i], heap[child]] = [heap[child]!, heap[i]!];
        i = child;
      }
    }
    top.inReadyHeap = false;
    return top;
  }
}
