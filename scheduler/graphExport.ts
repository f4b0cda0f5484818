/**
 * Exports of the conflict DAG: a `@dagrejs/graphlib` Graph for interop (and as the oracle in
 * property tests) and Graphviz DOT for looking at a block. Both allocate per node and edge; they
 * are for inspection, not for the hot path.
 */

import { Graph } from "@dagrejs/graphlib";
import type { ConflictGraph } from "./conflictGraph.js";

export interface GraphlibNodeLabel {
  readonly index: number;
  readonly gas: number;
  readonly column?: number;
}

/** Nodes are the transaction indices as strings ("0", "1", …), labelled with gas (and column). */
export function toGraphlib(graph: ConflictGraph, columnOf?: Int32Array): Graph {
  const g = new Graph({ directed: true, multigraph: false, compound: false });
  for (let j = 0; j < graph.txCount; j++) {
    const label: GraphlibNodeLabel =
      columnOf === undefined ? { index: j, gas: graph.gas[j]! } : { index: j, gas: graph.gas[j]!, column: columnOf[j]! };
    g.setNode(String(j), label);
  }
  for (let j = 0; j < graph.txCount; j++) {
    for (const i of graph.predecessorsOf(j)) g.setEdge(String(i), String(j));
  }
  return g;
}

/**
 * Graphviz DOT, one `rank=same` cluster per column so the picture reads left to right in
 * execution order; critical-path transactions are drawn bold.
 */
export function toDot(
  graph: ConflictGraph,
  options: { readonly columnOf?: Int32Array; readonly criticalPath?: readonly number[]; readonly name?: string } = {},
): string {
  const lines: string[] = [];
  const name = (options.name ?? "conflicts").replace(/[^A-Za-z0-9_]/g, "_");
  lines.push(`digraph ${name} {`);
  lines.push("  rankdir=LR;");
  lines.push('  node [shape=box, fontname="monospace"];');
  const critical = new Set(options.criticalPath ?? []);
  for (let j = 0; j < graph.txCount; j++) {
    const style = critical.has(j) ? ", style=bold, color=red" : "";
    lines.push(`  t${j} [label="${j}\\n${graph.gas[j]!} gas"${style}];`);
  }
  if (options.columnOf !== undefined) {
    const byColumn = new Map<number, number[]>();
    for (let j = 0; j < graph.txCount; j++) {
      const c = options.columnOf[j]!;
      let list = byColumn.get(c);
      if (list === undefined) byColumn.set(c, (list = []));
      list.push(j);
    }
    for (const [, members] of [...byColumn].sort((a, b) => a[0] - b[0])) {
      lines.push(`  { rank=same; ${members.map((j) => `t${j};`).join(" ")} }`);
    }
  }
  for (let j = 0; j < graph.txCount; j++) {
    for (const i of graph.predecessorsOf(j)) lines.push(`  t${i} -> t${j};`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
