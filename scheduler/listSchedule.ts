/**
 * An honest projection of what k threads can gain: list scheduling of the conflict DAG on k
 * identical workers, gas as duration. Whenever a worker is free it takes the ready transaction
 * with the most remaining work below it (largest gas bottom level; ties to the lower index), and a
 * transaction is ready once all its predecessors have finished. No barriers between columns, no
 * scheduling overhead: an upper bound on speedup given the gas estimates, and within a factor
 * (2 − 1/k) of the optimal makespan (Graham's bound).
 */

import type { ConflictGraph } from "./conflictGraph.js";
import { gasBottomLevels } from "./criticalPath.js";
import { IndexHeap } from "./indexHeap.js";

/** Thread counts reported by default, as in the tables of docs/benchmarks.md. */
export const DEFAULT_THREAD_COUNTS: readonly number[] = [1, 2, 4, 8, 16, 32];

export function listScheduleMakespan(graph: ConflictGraph, workers: number, bottom = gasBottomLevels(graph)): number {
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  const n = graph.txCount;
  if (n === 0) return 0;
  const { predecessorOffsets, successorOffsets, successors, gas } = graph;
  const remaining = new Int32Array(n);
  const ready = new IndexHeap(n);
  for (let j = 0; j < n; j++) {
    remaining[j] = predecessorOffsets[j + 1]! - predecessorOffsets[j]!;
    if (remaining[j] === 0) ready.push(j, -bottom[j]!);
  }
  // Running transactions keyed by finish time.
  const running = new IndexHeap(n);
  let idle = workers;
  let now = 0;
  let makespan = 0;
  let done = 0;
  while (done < n) {
    while (idle > 0 && ready.size > 0) {
      const j = ready.pop();
      running.push(j, now + gas[j]!);
      idle--;
    }
    // Advance to the next finish; release everything finishing at that instant together, so
    // equal-time completions free their successors before any worker picks again.
    now = running.peekKey()!;
    while (running.size > 0 && running.peekKey() === now) {
      const i = running.pop();
      idle++;
      done++;
      if (now > makespan) makespan = now;
      for (let e = successorOffsets[i]!; e < successorOffsets[i + 1]!; e++) {
        const s = successors[e]!;
        if (--remaining[s]! === 0) ready.push(s, -bottom[s]!);
      }
    }
  }
  return makespan;
}

/**
 * Projected speedup for each thread count: total gas / k-worker makespan. A block of zero gas
 * projects 1 (nothing to gain).
 */
export function projectSpeedups(
  graph: ConflictGraph,
  threadCounts: readonly number[] = DEFAULT_THREAD_COUNTS,
  bottom = gasBottomLevels(graph),
): Record<string, number> {
  let total = 0;
  for (let j = 0; j < graph.txCount; j++) total += graph.gas[j]!;
  const out: Record<string, number> = {};
  for (const k of threadCounts) {
    const makespan = listScheduleMakespan(graph, k, bottom);
    out[String(k)] = makespan > 0 ? total / makespan : 1;
  }
  return out;
}
