/**
 * The host side of the SDK (see realm.ts): the operations `defineSdk` calls through closures,
 * on the installed `Host` (host.ts) and on `node:crypto`. These functions are host functions,
 * so they are only ever captured inside the SDK's closures, never handed to contract code.
 */
import { createPublicKey, hash, verify, type KeyObject } from "node:crypto";
import type { Address, Value } from "../../core/types.js";
import { ACCOUNTS_ADDRESS } from "../../core/protocol.js";
import { MAX_U256, ZERO_ADDRESS, encodeKey, invalidValueReason } from "../../core/value.js";
import { GAS, LIMITS, SIZE_GAS } from "./gas.js";
import { currentHost, deployingAddress, host } from "./host.js";
import type { SdkBridge, SdkConfig } from "./realm.js";

const keyCache = new Map<bigint, KeyObject>();
const KEY_CACHE_LIMIT = 65_536;

function bigintToBytes(value: bigint, length: number): Buffer {
  return Buffer.from(value.toString(16).padStart(length * 2, "0"), "hex");
}

function publicKeyObject(publicKey: bigint): KeyObject {
  let key = keyCache.get(publicKey);
  if (key === undefined) {
    // Bounded: contract code can check signatures by any key, and the cache outlives transactions.
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    // JWK import is ~10x cheaper than SPKI DER here (the DER path goes through OpenSSL's decoders).
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: bigintToBytes(publicKey, 32).toString("base64url") }, format: "jwk" });
    keyCache.set(publicKey, key);
  }
  return key;
}

export const hostBridge: SdkBridge = Object.freeze({
  read: (location: string, prefix: string) => host().read(location, prefix),
  write: (location: string, value: unknown, prefix: string) => host().write(location, value as Value, prefix),
  call: (to: string, fn: string, args: readonly unknown[]) => host().call(to as Address, fn, args),
  emit: (name: string, args: readonly unknown[]) => host().emit(name, args as readonly Value[]),
  charge: (gas: number) => host().charge(gas),
  meter: (gas: number) => currentHost()?.charge(gas),
  abort: (reason: string) => host().abort(reason),
  frame: () => host().frame,
  deployingAddress: () => deployingAddress(),
  encodeKey,
  invalidValueReason,
  // One-shot `hash` rather than createHash().update().digest(): no Hash object per call, and a
  // third of the time (0.3-0.5 µs against 1.0 µs for an 80-character text). A mainnet replay
  // hashes once per key it reads or writes, a sixth of its sequential time with createHash.
  sha256Hex: (text: string) => hash("sha256", text, "hex"),
  // The SDK checked the argument types and ranges; a malformed key or signature is simply invalid.
  verifyEd25519: (publicKey: bigint, message: bigint, signature: string) => {
    try {
      return verify(null, bigintToBytes(message, 32), publicKeyObject(publicKey), Buffer.from(signature.slice(2), "hex"));
    } catch {
      return false;
    }
  },
});

/** The SDK's constants, as `defineSdk` takes them. */
export function sdkConfig(maxFrames: number): string {
  const config: SdkConfig = {
    gas: GAS,
    zeroAddress: ZERO_ADDRESS,
    accountsAddress: ACCOUNTS_ADDRESS,
    maxU256: MAX_U256.toString(),
    maxFrames,
    maxStackSlots: LIMITS.stackSlots,
    receiptString: LIMITS.receiptString,
    mapKey: LIMITS.mapKey,
    sizeGas: { free: SIZE_GAS.free, chars: SIZE_GAS.chars },
    memory: LIMITS.memory,
    bytesPerGas: SIZE_GAS.bytes,
  };
  return JSON.stringify(config);
}
