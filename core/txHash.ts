/**
 * The transaction hash that senders sign: sha256 over the canonical JSON of every field but the
 * signature (the declared access list included, so it cannot be swapped after signing).
 */
import { hash } from "node:crypto";
import type { Tx } from "./types.js";

export function txHashHex(tx: Omit<Tx, "signature">): string {
  const canonical = JSON.stringify([
    tx.from,
    tx.nonce.toString(),
    tx.to,
    tx.fn,
    tx.args,
    tx.gasLimit.toString(),
    tx.gasPrice.toString(),
    tx.accessList === undefined ? null : [tx.accessList.reads, tx.accessList.writes],
  ]);
  return hash("sha256", canonical, "hex");
}

export function txHash(tx: Omit<Tx, "signature">): bigint {
  return BigInt(`0x${txHashHex(tx)}`);
}
