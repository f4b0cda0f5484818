/**
 * A long-lived executor worker. It builds its contract runtime and attaches to the shared state
 * once, keeps the decoded current block, and for each round task runs the engine loop until the
 * round is complete.
 */
import { threadId, workerData } from "node:worker_threads";
import { ContractRuntime } from "../../contracts/runtime/runtime.js";
import { SharedState } from "../../state/sharedState.js";
import { blockAccessSets } from "../accessSets.js";
import { prepareBlock } from "../prepare.js";
import { decodeTrustedBlock } from "./blockCodec.js";
import { BlockView, H } from "./blockBuffers.js";
import { BlockThread } from "./engine.js";
import type { RoundResult, RoundTask, WorkerData } from "./task.js";

const data = workerData as WorkerData;
const state = SharedState.attach(data.state);
const runtimeReady = ContractRuntime.create({ genesis: data.genesis, baseDir: data.baseDir });
let current: { blockId: number; thread: BlockThread } | undefined;

export default async function runRoundTask(task: RoundTask): Promise<RoundResult> {
  const runtime = await runtimeReady;
  let thread: BlockThread;
  try {
    if (current?.blockId !== task.blockId) {
      const block = decodeTrustedBlock(task.blockBytes);
      const prepared = prepareBlock(block, runtime);
      const sets = blockAccessSets(block, prepared, { checkSignatures: task.options.checkSignatures }).txs;
      thread = new BlockThread({
        view: new BlockView(task.buffers),
        block,
        prepared,
        sets,
        state,
        runtime,
        options: task.options,
        // A stable number per worker for the timeline (0 is the main thread).
        threadId: (threadId % 250) + 1,
        successorOffsets: new Int32Array(task.successorOffsets),
        successors: new Int32Array(task.successors),
        epoch: task.epochWallMs - performance.timeOrigin,
      });
      current = { blockId: task.blockId, thread };
    } else {
      thread = current.thread;
    }
  } catch (error) {
    return { extras: [], undo: [], failed: (error as Error).stack ?? String(error) };
  }
  thread.extras = [];
  thread.runRound(task.policy);
  const violation = Atomics.load(thread.view.header, H.violation);
  const undo = violation < thread.view.txCount ? thread.takeUndoAfter(violation) : [];
  return { extras: thread.extras, undo };
}
