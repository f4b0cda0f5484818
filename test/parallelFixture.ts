/**
 * The random-block generator the parallel differential tests share: a fixed chain (tokens, a
 * pool, an NFT market, a user contract) and blocks of reverts, out-of-gas, hot keys, the
 * sequencer sending and paid, and right, wrong and missing declared lists.
 */
import fc from "fast-check";
import { join } from "node:path";
import type { AccessList, Address, Block, Tx } from "../core/types.js";
import { withAccountContract } from "../state/genesis.js";
import { ADDRESSES, WorkloadBuilder, type CallParameters } from "../workloads/builder.js";
import { nativeTransfer, nftBuy, swap, tokenTransfer } from "../workloads/tokens.js";
import { signTx, type KeyPair } from "../workloads/keys.js";
import { RANDOM_CHAIN_ACCOUNTS, randomChain } from "../workloads/randomBlocks.js";

export const VAULT: Address = "0x00000000000000000000000000000000000f0001";
export const ACCOUNTS = RANDOM_CHAIN_ACCOUNTS;

/** A fixed chain every random block runs on: tokens, a pool, an NFT market, a user contract. */
export function fixture() {
  const chain = randomChain({ seed: "parallel-fixture", userContract: { address: VAULT, contract: join(import.meta.dirname, "fixtures", "Vault.ts") } });
  return { ...chain, genesis: withAccountContract(chain.genesis) };
}

export type ListKind = "none" | "exact" | "missing" | "wildcard" | "everything" | "lying";

export const txArb = fc.record({
  kind: fc.constantFrom("native", "token", "approveFrom", "swap", "buy", "deposit", "spam", "badNonce", "payFeeRecipient"),
  from: fc.nat(ACCOUNTS - 1),
  to: fc.nat(ACCOUNTS - 1),
  amount: fc.oneof(fc.bigInt(1n, 500n), fc.bigInt(9_000n, 20_000n)),
  list: fc.constantFrom<ListKind>("none", "exact", "exact", "missing", "wildcard", "everything", "lying"),
});

function applyList(kind: ListKind, exact: AccessList | undefined, from: Address): AccessList | undefined {
  if (exact === undefined || kind === "none") return undefined;
  switch (kind) {
    case "exact":
      return exact;
    case "missing":
      return { reads: exact.reads, writes: exact.writes.slice(0, -1) };
    case "wildcard":
      return { reads: exact.reads.map((l) => l.replace(/\/[^/]*$/, "/*")), writes: exact.writes.map((l) => l.replace(/\/[^/]*$/, "/*")) };
    case "everything":
      return { reads: [], writes: [`${ADDRESSES.usdc}/*`, `${ADDRESSES.weth}/*`, `${ADDRESSES.pool}/*`, `${ADDRESSES.nft}/*`, `0x0000000000000000000000000000000000000001/*`, `${VAULT}/*`] };
    case "lying":
      return { reads: [], writes: [`${ADDRESSES.usdc}/balances/${from}`] };
  }
}

/** One random transaction as `txArb` draws it. */
export type TxSpec = typeof txArb extends fc.Arbitrary<infer T> ? T : never;

export function buildBlock(f: ReturnType<typeof fixture>, txs: readonly TxSpec[]): Block {
  const nonces = new Map<Address, bigint>();
  const signed: Tx[] = [];
  const b = new WorkloadBuilder("parallel-random");
  for (const spec of txs) {
    const key = f.keys[spec.from]!;
    const other = f.keys[spec.to === spec.from ? (spec.to + 1) % ACCOUNTS : spec.to]!.address;
    let call: CallParameters;
    switch (spec.kind) {
      case "native":
        call = nativeTransfer(key.address, other, spec.amount, true);
        break;
      case "payFeeRecipient":
        call = nativeTransfer(key.address, f.sequencer, spec.amount, true);
        break;
      case "token":
      case "badNonce":
        call = tokenTransfer(ADDRESSES.usdc, key.address, other, spec.amount, true);
        break;
      case "approveFrom":
        call = { to: ADDRESSES.usdc, fn: "transferFrom", args: [other, key.address, spec.amount.toString()], accessList: { reads: [], writes: [`${ADDRESSES.usdc}/allowances/${other}/${key.address}`, `${ADDRESSES.usdc}/balances/${other}`, `${ADDRESSES.usdc}/balances/${key.address}`] } };
        break;
      case "swap":
        call = swap(key.address, spec.amount % 2n === 0n ? ADDRESSES.usdc : ADDRESSES.weth, spec.amount, spec.amount > 9_000n ? 10n ** 30n : 0n, true);
        break;
      case "buy":
        call = nftBuy(key.address, BigInt(spec.to), f.keys[spec.to]!.address, 100n, true);
        break;
      case "deposit":
        call = { to: VAULT, fn: "deposit", args: [spec.amount.toString()], accessList: { reads: [], writes: [`${VAULT}/deposits/${key.address}`, `${VAULT}/total`] } };
        break;
      case "spam":
        call = { to: VAULT, fn: "spam", args: [(spec.amount % 20n).toString()], gasLimit: 60_000n, accessList: { reads: [], writes: [`${VAULT}/deposits/${key.address}`] } };
        break;
    }
    const nonce = nonces.get(key.address) ?? 0n;
    const accessList = applyList(spec.list, call.accessList, key.address);
    const unsignedNonce = spec.kind === "badNonce" ? nonce + 5n : nonce;
    if (spec.kind !== "badNonce") nonces.set(key.address, nonce + 1n);
    const { accessList: _declared, ...rest } = call;
    // Sign through the builder (its nonce bookkeeping is replaced by ours).
    const tx = b.call(key, { ...rest, ...(accessList !== undefined ? { accessList } : {}) });
    signed.push(signTxWithNonce(tx, unsignedNonce, key));
  }
  return { number: 7n, timestamp: 1_700_000_000n, sequencer: f.sequencer, baseFee: 10n, txs: signed };
}

function signTxWithNonce(tx: Tx, nonce: bigint, key: KeyPair): Tx {
  const { signature: _s, ...unsigned } = tx;
  void _s;
  return signTx({ ...unsigned, nonce }, key.privateKey);
}

export function comparable(receipts: readonly { status: string; gasUsed: number; fee: bigint; error?: string; events?: readonly unknown[] }[]) {
  return receipts.map((r) => ({ status: r.status, gasUsed: r.gasUsed, fee: r.fee, error: r.error, events: r.events ?? [] }));
}

