/**
 * The state root: sha256 over every (location, value) pair in location order, as 0x-hex. Two
 * executors agree on the root exactly when they agree on the whole state. Each pair is hashed as
 * `<n>:<location><value>\n` (UTF-8), where `n` is the location's length in UTF-16 code units in
 * decimal and the value is `u<hex>` (a u256), `a0x<40 hex>` (an address) or `b1`. The encoding is
 * injective: the length says where the location ends (whatever characters a map key holds), no
 * value text contains a newline, and locations are well-formed UTF-16 (the ABI, the SDK and the
 * host refuse lone surrogates), whose UTF-8 form is unique.
 */
import { createHash } from "node:crypto";
import type { Value } from "../core/types.js";

/** The value's text in the root. */
export function rootEncoding(value: Value): string {
  switch (typeof value) {
    case "bigint":
      return `u${value.toString(16)}`;
    case "boolean":
      return value ? "b1" : "b0";
    default:
      return `a${value}`;
  }
}

export function compareLocations(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `<n>:` for the lengths locations usually have, made once (a root hashes millions of pairs). */
const LENGTH_PREFIXES = Array.from({ length: 512 }, (_, n) => `${n}:`);

/** A pair as the root hashes it: `<location length>:<location><value text>\n`. */
function pairText(loc: string, encoded: string): string {
  return (loc.length < LENGTH_PREFIXES.length ? LENGTH_PREFIXES[loc.length]! : `${loc.length}:`) + loc + encoded + "\n";
}

/** Hash in chunks: one update per pair costs more than building a 64 KiB string. */
const CHUNK = 65_536;

/** The root of a state given as unordered entries (sorted here). */
export function rootOfEntries(entries: Iterable<readonly [string, Value]>): string {
  const sorted = Array.from(entries);
  sorted.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const hash = createHash("sha256");
  let chunk = "";
  for (const [loc, value] of sorted) {
    chunk += pairText(loc, rootEncoding(value));
    if (chunk.length > CHUNK) {
      hash.update(chunk);
      chunk = "";
    }
  }
  hash.update(chunk);
  return `0x${hash.digest("hex")}`;
}

/**
 * Ordered base pairs with ordered changes applied (a change's value undefined = cleared): one
 * merge pass, nothing re-sorted. `encode` turns a changed value into the base's value form.
 */
export function* mergeOrdered<T>(base: Iterable<readonly [string, T]>, changes: readonly (readonly [string, Value | undefined])[], encode: (value: Value) => T): IterableIterator<readonly [string, T]> {
  let c = 0;
  for (const entry of base) {
    const loc = entry[0];
    while (c < changes.length && changes[c]![0] < loc) {
      const [changed, value] = changes[c++]!;
      if (value !== undefined) yield [changed, encode(value)];
    }
    if (c < changes.length && changes[c]![0] === loc) {
      const value = changes[c++]![1];
      if (value !== undefined) yield [loc, encode(value)];
      continue;
    }
    yield entry;
  }
  for (; c < changes.length; c++) {
    const [changed, value] = changes[c]!;
    if (value !== undefined) yield [changed, encode(value)];
  }
}

/**
 * The root of a base state changed by a block, without re-sorting the base: `base` yields the
 * base's pairs in location order with their values already in root text, `changes` are the
 * block's changed locations in location order.
 */
export function mergedRoot(base: Iterable<readonly [string, string]>, changes: readonly (readonly [string, Value | undefined])[]): string {
  const hash = createHash("sha256");
  let chunk = "";
  for (const [loc, encoded] of mergeOrdered(base, changes, rootEncoding)) {
    chunk += pairText(loc, encoded);
    if (chunk.length > CHUNK) {
      hash.update(chunk);
      chunk = "";
    }
  }
  hash.update(chunk);
  return `0x${hash.digest("hex")}`;
}
