/**
 * Replayed shapes (shapes.ts): a call replayed from the record of an earlier call of its shape
 * gives exactly the access set evaluating its templates gives — on every workload, on random
 * blocks under every policy, and on the cases a replay could get wrong: an argument that decides
 * only in a callee, keys that are not valid (empty, with "/"), two free inputs with one value.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { templatesForRuntime } from "../../analyzer/analyze.js";
import { Instantiator } from "../../analyzer/instantiate.js";
import { loadTemplates } from "../../analyzer/load.js";
import { ORIGIN, SENDER, decidingInputs } from "../../analyzer/shapes.js";
import { samplesDir } from "../../core/paths.js";
import type { Address, EnforcementPolicy, Genesis } from "../../core/types.js";
import { deployChain, type LoadedChain } from "../../executor/chain.js";
import { withAccountContract } from "../../state/genesis.js";
import { WORKLOADS, generateWorkload, mainnetWorkload } from "../../workloads/index.js";
import { randomBlock, randomChain } from "../../workloads/randomBlocks.js";
import { FIXTURES, address, chainOf, tx } from "./helpers.js";

async function bothWays(chain: LoadedChain, options: { enforce?: EnforcementPolicy; checkSignatures?: boolean } = {}) {
  const contracts = await templatesForRuntime(chain.runtime);
  const run = (replayShapes: boolean) => new Instantiator({ contracts, block: chain.block, state: chain.state, ...options, replayShapes }).instantiateBlock(chain.prepared);
  return { replayed: run(true), evaluated: run(false) };
}

describe("the inputs that decide a shape", () => {
  it("are the ones compared, computed with or called: the pool's token, the signature flag, the replay's keys", async () => {
    const load = (name: string) => loadTemplates(join(samplesDir(), `${name}.ts`));
    const [account, token, amm, nft, kv] = await Promise.all(["account", "token", "amm", "nft", "kv"].map(load));
    const deciding = decidingInputs([account!, token!, amm!, nft!, kv!]);
    const of = (t: typeof amm, fn: string) => [...deciding.get(t!)!.get(fn)!].sort((a, b) => a - b);
    expect(of(amm, "swap")).toEqual([0]); // tokenIn: a guard and a call target
    expect(of(token, "transfer")).toEqual([]);
    expect(of(token, "transferFrom")).toEqual([]);
    expect(of(nft, "buy")).toEqual([]);
    expect(of(account, "_validate")).toEqual([5]); // checkSignature guards the key's read
    expect(of(account, "_settle")).toEqual([]); // its guard (refund > 0) is known only after execution: the same for every call
    expect(of(kv, "exec")).toEqual([0, 1, 2]); // every key read from the arrays, the gas as work
    expect(of(amm, "swap")).not.toContain(SENDER);
    expect(of(amm, "swap")).not.toContain(ORIGIN);
  });

  it("include an argument passed on to a callee that compares it", async () => {
    const gate = await loadTemplates(join(FIXTURES, "gate.ts"));
    const deciding = decidingInputs([gate]).get(gate)!;
    expect([...deciding.get("enter")!]).toEqual([0]);
    expect([...deciding.get("route")!].sort()).toEqual([0, 1]); // the target, and who
  });
});

describe("replayed shapes give the evaluated sets", () => {
  for (const name of Object.keys(WORKLOADS) as (keyof typeof WORKLOADS)[]) {
    it(`${name}, with and without declared lists`, async () => {
      for (const declare of [true, false]) {
        const w = generateWorkload(name, { txs: 300, seed: 11, declare });
        const chain = await deployChain(w.block, withAccountContract(w.genesis), process.cwd());
        const { replayed, evaluated } = await bothWays(chain);
        expect(replayed).toStrictEqual(evaluated);
      }
    });
  }

  it("on random blocks (reverts, key-value replays, wrong declared lists) under every policy, signatures checked or not", async () => {
    const chain = randomChain();
    const policies: readonly EnforcementPolicy[] = ["strict", "fallback", "off"];
    let compared = 0;
    for (let seed = 0; seed < 24; seed++) {
      const block = randomBlock(chain, `shapes:${seed}`, { min: 20, max: 60 });
      const loaded = await deployChain(block.block, withAccountContract(chain.genesis), process.cwd());
      const { replayed, evaluated } = await bothWays(loaded, { enforce: policies[seed % 3]!, checkSignatures: seed % 2 === 0 });
      expect(replayed).toStrictEqual(evaluated);
      compared += replayed.txs.length;
    }
    expect(compared).toBeGreaterThan(600);
  });

  it("when an argument decides only in the callee, and for keys that are not valid or repeat", async () => {
    const [G, K, O] = [address(81), address(82), address(83)] as const;
    const genesis: Genesis = {
      contracts: [{ address: G, contract: "./gate.ts", storage: { keeper: K } }],
      accounts: [K, O].map((a) => ({ address: a, balance: 10n ** 24n, nonce: 0n })),
    };
    const calls: [Address, string, string][] = [
      [K, K, "k1"],
      [O, O, "k2"], // same shape as k1 but for who: must not replay k1's record
      [K, K, "k3"],
      [O, O, "a/b"], // not a key: the write reverts, nothing is added
      [O, O, ""],
      [O, O, O], // the key is the sender's own value: one location, as evaluated
    ];
    const nonces = new Map<Address, bigint>();
    const txs = calls.map(([from, who, key]) => {
      const nonce = nonces.get(from) ?? 0n;
      nonces.set(from, nonce + 1n);
      return tx(from, nonce, G, "route", [G, who, key]);
    });
    const chain = await chainOf(genesis, txs);
    const { replayed, evaluated } = await bothWays(chain);
    expect(replayed).toStrictEqual(evaluated);
    const marks = replayed.txs.map((t) => t.writes.filter((l) => l.startsWith(`${G}/`)));
    expect(marks).toEqual([[`${G}/admitted/k1`], [`${G}/refused/k2`], [`${G}/admitted/k3`], [], [], [`${G}/refused/${O}`]]);
  });
});

describe("a mainnet block", () => {
  it("of key-value replays, every call with its own arrays of keys (a new shape each time), gives the evaluated sets", async () => {
    const w = mainnetWorkload(116525);
    const chain = await deployChain(w.block, withAccountContract(w.genesis), process.cwd());
    const { replayed, evaluated } = await bothWays(chain);
    expect(replayed).toStrictEqual(evaluated);
  });
});
