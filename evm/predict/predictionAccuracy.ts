/**
 * How good the predictions were: each transaction's predicted (or exact) set against what it
 * really touched in the block's run.
 */
import type { EvmTxResult } from "../runtime/evmRuntime.js";
import { accessesOf, type TxPrediction } from "./preExecute.js";

export interface PredictionAccuracy {
  readonly txs: number;
  /** Predicted transactions whose set equals the actual one (reads and writes). */
  readonly predicted: number;
  readonly predictedMatched: number;
  /** Exact transactions; `exactCovered` must equal it (an exact set never misses), `exactEqual` says how many are also tight. */
  readonly exact: number;
  readonly exactCovered: number;
  readonly exactEqual: number;
  readonly unknown: number;
  /** The first transactions whose set missed an access, with the first location missed. */
  readonly misses: readonly { readonly index: number; readonly class: string; readonly kind: "read" | "write"; readonly location: string }[];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function predictionAccuracy(predictions: readonly TxPrediction[], actual: readonly EvmTxResult[], keepMisses = 20): PredictionAccuracy {
  let predicted = 0, predictedMatched = 0, exact = 0, exactCovered = 0, exactEqual = 0, unknown = 0;
  const misses: { index: number; class: string; kind: "read" | "write"; location: string }[] = [];
  for (const t of predictions) {
    const real = accessesOf(actual[t.index]!);
    if (t.class === "unknown") {
      unknown++;
      continue;
    }
    const reads = new Set([...t.reads, ...t.writes]);
    const writes = new Set(t.writes);
    const missedRead = real.reads.find((l) => !reads.has(l));
    const missedWrite = real.writes.find((l) => !writes.has(l));
    const equal = sameSet(t.reads, real.reads) && sameSet(t.writes, real.writes);
    if (t.class === "exact") {
      exact++;
      if (missedRead === undefined && missedWrite === undefined) exactCovered++;
      if (equal) exactEqual++;
    } else {
      predicted++;
      if (equal) predictedMatched++;
    }
    if (misses.length < keepMisses && (missedRead !== undefined || missedWrite !== undefined)) {
      misses.push({ index: t.index, class: t.class, kind: missedRead !== undefined ? "read" : "write", location: (missedRead ?? missedWrite)! });
    }
  }
  return { txs: predictions.length, predicted, predictedMatched, exact, exactCovered, exactEqual, unknown, misses };
}
