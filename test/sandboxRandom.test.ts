/**
 * Total-supply conservation over random blocks: transfers, swaps, NFT sales and replays, where the
 * user contract (test/fixtures/sandbox/Chaos.ts) tries one attack per call — forged receivers,
 * negative gas, negative inner-call amounts, replaced globals, recursion through defaults, derived
 * handles. Every block runs sequentially and in every mode at 1 and 2 threads: all agree, and the
 * native currency and both tokens keep their total supply (fees move to the sequencer, nothing is
 * minted or burned). Fixed seed.
 */
import fc from "fast-check";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNTS_ADDRESS } from "../core/protocol.js";
import type { Value } from "../core/types.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import { ADDRESSES } from "../workloads/builder.js";
import { randomBlock, randomChain } from "../workloads/randomBlocks.js";
import { EveryMode, differences } from "./everyMode.js";

const CHAOS = join(import.meta.dirname, "fixtures", "sandbox", "Chaos.ts");

function supplies(entries: Iterable<readonly [string, Value]>): Record<string, bigint> {
  const sums: Record<string, bigint> = { native: 0n, usdc: 0n, weth: 0n };
  for (const [loc, value] of entries) {
    if (loc.startsWith(`${ACCOUNTS_ADDRESS}/balance/`)) sums.native! += value as bigint;
    else if (loc.startsWith(`${ADDRESSES.usdc}/balances/`)) sums.usdc! += value as bigint;
    else if (loc.startsWith(`${ADDRESSES.weth}/balances/`)) sums.weth! += value as bigint;
  }
  return sums;
}

describe("random blocks with an attacking user contract", () => {
  const chain = randomChain({ seed: "sandbox-random", userContract: { address: ADDRESSES.kv, contract: CHAOS } });
  const genesis = withAccountContract(chain.genesis);
  const before = supplies(stateFromGenesis(genesis).entries());
  let modes: EveryMode;
  beforeAll(async () => {
    modes = await EveryMode.create(chain.genesis, import.meta.dirname, [1, 2]);
  });
  afterAll(async () => {
    await modes?.close();
  });

  it("agree in every mode and conserve the native and token supplies", async () => {
    let attacks = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), async (seed) => {
        const { block, policy } = randomBlock(chain, seed, { min: 8, max: 20 });
        attacks += block.txs.filter((tx) => tx.to === ADDRESSES.kv).length;
        const result = await modes.run(block, { enforce: policy });
        expect(differences(result), `seed ${seed}`).toEqual([]);
        const state = stateFromGenesis(genesis);
        executeBlockSequential({ block, state, runtime: modes.runtime, enforce: policy });
        expect(supplies(state.entries()), `seed ${seed}`).toEqual(before);
      }),
      { seed: 24, numRuns: 14 },
    );
    // The blocks did attack (a replay call tries one attack each).
    expect(attacks).toBeGreaterThan(20);
  });
});
