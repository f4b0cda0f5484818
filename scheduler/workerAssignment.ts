/**
 * Static assignment of transactions to k workers, balanced by estimated gas, with dependency
 * chains kept on one worker (grevm's "task groups"): when tx j's only reason to wait is a single
 * predecessor that nobody else continues, running j on that predecessor's worker right after it
 * costs no hand-off, no cross-thread wake-up and no cache migration.
 *
 * Chains: each transaction continues the chain of one predecessor in the column just before its
 * own (the one that decides its column), provided no earlier transaction already continues that
 * chain. This splits the DAG into disjoint paths along longest-path edges; a fully dependent block
 * (columns = transactions) is one path, hence one worker. Chains are then placed largest-gas-first
 * on the least loaded worker (LPT), which is within 4/3 of the optimal balance for independent
 * chains.
 */

import type { ColumnLayout } from "./columns.js";
import type { ConflictGraph } from "./conflictGraph.js";
import { IndexHeap } from "./indexHeap.js";

export interface WorkerAssignment {
  readonly workers: number;
  /** Worker of each transaction, 0-based. */
  readonly workerOf: Int32Array;
  /** Chain (task group) of each transaction; chains are numbered in the order of their first transaction. */
  readonly chainOf: Int32Array;
  readonly chainCount: number;
  /** Estimated gas per worker. */
  readonly load: Float64Array;
}

export function assignWorkers(graph: ConflictGraph, layout: ColumnLayout, workers: number): WorkerAssignment {
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  const n = graph.txCount;
  const { predecessorOffsets, predecessors, gas } = graph;
  const { columnOf } = layout;
  const chainOf = new Int32Array(n);
  const continued = new Uint8Array(n); // 1 when some later tx already continues this tx's chain
  const chainGas: number[] = [];
  for (let j = 0; j < n; j++) {
    const want = columnOf[j]! - 1;
    let chosen = -1;
    if (want >= 0) {
      for (let e = predecessorOffsets[j]!; e < predecessorOffsets[j + 1]!; e++) {
        const p = predecessors[e]!;
        if (columnOf[p] === want && continued[p] === 0 && (chosen === -1 || p < chosen)) chosen = p;
      }
    }
    if (chosen >= 0) {
      continued[chosen] = 1;
      const chain = chainOf[chosen]!;
      chainOf[j] = chain;
      chainGas[chain]! += gas[j]!;
    } else {
      chainOf[j] = chainGas.length;
      chainGas.push(gas[j]!);
    }
  }
  const chainCount = chainGas.length;
  // LPT: heaviest chain first (ties: earlier chain) onto the least loaded worker (ties: lower id).
  const order = heaviestFirst(chainGas);
  const load = new Float64Array(workers);
  const chainWorker = new Int32Array(chainCount);
  const free = new IndexHeap(workers);
  for (let w = 0; w < workers; w++) free.push(w, 0);
  for (const c of order) {
    const w = free.pop();
    chainWorker[c] = w;
    load[w]! += chainGas[c]!;
    free.push(w, load[w]!);
  }
  const workerOf = new Int32Array(n);
  for (let j = 0; j < n; j++) workerOf[j] = chainWorker[chainOf[j]!]!;
  return { workers, workerOf, chainOf, chainCount, load };
}

/**
 * Chain ids by gas descending, ties by id: a counting sort over the distinct gas values (sorted
 * natively as a Float64Array) avoids a comparator sort over up to a million chains.
 */
function heaviestFirst(chainGas: readonly number[]): Int32Array {
  const count = chainGas.length;
  const distinct = Float64Array.from(new Set(chainGas)).sort();
  const rank = new Map<number, number>();
  for (let r = 0; r < distinct.length; r++) rank.set(distinct[distinct.length - 1 - r]!, r);
  const start = new Int32Array(distinct.length + 1);
  const chainRank = new Int32Array(count);
  for (let c = 0; c < count; c++) {
    const r = rank.get(chainGas[c]!)!;
    chainRank[c] = r;
    start[r + 1]!++;
  }
  for (let r = 0; r < distinct.length; r++) start[r + 1]! += start[r]!;
  const order = new Int32Array(count);
  for (let c = 0; c < count; c++) order[start[chainRank[c]!]!++] = c;
  return order;
}
