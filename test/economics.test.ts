/**
 * Economic attacks. A spammer hammering one hot location, in one block or block after block,
 * cannot raise the quote of anyone else's transaction: a transaction that touches none of the
 * spammer's locations keeps its multiplier or gets a lower one (the spam can only lengthen the
 * block's bottleneck, which takes the critical surcharge away from others), and one that
 * conflicts with nothing keeps the parallel discount. A transaction that lies in its declared
 * list under `strict` reverts with AccessListViolation and pays for the gas it used, in every
 * executor, while the others run as if it were not there.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlockAccessSets, TxAccessSet } from "../core/accessSet.js";
import { ACCOUNTS_ADDRESS, balanceLocation } from "../core/protocol.js";
import type { Address, Block, Tx } from "../core/types.js";
import { analyzeBlockAccessSets } from "../executor/accessSets.js";
import { prepareBlock } from "../executor/prepare.js";
import { CongestionState, DEFAULT_FEE_MODEL, quoteBlock } from "../scheduler/index.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import { ADDRESSES, BASE_FEE } from "../workloads/builder.js";
import { signTx } from "../workloads/keys.js";
import { randomChain } from "../workloads/randomBlocks.js";
import { tokenTransfer } from "../workloads/tokens.js";
import { EveryMode, differences } from "./everyMode.js";

const HOT = "pool/reserves";
const OTHER_LOCATIONS = ["tok/a", "tok/b", "tok/c", "tok/d", "nft/1", "nft/2", "vault/x", "vault/y"];

/** Others' transactions: random sets over locations the spammer never touches. */
const others = fc.array(
  fc.record({
    reads: fc.uniqueArray(fc.constantFrom(...OTHER_LOCATIONS), { maxLength: 3 }),
    writes: fc.uniqueArray(fc.constantFrom(...OTHER_LOCATIONS), { maxLength: 2 }),
    gas: fc.integer({ min: 21_000, max: 300_000 }),
    class: fc.constantFrom<TxAccessSet["class"]>("exact", "exact", "over-approximate"),
  }),
  { minLength: 1, maxLength: 20 },
);

/** A spammer: `count` transactions that all write the hot location, each from its own account. */
const spam = fc.record({ count: fc.integer({ min: 1, max: 400 }), gas: fc.integer({ min: 21_000, max: 1_000_000 }), readsToo: fc.boolean() });

function block(otherTxs: readonly Omit<TxAccessSet, "index" | "feeRecipient">[], spammer: { count: number; gas: number; readsToo: boolean } | undefined, interleave: number): BlockAccessSets {
  const txs: Omit<TxAccessSet, "index">[] = otherTxs.map((t) => ({ ...t, feeRecipient: "none" }));
  if (spammer !== undefined) {
    for (let i = 0; i < spammer.count; i++) {
      const at = (i * interleave) % (txs.length + 1);
      txs.splice(at, 0, { reads: spammer.readsToo ? [HOT, `spam/${i}`] : [`spam/${i}`], writes: [HOT, `spam/${i}`], gas: spammer.gas, class: "exact", feeRecipient: "none" });
    }
  }
  return { feeRecipientLocation: "acct:cb", txs: txs.map((t, index) => ({ ...t, index })) };
}

describe("a spammer hammering one hot location", () => {
  it("cannot raise the quote of a transaction that touches none of its locations, in one block", () => {
    fc.assert(
      fc.property(others, spam, fc.nat(7), (otherTxs, spammer, interleave) => {
        const quiet = quoteBlock(block(otherTxs, undefined, 0), { baseFee: 10n });
        const sets = block(otherTxs, spammer, interleave + 1);
        const noisy = quoteBlock(sets, { baseFee: 10n });
        const otherQuotes = noisy.quotes.filter((_, k) => !sets.txs[k]!.writes.includes(HOT));
        expect(otherQuotes.length).toBe(otherTxs.length);
        otherQuotes.forEach((q, i) => {
          const before = quiet.quotes[i]!;
          expect(q.multiplier, `tx ${i}`).toBeLessThanOrEqual(before.multiplier);
          expect(q.contendedGas).toBe(before.contendedGas);
          // One that conflicts with nothing keeps the parallel discount, whatever the spam.
          if (otherTxs[i]!.class === "exact" && before.contendedGas === 0) expect(q.multiplier).toBe(DEFAULT_FEE_MODEL.parallelDiscount);
        });
        // The spammer pays the contention it creates.
        const spamQuotes = noisy.quotes.filter((_, k) => sets.txs[k]!.writes.includes(HOT));
        if (spammer.count > 1) for (const q of spamQuotes) expect(q.multiplier).toBeGreaterThan(1);
      }),
      { numRuns: 300, seed: 8101 },
    );
  });

  it("cannot raise it block after block either: the hot location's congestion stays its own", () => {
    fc.assert(
      fc.property(others, spam, fc.integer({ min: 1, max: 20 }), (otherTxs, spammer, blocks) => {
        let congestion = CongestionState.empty();
        for (let b = 0; b < blocks; b++) congestion = congestion.next(block(otherTxs, { ...spammer, count: Math.max(2, spammer.count), gas: 1_000_000 }, 3));
        expect(congestion.multiplier(HOT)).toBeGreaterThan(1);
        const sets = block(otherTxs, spammer, 3);
        const carried = quoteBlock(sets, { baseFee: 10n, congestion });
        const fresh = quoteBlock(sets, { baseFee: 10n });
        sets.txs.forEach((t, k) => {
          if (t.writes.includes(HOT)) expect(carried.quotes[k]!.multiplier).toBeGreaterThanOrEqual(fresh.quotes[k]!.multiplier);
          else expect(carried.quotes[k]!.multiplier, `other tx ${k}`).toBe(fresh.quotes[k]!.multiplier);
        });
      }),
      { numRuns: 60, seed: 8102 },
    );
  });

  it("on a real block, with the analyzer's sets: independent transfers keep the 0.8 discount under 0, 50 or 200 spam calls", async () => {
    const chain = randomChain();
    const genesis = withAccountContract(chain.genesis);
    const { ContractRuntime } = await import("../contracts/runtime/runtime.js");
    const runtime = await ContractRuntime.create({ genesis, baseDir: import.meta.dirname });
    const [spammer, ...rest] = chain.keys;
    const multipliers: number[][] = [];
    for (const count of [0, 50, 200]) {
      const txs: Tx[] = [];
      for (let i = 0; i < count; i++) {
        txs.push(signTx({ from: spammer!.address, nonce: BigInt(i), to: ADDRESSES.kv, fn: "exec", args: [["slot:hot"], ["slot:hot"], "100"], gasLimit: 300_000n, gasPrice: BASE_FEE }, spammer!.privateKey));
      }
      // Three independent token transfers between accounts the spammer never touches.
      for (let k = 0; k < 3; k++) {
        const from = rest[2 * k]!;
        const to = rest[2 * k + 1]!;
        const call = tokenTransfer(ADDRESSES.usdc, from.address, to.address, 5n, true);
        txs.splice(Math.floor((txs.length * (k + 1)) / 4), 0, signTx({ from: from.address, nonce: 0n, to: call.to, fn: call.fn, args: call.args, gasLimit: 200_000n, gasPrice: BASE_FEE, accessList: call.accessList! }, from.privateKey));
      }
      const b: Block = { number: 1n, timestamp: 1_700_000_000n, sequencer: chain.sequencer, baseFee: BASE_FEE, txs };
      const sets = await analyzeBlockAccessSets({ block: b, prepared: prepareBlock(b, runtime), runtime, state: stateFromGenesis(genesis), checkSignatures: true });
      const quote = quoteBlock(sets, { baseFee: BASE_FEE });
      multipliers.push(quote.quotes.filter((_, i) => txs[i]!.to === ADDRESSES.usdc).map((q) => q.multiplier));
      if (count > 0) expect(Math.min(...quote.quotes.filter((_, i) => txs[i]!.to === ADDRESSES.kv).map((q) => q.multiplier))).toBeGreaterThan(1);
    }
    expect(multipliers).toEqual([
      [0.8, 0.8, 0.8],
      [0.8, 0.8, 0.8],
      [0.8, 0.8, 0.8],
    ]);
  });
});

describe("a transaction that lies in its declared list under strict", () => {
  const chain = randomChain();
  let modes: EveryMode;
  beforeAll(async () => {
    modes = await EveryMode.create(chain.genesis, import.meta.dirname, [1, 2]);
  });
  afterAll(async () => {
    await modes?.close();
  });

  it("reverts with AccessListViolation, pays its fee, writes nothing, and leaves the others as they would be without it", async () => {
    const [a, b, c, d, liar1, liar2] = chain.keys;
    const honest = (k: typeof a, to: typeof a) => {
      const call = tokenTransfer(ADDRESSES.usdc, k!.address, to!.address, 7n, true);
      return signTx({ from: k!.address, nonce: 0n, to: call.to, fn: call.fn, args: call.args, gasLimit: 200_000n, gasPrice: 11n, accessList: call.accessList! }, k!.privateKey);
    };
    const liar = (k: typeof a, to: Address) => {
      // Declares only its own balance: the transfer also reads and writes the receiver's.
      return signTx({ from: k!.address, nonce: 0n, to: ADDRESSES.usdc, fn: "transfer", args: [to, "9"], gasLimit: 200_000n, gasPrice: 13n, accessList: { reads: [], writes: [`${ADDRESSES.usdc}/balances/${k!.address}`] } }, k!.privateKey);
    };
    const withLiars: Block = { number: 1n, timestamp: 1_700_000_000n, sequencer: chain.sequencer, baseFee: BASE_FEE, txs: [honest(a, b), liar(liar1, c!.address), honest(c, d), liar(liar2, a!.address)] };
    const without: Block = { ...withLiars, txs: [withLiars.txs[0]!, withLiars.txs[2]!] };
    const result = await modes.run(withLiars, { enforce: "strict" });
    expect(differences(result)).toEqual([]);
    const receipts = result.sequential.receipts;
    for (const [i, k, to] of [[1, liar1!, c!.address], [3, liar2!, a!.address]] as const) {
      const r = receipts[i]!;
      expect(r.status).toBe("revert");
      // The transfer reads the receiver's balance before it writes it: the read is the first violation.
      expect(r.error).toBe(`AccessListViolation: read of ${ADDRESSES.usdc}/balances/${to} is not in the declared access list`);
      expect(r.gasUsed).toBeGreaterThan(21_000);
      expect(r.fee).toBe(BigInt(r.gasUsed) * 13n);
      // The fee left the liar's native balance; none of its token writes stayed.
      const state = stateFromGenesis(modes.genesis);
      const before = state.get(balanceLocation(k.address)) as bigint;
      const executor = modes.executor(2);
      await modes.parallel(withLiars, "hybrid", 2, { enforce: "strict" });
      expect(executor.state.get(`${ACCOUNTS_ADDRESS}/balance/${k.address}`)).toBe(before - r.fee);
      expect(executor.state.get(`${ADDRESSES.usdc}/balances/${k.address}`)).toBe(state.get(`${ADDRESSES.usdc}/balances/${k.address}`));
    }
    const alone = modes.sequential(without, { enforce: "strict" });
    expect([receipts[0], receipts[2]].map((r) => [r!.status, r!.gasUsed, r!.fee])).toEqual(alone.receipts.map((r) => [r.status, r.gasUsed, r.fee]));
    expect(result.sequential.stats.violations).toBe(2);
  });
});
