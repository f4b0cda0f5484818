/**
 * A long-lived executor worker. It builds its contract runtime and attaches to the shared state
 * once, keeps the decoded current block, and serves one session (sessions.ts): for each round
 * message it runs the engine loop until the round is complete.
 */
import { threadId, workerData } from "node:worker_threads";
import { ContractRuntime } from "../../contracts/runtime/runtime.js";
import { SharedState } from "../../state/sharedState.js";
import { StateDb } from "../../state/stateDb.js";
import { prepareBlock } from "../prepare.js";
import { decodeSets, decodeTrustedBlock } from "./blockCodec.js";
import { BlockView, H, createBlockBuffers } from "./blockBuffers.js";
import { BlockThread } from "./engine.js";
import { BlockStmThread } from "./blockstm.js";
import { serveSession } from "./sessions.js";
import { InjectedWorkerExit, SYNC, ThreadHook } from "./testHook.js";
import type { BlockPayload, BlockStmResult, BlockStmTask, LoadResult, LoadTask, RoundResult, RoundTask, SessionTask, WorkerData } from "./task.js";

const data = workerData as WorkerData;
// The main thread opened the directory (and its databases) before starting the pool, so opening
// it here only looks them up.
const state = SharedState.attach(data.state, data.base === undefined ? undefined : StateDb.open(data.base.dir, { readOnly: true }));
const runtimeReady = ContractRuntime.create({ genesis: data.genesis, baseDir: data.baseDir });
let current: { blockId: number; thread: BlockThread; stm?: BlockStmThread } | undefined;

async function loadBlock(payload: BlockPayload): Promise<BlockThread> {
  if (current?.blockId === payload.blockId) return current.thread;
  const runtime = await runtimeReady;
  const block = decodeTrustedBlock(payload.blockBytes);
  const prepared = prepareBlock(block, runtime);
  const sets = decodeSets(payload.setsBytes).txs;
  const thread = new BlockThread({
    view: new BlockView(createBlockBuffers(0)),
    block,
    prepared,
    sets,
    state,
    runtime,
    options: { enforce: "fallback", checkSignatures: payload.checkSignatures, events: false },
    // A stable number per worker for the timeline (0 is the main thread).
    threadId: (threadId % 250) + 1,
    successorOffsets: new Int32Array(payload.successorOffsets),
    successors: new Int32Array(payload.successors),
    priority: new Uint8Array(payload.priority),
    epoch: 0,
  });
  current = { blockId: payload.blockId, thread };
  return thread;
}

function runBlockStm(task: BlockStmTask, thread: BlockThread): BlockStmResult {
  const holder = current!;
  holder.stm ??= new BlockStmThread({ block: thread.block, prepared: thread.prepared, state, runtime: thread.runtime });
  const stm = holder.stm;
  stm.begin(task.buffers, task.options, task.epochWallMs - performance.timeOrigin);
  stm.hook = task.hook === undefined ? undefined : new ThreadHook(task.hook);
  try {
    stm.run();
  } finally {
    stm.hook = undefined;
  }
  const activity = stm.activity?.take();
  return { extras: Array.from(stm.extras.values()), counts: stm.counts, threadId: thread.threadId, ...(activity !== undefined ? { activity } : {}) };
}

async function runTask(task: LoadTask | RoundTask | BlockStmTask): Promise<RoundResult | BlockStmResult | LoadResult> {
  const loadStart = performance.now();
  state.sync();
  let thread: BlockThread;
  try {
    thread = await loadBlock(task.block);
  } catch (error) {
    return { extras: [], undo: [], failed: (error as Error).stack ?? String(error), loadMs: 0, loopMs: 0, threadId: 0, executions: 0, aborts: 0 };
  }
  const loadMs = performance.now() - loadStart;
  if (task.kind === "load") return { loadMs };
  if (task.kind === "blockstm") return runBlockStm(task, thread);
  if (thread.executionId !== task.executionId) {
    thread.begin(new BlockView(task.buffers), task.options, task.epochWallMs - performance.timeOrigin, task.executionId);
  }
  const loopStart = performance.now();
  thread.extras = [];
  const hook = task.hook === undefined ? undefined : new ThreadHook(task.hook);
  thread.hook = hook;
  let undo;
  try {
    hook?.join(SYNC.roundStart, thread.view.header, H.generation);
    thread.runRound(task.policy);
    undo = thread.endRound();
  } finally {
    hook?.leave();
    thread.hook = undefined;
  }
  const activity = thread.activity?.take();
  return {
    extras: thread.extras,
    undo,
    loadMs,
    loopMs: performance.now() - loopStart,
    threadId: thread.threadId,
    executions: thread.executions,
    aborts: thread.aborts,
    ...(activity !== undefined ? { activity } : {}),
  };
}

/** The pool's task: serve the executor's session on this worker until it is ended. */
export default async function runSession(task: SessionTask): Promise<void> {
  if (task.kind !== "session") throw new TypeError(`an executor worker serves sessions, got a task of kind ${String((task as { kind?: unknown }).kind)}`);
  await serveSession(task, runOrDie);
}

/**
 * A task, and the death of this worker's thread when a test injected one: the executor's loops
 * only throw InjectedWorkerExit (testHook.ts); the thread ends here, outside them, as a crashed
 * worker would (piscina sees it exit and replaces it).
 */
async function runOrDie(task: LoadTask | RoundTask | BlockStmTask): Promise<RoundResult | BlockStmResult | LoadResult> {
  try {
    return await runTask(task);
  } catch (error) {
    if (error instanceof InjectedWorkerExit) process.exit(1);
    throw error;
  }
}
