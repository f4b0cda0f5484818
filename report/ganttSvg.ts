/**
 * The timeline view as inline SVG: the sequential reference as a grey bar on top, then one lane
 * per thread with executions and aborts on its upper row and validations on a thin lower row,
 * a marker where the run ended, and a time axis. All on one scale, so the reference bar's length
 * against the lanes' is the speedup.
 */
import type { GanttView } from "./ganttView.js";
import { escapeHtml, formatCount, formatMs, formatPercent } from "./format.js";
import { ACTIVITY_COLORS, ACTIVITY_LABELS, REFERENCE_COLOR } from "./palette.js";

export const GANTT_SVG = { width: 1100, labelWidth: 150, right: 16, top: 8, referenceHeight: 18, laneHeight: 30, laneGap: 6, axisHeight: 30 } as const;

/** A round tick step giving about `target` ticks over `span`. */
export function tickStep(span: number, target = 8): number {
  const raw = span / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

export interface GanttSvgParameters {
  readonly view: GanttView;
  /** Label of the reported run (mode and threads), for the end marker. */
  readonly runLabel: string;
  /** Whether the run is itself the sequential reference (then there is no separate reference bar). */
  readonly isReference: boolean;
}

export function renderGanttSvg(p: GanttSvgParameters): string {
  const { view } = p;
  const g = GANTT_SVG;
  const x0 = g.labelWidth;
  const x1 = g.width - g.right;
  const scale = (x1 - x0) / view.spanMs;
  const x = (ms: number) => x0 + ms * scale;
  const referenceRows = p.isReference ? 0 : 1;
  const lanesTop = g.top + referenceRows * (g.referenceHeight + g.laneGap + 4);
  const lanesHeight = view.lanes.length * (g.laneHeight + g.laneGap);
  const height = lanesTop + lanesHeight + g.axisHeight;
  const out: string[] = [];
  out.push(`<svg id="gantt-svg" class="chart" viewBox="0 0 ${g.width} ${height}" width="100%" role="img" aria-label="per-thread timeline">`);

  // Grid and axis.
  const step = tickStep(view.spanMs);
  out.push(`<g class="grid">`);
  for (let t = 0; t <= view.spanMs + 1e-9; t += step) {
    out.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${g.top}" y2="${lanesTop + lanesHeight}"/>`);
  }
  out.push(`</g><g class="axis">`);
  for (let t = 0; t <= view.spanMs + 1e-9; t += step) {
    out.push(`<text x="${x(t).toFixed(1)}" y="${lanesTop + lanesHeight + 16}" text-anchor="middle">${t === 0 ? "0" : formatMs(t).replace(" ", "\u00a0")}</text>`);
  }
  out.push(`</g>`);

  if (!p.isReference) {
    const w = Math.max(1, x(view.sequentialMs) - x0);
    out.push(
      `<g class="reference"><text class="lane-label" x="${x0 - 10}" y="${g.top + 13}" text-anchor="end">sequential</text>` +
        `<rect x="${x0}" y="${g.top}" width="${w.toFixed(1)}" height="${g.referenceHeight}" rx="3" fill="${REFERENCE_COLOR}" data-tip="${escapeHtml(`the sequential reference, measured in this run: ${formatMs(view.sequentialMs)}`)}"/>` +
        `<text class="bar-label" x="${(x0 + w - 6).toFixed(1)}" y="${g.top + 13}" text-anchor="end">${escapeHtml(formatMs(view.sequentialMs))}</text></g>`,
    );
  }

  view.lanes.forEach((lane, i) => {
    const top = lanesTop + i * (g.laneHeight + g.laneGap);
    const busy = view.wallMs > 0 ? lane.busyMs / view.wallMs : 0;
    const counts = lane.counts;
    const summary = `${lane.label}: ${formatCount(counts.execution)} executions, ${formatCount(counts.abort)} aborted, ${formatCount(counts.validation + counts["failed-validation"])} validations (${formatCount(counts["failed-validation"])} failed); busy ${formatPercent(Math.min(1, busy))} of the run`;
    out.push(`<g class="lane" data-lane="${i}" data-thread="${lane.thread}">`);
    out.push(`<rect class="lane-bg" x="${x0}" y="${top}" width="${x1 - x0}" height="${g.laneHeight}" data-tip="${escapeHtml(summary)}"/>`);
    out.push(`<text class="lane-label" x="${x0 - 10}" y="${top + 13}" text-anchor="end">${escapeHtml(lane.label)}</text>`);
    out.push(`<text class="lane-sub" x="${x0 - 10}" y="${top + 25}" text-anchor="end">${formatPercent(Math.min(1, busy))} busy</text>`);
    for (const bar of lane.bars) {
      const validation = bar.kind === "validation" || bar.kind === "failed-validation";
      const y = validation ? top + 21 : top + 3;
      const h = validation ? 6 : 16;
      const bx = x(bar.startMs);
      const bw = Math.max(0.6, (bar.endMs - bar.startMs) * scale);
      const shape = `x="${bx.toFixed(2)}" y="${y}" width="${bw.toFixed(2)}" height="${h}" fill="${ACTIVITY_COLORS[bar.kind]}"`;
      if (bar.count === 1) {
        out.push(`<rect class="bar k-${bar.kind}" ${shape} data-tx="${bar.tx}" data-kind="${bar.kind}"/>`);
      } else {
        const tip = `${formatCount(bar.count)} ${ACTIVITY_LABELS[bar.kind]}s from tx ${bar.tx}, ${formatMs(bar.startMs)}–${formatMs(bar.endMs)}`;
        out.push(`<rect class="bar k-${bar.kind}" ${shape} data-tip="${escapeHtml(tip)}"/>`);
      }
    }
    out.push(`</g>`);
  });

  // Where the reported run ended (its wall time includes starting and finishing the round).
  const end = x(view.wallMs);
  const nearRight = end > x1 - 70;
  out.push(
    `<g class="end-marker"><line x1="${end.toFixed(1)}" x2="${end.toFixed(1)}" y1="${lanesTop - 3}" y2="${lanesTop + lanesHeight}"/>` +
      `<text x="${(nearRight ? end - 4 : end + 4).toFixed(1)}" y="${lanesTop + lanesHeight - 2}" text-anchor="${nearRight ? "end" : "start"}" data-tip="${escapeHtml(`${p.runLabel} ended after ${formatMs(view.wallMs)}`)}">${escapeHtml(formatMs(view.wallMs))}</text></g>`,
  );
  out.push(`</svg>`);
  return out.join("");
}
