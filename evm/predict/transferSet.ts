/**
 * The access set of a plain value transfer, known from the transaction alone: the sender pays,
 * the recipient is credited, and no code runs. It is `exact` only when no code can run: the
 * recipient is not a precompile and can never hold code during the block, which holds for an
 * account that had no code and a nonce ≥ 1 before the block (CREATE and CREATE2 collide with a
 * non-zero nonce; before Prague nothing else gives an account code). A recipient with nonce 0 may
 * be a contract deployed earlier in the same block: such a transfer is left to prediction.
 *
 * What it touches depends on the transaction alone: a zero-value transfer credits nothing (and the
 * end-of-transaction clean-up of empty accounts reads the recipient's nonce when its balance may be
 * zero); a sender that pays no gas price and sends nothing keeps its balance.
 */
import { getActivePrecompiles } from "@ethereumjs/evm";
import type { FeeRecipientAccess } from "../../core/accessSet.js";
import type { EvmRuntime, PreparedEvmTx } from "../runtime/evmRuntime.js";
import { balanceLocation, codeLocation, existsLocation, nonceLocation } from "../state/locations.js";

export interface TransferSet {
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  readonly feeRecipient: FeeRecipientAccess;
}

/** The exact set of `p` when it is a plain transfer to an account that can never hold code, else undefined. */
export function transferSet(runtime: EvmRuntime, p: PreparedEvmTx, precompiles: ReadonlySet<string>): TransferSet | undefined {
  const to = p.to;
  if (to === undefined || precompiles.has(to)) return undefined;
  const recipient = runtime.preState.accounts.get(to);
  const codeless = recipient !== undefined && recipient.codeHash === 0n && recipient.nonce >= 1n;
  if (!codeless && to !== p.sender) return undefined;
  const s = p.sender;
  const value = p.tx.value;
  const pays = value > 0n || ("maxFeePerGas" in p.tx ? p.tx.maxFeePerGas > 0n : (p.tx as { gasPrice: bigint }).gasPrice > 0n);
  const reads = [existsLocation(s), codeLocation(s), nonceLocation(s), balanceLocation(s), existsLocation(to), codeLocation(to), balanceLocation(to)];
  if (value === 0n) reads.push(nonceLocation(to));
  const writes = [nonceLocation(s)];
  if (pays) writes.push(balanceLocation(s));
  if (value > 0n && to !== s) writes.push(balanceLocation(to));
  const coinbase = runtime.block.coinbase;
  const feeRecipient: FeeRecipientAccess = s === coinbase || to === coinbase ? "read-write" : "none";
  return { reads: Array.from(new Set(reads)).sort(), writes: Array.from(new Set(writes)).sort(), feeRecipient };
}

/** The addresses of the block's precompiles (0x-hex), which run code without having any. */
export function precompileAddresses(runtime: EvmRuntime): Set<string> {
  return new Set(Array.from(getActivePrecompiles(runtime.block.block.common).keys(), (hex) => `0x${hex}`));
}
