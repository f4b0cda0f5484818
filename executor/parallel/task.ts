/**
 * The messages between the main thread and the workers: one message per worker per round, one
 * reply back, through each worker's session (sessions.ts). Everything per-transaction travels
 * through shared buffers instead.
 */
import type { MessagePort } from "node:worker_threads";
import type { Genesis } from "../../core/types.js";
import type { SharedStateBuffers } from "../../state/sharedState.js";
import type { StateBaseSource } from "../../state/state.js";
import type { BlockBuffers } from "./blockBuffers.js";
import type { StmBuffers, StmCounts, StmExtra } from "./blockstm.js";
import type { EngineOptions, ReceiptExtra, ReleasePolicy, UndoRecord } from "./engine.js";
import type { ThreadHookData } from "./testHook.js";

/** Given to every worker when the pool starts: the chain it executes on. */
export interface WorkerData {
  readonly genesis: Genesis;
  readonly baseDir: string;
  readonly state: SharedStateBuffers;
  /** The persistent state under the shared state, opened read-only by each worker. */
  readonly base?: StateBaseSource;
}

/** What a worker needs to decode and prepare a block (sent with every task; used once). */
export interface BlockPayload {
  readonly blockId: number;
  readonly blockBytes: SharedArrayBuffer;
  /** The block's access sets (JSON): every thread guards with the sets the DAG was built from. */
  readonly setsBytes: SharedArrayBuffer;
  readonly checkSignatures: boolean;
  readonly successorOffsets: SharedArrayBuffer;
  readonly successors: SharedArrayBuffer;
  /** Per tx: the priority level of its ready queue (see BlockView.push). */
  readonly priority: SharedArrayBuffer;
}

/**
 * The one piscina task a worker runs for the executor's life (see sessions.ts): it takes the
 * messages below from `port`, one per ring of the control block's bell, and replies on `port`.
 */
export interface SessionTask {
  readonly kind: "session";
  readonly port: MessagePort;
  /** The session's control words (SESSION in sessions.ts). */
  readonly control: SharedArrayBuffer;
}

/** Ends a session: the worker returns from its task, without a reply. */
export interface EndMessage {
  readonly kind: "end";
}

/** Decode and prepare a block ahead of its execution (every worker, once per block). */
export interface LoadTask {
  readonly kind: "load";
  readonly block: BlockPayload;
}

export interface LoadResult {
  readonly loadMs: number;
  readonly failed?: string;
}

/** What a session replies when its task threw: the session ends after it. */
export interface FailedReply {
  readonly failed: string;
  /** Always true: the session ends after this reply (the caller starts a new one for its next message). */
  readonly sessionEnds: true;
}

export interface RoundTask {
  readonly kind: "round";
  readonly block: BlockPayload;
  readonly executionId: number;
  readonly buffers: BlockBuffers;
  readonly options: EngineOptions;
  readonly policy: ReleasePolicy;
  /** `performance.timeOrigin + now()` of the execution's start, for the timeline. */
  readonly epochWallMs: number;
  /** Tests only: this worker's fault and turnstile slot (testHook.ts). */
  readonly hook?: ThreadHookData;
}

export interface RoundResult {
  readonly extras: readonly ReceiptExtra[];
  /** When the round stopped on a violation: this worker's undo records after it (final, see BlockThread.endRound). */
  readonly undo: readonly [number, UndoRecord][];
  readonly failed?: string;
  /** Time this worker spent decoding and preparing the block (first round only), and in the loop. */
  readonly loadMs: number;
  readonly loopMs: number;
  /** Which worker ran the task (its timeline thread number). */
  readonly threadId: number;
  /** This worker's attempts and discarded attempts so far in this execution. */
  readonly executions: number;
  readonly aborts: number;
  /** This worker's attempts in this round, when recording (see activity.ts). */
  readonly activity?: Float64Array;
}

/** One Block-STM execution of a block: every worker runs the collaborative scheduler's loop. */
export interface BlockStmTask {
  readonly kind: "blockstm";
  readonly block: BlockPayload;
  readonly buffers: StmBuffers;
  readonly options: EngineOptions;
  /** `performance.timeOrigin + now()` of the execution's start, for the activity times. */
  readonly epochWallMs: number;
  /** Tests only: this worker's fault and turnstile slot (testHook.ts). */
  readonly hook?: ThreadHookData;
}

export interface BlockStmResult {
  /** Errors and events of the incarnations this worker ran (its latest per transaction). */
  readonly extras: readonly StmExtra[];
  readonly counts: StmCounts;
  readonly failed?: string;
  /** Which worker ran the task, and its attempts and validations when recording. */
  readonly threadId?: number;
  readonly activity?: Float64Array;
}
