/**
 * Critical paths of the conflict DAG: by transaction count (= the column count) and by gas, the
 * heaviest dependency chain, which bounds the makespan from below whatever the thread count.
 */

import type { ConflictGraph } from "./conflictGraph.js";

export interface CriticalPath {
  /** Transactions on the longest path by count (equals the number of columns). */
  readonly length: number;
  /** Gas of the heaviest path. */
  readonly gas: number;
  /** The heaviest path, as transaction indices in execution order. */
  readonly txs: readonly number[];
}

/**
 * Top levels: gas of the heaviest path ending with (and including) each transaction. Index order
 * is topological, so one forward pass suffices.
 */
export function gasTopLevels(graph: ConflictGraph): Float64Array {
  const n = graph.txCount;
  const { predecessorOffsets, predecessors, gas } = graph;
  const top = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let best = 0;
    for (let e = predecessorOffsets[j]!; e < predecessorOffsets[j + 1]!; e++) {
      const t = top[predecessors[e]!]!;
      if (t > best) best = t;
    }
    top[j] = best + gas[j]!;
  }
  return top;
}

/**
 * Bottom levels: gas of the heaviest path starting with (and including) each transaction. This is
 * the classic list-scheduling priority (most remaining work first).
 */
export function gasBottomLevels(graph: ConflictGraph): Float64Array {
  const n = graph.txCount;
  const { successorOffsets, successors, gas } = graph;
  const bottom = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let best = 0;
    for (let e = successorOffsets[i]!; e < successorOffsets[i + 1]!; e++) {
      const b = bottom[successors[e]!]!;
      if (b > best) best = b;
    }
    bottom[i] = best + gas[i]!;
  }
  return bottom;
}

export function computeCriticalPath(graph: ConflictGraph, columnCount: number, top = gasTopLevels(graph)): CriticalPath {
  const n = graph.txCount;
  if (n === 0) return { length: 0, gas: 0, txs: [] };
  let end = 0;
  for (let j = 1; j < n; j++) if (top[j]! > top[end]!) end = j;
  // Walk back along the predecessor that realises each top level (smallest index on ties).
  const path: number[] = [end];
  let current = end;
  for (;;) {
    const need = top[current]! - graph.gas[current]!;
    let next = -1;
    for (const p of graph.predecessorsOf(current)) {
      if (top[p] === need && (next === -1 || p < next)) next = p;
    }
    if (next === -1) break;
    path.push(next);
    current = next;
  }
  path.reverse();
  return { length: columnCount, gas: top[end]!, txs: path };
}
