/**
 * Columns: the longest-path levels of the conflict DAG. A transaction's column is 1 + the largest
 * column of its predecessors (0 without any), so every column is a set of mutually independent
 * transactions and the column count is the minimum number of barriers any level schedule needs:
 * columns = (transactions on the longest path) = (edges on the longest path) + 1.
 */

import type { ConflictGraph } from "./conflictGraph.js";

export interface ColumnLayout {
  /** Column of each transaction. */
  readonly columnOf: Int32Array;
  readonly columnCount: number;
  /** Transactions of column c are `members[offsets[c] .. offsets[c+1])`, ascending. */
  readonly offsets: Int32Array;
  readonly members: Int32Array;
}

export function computeColumns(graph: ConflictGraph): ColumnLayout {
  const n = graph.txCount;
  const { predecessorOffsets, predecessors } = graph;
  const columnOf = new Int32Array(n);
  let columnCount = n === 0 ? 0 : 1;
  // Predecessors always have smaller indices, so index order is a topological order.
  for (let j = 0; j < n; j++) {
    let column = 0;
    for (let e = predecessorOffsets[j]!; e < predecessorOffsets[j + 1]!; e++) {
      const c = columnOf[predecessors[e]!]! + 1;
      if (c > column) column = c;
    }
    columnOf[j] = column;
    if (column + 1 > columnCount) columnCount = column + 1;
  }
  const offsets = new Int32Array(columnCount + 1);
  for (let j = 0; j < n; j++) offsets[columnOf[j]! + 1]!++;
  for (let c = 0; c < columnCount; c++) offsets[c + 1]! += offsets[c]!;
  const fill = offsets.slice(0, columnCount);
  const members = new Int32Array(n);
  for (let j = 0; j < n; j++) members[fill[columnOf[j]!]!++] = j;
  return { columnOf, columnCount, offsets, members };
}

/** The columns as arrays of transaction indices (for JSON output). */
export function columnsAsArrays(layout: ColumnLayout): number[][] {
  const out: number[][] = [];
  for (let c = 0; c < layout.columnCount; c++) {
    out.push(Array.from(layout.members.subarray(layout.offsets[c]!, layout.offsets[c + 1]!)));
  }
  return out;
}
