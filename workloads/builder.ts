/**
 * What every workload needs: deterministic accounts with keys, a genesis being assembled,
 * per-sender nonces, and signed transactions.
 */
import { ACCOUNTS_ADDRESS } from "../core/protocol.js";
import type { AccessList, Address, Block, Genesis, GenesisAccount, GenesisContract, RawArg, Tx, Value } from "../core/types.js";
import { deriveKeyPair, signTx, type KeyPair } from "./keys.js";
import { Random } from "./random.js";

/** Addresses of the contracts the workloads deploy. */
export const ADDRESSES = {
  usdc: "0x00000000000000000000000000000000000a0001",
  weth: "0x00000000000000000000000000000000000a0002",
  pool: "0x00000000000000000000000000000000000b0001",
  nft: "0x00000000000000000000000000000000000c0001",
  kv: "0x00000000000000000000000000000000000d0001",
  sequencer: "0x00000000000000000000000000000000000e0001",
} as const satisfies Record<string, Address>;

export const NATIVE_BALANCE = 10n ** 24n;
export const BASE_FEE = 10n;
export const GAS_LIMIT = 200_000n;

export interface WorkloadOptions {
  readonly txs: number;
  readonly accounts?: number;
  readonly hotRatio?: number;
  readonly seed: string | number;
  /** Add exact declared access lists to the transactions that can have them. */
  readonly declare?: boolean;
  /** Told every few hundred signed transactions how many of `txs` are done (for progress bars). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface Workload {
  readonly genesis: Genesis;
  readonly block: Block;
}

export interface CallParameters {
  readonly to: Address;
  readonly fn: string;
  readonly args: readonly RawArg[];
  readonly accessList?: AccessList;
  readonly gasLimit?: bigint;
}

export class WorkloadBuilder {
  readonly random: Random;
  readonly #seed: string | number;
  readonly #keys: KeyPair[] = [];
  readonly #nonces = new Map<Address, bigint>();
  readonly #accounts = new Map<Address, GenesisAccount>();
  readonly #contracts: GenesisContract[] = [];
  readonly #storage = new Map<Address, Record<string, Value>>();
  readonly txs: Tx[] = [];
  readonly #progress: Pick<WorkloadOptions, "txs" | "onProgress"> | undefined;

  /** `progress`: the workload's size and who to tell as transactions are signed. */
  constructor(seed: string | number, progress?: Pick<WorkloadOptions, "txs" | "onProgress">) {
    this.#seed = seed;
    this.random = new Random(seed);
    this.#progress = progress?.onProgress !== undefined ? progress : undefined;
  }

  /** The `i`-th signing account (created, funded with native currency, on first use). */
  account(i: number): KeyPair {
    while (this.#keys.length <= i) {
      const key = deriveKeyPair(this.#seed, this.#keys.length);
      this.#keys.push(key);
      this.#accounts.set(key.address, { address: key.address, publicKey: key.publicKey, balance: NATIVE_BALANCE, nonce: 0n });
    }
    return this.#keys[i]!;
  }

  /** A receiving-only address (no key, no genesis entry): `0x…` from the index. */
  static plainAddress(i: number): Address {
    return `0x${(0xf000000000n + BigInt(i)).toString(16).padStart(40, "0")}`;
  }

  deploy(address: Address, contract: string, storage: Record<string, Value> = {}): void {
    this.#contracts.push({ address, contract, storage });
    this.#storage.set(address, { ...storage });
  }

  /** Set a genesis storage entry of a deployed contract. */
  store(address: Address, relativeLocation: string, value: Value): void {
    const storage = this.#storage.get(address);
    if (storage === undefined) throw new Error(`no contract at ${address}`);
    storage[relativeLocation] = value;
  }

  /** A signed transaction from `sender`, with the next nonce and a small random tip. */
  call(sender: KeyPair, parameters: CallParameters): Tx {
    const nonce = this.#nonces.get(sender.address) ?? 0n;
    this.#nonces.set(sender.address, nonce + 1n);
    const unsigned: Omit<Tx, "signature"> = {
      from: sender.address,
      nonce,
      to: parameters.to,
      fn: parameters.fn,
      args: parameters.args,
      gasLimit: parameters.gasLimit ?? GAS_LIMIT,
      gasPrice: BASE_FEE + BigInt(this.random.int(3)),
      ...(parameters.accessList !== undefined ? { accessList: parameters.accessList } : {}),
    };
    const tx = signTx(unsigned, sender.privateKey);
    this.txs.push(tx);
    const progress = this.#progress;
    if (progress !== undefined && (this.txs.length & 255) === 0) progress.onProgress!(this.txs.length, progress.txs);
    return tx;
  }

  build(): Workload {
    const contracts = this.#contracts.map((c) => ({ ...c, storage: this.#storage.get(c.address)! }));
    const genesis: Genesis = {
      contracts: contracts.some((c) => c.address === ACCOUNTS_ADDRESS) ? contracts : [{ address: ACCOUNTS_ADDRESS, contract: "account", storage: {} }, ...contracts],
      accounts: Array.from(this.#accounts.values()),
    };
    const block: Block = { number: 1n, timestamp: 1_700_000_000n, sequencer: ADDRESSES.sequencer, baseFee: BASE_FEE, txs: [...this.txs] };
    return { genesis, block };
  }
}
