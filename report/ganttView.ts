/**
 * The per-thread timeline, ready to draw: one lane per thread, its executions, aborts and
 * validations as bars on a time axis shared with the sequential reference. On a large block a
 * lane holds more events than the page has pixels: there, events of one kind that follow each
 * other closer than one pixel merge into one bar (with their count), which keeps every busy
 * stretch and every gap wider than a pixel visible.
 */
import type { ActivityKind, ExecutionActivity } from "../executor/activity.js";

export const ACTIVITY_KINDS: readonly ActivityKind[] = ["execution", "abort", "validation", "failed-validation"];

export interface GanttBar {
  readonly kind: ActivityKind;
  readonly startMs: number;
  readonly endMs: number;
  /** The transaction of the first event in the bar, and how many events the bar merges. */
  readonly tx: number;
  readonly count: number;
}

export interface GanttLane {
  readonly label: string;
  readonly thread: number;
  readonly counts: Readonly<Record<ActivityKind, number>>;
  /** Time inside transactions (executions, aborts and validations). */
  readonly busyMs: number;
  readonly bars: readonly GanttBar[];
}

export interface GanttView {
  /** The axis: from the execution's start to the later of its end and the sequential reference's. */
  readonly spanMs: number;
  /** The reported run's wall time, and the sequential reference's. */
  readonly wallMs: number;
  readonly sequentialMs: number;
  readonly lanes: readonly GanttLane[];
  /** Whether some bars stand for several events. */
  readonly merged: boolean;
}

export interface LayoutGanttParameters {
  readonly activity: ExecutionActivity;
  readonly wallMs: number;
  readonly sequentialMs: number;
  /** Pixels across the axis: events closer than one of them may merge (default 1100). */
  readonly resolution?: number;
  /** Lanes with at most this many events keep every event as its own bar (default 400). */
  readonly detailLimit?: number;
}

export function emptyCounts(): Record<ActivityKind, number> {
  return { execution: 0, abort: 0, validation: 0, "failed-validation": 0 };
}

export function layoutGantt(p: LayoutGanttParameters): GanttView {
  let lastEnd = 0;
  for (const lane of p.activity.lanes) for (const e of lane.events) lastEnd = Math.max(lastEnd, e.endMs);
  const spanMs = Math.max(p.wallMs, p.sequentialMs, lastEnd, 1e-6);
  const pixelMs = spanMs / (p.resolution ?? 1100);
  const detailLimit = p.detailLimit ?? 400;
  let merged = false;
  const lanes = p.activity.lanes.map((lane): GanttLane => {
    const counts = emptyCounts();
    let busyMs = 0;
    const merge = lane.events.length > detailLimit;
    const open = new Map<ActivityKind, { kind: ActivityKind; startMs: number; endMs: number; tx: number; count: number }>();
    const bars: GanttBar[] = [];
    for (const e of lane.events) {
      counts[e.kind]++;
      busyMs += e.endMs - e.startMs;
      const current = open.get(e.kind);
      if (merge && current !== undefined && e.startMs - current.endMs < pixelMs) {
        current.endMs = Math.max(current.endMs, e.endMs);
        current.count++;
        merged = true;
        continue;
      }
      const bar = { kind: e.kind, startMs: e.startMs, endMs: e.endMs, tx: e.tx, count: 1 };
      open.set(e.kind, bar);
      bars.push(bar);
    }
    return { label: lane.label, thread: lane.thread, counts, busyMs, bars };
  });
  return { spanMs, wallMs: p.wallMs, sequentialMs: p.sequentialMs, lanes, merged };
}
