/**
 * The report's colours: one per call (the eight most frequent calls, then grey), one per kind of
 * timeline event, and the critical path's. Chosen to stay distinct for colour-blind readers
 * (Tableau 10) and on paper.
 */
import type { ActivityKind } from "../executor/activity.js";

export const CALL_COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f"] as const;
export const OTHER_CALL_COLOR = "#bab0ac";

export function callColor(rank: number): string {
  return CALL_COLORS[rank] ?? OTHER_CALL_COLOR;
}

export const ACTIVITY_COLORS: Readonly<Record<ActivityKind, string>> = {
  execution: "#4e79a7",
  abort: "#e15759",
  validation: "#59a14f",
  "failed-validation": "#f28e2b",
};

export const ACTIVITY_LABELS: Readonly<Record<ActivityKind, string>> = {
  execution: "execution",
  abort: "aborted / re-executed",
  validation: "validation",
  "failed-validation": "failed validation",
};

export const CRITICAL_COLOR = "#e11d48";
export const REFERENCE_COLOR = "#94a3b8";
export const CONTENDED_COLOR = "#f28e2b";
export const FREE_COLOR = "#4e79a7";
