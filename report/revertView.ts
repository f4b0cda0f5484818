/**
 * Why transactions failed: reverts, out-of-gas and invalid transactions grouped by their reason,
 * with the numbers in it (amounts, indices, hashes) left out so that one cause is one group, the
 * calls that hit it, and a few of its transactions.
 */
import type { Receipt, ReceiptStatus } from "../core/types.js";

export interface RevertGroup {
  readonly status: Exclude<ReceiptStatus, "success">;
  /** The reason with its numbers replaced by `…`. */
  readonly reason: string;
  /** One transaction's reason, as it was. */
  readonly example: string;
  readonly count: number;
  /** The calls that failed so, most first. */
  readonly calls: readonly { readonly fn: string; readonly count: number }[];
  /** The first few transactions. */
  readonly txs: readonly number[];
}

const EXAMPLES = 8;

/** A reason without its numbers: `slippage: 5910… < 10…` and `slippage: 42 < 7` are one cause. */
export function reasonPattern(reason: string): string {
  return reason.replace(/0x[0-9a-fA-F]+/g, "0x…").replace(/\b\d+(\.\d+)?\b/g, "…");
}

/** Failed transactions by status and reason, largest group first. */
export function groupReverts(receipts: readonly Receipt[], callOf: (tx: number) => string): RevertGroup[] {
  const groups = new Map<string, { status: RevertGroup["status"]; reason: string; example: string; count: number; calls: Map<string, number>; txs: number[] }>();
  receipts.forEach((r, tx) => {
    if (r.status === "success") return;
    const raw = r.error ?? "(no reason given)";
    const reason = reasonPattern(raw);
    const key = `${r.status}\u0000${reason}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { status: r.status, reason, example: raw, count: 0, calls: new Map(), txs: [] }));
    g.count++;
    const fn = callOf(tx);
    g.calls.set(fn, (g.calls.get(fn) ?? 0) + 1);
    if (g.txs.length < EXAMPLES) g.txs.push(tx);
  });
  return [...groups.values()]
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1))
    .map((g) => ({
      status: g.status,
      reason: g.reason,
      example: g.example,
      count: g.count,
      calls: [...g.calls].map(([fn, count]) => ({ fn, count })).sort((a, b) => b.count - a.count || (a.fn < b.fn ? -1 : 1)),
      txs: g.txs,
    }));
}
