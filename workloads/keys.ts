/**
 * Deterministic ed25519 keys and transaction signing, on `node:crypto`. Keys come from a seed
 * and an index, so a generated block and its genesis are the same on every machine.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from "node:crypto";
import { txHashHex } from "../core/txHash.js";
import type { Address, Tx } from "../core/types.js";

/**
 * Importing a raw ed25519 seed through PKCS#8 DER costs ~500 µs here; through JWK ~50 µs. A JWK
 * private key needs an `x`, but OpenSSL derives the public key from `d` and ignores it (checked
 * by the key tests), so a placeholder goes in and the real public key is read back out.
 */
const PLACEHOLDER_X = Buffer.alloc(32).toString("base64url");

export interface KeyPair {
  readonly address: Address;
  /** 0x-prefixed 32-byte public key. */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

/** The address of a public key: the last 20 bytes of its sha256. */
export function addressOf(publicKey: Buffer): Address {
  return `0x${createHash("sha256").update(publicKey).digest("hex").slice(-40)}`;
}

export function keyPairFromSeed(seed: Buffer, address?: Address): KeyPair {
  const privateKey = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: seed.toString("base64url"), x: PLACEHOLDER_X }, format: "jwk" });
  const raw = Buffer.from(createPublicKey(privateKey).export({ format: "jwk" }).x as string, "base64url");
  return { address: address ?? addressOf(raw), publicKey: `0x${raw.toString("hex")}`, privateKey };
}

/** The `index`-th key pair of `seed`. */
export function deriveKeyPair(seed: string | number, index: number): KeyPair {
  return keyPairFromSeed(createHash("sha256").update(`prescient-key:${seed}:${index}`).digest());
}

/** A key pair for an existing address (used to re-sign mainnet traces, whose keys we lack). */
export function keyPairForAddress(seed: string | number, address: Address): KeyPair {
  return keyPairFromSeed(createHash("sha256").update(`prescient-key:${seed}:${address}`).digest(), address);
}

export function signTx(unsigned: Omit<Tx, "signature">, key: KeyObject): Tx {
  const signature = sign(null, Buffer.from(txHashHex(unsigned), "hex"), key);
  return { ...unsigned, signature: `0x${signature.toString("hex")}` };
}
