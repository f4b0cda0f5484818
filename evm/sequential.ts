/**
 * A block run in order, transaction by transaction, on one state view: the reference every
 * other way of running the block must reproduce. (The executor's sequential mode does the same
 * through the runtime seam; this loop is what the EVM runtime's own checks and the CLI run until
 * the seam lands.)
 */
import type { EvmReceipt } from "./verify/receipts.js";
import type { EvmRuntime, EvmTxResult, PreparedEvmTx } from "./runtime/evmRuntime.js";
import type { StateView } from "./runtime/stateView.js";
import { balanceLocation, existsLocation } from "./state/locations.js";

export interface EvmBlockRun {
  readonly receipts: readonly EvmReceipt[];
  readonly results: readonly EvmTxResult[];
  /** Every location the block wrote, the fee credits included. */
  readonly written: ReadonlySet<string>;
  readonly gasUsed: bigint;
  readonly wallMs: number;
}

export interface RunEvmBlockParameters {
  readonly runtime: EvmRuntime;
  readonly prepared: readonly PreparedEvmTx[];
  /** The pre-block state; it becomes the post-block state. */
  readonly view: StateView;
}

export async function runEvmBlockSequential({ runtime, prepared, view }: RunEvmBlockParameters): Promise<EvmBlockRun> {
  const started = performance.now();
  const receipts: EvmReceipt[] = [];
  const results: EvmTxResult[] = [];
  const written = new Set<string>();
  const coinbase = runtime.block.coinbase;
  let cumulative = 0n;
  for (const p of prepared) {
    const r = await runtime.runTx(p, view);
    runtime.applyFeeCredit(view, r.fee);
    cumulative += r.gasUsed;
    receipts.push({ index: p.index, type: p.type, status: r.status, gasUsed: r.gasUsed, cumulativeGasUsed: cumulative, logs: r.logs, bloom: r.bloom });
    results.push(r);
    for (const [location] of r.writes) written.add(location);
  }
  written.add(balanceLocation(coinbase));
  written.add(existsLocation(coinbase));
  return { receipts, results, written, gasUsed: cumulative, wallMs: performance.now() - started };
}
