/**
 * The access set each transaction is scheduled with: its protocol locations (nonce, balance, key),
 * plus what is known of its execute phase — the declared list, or for the replay contract the
 * keys in its arguments. A transaction with nothing known is `unknown` and becomes a barrier:
 * it writes a synthetic location every other transaction reads, so the conflict DAG orders it
 * after everything before it and before everything after it, with linear edges.
 */
import type { AccessClass, BlockAccessSets, FeeRecipientAccess, TxAccessSet } from "../core/accessSet.js";
import { isWildcard } from "../core/location.js";
import { balanceLocation, keyLocation, nonceLocation } from "../core/protocol.js";
import type { Address, Block } from "../core/types.js";
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
    let feeRecipient: FeeRecipientAccess = "none";
    if (tx.from === block.sequencer || writes.includes(feeLocation)) feeRecipient = "read-write";
    else if (reads.includes(feeLocation)) feeRecipient = "read";
    // The gas estimate weighs the critical path: a replayed record knows its real gas, others
    // only their limit.
    const gas = p.target.module === "kv" && tx.fn === "exec" ? GAS.txBase + Number(p.args[2] as bigint) : Number(tx.gasLimit);
    return { index: i, reads, writes, gas, class: cls, feeRecipient };
  });
  if (unknown.some(Boolean)) {
    for (const [i, set] of txs.entries()) {
      txs[i] = unknown[i] ? { ...set, writes: [...set.writes, BARRIER_LOCATION] } : { ...set, reads: [...set.reads, BARRIER_LOCATION] };
    }
  }
  return { feeRecipientLocation: feeLocation, txs };
}
