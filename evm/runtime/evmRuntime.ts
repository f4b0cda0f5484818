/**
 * The EVM transaction runtime: one block's transactions, each run against a state view by
 * @ethereumjs/vm's `runTx` (transaction processing as mainnet defines it for the block's
 * hardfork), returning its receipt fields, what it read and wrote, and the coinbase's fee credit
 * as a separate commutative delta.
 *
 * Built by an async factory from a compact description of the block (file paths), so a worker
 * thread can build its own; `prepareBlock` does the per-block work once (sender recovery), and
 * `runTx(prepared, view)` runs one transaction. Each runtime runs one transaction at a time.
 */
import type { EVM } from "@ethereumjs/evm";
import type { TypedTransaction } from "@ethereumjs/tx";
import { EthereumJSError } from "@ethereumjs/util";
import { createVM, runTx, type RunTxResult, type VM } from "@ethereumjs/vm";
import type { FeeRecipientAccess } from "../../core/accessSet.js";
import { InputError } from "../../core/errors.js";
import type { Value } from "../../core/types.js";
import { readBlockFile, type EvmBlock } from "../input/blockFile.js";
import { readBlockHashesFile, type BlockHashes } from "../input/blockHashesFile.js";
import { readPreStateFile } from "../input/preStateFile.js";
import type { CodeEntry } from "../state/codeStore.js";
import { balanceLocation, existsLocation } from "../state/locations.js";
import type { PreState } from "../state/preState.js";
import { BlockHashSource } from "./blockHashSource.js";
import { cacheJumpAnalysis } from "./jumpAnalysisCache.js";
import type { StateView } from "./stateView.js";
import { TxOverlay } from "./txOverlay.js";
import { ViewStateManager, type MissPolicy } from "./viewStateManager.js";

/** Where a block and its pre-state are: what every worker needs to build the same runtime. */
export interface EvmBlockSource {
  readonly blockFile: string;
  readonly preStateFile: string;
  readonly blockHashesFile?: string | undefined;
}

export interface LoadedEvmBlock {
  readonly block: EvmBlock;
  readonly preState: PreState;
  readonly blockHashes: BlockHashes;
  readonly blockHashesFile?: string | undefined;
}

export interface PreparedEvmTx {
  readonly index: number;
  readonly tx: TypedTransaction;
  /** The sender, recovered from the signature (lower-case hex). */
  readonly sender: string;
  /** The recipient, undefined for a contract creation. */
  readonly to: string | undefined;
  readonly type: number;
  readonly gasLimit: bigint;
}

export type EvmLog = [address: Uint8Array, topics: Uint8Array[], data: Uint8Array];

export interface EvmTxResult {
  readonly index: number;
  /** 1 success, 0 failure (any exceptional halt or REVERT: the sender still pays). */
  readonly status: 0 | 1;
  readonly gasUsed: bigint;
  readonly logs: readonly EvmLog[];
  /** The logs' bloom filter (256 bytes). */
  readonly bloom: Uint8Array;
  /** The EVM's exception, when status is 0. */
  readonly error: string | undefined;
  /** The coinbase's fee credit: a commutative delta the caller applies with `applyFeeCredit`. */
  readonly fee: bigint;
  /** How the transaction reached the coinbase beyond the fee credit. */
  readonly feeRecipient: FeeRecipientAccess;
  /** Locations read from the view (first read), in order. */
  readonly reads: readonly string[];
  /** Net writes: location and new value (undefined clears). */
  readonly writes: readonly (readonly [string, Value | undefined])[];
  /** Code deployed by the transaction (content-addressed: the writes hold only its hash). */
  readonly createdCode: readonly CodeEntry[];
  /** Reads the pre-state could not answer (prediction only; a real run fails instead). */
  readonly misses: readonly string[];
}

export interface RunEvmTxOptions {
  /** Write the net writes to the view (default true). Prediction runs leave the view untouched. */
  readonly commit?: boolean;
  /**
   * Pre-execution: the transaction runs alone against the pre-block state, so its nonce and its
   * balance are not checked, and a hole in the pre-state reads zero (counted in `misses`).
   */
  readonly predict?: boolean;
}

export class EvmRuntime {
  readonly block: EvmBlock;
  readonly preState: PreState;
  readonly #vm: VM;
  readonly #state: ViewStateManager;
  readonly #spuriousDragon: boolean;

  private constructor(loaded: LoadedEvmBlock, vm: VM, state: ViewStateManager) {
    this.block = loaded.block;
    this.preState = loaded.preState;
    this.#vm = vm;
    this.#state = state;
    this.#spuriousDragon = loaded.block.block.common.gteHardfork("spuriousDragon");
  }

  /** Build the runtime of a block: from its files (what a worker does) or from parsed inputs. */
  static async create(source: EvmBlockSource | LoadedEvmBlock): Promise<EvmRuntime> {
    const loaded = "block" in source ? source : await loadEvmBlock(source);
    const state = new ViewStateManager(loaded.preState, loaded.preState.codes);
    const common = loaded.block.block.common;
    const vm = await createVM({ common, stateManager: state, blockchain: new BlockHashSource(loaded.blockHashes, loaded.blockHashesFile, state) });
    watchSettlement(vm.evm as EVM, state);
    cacheJumpAnalysis(vm.evm as EVM);
    return new EvmRuntime(loaded, vm, state);
  }

  /** The pre-block state in prescient's locations (every non-zero value). */
  initialEntries(): IterableIterator<[string, Value]> {
    return this.preState.entries();
  }

  /**
   * Per-block work done once: recover every sender from its signature (secp256k1, the costliest
   * part of admitting a transaction) and check it against the published one.
   */
  prepareBlock(): PreparedEvmTx[] {
    return this.block.block.transactions.map((tx, index) => {
      let sender: string;
      try {
        sender = tx.getSenderAddress().toString();
      } catch (cause) {
        throw new InputError(`the signature does not recover a sender: ${(cause as Error).message.split(" (")[0]}`, { ...this.#where(index), field: `transactions[${index}].r` });
      }
      if (sender !== this.block.txs[index]!.from) throw new InputError(`the signature recovers ${sender}, not the published sender`, { ...this.#where(index), field: `transactions[${index}].from` });
      return { index, tx, sender, to: tx.to?.toString(), type: tx.type, gasLimit: tx.gasLimit };
    });
  }

  #where(index: number): { file?: string; txIndex: number } {
    return { ...(this.block.file !== undefined ? { file: this.block.file } : {}), txIndex: index };
  }

  /** Run one transaction against `view`. Throws SnapshotMissError (input) or InputError (an invalid transaction). */
  async runTx(p: PreparedEvmTx, view: StateView, options: RunEvmTxOptions = {}): Promise<EvmTxResult> {
    const predict = options.predict === true;
    const overlay = new TxOverlay(view);
    const missPolicy: MissPolicy = predict ? "zero" : "fail";
    this.#state.begin({ overlay, index: p.index, coinbase: this.block.coinbase, sender: p.sender, missPolicy });
    let result: RunTxResult;
    try {
      result = await runTx(this.#vm, { tx: p.tx, block: this.block.block, blockGasUsed: 0n, skipNonce: predict, skipBalance: predict, skipHardForkValidation: true });
    } catch (error) {
      this.#state.end();
      throw overlay.stopped !== undefined ? overlay.stopped.error : this.#explain(error, p);
    }
    const outcome = this.#state.end();
    if (overlay.stopped !== undefined) throw overlay.stopped.error;
    if (outcome.fee !== undefined && outcome.fee !== result.minerValue) {
      throw new Error(`internal error: transaction ${p.index}: the coinbase credit seen (${outcome.fee}) is not the fee (${result.minerValue})`);
    }
    const writes = overlay.netWrites();
    if (options.commit !== false) for (const [location, value] of writes) view.set(location, value);
    const exception = result.execResult.exceptionError;
    return {
      index: p.index,
      status: exception === undefined ? 1 : 0,
      gasUsed: result.totalGasSpent,
      logs: (result.execResult.logs ?? []) as EvmLog[],
      bloom: result.bloom.bitvector,
      error: exception?.error,
      fee: result.minerValue,
      feeRecipient: outcome.feeRecipient,
      reads: overlay.readLocations(),
      writes,
      createdCode: outcome.createdCode,
      misses: outcome.misses,
    };
  }

  /**
   * Why a transaction could not run: @ethereumjs/vm rejects a transaction invalid against the state
   * (nonce, funds, fee cap) with an EthereumJSError, which becomes an InputError naming it. Anything
   * else — a hole in the input, a view that stopped the transaction — goes through untouched.
   */
  #explain(error: unknown, p: PreparedEvmTx): unknown {
    if (error instanceof EthereumJSError) {
      const reason = error.message.split(" (")[0]!;
      const absent = !this.preState.accounts.has(p.sender) && this.preState.kind === "snapshot";
      const hint = absent ? `; its sender ${p.sender} is not in the pre-state${this.preState.file !== undefined ? ` (${this.preState.file})` : ""}` : "";
      return new InputError(`transaction ${p.index} is invalid against the state it runs on: ${reason}${hint}`, { ...this.#where(p.index), field: absent ? `transactions[${p.index}].from` : `transactions[${p.index}]` });
    }
    return error;
  }

  /**
   * Apply a transaction's fee credit to the coinbase: add to its balance, creating the account if
   * needed. Credits commute; before Spurious Dragon even a zero credit creates the account.
   */
  applyFeeCredit(view: StateView, fee: bigint): void {
    if (fee === 0n && this.#spuriousDragon) return;
    const coinbase = this.block.coinbase;
    if (fee !== 0n) view.set(balanceLocation(coinbase), ((view.get(balanceLocation(coinbase)) as bigint | undefined) ?? 0n) + fee);
    if (view.get(existsLocation(coinbase)) !== true) view.set(existsLocation(coinbase), true);
  }
}

/** Tell the state manager when the outermost call has returned (nested calls come through runCall too). */
function watchSettlement(evm: EVM, state: ViewStateManager): void {
  const runCall = evm.runCall.bind(evm);
  let depth = 0;
  evm.runCall = async (opts) => {
    depth++;
    try {
      return await runCall(opts);
    } finally {
      if (--depth === 0) state.startSettlement();
    }
  };
}

export async function loadEvmBlock(source: EvmBlockSource): Promise<LoadedEvmBlock> {
  const block = await readBlockFile(source.blockFile);
  const preState = readPreStateFile(source.preStateFile);
  const blockHashes = source.blockHashesFile === undefined ? new Map<bigint, string>() : readBlockHashesFile(source.blockHashesFile);
  return { block, preState, blockHashes, blockHashesFile: source.blockHashesFile };
}

export const createEvmRuntime = EvmRuntime.create;
