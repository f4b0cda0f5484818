/**
 * Progress on long work, drawn in place on one stderr line: a bar when the amount of work is
 * known, the step's name and the time spent when it is not. Only on a terminal that can redraw a
 * line (not under `TERM=dumb`) and never under `--json`: piped or redirected output stays exactly
 * what the command prints, and stdout never gets a byte of it. The line is cleared when the work
 * is done, so the terminal keeps only the command's real output.
 */

/** Where progress is drawn: process.stderr, or a stand-in in tests. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressParameters {
  readonly label: string;
  /** Never draw (`--json`). */
  readonly quiet?: boolean;
  readonly stream?: ProgressStream;
  /** The clock, in milliseconds (tests pass their own). */
  readonly now?: () => number;
  /** Least time between two redraws of the bar (default 100 ms). */
  readonly intervalMs?: number;
  /** The environment whose `TERM` is read (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const BAR_WIDTH = 24;
/** Width assumed when the terminal does not say (no `columns`, or 0 as some report). */
const DEFAULT_COLUMNS = 80;

/** Columns of a terminal: what it reports, or the default when it reports nothing or 0. */
export function terminalColumns(columns: number | undefined): number {
  return columns !== undefined && Number.isFinite(columns) && columns > 0 ? Math.floor(columns) : DEFAULT_COLUMNS;
}

/** Whether progress can be drawn on `stream`: a terminal, and one that understands cursor control. */
export function canDrawProgress(stream: ProgressStream, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return stream.isTTY === true && env.TERM !== "dumb";
}
const CLEAR_LINE = "\r\u001b[2K";

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

export class Progress {
  /** Whether anything is drawn at all: stderr is a terminal and the command is not under --json. */
  readonly enabled: boolean;
  readonly #label: string;
  readonly #stream: ProgressStream;
  readonly #now: () => number;
  readonly #interval: number;
  readonly #started: number;
  #lastDraw = -Infinity;
  #drawn = false;

  constructor(label: string | ProgressParameters, quiet = false) {
    const p: ProgressParameters = typeof label === "string" ? { label, quiet } : label;
    this.#stream = p.stream ?? process.stderr;
    this.enabled = p.quiet !== true && canDrawProgress(this.#stream, p.env);
    this.#label = p.label;
    this.#now = p.now ?? (() => performance.now());
    this.#interval = p.intervalMs ?? 100;
    this.#started = this.#now();
  }

  /** `done` of `total` units finished, with what is being worked on. Redraws at most every interval. */
  update(done: number, total: number, detail?: string): void {
    if (!this.enabled) return;
    const now = this.#now();
    if (now - this.#lastDraw < this.#interval && done < total) return;
    this.#lastDraw = now;
    const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
    // A narrow terminal gets a shorter bar, so the counts after it still fit.
    const barWidth = Math.max(8, Math.min(BAR_WIDTH, this.#width() - 35));
    const filled = Math.round(barWidth * share);
    const bar = `${"█".repeat(filled)}${"░".repeat(barWidth - filled)}`;
    const pct = `${Math.floor(share * 100)}%`.padStart(4);
    this.#draw(`${this.#label} ${bar} ${pct} ${done}/${total} ${elapsed(now - this.#started)}${detail !== undefined ? ` · ${detail}` : ""}`);
  }

  /** A step whose amount of work is not known: its name and the time spent so far. */
  step(detail: string): void {
    if (!this.enabled) return;
    const now = this.#now();
    this.#lastDraw = now;
    this.#draw(`${this.#label} · ${detail} · ${elapsed(now - this.#started)}`);
  }

  /** Clear the line: the work is over. */
  done(): void {
    if (!this.enabled || !this.#drawn) return;
    this.#stream.write(CLEAR_LINE);
    this.#drawn = false;
  }

  /** Characters a line may take: one less than the terminal's columns, so it never wraps. */
  #width(): number {
    return Math.max(20, terminalColumns(this.#stream.columns) - 1);
  }

  #draw(line: string): void {
    const width = this.#width();
    const fitted = line.length > width ? `${line.slice(0, width - 1)}…` : line;
    this.#stream.write(`${CLEAR_LINE}${fitted}`);
    this.#drawn = true;
  }
}
