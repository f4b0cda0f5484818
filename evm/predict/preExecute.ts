/**
 * Pre-execution: every transaction run alone against the pre-block state, the way a sequencer can
 * "pre-test" what it admits. What it touches there is its `predicted` access set — neither exact
 * (an earlier transaction of the block may change its path) nor sound — and a plain transfer to an
 * account that can never hold code gets its `exact` set instead (transferSet.ts).
 *
 * A prediction never fails the block: a hole in the pre-state reads zero (the transaction may take
 * a path the real run does not), and a transaction that cannot run alone (its sender is funded
 * earlier in the block) is `unknown`.
 */
import type { BlockAccessSets, FeeRecipientAccess, ScheduledAccessClass, TxAccessSet } from "../../core/accessSet.js";
import { State } from "../../state/state.js";
import type { EvmRuntime, EvmTxResult, PreparedEvmTx } from "../runtime/evmRuntime.js";
import { balanceLocation } from "../state/locations.js";
import { precompileAddresses, transferSet } from "./transferSet.js";

export interface TxPrediction {
  readonly index: number;
  readonly class: ScheduledAccessClass;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  readonly feeRecipient: FeeRecipientAccess;
  /** Gas the transaction used alone (its weight on the critical path). */
  readonly gas: number;
  /** Reads the pre-state could not answer (read as zero). */
  readonly misses: number;
  /** Why the transaction could not run alone (class `unknown`). */
  readonly reason?: string;
}

export interface BlockPrediction {
  readonly txs: readonly TxPrediction[];
  /** The scheduler's input (unknown transactions are not yet barriers: see executor/accessSets.ts withBarriers). */
  readonly sets: BlockAccessSets;
  /** Time spent pre-executing, all transactions one after another. */
  readonly wallMs: number;
}

export async function predictBlock(runtime: EvmRuntime, prepared: readonly PreparedEvmTx[]): Promise<BlockPrediction> {
  const started = performance.now();
  const pre = new State(runtime.initialEntries());
  const precompiles = precompileAddresses(runtime);
  const txs: TxPrediction[] = [];
  for (const p of prepared) {
    let alone: EvmTxResult;
    try {
      alone = await runtime.runTx(p, pre, { predict: true, commit: false });
    } catch (error) {
      txs.push({ index: p.index, class: "unknown", reads: [], writes: [], feeRecipient: "none", gas: Number(p.gasLimit), misses: 0, reason: (error as Error).message });
      continue;
    }
    const gas = Number(alone.gasUsed);
    const exact = transferSet(runtime, p, precompiles);
    if (exact !== undefined) {
      txs.push({ index: p.index, class: "exact", ...exact, gas, misses: 0 });
    } else {
      txs.push({ index: p.index, class: "predicted", ...accessesOf(alone), feeRecipient: alone.feeRecipient, gas, misses: alone.misses.length });
    }
  }
  const sets: BlockAccessSets = {
    feeRecipientLocation: balanceLocation(runtime.block.coinbase),
    txs: txs.map((t): TxAccessSet => ({ index: t.index, reads: t.reads, writes: t.writes, gas: t.gas, class: t.class, feeRecipient: t.feeRecipient })),
  };
  return { txs, sets, wallMs: performance.now() - started };
}

/** A run's accesses as sorted sets: every location read from the state, every location changed. */
export function accessesOf(result: EvmTxResult): { reads: string[]; writes: string[] } {
  return { reads: Array.from(result.reads).sort(), writes: result.writes.map(([location]) => location).sort() };
}
