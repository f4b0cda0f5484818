/**
 * The DAG view as inline SVG: stacks left to right, cells top-down in index order, edges as light
 * curves from a cell's right side to its successor's left side, and the critical path on top.
 * Cells of one transaction carry `data-tx` (the page's script describes them); aggregated cells
 * carry their own `data-tip`.
 */
import type { DagView } from "./dagView.js";
import { escapeHtml, formatCount, formatGas } from "./format.js";
import { CRITICAL_COLOR, callColor } from "./palette.js";

export interface DagSvgParameters {
  readonly view: DagView;
  readonly calls: readonly string[];
  /** Colour rank of each call (index into `calls`). */
  readonly colorRank: readonly number[];
  readonly width?: number;
}

export const DAG_SVG = { width: 1100, plotHeight: 300, top: 26, bottom: 30, side: 10 } as const;

function columnLabel(first: number, last: number): string {
  return first === last ? `column ${first + 1}` : `columns ${first + 1}–${last + 1}`;
}

export function renderDagSvg(p: DagSvgParameters): string {
  const { view } = p;
  const width = p.width ?? DAG_SVG.width;
  const stacks = view.stacks.length;
  let tallest = 1;
  for (const s of view.stacks) tallest = Math.max(tallest, s.cells.length);
  const usable = width - 2 * DAG_SVG.side;
  const pitch = Math.min(40, usable / Math.max(1, stacks));
  // Small blocks are centred rather than stretched across the page.
  const left = DAG_SVG.side + (usable - pitch * stacks) / 2;
  const cellW = Math.max(1.2, Math.min(26, pitch * 0.72));
  const cellH = Math.max(3, Math.min(14, DAG_SVG.plotHeight / tallest));
  const gap = cellH >= 6 ? 1 : 0;
  const height = DAG_SVG.top + tallest * cellH + DAG_SVG.bottom + 8;
  const cx = (s: number) => left + pitch * (s + 0.5);
  const cy = (c: number) => DAG_SVG.top + c * cellH + cellH / 2;

  const out: string[] = [];
  out.push(`<svg id="dag-svg" class="chart" viewBox="0 0 ${width} ${height.toFixed(1)}" width="100%" role="img" aria-label="conflict DAG in ${view.columns} columns">`);

  // Column ruler: a tick and a number every few stacks.
  const every = Math.max(1, Math.ceil(stacks / 12));
  out.push(`<g class="axis">`);
  for (let s = 0; s < stacks; s += every) {
    const stack = view.stacks[s]!;
    out.push(`<text x="${cx(s).toFixed(1)}" y="${DAG_SVG.top - 9}" text-anchor="middle">${stack.firstColumn + 1}</text>`);
  }
  out.push(`</g>`);

  if (view.edges.length > 0) {
    out.push(`<g class="edges">`);
    for (const [from, to] of view.edges) {
      const x1 = cx(view.position[2 * from]!) + cellW / 2;
      const y1 = cy(view.position[2 * from + 1]!);
      const x2 = cx(view.position[2 * to]!) - cellW / 2;
      const y2 = cy(view.position[2 * to + 1]!);
      const bend = (x2 - x1) / 2;
      out.push(`<path d="M${x1.toFixed(1)} ${y1.toFixed(1)}C${(x1 + bend).toFixed(1)} ${y1.toFixed(1)} ${(x2 - bend).toFixed(1)} ${y2.toFixed(1)} ${x2.toFixed(1)} ${y2.toFixed(1)}"/>`);
    }
    out.push(`</g>`);
  }

  out.push(`<g class="stacks">`);
  view.stacks.forEach((stack, s) => {
    const where = columnLabel(stack.firstColumn, stack.lastColumn);
    out.push(`<g class="stack" data-stack="${s}">`);
    // A hit area over the whole stack: its summary on hover.
    out.push(
      `<rect class="stack-hit" x="${(cx(s) - pitch / 2).toFixed(1)}" y="${DAG_SVG.top}" width="${pitch.toFixed(2)}" height="${(stack.cells.length * cellH).toFixed(1)}" data-tip="${escapeHtml(`${where}: ${formatCount(stack.txs)} txs, ${formatGas(stack.gas)}`)}"/>`,
    );
    stack.cells.forEach((cell, c) => {
      const x = cx(s) - cellW / 2;
      const y = DAG_SVG.top + c * cellH;
      const fill = callColor(p.colorRank[cell.fn] ?? 99);
      const cls = cell.critical ? "cell critical" : "cell";
      const size = `x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${cellW.toFixed(2)}" height="${Math.max(0.8, cellH - gap).toFixed(2)}"`;
      if (cell.count === 1 && stack.txsPerCell === 1) {
        out.push(`<rect class="${cls}" id="cell-${s}-${c}" ${size} fill="${fill}" data-tx="${cell.tx}"/>`);
      } else {
        const tip = `${where}: ${formatCount(cell.count)} txs from tx ${cell.tx}, mostly ${p.calls[cell.fn] ?? "?"}${cell.critical ? "; on the critical path" : ""}`;
        const opacity = (0.45 + (0.55 * cell.count) / stack.txsPerCell).toFixed(2);
        out.push(`<rect class="${cls}" id="cell-${s}-${c}" ${size} fill="${fill}" fill-opacity="${opacity}" data-tip="${escapeHtml(tip)}"/>`);
      }
    });
    out.push(`</g>`);
  });
  out.push(`</g>`);

  // Compressed stacks say how many transactions they hold, where the label fits (and the largest always).
  let largest = -1;
  view.stacks.forEach((stack, s) => {
    if (stack.txsPerCell > 1 && (largest < 0 || stack.txs > view.stacks[largest]!.txs)) largest = s;
  });
  out.push(`<g class="stack-counts">`);
  view.stacks.forEach((stack, s) => {
    if (stack.txsPerCell === 1 || (pitch < 30 && s !== largest)) return;
    const y = DAG_SVG.top + stack.cells.length * cellH + 12;
    const anchor = pitch < 30 ? "start" : "middle";
    const x = pitch < 30 ? cx(s) - cellW / 2 : cx(s);
    out.push(`<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${anchor}">${formatCount(stack.txs)} txs</text>`);
  });
  out.push(`</g>`);

  if (view.criticalPath.length > 0) {
    const points = view.criticalPath.map(([s, c]) => `${cx(s).toFixed(1)},${cy(c).toFixed(1)}`).join(" ");
    out.push(`<polyline class="critical-path" points="${points}" fill="none" stroke="${CRITICAL_COLOR}"/>`);
    // Dots mark the path's transactions while there are few enough to tell apart.
    if (view.criticalPath.length <= 200) for (const [s, c] of view.criticalPath) out.push(`<circle class="critical-node" cx="${cx(s).toFixed(1)}" cy="${cy(c).toFixed(1)}" r="${Math.min(3, cellH / 2, cellW / 2 + 0.5).toFixed(1)}" fill="${CRITICAL_COLOR}"/>`);
  }

  if (stacks === 0) {
    out.push(`<text class="axis-note" x="${width / 2}" y="${(height / 2).toFixed(1)}" text-anchor="middle">no transactions</text>`);
  } else {
    out.push(`<text class="axis-note" x="${left.toFixed(1)}" y="${(height - 10).toFixed(1)}">column 1</text>`);
    if (view.columns > 1) out.push(`<text class="axis-note" x="${(left + pitch * stacks).toFixed(1)}" y="${(height - 10).toFixed(1)}" text-anchor="end">column ${view.columns}</text>`);
  }
  out.push(`</svg>`);
  return out.join("");
}
