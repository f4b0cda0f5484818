/**
 * The shapes every part of prescient speaks: transactions, blocks, genesis, receipts and the
 * execution result. JSON forms carry bigints as decimal strings; these are the parsed forms.
 */

/** A 0x-prefixed, 20-byte, lower-case hex address. */
export type Address = `0x${string}`;

/** What a storage location may hold: a u256, an address or a boolean. */
export type Value = bigint | Address | boolean;

/** A call argument, converted from JSON according to the callee's parameter types. */
export type Arg = bigint | string | boolean | readonly Arg[];

/** A declared access list: locations, possibly ending in a `/*` wildcard. */
export interface AccessList {
  readonly reads: readonly string[];
  readonly writes: readonly string[];
}

export interface Tx {
  readonly from: Address;
  readonly nonce: bigint;
  readonly to: Address;
  readonly fn: string;
  /** Arguments as given in JSON (decimal strings, addresses, booleans, arrays). */
  readonly args: readonly RawArg[];
  readonly gasLimit: bigint;
  readonly gasPrice: bigint;
  readonly accessList?: AccessList;
  /** 0x-prefixed 64-byte ed25519 signature over the transaction hash. */
  readonly signature: string;
}

export type RawArg = string | boolean | readonly RawArg[];

export interface Block {
  readonly number: bigint;
  readonly timestamp: bigint;
  readonly sequencer: Address;
  readonly baseFee: bigint;
  readonly txs: readonly Tx[];
}

export interface GenesisContract {
  readonly address: Address;
  /** Name of a shipped sample (`token`, `amm`, …) or a path to a `.ts` module. */
  readonly contract: string;
  /** Initial storage, keyed by location relative to the contract (`balances/0xabc…`). */
  readonly storage: Readonly<Record<string, Value>>;
}

export interface GenesisAccount {
  readonly address: Address;
  /** 0x-prefixed 32-byte ed25519 public key; absent for accounts that never sign. */
  readonly publicKey?: string;
  readonly balance: bigint;
  readonly nonce: bigint;
}

export interface Genesis {
  readonly contracts: readonly GenesisContract[];
  readonly accounts: readonly GenesisAccount[];
}

export type ReceiptStatus = "success" | "revert" | "out-of-gas" | "invalid";

export interface Event {
  readonly contract: Address;
  readonly name: string;
  readonly args: readonly Value[];
}

export interface Receipt {
  readonly index: number;
  readonly status: ReceiptStatus;
  readonly gasUsed: number;
  readonly fee: bigint;
  readonly error?: string;
  readonly events?: readonly Event[];
  /** With tracing on: the locations the transaction actually read and wrote. */
  readonly reads?: readonly string[];
  readonly writes?: readonly string[];
}

export type ExecutionMode = "sequential" | "columns" | "blockstm" | "hybrid";
export type EnforcementPolicy = "strict" | "fallback" | "off";

export interface ExecutionStats {
  readonly mode: ExecutionMode;
  readonly threads: number;
  readonly wallMs: number;
  readonly executions: number;
  readonly validations: number;
  readonly aborts: number;
  readonly violations: number;
}

export interface ExecutionResult {
  readonly stateRoot: string;
  readonly receipts: readonly Receipt[];
  readonly stats: ExecutionStats;
}
