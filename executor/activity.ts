/**
 * What each thread did during one execution of a block: every execution attempt and every
 * validation, with its transaction and its start and end. It is what the report's Gantt chart is
 * drawn from. Recording is off unless asked for (`activity: true`): then every attempt costs two
 * clock reads and four numbers appended to a per-thread typed array, sent back with the thread's
 * result once per round — never a message per transaction.
 */

/**
 * - `execution`: the attempt whose result the block kept (one per transaction);
 * - `abort`: an attempt whose work was thrown away — stopped midway (a read outside the scheduled
 *   set, a Block-STM read of an ESTIMATE) or completed and later discarded (rolled back after a
 *   schedule violation, or failing Block-STM validation), so the transaction ran again;
 * - `validation` / `failed-validation`: a Block-STM read-set validation and its outcome.
 */
export type ActivityKind = "execution" | "abort" | "validation" | "failed-validation";

export interface ActivityEvent {
  readonly kind: ActivityKind;
  readonly tx: number;
  /** Milliseconds since the execution started, on a clock shared by every thread. */
  readonly startMs: number;
  readonly endMs: number;
}

export interface ActivityLane {
  /** The thread's number in the executor's timeline (0 is the calling thread). */
  readonly thread: number;
  readonly label: string;
  /** In start order. */
  readonly events: readonly ActivityEvent[];
}

export interface ExecutionActivity {
  /** One lane per thread of the execution, workers that got no work included. */
  readonly lanes: readonly ActivityLane[];
}

/** What a thread records: the attempt's outcome as far as the thread can tell. */
export const RAW_ACTIVITY = {
  /** An execution that ran to the end (it may still be discarded later). */
  completed: 0,
  /** An execution stopped midway. */
  stopped: 1,
  validated: 2,
  failedValidation: 3,
} as const;

export type RawActivityKind = (typeof RAW_ACTIVITY)[keyof typeof RAW_ACTIVITY];

/** Words per record: kind, tx, incarnation, startMs, endMs. */
const WORDS = 5;

/** One thread's records, appended to a growable Float64Array. */
export class ActivityLog {
  #data = new Float64Array(WORDS * 1024);
  #length = 0;

  push(kind: RawActivityKind, tx: number, incarnation: number, startMs: number, endMs: number): void {
    let data = this.#data;
    const at = this.#length;
    if (at + WORDS > data.length) {
      const grown = new Float64Array(data.length * 2);
      grown.set(data);
      this.#data = data = grown;
    }
    data[at] = kind;
    data[at + 1] = tx;
    data[at + 2] = incarnation;
    data[at + 3] = startMs;
    data[at + 4] = endMs;
    this.#length = at + WORDS;
  }

  /** The records so far (a copy, cheap to send to another thread), and forget them. */
  take(): Float64Array {
    const out = this.#data.slice(0, this.#length);
    this.#length = 0;
    return out;
  }
}

/** Records of one thread, as collected by the executor. */
export interface ThreadRecords {
  readonly thread: number;
  readonly records: Float64Array;
}

export interface AssembleActivityParameters {
  readonly parts: readonly ThreadRecords[];
  /** Every thread that had a task (their lanes appear even when empty). */
  readonly threads: readonly number[];
  /** Pad with idle worker lanes up to this many worker lanes (the pool's size). */
  readonly workers?: number;
  /** Label of thread 0, the calling thread. */
  readonly mainLabel?: string;
}

/**
 * Lanes from the threads' raw records. A transaction's kept execution is its completed one with
 * the highest incarnation (the latest, for executors without incarnations); every other
 * execution of it was work thrown away and becomes an `abort`.
 */
export function assembleActivity(parameters: AssembleActivityParameters): ExecutionActivity {
  const kept = new Map<number, { incarnation: number; endMs: number; thread: number; at: number }>();
  for (const part of parameters.parts) {
    const r = part.records;
    for (let at = 0; at < r.length; at += WORDS) {
      if (r[at] !== RAW_ACTIVITY.completed) continue;
      const tx = r[at + 1]!;
      const incarnation = r[at + 2]!;
      const endMs = r[at + 4]!;
      const best = kept.get(tx);
      if (best === undefined || incarnation > best.incarnation || (incarnation === best.incarnation && endMs > best.endMs)) {
        kept.set(tx, { incarnation, endMs, thread: part.thread, at });
      }
    }
  }
  const byThread = new Map<number, ActivityEvent[]>();
  for (const thread of parameters.threads) byThread.set(thread, []);
  for (const part of parameters.parts) {
    let events = byThread.get(part.thread);
    if (events === undefined) byThread.set(part.thread, (events = []));
    const r = part.records;
    for (let at = 0; at < r.length; at += WORDS) {
      const raw = r[at]!;
      const tx = r[at + 1]!;
      let kind: ActivityKind;
      if (raw === RAW_ACTIVITY.validated) kind = "validation";
      else if (raw === RAW_ACTIVITY.failedValidation) kind = "failed-validation";
      else if (raw === RAW_ACTIVITY.stopped) kind = "abort";
      else {
        const best = kept.get(tx)!;
        kind = best.thread === part.thread && best.at === at ? "execution" : "abort";
      }
      events.push({ kind, tx, startMs: r[at + 3]!, endMs: r[at + 4]! });
    }
  }
  const threads = Array.from(byThread.keys()).sort((a, b) => a - b);
  const lanes: ActivityLane[] = [];
  let worker = 0;
  for (const thread of threads) {
    const events = byThread.get(thread)!.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
    if (thread === 0) {
      if (events.length > 0 || parameters.threads.includes(0)) lanes.push({ thread, label: parameters.mainLabel ?? "main thread", events });
      continue;
    }
    lanes.push({ thread, label: `worker ${++worker}`, events });
  }
  // A pool worker that never got a task still existed, idle: its lane says so.
  const workers = parameters.workers ?? 0;
  let spare = -1;
  while (worker < workers) lanes.push({ thread: spare--, label: `worker ${++worker} (no task)`, events: [] });
  return { lanes };
}
