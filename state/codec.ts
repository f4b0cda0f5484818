/**
 * How state is stored as bytes: locations as LMDB keys, values as LMDB values.
 *
 * Keys must sort in LMDB's byte order exactly as locations sort in JavaScript's string order
 * (UTF-16 code units), because the state root hashes locations in that order straight from a
 * cursor. UTF-8 would not do: it orders U+E000–U+FFFF after surrogate pairs and cannot hold a lone
 * surrogate at all. So a code unit below 0x80 is one byte (every location prescient itself makes is
 * ASCII), and any other code unit is three bytes, 0xF0 | c>>14, 0x80 | (c>>7 & 0x7F),
 * 0x80 | (c & 0x7F): above every ASCII byte, and ordered among themselves as the code units are.
 *
 * Values are a tag byte and the value's bytes: a u256 as its minimal big-endian bytes, an address
 * as its 20 bytes, `true` as the tag alone. Zero values are never stored (absent = zero).
 */
import type { Address, Value } from "../core/types.js";
import { locationBytes } from "../core/location.js";
import { MAX_U256, isAddress, isZeroValue } from "../core/value.js";

const NON_ASCII = /[^\x00-\x7f]/;
const HIGH_BYTE = /[\x80-\xff]/;

/** The key bytes of a location (see the module comment for why not UTF-8). */
export function encodeLocation(location: string): Buffer {
  if (!NON_ASCII.test(location)) return Buffer.from(location, "latin1");
  const out = Buffer.allocUnsafe(encodedLocationLength(location));
  writeEscaped(location, out, 0);
  return out;
}

/** How many key bytes `location` takes (core/location.ts defines it, with the limit every configuration enforces). */
export const encodedLocationLength = locationBytes;

function writeEscaped(location: string, target: Uint8Array, start: number): number {
  let at = start;
  for (let i = 0; i < location.length; i++) {
    const c = location.charCodeAt(i);
    if (c < 0x80) {
      target[at++] = c;
    } else {
      target[at++] = 0xf0 | (c >> 14);
      target[at++] = 0x80 | ((c >> 7) & 0x7f);
      target[at++] = 0x80 | (c & 0x7f);
    }
  }
  return at;
}

/** Write the key bytes of `location` into `target` at `start`; returns the end offset. */
export function writeLocation(location: string, target: Uint8Array, start: number): number {
  if (!NON_ASCII.test(location)) {
    if (start + location.length > target.length) throw new RangeError("key buffer too small");
    Buffer.prototype.latin1Write.call(target, location, start);
    return start + location.length;
  }
  if (start + encodedLocationLength(location) > target.length) throw new RangeError("key buffer too small");
  return writeEscaped(location, target, start);
}

/** The location stored in `bytes[start, end)`. */
export function readLocation(bytes: Uint8Array, start: number, end: number): string {
  const ascii = Buffer.prototype.latin1Slice.call(bytes, start, end) as string;
  if (!HIGH_BYTE.test(ascii)) return ascii;
  let out = "";
  for (let i = start; i < end; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
    } else {
      if (i + 2 >= end || (b & 0xfc) !== 0xf0) throw new CorruptStateError(`a stored key has a malformed escape at byte ${i - start}`);
      out += String.fromCharCode(((b & 0x03) << 14) | ((bytes[i + 1]! & 0x7f) << 7) | (bytes[i + 2]! & 0x7f));
      i += 3;
    }
  }
  return out;
}

/** A stored key or value that no version of prescient writes. */
export class CorruptStateError extends Error {
  override name = "CorruptStateError";
}

const TAG_U256 = 1;
const TAG_ADDRESS = 2;
const TAG_TRUE = 3;

const hexSlice = Buffer.prototype.hexSlice as (this: Uint8Array, start: number, end: number) => string;

/** Hex of `bytes[start, end)`; works on the plain Uint8Arrays lmdb hands to worker threads too. */
function hexOf(bytes: Uint8Array, start: number, end: number): string {
  return hexSlice.call(bytes, start, end);
}

/** The stored bytes of a non-zero value; throws on a value no location may hold. */
export function encodeValue(value: Value): Buffer {
  if (isZeroValue(value)) throw new RangeError("zero values are not stored");
  switch (typeof value) {
    case "bigint": {
      if (value < 0n || value > MAX_U256) throw new RangeError(`not a u256: ${value}`);
      let hex = value.toString(16);
      if (hex.length % 2 === 1) hex = `0${hex}`;
      const out = Buffer.allocUnsafe(1 + hex.length / 2);
      out[0] = TAG_U256;
      out.write(hex, 1, "hex");
      return out;
    }
    case "boolean":
      return Buffer.from([TAG_TRUE]);
    default: {
      if (!isAddress(value)) throw new RangeError(`not an address: ${JSON.stringify(value)}`);
      const out = Buffer.allocUnsafe(21);
      out[0] = TAG_ADDRESS;
      out.write(value.slice(2), 1, "hex");
      return out;
    }
  }
}

/** The value of stored bytes. */
export function decodeValue(bytes: Uint8Array): Value {
  const n = bytes.length;
  switch (bytes[0]) {
    case TAG_U256: {
      if (n < 2 || n > 33 || bytes[1] === 0) throw new CorruptStateError("a stored u256 is not in minimal big-endian form");
      if (n <= 7) {
        // Up to 48 bits fit a double exactly: no hex string on the common path.
        let x = 0;
        for (let i = 1; i < n; i++) x = x * 256 + bytes[i]!;
        return BigInt(x);
      }
      return BigInt(`0x${hexOf(bytes, 1, n)}`);
    }
    case TAG_ADDRESS:
      if (n !== 21) throw new CorruptStateError("a stored address is not 20 bytes");
      return `0x${hexOf(bytes, 1, 21)}` as Address;
    case TAG_TRUE:
      if (n !== 1) throw new CorruptStateError("a stored boolean has trailing bytes");
      return true;
    default:
      throw new CorruptStateError(`a stored value has an unknown tag ${bytes[0]}`);
  }
}

/**
 * The value's text in the state root (what `rootEncoding` gives for the decoded value), straight
 * from the stored bytes: hashing a large state never builds a BigInt.
 */
export function rootEncodingOfStored(bytes: Uint8Array): string {
  const n = bytes.length;
  switch (bytes[0]) {
    case TAG_U256: {
      if (n < 2 || n > 33 || bytes[1] === 0) throw new CorruptStateError("a stored u256 is not in minimal big-endian form");
      const hex = hexOf(bytes, 1, n);
      return `u${hex.charCodeAt(0) === 48 ? hex.slice(1) : hex}`;
    }
    case TAG_ADDRESS:
      if (n !== 21) throw new CorruptStateError("a stored address is not 20 bytes");
      return `a0x${hexOf(bytes, 1, 21)}`;
    case TAG_TRUE:
      return "b1";
    default:
      throw new CorruptStateError(`a stored value has an unknown tag ${bytes[0]}`);
  }
}
