/** The runtime against a view: what it records, what it commits, and a view that stops it. */
import { describe, expect, it } from "vitest";
import { mainnetBlockSource } from "../../evm/input/mainnetBlocks.js";
import { EvmRuntime } from "../../evm/runtime/evmRuntime.js";
import { TxOverlay } from "../../evm/runtime/txOverlay.js";
import { State } from "../../state/state.js";
import { FAST_BLOCKS } from "./helpers.js";

describe("the EVM runtime on a state view", () => {
  it("records reads, commits only net writes, and returns the fee apart", async () => {
    const runtime = await EvmRuntime.create(mainnetBlockSource(FAST_BLOCKS.frontier));
    const [p] = runtime.prepareBlock();
    const view = new State(runtime.initialEntries());
    const before = new Map(view.entries());
    const r = await runtime.runTx(p!, view);
    expect(r.status).toBe(1);
    expect(r.gasUsed).toBe(21_000n);
    expect(r.fee).toBe(21_000n * (p!.tx as unknown as { gasPrice: bigint }).gasPrice);
    for (const [location, value] of r.writes) expect(view.get(location)).toBe(value);
    for (const [location, value] of before) if (!r.writes.some(([l]) => l === location)) expect(view.get(location)).toBe(value);
    expect(r.reads).toContain(`${p!.sender}/nonce`);
    expect(r.writes.map(([l]) => l)).not.toContain(`${runtime.block.coinbase}/balance`);
    runtime.applyFeeCredit(view, r.fee);
    expect(view.get(`${runtime.block.coinbase}/balance`)).toBe((before.get(`${runtime.block.coinbase}/balance`) as bigint) + r.fee);
  });

  it("lets a view's throw through untouched and commits nothing", async () => {
    const runtime = await EvmRuntime.create(mainnetBlockSource(FAST_BLOCKS.frontier));
    const [p] = runtime.prepareBlock();
    const state = new State(runtime.initialEntries());
    const stop = new Error("not ready");
    const writes: string[] = [];
    const view = {
      get: (location: string) => {
        if (location.endsWith("/balance") && location.startsWith(p!.to!)) throw stop;
        return state.get(location);
      },
      set: (location: string) => void writes.push(location),
    };
    await expect(runtime.runTx(p!, view)).rejects.toBe(stop);
    expect(writes).toEqual([]);
  });

  it("an overlay rolls back to a checkpoint and nets out a value set back", () => {
    const view = new State([["a", 1n], ["b", 2n]]);
    const overlay = new TxOverlay(view);
    overlay.write("a", 5n);
    overlay.checkpoint();
    overlay.write("b", 7n);
    overlay.write("c", 1n);
    overlay.revertCheckpoint();
    expect(overlay.read("b")).toBe(2n);
    expect(overlay.read("c")).toBeUndefined();
    overlay.write("a", 1n);
    expect(overlay.netWrites()).toEqual([]);
    expect(overlay.readLocations().sort()).toEqual(["a", "b", "c"]);
  });
});
