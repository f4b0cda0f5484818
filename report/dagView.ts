/**
 * The conflict DAG as columns, ready to draw: each column a stack of transaction cells, left to
 * right in column order. A block of any size fits one screen: beyond `maxStacks` columns,
 * neighbouring columns share a stack, and a stack of more than `maxCells` transactions draws
 * `maxCells` cells that each stand for several of them (the page prints its count). Real blocks
 * are skewed — one wide column of independent transfers beside a long chain of swaps on one pool —
 * and a common scale would flatten the chain to a line. Within a stack the critical path's
 * transactions come first, so the path runs along the top. Edges are drawn only while every
 * transaction has a cell of its own and they are few enough to read; the critical path always is.
 */

export interface DagCell {
  /** The first transaction in the cell (its only one when `txsPerCell` is 1). */
  readonly tx: number;
  readonly count: number;
  /** Index into the report's call names: the most frequent call among the cell's transactions. */
  readonly fn: number;
  /** The cell holds a transaction of the critical path (by gas). */
  readonly critical: boolean;
}

export interface DagStack {
  readonly firstColumn: number;
  readonly lastColumn: number;
  readonly txs: number;
  readonly gas: number;
  /** Transactions per cell in this stack (1 unless the stack is taller than `maxCells`). */
  readonly txsPerCell: number;
  /** Critical-path transactions first, then column order, then index order. */
  readonly cells: readonly DagCell[];
}

export interface DagView {
  readonly columns: number;
  readonly columnsPerStack: number;
  /** The largest `txsPerCell` of any stack (1: every transaction has a cell of its own). */
  readonly txsPerCell: number;
  readonly stacks: readonly DagStack[];
  readonly totalEdges: number;
  /** The edges drawn, as [from tx, to tx]: all of them, or none when the block is too large. */
  readonly edges: readonly (readonly [number, number])[];
  readonly edgesShown: "all" | "critical-path";
  /** The critical path as [stack, cell] positions in path order, one per stack (its first cell on the path). */
  readonly criticalPath: readonly (readonly [number, number])[];
  /** [stack, cell] of every transaction, for the page's highlighting (stack then cell per tx). */
  readonly position: readonly number[];
}

export interface LayoutDagParameters {
  readonly columnOf: ArrayLike<number>;
  readonly columnCount: number;
  readonly gas: ArrayLike<number>;
  /** Call name index of each transaction. */
  readonly fnOf: ArrayLike<number>;
  /** The heaviest dependency chain, in execution order. */
  readonly criticalPath: readonly number[];
  /** The DAG's successor lists (CSR), for drawing edges. */
  readonly successorOffsets: ArrayLike<number>;
  readonly successors: ArrayLike<number>;
  readonly maxStacks?: number;
  readonly maxCells?: number;
  readonly maxEdges?: number;
}

export const DAG_LIMITS = { maxStacks: 200, maxCells: 36, maxEdges: 1500 } as const;

export function layoutDag(p: LayoutDagParameters): DagView {
  const n = p.columnOf.length;
  const maxStacks = p.maxStacks ?? DAG_LIMITS.maxStacks;
  const maxCells = p.maxCells ?? DAG_LIMITS.maxCells;
  const maxEdges = p.maxEdges ?? DAG_LIMITS.maxEdges;
  const columns = p.columnCount;
  const columnsPerStack = Math.max(1, Math.ceil(columns / maxStacks));
  const stackCount = Math.ceil(columns / columnsPerStack);

  // Members per stack in (column, index) order: a counting sort by column keeps index order.
  const columnSize = new Int32Array(columns + 1);
  for (let tx = 0; tx < n; tx++) columnSize[p.columnOf[tx]! + 1]!++;
  for (let c = 0; c < columns; c++) columnSize[c + 1]! += columnSize[c]!;
  const ordered = new Int32Array(n);
  const fill = columnSize.slice(0, columns);
  for (let tx = 0; tx < n; tx++) ordered[fill[p.columnOf[tx]!]!++] = tx;
  const stackStart = (s: number) => columnSize[Math.min(columns, s * columnsPerStack)]!;

  const critical = new Uint8Array(n);
  for (const tx of p.criticalPath) critical[tx] = 1;
  // Critical transactions to the front of their stack, keeping the order otherwise.
  for (let s = 0; s < stackCount; s++) {
    const from = stackStart(s);
    const to = stackStart(s + 1);
    const members = Array.from(ordered.subarray(from, to));
    let k = from;
    for (const tx of members) if (critical[tx] === 1) ordered[k++] = tx;
    for (const tx of members) if (critical[tx] === 0) ordered[k++] = tx;
  }

  let txsPerCellMax = 1;
  const position = new Array<number>(2 * n);
  const stacks: DagStack[] = [];
  const tally = new Map<number, number>();
  for (let s = 0; s < stackCount; s++) {
    const from = stackStart(s);
    const to = stackStart(s + 1);
    const txsPerCell = Math.max(1, Math.ceil((to - from) / maxCells));
    txsPerCellMax = Math.max(txsPerCellMax, txsPerCell);
    const cells: DagCell[] = [];
    let gas = 0;
    for (let at = from; at < to; at += txsPerCell) {
      const end = Math.min(to, at + txsPerCell);
      tally.clear();
      let onPath = false;
      for (let k = at; k < end; k++) {
        const tx = ordered[k]!;
        gas += p.gas[tx]!;
        const fn = p.fnOf[tx]!;
        tally.set(fn, (tally.get(fn) ?? 0) + 1);
        if (critical[tx] === 1) onPath = true;
        position[2 * tx] = s;
        position[2 * tx + 1] = cells.length;
      }
      let fn = 0;
      let best = -1;
      for (const [f, count] of tally) if (count > best || (count === best && f < fn)) [fn, best] = [f, count];
      cells.push({ tx: ordered[at]!, count: end - at, fn, critical: onPath });
    }
    stacks.push({ firstColumn: s * columnsPerStack, lastColumn: Math.min(columns, (s + 1) * columnsPerStack) - 1, txs: to - from, gas, txsPerCell, cells });
  }

  const totalEdges = p.successors.length;
  const edges: [number, number][] = [];
  const detailed = columnsPerStack === 1 && txsPerCellMax === 1 && totalEdges <= maxEdges;
  if (detailed) {
    for (let i = 0; i < n; i++) {
      for (let e = p.successorOffsets[i]!; e < p.successorOffsets[i + 1]!; e++) edges.push([i, p.successors[e]!]);
    }
  }
  // One point per stack: where stacks hold several columns, the path's transactions in a stack
  // are its top cells, and the line runs along them.
  const criticalPath: [number, number][] = [];
  for (const tx of p.criticalPath) {
    const at: [number, number] = [position[2 * tx]!, position[2 * tx + 1]!];
    const last = criticalPath[criticalPath.length - 1];
    if (last === undefined || last[0] !== at[0]) criticalPath.push(at);
  }
  return { columns, columnsPerStack, txsPerCell: txsPerCellMax, stacks, totalEdges, edges, edgesShown: detailed ? "all" : "critical-path", criticalPath, position };
}
