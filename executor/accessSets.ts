/**
 * The access set each transaction is scheduled with: its protocol locations (nonce, balance, key),
 * plus what is known of its execute phase — the declared list, or for the replay contract the
 * keys in its arguments. A transaction with nothing known is `unknown` and becomes a barrier:
 * it writes a synthetic location every other transaction reads, so the conflict DAG orders it
 * after everything before it and before everything after it, with linear edges.
 */
import type { AccessClass, BlockAccessSets, FeeRecipientAccess, TxAccessSet } from "../core/accessSet.js";
import { covers, isWildcard } from "../core/location.js";
import { balanceLocation, keyLocation, nonceLocation } from "../core/protocol.js";
import type { Address, Block, EnforcementPolicy } from "../core/types.js";
import { inferAccessSets } from "../analyzer/index.js";
import type { ContractRuntime } from "../contracts/runtime/runtime.js";
import type { StateStore } from "../state/state.js";
import { GAS } from "../contracts/sdk/gas.js";
import type { PreparedTx } from "./prepare.js";

/** A location no contract can touch: the barrier unknown transactions write. */
export const BARRIER_LOCATION = "prescient:barrier";

export interface AccessSetOptions {
  readonly checkSignatures: boolean;
  /**
   * Per-transaction execute-phase sets known from elsewhere (the analyzer); a transaction's
   * declared list is used when this gives nothing for it.
   */
  readonly inferred?: (p: PreparedTx) => { reads: readonly string[]; writes: readonly string[]; class: AccessClass } | undefined;
}

/** The replay contract's execute-phase set, from its arguments (kv.exec(reads, writes, gasUsed)). */
export function replaySet(p: PreparedTx, sequencer: Address): { reads: string[]; writes: string[]; class: AccessClass } | undefined {
  if (p.target.module !== "kv" || p.tx.fn !== "exec") return undefined;
  const [reads, writes] = p.args as [string[], string[], bigint];
  const data = `${p.tx.to}/data/`;
  const feeKey = `acct:${sequencer}`;
  const r = reads.map((k) => data + k);
  if (reads.includes(feeKey)) r.push(balanceLocation(sequencer));
  return { reads: r, writes: writes.map((k) => data + k), class: "exact" };
}

/**
 * Access sets from declared lists alone (plus the protocol's own accesses): what a pipeline that
 * does not run the analyzer schedules with. `analyzeBlockAccessSets` is the full version.
 */
export function blockAccessSets(block: Block, prepared: readonly PreparedTx[], options: AccessSetOptions): BlockAccessSets {
  const feeLocation = balanceLocation(block.sequencer);
  const unknown = new Array<boolean>(prepared.length);
  const txs: TxAccessSet[] = prepared.map((p, i) => {
    const { tx } = p;
    const protocolReads = [nonceLocation(tx.from), balanceLocation(tx.from)];
    if (options.checkSignatures) protocolReads.push(keyLocation(tx.from));
    const protocolWrites = [nonceLocation(tx.from), balanceLocation(tx.from)];
    const known = options.inferred?.(p) ?? replaySet(p, block.sequencer) ?? (tx.accessList === undefined ? undefined : { ...tx.accessList, class: [...tx.accessList.reads, ...tx.accessList.writes].some(isWildcard) ? ("over-approximate" as const) : ("exact" as const) });
    const cls: AccessClass = known?.class ?? "unknown";
    unknown[i] = cls === "unknown";
    const reads = known === undefined ? protocolReads : [...protocolReads, ...known.reads];
    const writes = known === undefined ? protocolWrites : [...protocolWrites, ...known.writes];
    // A wildcard that covers the sequencer's balance reaches it as surely as its exact location:
    // such a transaction must see every earlier credit, like any other that touches it.
    let feeRecipient: FeeRecipientAccess = "none";
    if (tx.from === block.sequencer || writes.some((e) => covers(e, feeLocation))) feeRecipient = "read-write";
    else if (reads.some((e) => covers(e, feeLocation))) feeRecipient = "read";
    // The gas estimate weighs the critical path: a replayed record knows its real gas, others
    // only their limit.
    const gas = p.target.module === "kv" && tx.fn === "exec" ? GAS.txBase + Number(p.args[2] as bigint) : Number(tx.gasLimit);
    return { index: i, reads, writes, gas, class: cls, feeRecipient };
  });
  return withBarriers({ feeRecipientLocation: feeLocation, txs });
}

/**
 * Sets a caller supplied, with each transaction's declared list added where its set lacks an
 * entry of it. Why: under `fallback` and `strict` the schedule guard lets a transaction touch a
 * location its declared list names without looking at its scheduled set (txHost.ts: "every
 * scheduled set contains the declared list"), so a set that leaves a declared location out would
 * let that access race, unguarded, with a transaction the DAG did not order it against. The
 * analyzer's sets and `blockAccessSets` already contain the lists; sets from elsewhere (an access
 * trace, a test) may not. A declared location that reaches the sequencer's balance makes the
 * transaction follow every earlier one, as in `blockAccessSets`.
 */
export function withDeclaredLists(sets: BlockAccessSets, block: Block): BlockAccessSets {
  const feeLocation = sets.feeRecipientLocation ?? balanceLocation(block.sequencer);
  let changed = false;
  const txs = sets.txs.map((set) => {
    const declared = block.txs[set.index]?.accessList;
    if (declared === undefined) return set;
    const known = new Set([...set.reads, ...set.writes]);
    const written = new Set(set.writes);
    const reads = declared.reads.filter((l) => !known.has(l));
    const writes = declared.writes.filter((l) => !written.has(l));
    if (reads.length === 0 && writes.length === 0) return set;
    changed = true;
    let feeRecipient = set.feeRecipient;
    if (writes.some((e) => covers(e, feeLocation))) feeRecipient = "read-write";
    else if (feeRecipient === "none" && reads.some((e) => covers(e, feeLocation))) feeRecipient = "read";
    return { ...set, reads: [...set.reads, ...reads], writes: [...set.writes, ...writes], feeRecipient };
  });
  return changed ? { ...sets, txs } : sets;
}

/** Make every `unknown` transaction a barrier (see BARRIER_LOCATION). */
export function withBarriers(sets: BlockAccessSets): BlockAccessSets {
  if (!sets.txs.some((t) => t.class === "unknown")) return sets;
  return {
    ...sets,
    txs: sets.txs.map((set) => (set.class === "unknown" ? { ...set, writes: [...set.writes, BARRIER_LOCATION] } : { ...set, reads: [...set.reads, BARRIER_LOCATION] })),
  };
}

export interface AnalyzeBlockAccessSetsParameters {
  readonly block: Block;
  readonly prepared: readonly PreparedTx[];
  readonly runtime: ContractRuntime;
  /** The pre-block state: storage the analyzer proves immutable is resolved against it. */
  readonly state: StateStore;
  readonly checkSignatures: boolean;
  readonly enforce?: EnforcementPolicy;
}

/**
 * The sets the executors schedule with: the analyzer's inferred set merged with each declared
 * list and the protocol's accesses; `unknown` transactions become barriers.
 */
export async function analyzeBlockAccessSets(parameters: AnalyzeBlockAccessSetsParameters): Promise<BlockAccessSets> {
  const detail = await inferAccessSets({
    block: parameters.block,
    runtime: parameters.runtime,
    state: parameters.state,
    prepared: parameters.prepared,
    checkSignatures: parameters.checkSignatures,
    ...(parameters.enforce !== undefined ? { enforce: parameters.enforce } : {}),
  });
  const txs: TxAccessSet[] = detail.txs.map((t) => ({ index: t.index, reads: t.reads, writes: t.writes, gas: t.gas, class: t.class, feeRecipient: t.feeRecipient }));
  return withBarriers({ feeRecipientLocation: detail.feeRecipientLocation, txs });
}
