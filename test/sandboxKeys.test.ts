/**
 * Keys and the state root: one canonical, injective encoding of a state into its root, locations
 * that are well-formed Unicode only, and one location limit enforced for every configuration (the
 * ABI, the genesis, execution in memory and in LMDB).
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { MAX_LOCATION_BYTES, locationBytes } from "../core/location.js";
import type { Genesis, Value } from "../core/types.js";
import { convertArgs } from "../contracts/runtime/abi.js";
import { stateFromGenesis } from "../state/genesis.js";
import { rootOfEntries } from "../state/root.js";

const X = "0x00000000000000000000000000000000005a0d08";

describe("the state root", () => {
  it("tells apart a state of two entries from one entry whose key spells them out", () => {
    // With `<location>\0<value>\n` pairs, both states hashed the same text.
    const two: [string, Value][] = [
      [`${X}/m/a`, 1n],
      [`${X}/m/b`, 2n],
    ];
    const one: [string, Value][] = [[`${X}/m/a\u0000u1\n${X}/m/b`, 2n]];
    expect(rootOfEntries(two)).not.toBe(rootOfEntries(one));
  });

  it("tells apart locations that differ in where one ends and the value begins", () => {
    expect(rootOfEntries([[`${X}/m/a`, 17n]])).not.toBe(rootOfEntries([[`${X}/m/au1`, 7n]]));
    expect(rootOfEntries([[`${X}/m/1`, 1n]])).not.toBe(rootOfEntries([[`${X}/m/`, 11n]]));
  });

  it("is the hash of length-prefixed pairs (the documented encoding)", async () => {
    const { createHash } = await import("node:crypto");
    const text = `${X.length + 4}:${X}/m/a` + "u1\n" + `${X.length + 4}:${X}/m/b` + "a0x0000000000000000000000000000000000000001\n";
    const expected = `0x${createHash("sha256").update(text).digest("hex")}`;
    expect(
      rootOfEntries([
        [`${X}/m/b`, "0x0000000000000000000000000000000000000001"],
        [`${X}/m/a`, 1n],
      ]),
    ).toBe(expected);
  });
});

describe("locations are well-formed and within one limit", () => {
  it("a transaction's string argument with a lone surrogate is refused, naming the field", () => {
    const method = { name: "put", params: [{ name: "key", type: "string" as const }] };
    for (const bad of ["k\ud800", "k\udfff", "\udc00x"]) {
      expect(() => convertArgs(method, [bad], { txIndex: 3, field: "txs[3].args" })).toThrow(InputError);
      expect(() => convertArgs(method, [bad], { txIndex: 3, field: "txs[3].args" })).toThrow(/txs\[3\]\.args\[0\]: key: the string contains a lone surrogate/);
    }
    expect(convertArgs(method, ["k\ud83d\ude00"], { field: "args" })).toEqual(["k\ud83d\ude00"]);
  });

  it("a genesis location beyond the limit, or with a lone surrogate, is refused", () => {
    const genesis = (key: string): Genesis => ({ contracts: [{ address: X, contract: "kv", storage: { [`data/${key}`]: 1n } }], accounts: [] });
    expect(() => stateFromGenesis(genesis("é".repeat(700)), "genesis.json")).toThrow(/genesis\.json: contracts\[0\]\.storage: .* key bytes, more than the limit of 1536/);
    expect(() => stateFromGenesis(genesis("k\ud800"), "genesis.json")).toThrow(/lone surrogate/);
    expect(stateFromGenesis(genesis("k".repeat(1024))).size).toBe(1);
  });

  it("counts key bytes as LMDB stores them: one per ASCII code unit, three per other", () => {
    expect(locationBytes("abc")).toBe(3);
    expect(locationBytes("é")).toBe(3);
    expect(locationBytes("\ud83d\ude00")).toBe(6);
    expect(MAX_LOCATION_BYTES).toBeLessThanOrEqual(1978);
  });
});
