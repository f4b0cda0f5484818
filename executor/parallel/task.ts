/**
 * The messages between the main thread and the workers: one task per worker per round, one
 * result back. Everything per-transaction travels through shared buffers instead.
 */
import type { Genesis } from "../../core/types.js";
import type { SharedStateBuffers } from "../../state/sharedState.js";
import type { BlockBuffers } from "./blockBuffers.js";
import type { EngineOptions, ReceiptExtra, ReleasePolicy, UndoRecord } from "./engine.js";

/** Given to every worker when the pool starts: the chain it executes on. */
export interface WorkerData {
  readonly genesis: Genesis;
  readonly baseDir: string;
  readonly state: SharedStateBuffers;
}

export interface RoundTask {
  readonly blockId: number;
  readonly blockBytes: SharedArrayBuffer;
  readonly buffers: BlockBuffers;
  readonly successorOffsets: SharedArrayBuffer;
  readonly successors: SharedArrayBuffer;
  readonly options: EngineOptions;
  readonly policy: ReleasePolicy;
  readonly threadId: number;
  /** `performance.timeOrigin + now()` of the block's start, for the timeline. */
  readonly epochWallMs: number;
}

export interface RoundResult {
  readonly extras: readonly ReceiptExtra[];
  /** When the round stopped on a violation: this worker's undo records after it. */
  readonly undo: readonly [number, UndoRecord][];
  readonly failed?: string;
}
