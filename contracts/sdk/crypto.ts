/**
 * Deterministic cryptography and work for contracts, on `node:crypto`. These functions are the
 * only way contract code reaches native code, and each one charges its gas before doing work.
 */
import { createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import type { Value } from "../../core/types.js";
import { host } from "./host.js";

const keyCache = new Map<bigint, KeyObject>();

function bigintToBytes(value: bigint, length: number): Buffer {
  return Buffer.from(value.toString(16).padStart(length * 2, "0"), "hex");
}

function publicKeyObject(publicKey: bigint): KeyObject {
  let key = keyCache.get(publicKey);
  if (key === undefined) {
    // JWK import is ~10x cheaper than SPKI DER here (the DER path goes through OpenSSL's decoders).
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: bigintToBytes(publicKey, 32).toString("base64url") }, format: "jwk" });
    keyCache.set(publicKey, key);
  }
  return key;
}

/**
 * Whether `signature` (0x-prefixed, 64 bytes) is a valid ed25519 signature by `publicKey` of
 * the 32-byte `message`. A malformed key or signature is simply invalid.
 */
export function verifyEd25519(publicKey: bigint, message: bigint, signature: string): boolean {
  if (!/^0x[0-9a-f]{128}$/.test(signature) || publicKey <= 0n || publicKey >= 1n << 256n) return false;
  try {
    return verify(null, bigintToBytes(message, 32), publicKeyObject(publicKey), Buffer.from(signature.slice(2), "hex"));
  } catch {
    return false;
  }
}

/** sha256 over the canonical encoding of `values`, as a u256. */
export function hashValues(...values: (Value | string)[]): bigint {
  const h = createHash("sha256");
  for (const value of values) h.update(`${typeof value}:${String(value)};`);
  return BigInt(`0x${h.digest("hex")}`);
}

/**
 * Deterministic CPU work: `units` rounds of an integer mix seeded by `seed`, charged one gas per
 * unit. The replay contract uses it to spend time in proportion to a traced transaction's gas.
 */
export function work(units: number, seed: bigint): bigint {
  host().charge(units);
  let a = Number(seed & 0xffffffffn) | 0;
  let b = Number((seed >> 32n) & 0xffffffffn) | 0;
  for (let i = 0; i < units; i++) {
    a = Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + b;
    b = (b + 0x9e3779b9) | 0;
  }
  return BigInt(a >>> 0) * 0x100000000n + BigInt(b >>> 0);
}
