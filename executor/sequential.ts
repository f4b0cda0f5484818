/**
 * The sequential executor: the reference every other mode must match byte for byte, and the
 * fastest single-threaded path prescient has, because every speedup is measured against it.
 */
import type { Block, EnforcementPolicy, ExecutionResult, Receipt, Value } from "../core/types.js";
import type { ContractRuntime } from "../contracts/runtime/runtime.js";
import { stateRoot, type StateChange, type StateStore } from "../state/state.js";
import { prepareBlock, type PreparedTx } from "./prepare.js";
import { creditFee, runTx } from "./runTx.js";
import { TxHost } from "./txHost.js";
import { ActivityLog, RAW_ACTIVITY, assembleActivity, type ExecutionActivity } from "./activity.js";

export interface ExecuteBlockParameters {
  readonly block: Block;
  /** The pre-block state; it becomes the post-block state. */
  readonly state: StateStore;
  readonly runtime: ContractRuntime;
  readonly enforce?: EnforcementPolicy;
  /** Verify ed25519 signatures (default true); off when signatures were checked upstream. */
  readonly checkSignatures?: boolean;
  /** Record each receipt's actual reads and writes. */
  readonly trace?: boolean;
  /** Record events in receipts (default true). */
  readonly events?: boolean;
  /** Collect the state diff (every changed location, before and after). */
  readonly diff?: boolean;
  /** Already prepared transactions (skips `prepareBlock`). */
  readonly prepared?: readonly PreparedTx[];
  /** The block's file, for error messages. */
  readonly file?: string;
  /** Record each transaction's start and end (a report's one-lane Gantt chart). */
  readonly activity?: boolean;
  /** The lane's label in the recorded activity (default "main thread"). */
  readonly activityLabel?: string;
  /** Called every few hundred transactions, and at the end, with how many have run. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ExecuteBlockReturnType extends ExecutionResult {
  readonly diff?: readonly StateChange[];
  readonly activity?: ExecutionActivity;
}

export function executeBlockSequential(parameters: ExecuteBlockParameters): ExecuteBlockReturnType {
  const { block, state, runtime } = parameters;
  const prepared = parameters.prepared ?? prepareBlock(block, runtime, parameters.file);
  const started = performance.now();
  const options = { enforce: parameters.enforce ?? "fallback", checkSignatures: parameters.checkSignatures ?? true };
  const before = parameters.diff ? new Map<string, Value | undefined>() : undefined;
  const onCommit = before === undefined ? undefined : (loc: string) => {
    if (!before.has(loc)) before.set(loc, state.get(loc));
  };
  const info = { number: block.number, timestamp: block.timestamp, sequencer: block.sequencer };
  const host = new TxHost(state, runtime, info, parameters.trace ?? false);
  host.recordEvents = parameters.events ?? true;
  const commit = () => host.commitTo(state, onCommit);
  const receipts: Receipt[] = new Array(prepared.length);
  let executions = 0;
  let violations = 0;
  const log = parameters.activity === true ? new ActivityLog() : undefined;
  const onProgress = parameters.onProgress;
  for (const p of prepared) {
    const txStarted = log === undefined ? 0 : performance.now();
    // Unguarded, a transaction always completes.
    const result = runTx(p, runtime, host, options, commit)!;
    receipts[p.index] = result.receipt;
    if (result.receipt.status !== "invalid") executions++;
    violations += result.violations;
    creditFee(state, block.sequencer, result.fee, onCommit);
    if (log !== undefined) log.push(RAW_ACTIVITY.completed, p.index, 0, txStarted - started, performance.now() - started);
    if (onProgress !== undefined && (p.index & 255) === 255) onProgress(p.index + 1, prepared.length);
  }
  const wallMs = performance.now() - started;
  onProgress?.(prepared.length, prepared.length);
  const root = stateRoot(state);
  const diff = before === undefined ? undefined : Array.from(before, ([location, was]) => ({ location, before: was, after: state.get(location) })).filter((c) => c.before !== c.after).sort((a, b) => (a.location < b.location ? -1 : 1));
  return {
    stateRoot: root,
    receipts,
    stats: { mode: "sequential", threads: 1, wallMs, executions, validations: 0, aborts: 0, violations },
    ...(diff !== undefined ? { diff } : {}),
    ...(log !== undefined ? { activity: assembleActivity({ parts: [{ thread: 0, records: log.take() }], threads: [0], ...(parameters.activityLabel !== undefined ? { mainLabel: parameters.activityLabel } : {}) }) } : {}),
  };
}
