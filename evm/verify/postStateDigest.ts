/**
 * The post-state digest: sha256 over every location the block wrote (accounts' fields, code
 * hashes, slots, the coinbase's credited balance), sorted, with its value after the block (`z`
 * for cleared), in state/root.ts's value encoding. Two runs of a block agree on it exactly when
 * they leave the same state behind.
 */
import { createHash } from "node:crypto";
import { rootEncoding } from "../../state/root.js";
import type { StateView } from "../runtime/stateView.js";

export function postStateDigest(view: StateView, written: Iterable<string>): string {
  const hash = createHash("sha256");
  for (const location of Array.from(new Set(written)).sort()) {
    const value = view.get(location);
    hash.update(`${location}\u0000${value === undefined || value === 0n || value === false ? "z" : rootEncoding(value)}\n`);
  }
  return `0x${hash.digest("hex")}`;
}
