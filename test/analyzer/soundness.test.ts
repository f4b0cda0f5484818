/**
 * Soundness: every location a transaction touches at run time (traced receipts) is inside its
 * inferred set whenever the set's class is exact or over-approximate — for every generated
 * workload and for random blocks of calls (reverting ones included). And precision on the
 * shipped samples is at least 95%.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { inferAccessSets, measurePrecision, traceAndMeasure } from "../../analyzer/analyze.js";
import { executeBlockSequential } from "../../executor/sequential.js";
import { ACCOUNTS_ADDRESS } from "../../core/protocol.js";
import type { Address, Genesis, RawArg, Tx } from "../../core/types.js";
import { deployChain } from "../../executor/chain.js";
import { withAccountContract } from "../../state/genesis.js";
import { WORKLOADS, generateWorkload } from "../../workloads/index.js";
import { SEQUENCER, address, chainOf, tx } from "./helpers.js";

const NAMES = Object.keys(WORKLOADS) as (keyof typeof WORKLOADS)[];

describe("soundness and precision on the workloads", () => {
  for (const name of NAMES) {
    for (const checkSignatures of [true, false]) {
      it(`${name} (signatures ${checkSignatures ? "checked" : "skipped"}): zero misses, every tx exact, precision >= 95%`, async () => {
        const w = generateWorkload(name, { txs: 400, seed: 7 });
        const chain = await deployChain(w.block, withAccountContract(w.genesis), process.cwd());
        const params = { block: chain.block, runtime: chain.runtime, state: chain.state, prepared: chain.prepared, checkSignatures };
        const sets = await inferAccessSets(params);
        const report = traceAndMeasure(params, sets.txs);
        expect(report.misses).toEqual([]);
        expect(report.classes.unknown).toBe(0);
        expect(report.classes.exact).toBe(sets.txs.length);
        expect(report.precision).toBeGreaterThanOrEqual(0.95);
        expect(sets.warnings).toEqual([]);
        for (const t of sets.txs) expect(t.reads.length + t.writes.length).toBeGreaterThan(0);
      });
    }
  }
});

// ---------------------------------------------------------------- random blocks

const USDC: Address = "0x00000000000000000000000000000000000a0001";
const WETH: Address = "0x00000000000000000000000000000000000a0002";
const POOL: Address = "0x00000000000000000000000000000000000b0001";
const NFT: Address = "0x00000000000000000000000000000000000c0001";
const KV: Address = "0x00000000000000000000000000000000000d0001";
const POINTER: Address = "0x00000000000000000000000000000000000f0001";
const USERS = [0, 1, 2, 3, 4].map(address);
const SENDERS: Address[] = [...USERS, SEQUENCER];
const E18 = 10n ** 18n;

function randomGenesis(): Genesis {
  const token = (addr: Address) => {
    const storage: Record<string, bigint | Address> = { minter: USERS[0]!, totalSupply: 10n ** 30n };
    for (const u of SENDERS) {
      storage[`balances/${u}`] = 1000n * E18;
      storage[`allowances/${u}/${POOL}`] = 10n ** 30n;
      storage[`allowances/${u}/${NFT}`] = 10n ** 30n;
    }
    storage[`balances/${POOL}`] = 1000n * E18;
    return { address: addr, contract: "token", storage };
  };
  const nft: Record<string, bigint | Address> = { paymentToken: USDC, minter: USERS[0]! };
  for (let id = 0; id < 6; id++) {
    nft[`owners/${id}`] = USERS[id % USERS.length]!;
    nft[`prices/${id}`] = BigInt(id + 1) * E18;
  }
  return {
    contracts: [
      token(USDC),
      token(WETH),
      { address: POOL, contract: "amm", storage: { token0: USDC, token1: WETH, reserve0: 1000n * E18, reserve1: 1000n * E18, totalShares: 1000n * E18 } },
      { address: NFT, contract: "nft", storage: nft },
      { address: KV, contract: "kv", storage: {} },
      { address: POINTER, contract: "./mutable-key.ts", storage: {} },
    ],
    accounts: SENDERS.map((a) => ({ address: a, balance: 10n ** 24n, nonce: 0n })),
  };
}

const anyAddress = fc.constantFrom<Address>(...SENDERS, USDC, WETH, POOL, NFT, KV, ACCOUNTS_ADDRESS, "0x0000000000000000000000000000000000000000", address(99));
const amount = fc.oneof(fc.bigInt(0n, 5n * E18), fc.constant(10n ** 40n), fc.constant(0n)).map(String);
const tokenId = fc.bigInt(0n, 8n).map(String);
const kvKey = fc.oneof(fc.constantFrom(`acct:${SEQUENCER}`, "slot:a", "slot:b", "code:c", `acct:${USERS[1]}`), fc.nat(20).map((h) => `slot:${h}`));

const call: fc.Arbitrary<{ to: Address; fn: string; args: RawArg[] }> = fc.oneof(
  fc.record({ to: fc.constant(ACCOUNTS_ADDRESS), fn: fc.constant("transfer"), args: fc.tuple(anyAddress, amount) }),
  fc.record({ to: fc.constant(ACCOUNTS_ADDRESS), fn: fc.constant("balanceOf"), args: fc.tuple(anyAddress) }),
  fc.record({ to: fc.constantFrom(USDC, WETH), fn: fc.constant("transfer"), args: fc.tuple(anyAddress, amount) }),
  fc.record({ to: fc.constantFrom(USDC, WETH), fn: fc.constant("approve"), args: fc.tuple(anyAddress, amount) }),
  fc.record({ to: fc.constantFrom(USDC, WETH), fn: fc.constant("transferFrom"), args: fc.tuple(anyAddress, anyAddress, amount) }),
  fc.record({ to: fc.constantFrom(USDC, WETH), fn: fc.constant("mint"), args: fc.tuple(anyAddress, amount) }),
  fc.record({ to: fc.constant(POOL), fn: fc.constant("swap"), args: fc.tuple(fc.constantFrom<Address>(USDC, WETH, NFT), amount, fc.constantFrom("0", "1000000000000000000000000000")) }),
  fc.record({ to: fc.constant(POOL), fn: fc.constant("addLiquidity"), args: fc.tuple(amount, amount) }),
  fc.record({ to: fc.constant(NFT), fn: fc.constant("buy"), args: fc.tuple(tokenId, anyAddress, fc.bigInt(0n, 7n).map((n) => (n * E18).toString())) }),
  fc.record({ to: fc.constant(NFT), fn: fc.constant("list"), args: fc.tuple(tokenId, amount) }),
  fc.record({ to: fc.constant(NFT), fn: fc.constant("mint"), args: fc.tuple(anyAddress, tokenId) }),
  fc.record({ to: fc.constant(KV), fn: fc.constant("exec"), args: fc.tuple(fc.array(kvKey, { maxLength: 4 }), fc.array(kvKey, { maxLength: 4 }), fc.bigInt(0n, 50n).map(String)) }),
  fc.record({ to: fc.constant(POINTER), fn: fc.constant("point"), args: fc.tuple(anyAddress) }),
  fc.record({ to: fc.constant(POINTER), fn: fc.constant("bump"), args: fc.constant([]) }),
) as never;

const txArb = fc.record({ sender: fc.nat(SENDERS.length - 1), call, lowGas: fc.integer({ min: 0, max: 19 }) });

describe("soundness on random blocks", () => {
  it("no exact or over-approximate set misses a touched location", async () => {
    const genesis = randomGenesis();
    const seen = new Map<string, number>();
    const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
    await fc.assert(
      fc.asyncProperty(fc.array(txArb, { minLength: 1, maxLength: 25 }), fc.boolean(), fc.integer({ min: 0, max: 9 }), async (specs, checkSignatures, nonceNoise) => {
        const nonces = new Map<Address, bigint>();
        const txs: Tx[] = specs.map((s, i) => {
          const from = SENDERS[s.sender]!;
          const nonce = nonces.get(from) ?? 0n;
          // Now and then a wrong nonce (an invalid tx) or a gas limit too low (out of gas).
          const wrong = (i + nonceNoise) % 11 === 0;
          if (!wrong) nonces.set(from, nonce + 1n);
          const gasLimit = s.lowGas === 0 ? 30_000n : s.lowGas === 1 ? 20_000n : 300_000n;
          return tx(from, wrong ? nonce + 5n : nonce, s.call.to, s.call.fn, s.call.args, gasLimit);
        });
        const chain = await chainOf(genesis, txs);
        const params = { block: chain.block, runtime: chain.runtime, state: chain.state, prepared: chain.prepared, checkSignatures };
        const sets = await inferAccessSets(params);
        const result = executeBlockSequential({ ...params, state: chain.state.clone(), trace: true });
        const report = measurePrecision(sets.txs, result.receipts);
        expect(report.misses).toEqual([]);
        for (const r of result.receipts) count(r.status);
        for (const t of sets.txs) {
          count(t.class);
          count(`fee:${t.feeRecipient}`);
          expect(t.reads.length + t.writes.length).toBeGreaterThan(0);
          if (t.class === "unknown") expect(t.reasons.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 60, seed: 42 },
    );
    // The random blocks exercise every outcome and class the sets must survive.
    for (const key of ["success", "revert", "invalid", "out-of-gas", "exact", "unknown", "fee:read", "fee:read-write"]) expect(seen.get(key) ?? 0, key).toBeGreaterThan(0);
  });
});
