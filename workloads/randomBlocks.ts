/**
 * Random small blocks on one fixed chain, for stress runs: native and token transfers,
 * transferFrom, swaps that slip, NFTs bought twice, replay calls over a small key space (hot
 * keys, out-of-gas), nonces out of order, the sequencer sending and being paid — each with a
 * declared access list that is exact, missing an entry, widened to wildcards, absent, empty,
 * covering everything, or lying. Deterministic for a seed, like every workload.
 */
import { ACCOUNTS_ADDRESS } from "../core/protocol.js";
import type { AccessList, Address, Block, EnforcementPolicy, Genesis, Tx } from "../core/types.js";
import { ADDRESSES, BASE_FEE, WorkloadBuilder } from "./builder.js";
import { signTx, type KeyPair } from "./keys.js";
import { Random } from "./random.js";
import { nativeTransfer, nftBuy, swap, tokenTransfer } from "./tokens.js";

export const RANDOM_CHAIN_ACCOUNTS = 8;

export interface RandomChain {
  readonly genesis: Genesis;
  readonly keys: readonly KeyPair[];
  /** The block sequencer: also one of the accounts, so it sends and pays. */
  readonly sequencer: Address;
}

export interface RandomChainOptions {
  /** Seeds the accounts' keys (default "random-chain"). */
  readonly seed?: string;
  /**
   * The user contract beside the tokens, the pool and the NFT market (default the `kv` replay
   * contract at its usual address): a sample name or a contract file.
   */
  readonly userContract?: { readonly address: Address; readonly contract: string };
}

/** The chain every random block runs on: two tokens, a pool, an NFT market, a user contract (by default the replay contract). */
export function randomChain(options: RandomChainOptions = {}): RandomChain {
  const b = new WorkloadBuilder(options.seed ?? "random-chain");
  const keys: KeyPair[] = [];
  for (let i = 0; i < RANDOM_CHAIN_ACCOUNTS; i++) keys.push(b.account(i));
  const pool = ADDRESSES.pool;
  b.deploy(ADDRESSES.usdc, "token", { [`balances/${pool}`]: 1_000_000n });
  b.deploy(ADDRESSES.weth, "token", { [`balances/${pool}`]: 1_000_000n });
  b.deploy(pool, "amm", { token0: ADDRESSES.usdc, token1: ADDRESSES.weth, reserve0: 1_000_000n, reserve1: 1_000_000n, totalShares: 1_000_000n });
  b.deploy(ADDRESSES.nft, "nft", { paymentToken: ADDRESSES.usdc, minter: keys[0]!.address });
  const user = options.userContract ?? { address: ADDRESSES.kv, contract: "kv" };
  b.deploy(user.address, user.contract);
  for (const [i, k] of keys.entries()) {
    b.store(ADDRESSES.usdc, `balances/${k.address}`, 10_000n);
    b.store(ADDRESSES.weth, `balances/${k.address}`, 10_000n);
    b.store(ADDRESSES.usdc, `allowances/${k.address}/${pool}`, 10n ** 9n);
    b.store(ADDRESSES.weth, `allowances/${k.address}/${pool}`, 10n ** 9n);
    b.store(ADDRESSES.usdc, `allowances/${k.address}/${ADDRESSES.nft}`, 10n ** 9n);
    b.store(ADDRESSES.nft, `owners/${i}`, k.address);
    b.store(ADDRESSES.nft, `prices/${i}`, 100n);
  }
  return { genesis: b.build().genesis, keys, sequencer: keys[0]!.address };
}

const KINDS = ["native", "token", "transferFrom", "swap", "buy", "replay", "replay", "badNonce", "payFeeRecipient"] as const;
const LISTS = ["none", "exact", "exact", "missing", "wildcard", "empty", "everything", "lying"] as const;
/** What a random transaction declares: nothing, its exact set, one write short, wildcards, an empty list, every contract, or a lie. */
export type DeclaredListKind = (typeof LISTS)[number];

function declared(kind: DeclaredListKind, exact: AccessList, from: Address): AccessList | undefined {
  const wildcard = (l: string) => l.replace(/\/[^/]*$/, "/*");
  switch (kind) {
    case "none":
      return undefined;
    case "exact":
      return exact;
    case "missing":
      return { reads: exact.reads, writes: exact.writes.slice(0, -1) };
    case "wildcard":
      return { reads: exact.reads.map(wildcard), writes: exact.writes.map(wildcard) };
    case "empty":
      return { reads: [], writes: [] };
    case "everything":
      return { reads: [], writes: [`${ADDRESSES.usdc}/*`, `${ADDRESSES.weth}/*`, `${ADDRESSES.pool}/*`, `${ADDRESSES.nft}/*`, `${ADDRESSES.kv}/*`, `${ACCOUNTS_ADDRESS}/*`] };
    case "lying":
      return { reads: [], writes: [`${ADDRESSES.usdc}/balances/${from}`] };
  }
}

export interface RandomBlock {
  readonly block: Block;
  readonly policy: EnforcementPolicy;
}

export interface RandomBlockOptions {
  /** Transactions in the block: `min`…`max` (default 1…24). */
  readonly min?: number;
  readonly max?: number;
  /** Give every transaction this kind of declared list (default: a random kind each). */
  readonly list?: DeclaredListKind;
  /** The enforcement policy (default: a random one). */
  readonly policy?: EnforcementPolicy;
}

/** A block of random transactions on `chain`, and an enforcement policy to run it under. */
export function randomBlock(chain: RandomChain, seed: string | number, options: RandomBlockOptions = {}): RandomBlock {
  const min = options.min ?? 1;
  const max = options.max ?? 24;
  const r = new Random(`block:${seed}`);
  const n = min + r.int(max - min + 1);
  const nonces = new Map<Address, bigint>();
  const txs: Tx[] = [];
  const keyCount = chain.keys.length;
  for (let i = 0; i < n; i++) {
    const kind = KINDS[r.int(KINDS.length)]!;
    const fromIndex = r.int(keyCount);
    const key = chain.keys[fromIndex]!;
    const other = chain.keys[(fromIndex + 1 + r.int(keyCount - 1)) % keyCount]!;
    const amount = r.int(4) === 0 ? r.bigint(9_000n, 20_000n) : r.bigint(1n, 500n);
    let call;
    let gasLimit = 200_000n;
    switch (kind) {
      case "native":
        call = nativeTransfer(key.address, other.address, amount, true);
        break;
      case "payFeeRecipient":
        call = nativeTransfer(key.address, chain.sequencer, amount, true);
        break;
      case "token":
      case "badNonce":
        call = tokenTransfer(ADDRESSES.usdc, key.address, other.address, amount, true);
        break;
      case "transferFrom":
        call = {
          to: ADDRESSES.usdc,
          fn: "transferFrom",
          args: [other.address, key.address, amount.toString()],
          accessList: { reads: [], writes: [`${ADDRESSES.usdc}/allowances/${other.address}/${key.address}`, `${ADDRESSES.usdc}/balances/${other.address}`, `${ADDRESSES.usdc}/balances/${key.address}`] },
        };
        break;
      case "swap":
        call = swap(key.address, amount % 2n === 0n ? ADDRESSES.usdc : ADDRESSES.weth, amount, amount > 9_000n ? 10n ** 30n : 0n, true);
        break;
      case "buy": {
        const tokenId = r.int(keyCount);
        call = nftBuy(key.address, BigInt(tokenId), chain.keys[tokenId]!.address, 100n, true);
        break;
      }
      case "replay": {
        // A small key space: hot keys. Some replays do more work than their gas allows.
        const keys = (count: number) => Array.from({ length: count }, () => `slot:${r.int(6)}`);
        const reads = keys(r.int(3));
        const writes = keys(1 + r.int(2));
        const work = r.int(5) === 0 ? 400_000 : r.int(2_000);
        const data = (k: string) => `${ADDRESSES.kv}/data/${k}`;
        call = { to: ADDRESSES.kv, fn: "exec", args: [reads, writes, String(work)], accessList: { reads: reads.map(data), writes: writes.map(data) } };
        gasLimit = 300_000n;
        break;
      }
    }
    const drawn = LISTS[r.int(LISTS.length)]!;
    const list = declared(options.list ?? drawn, call.accessList!, key.address);
    const nonce = nonces.get(key.address) ?? 0n;
    if (kind !== "badNonce") nonces.set(key.address, nonce + 1n);
    const unsigned: Omit<Tx, "signature"> = {
      from: key.address,
      nonce: kind === "badNonce" ? nonce + 5n : nonce,
      to: call.to,
      fn: call.fn,
      args: call.args,
      gasLimit,
      gasPrice: BASE_FEE + BigInt(r.int(3)),
      ...(list !== undefined ? { accessList: list } : {}),
    };
    txs.push(signTx(unsigned, key.privateKey));
  }
  const policies: readonly EnforcementPolicy[] = ["strict", "fallback", "off"];
  const drawnPolicy = policies[r.int(3)]!;
  return { block: { number: BigInt(1 + r.int(1000)), timestamp: 1_700_000_000n, sequencer: chain.sequencer, baseFee: BASE_FEE, txs }, policy: options.policy ?? drawnPolicy };
}
