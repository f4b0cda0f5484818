/**
 * Injected gas metering: an infinite loop runs out of gas, unbounded recursion ends in
 * out-of-gas or a depth revert, identically on every run; and `run --trace` receipts carry
 * every phase's accesses except the sequencer's fee credit.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileContract } from "../../contracts/runtime/compile.js";
import { ACCOUNTS_ADDRESS, balanceLocation, keyLocation, nonceLocation } from "../../core/protocol.js";
import type { Address, Genesis, Tx } from "../../core/types.js";
import { executeBlockSequential } from "../../executor/sequential.js";
import { FIXTURES, SEQUENCER, address, chainOf, tx } from "./helpers.js";

const LOOPS: Address = "0x00000000000000000000000000000000000f0002";
const A = address(1);
const B = address(2);
const genesis: Genesis = {
  contracts: [{ address: LOOPS, contract: "./loops.ts", storage: {} }],
  accounts: [
    { address: A, balance: 10n ** 24n, nonce: 0n },
    { address: SEQUENCER, balance: 10n ** 24n, nonce: 0n },
  ],
};

async function run(txs: readonly Tx[]) {
  const chain = await chainOf(genesis, txs);
  const once = () => executeBlockSequential({ block: chain.block, state: chain.state.clone(), runtime: chain.runtime, prepared: chain.prepared, checkSignatures: false, trace: true });
  const first = once();
  const second = once();
  expect(second.stateRoot).toBe(first.stateRoot);
  expect(second.receipts).toEqual(first.receipts);
  return first.receipts;
}

describe("gas metering", () => {
  it("injects a charge at every function entry and loop iteration", async () => {
    const file = join(FIXTURES, "loops.ts");
    const { js } = await compileContract(readFileSync(file, "utf8"), file);
    expect(js).toMatch(/__prescient_enter\(\d+(, \d+, \d+)?\);/);
    expect(js).toMatch(/__prescient_step\((\d+, \d+)?\);/);
    expect(js).toMatch(/__prescient_exit\(\d+\);/);
  });

  it("an infinite loop runs out of gas", async () => {
    const [r] = await run([tx(A, 0n, LOOPS, "spin", [], 100_000n)]);
    expect(r!.status).toBe("out-of-gas");
    expect(r!.gasUsed).toBe(100_000);
  });

  it("a bounded loop charges its step per iteration, one gas per few syntax nodes of its body", async () => {
    const file = join(FIXTURES, "loops.ts");
    const { js } = await compileContract(readFileSync(file, "utf8"), file);
    // count's loop: `i < times`, `i++` and `this.counter.set(add(this.counter.get(), 1n))`.
    const step = Number(/count\(times\) \{[^]*?__prescient_step\((\d+), \d+\)/.exec(js)![1]);
    expect(step).toBeGreaterThan(1);
    const [one, three] = await run([tx(A, 0n, LOOPS, "count", ["1"]), tx(A, 1n, LOOPS, "count", ["3"])]);
    expect(one!.status).toBe("success");
    expect(three!.status).toBe("success");
    // Two more iterations: 2 × (step + read + write) on top of the same entry costs.
    expect(three!.gasUsed - one!.gasUsed).toBe(2 * (step + 200 + 5000));
  });

  it("unbounded internal recursion ends in the frame-depth revert with enough gas", async () => {
    const [r] = await run([tx(A, 0n, LOOPS, "recurse", ["0"], 1_000_000n)]);
    expect(r!.status).toBe("revert");
    expect(r!.error).toBe("call depth exceeds 1024 contract frames");
  });

  it("unbounded internal recursion runs out of gas with little gas", async () => {
    const [r] = await run([tx(A, 0n, LOOPS, "recurse", ["0"], 21_500n)]);
    expect(r!.status).toBe("out-of-gas");
  });

  it("unbounded recursion through calls ends in the call-depth revert", async () => {
    const [r] = await run([tx(A, 0n, LOOPS, "recurseCall", ["0"], 1_000_000n)]);
    expect(r!.status).toBe("revert");
    expect(r!.error).toBe("call depth exceeds 64");
  });
});

describe("traced receipts", () => {
  it("include the validate and settlement phases but not the fee credit", async () => {
    const [r, fromSequencer] = await run([tx(A, 0n, ACCOUNTS_ADDRESS, "transfer", [B, "5"]), tx(SEQUENCER, 0n, ACCOUNTS_ADDRESS, "transfer", [B, "5"])]);
    expect(r!.status).toBe("success");
    expect(r!.reads).toEqual([balanceLocation(A), balanceLocation(B), nonceLocation(A)].sort());
    expect(r!.writes).toEqual([balanceLocation(A), balanceLocation(B), nonceLocation(A)].sort());
    expect(r!.reads).not.toContain(balanceLocation(SEQUENCER));
    // A transaction the sequencer sends touches its balance in its own phases.
    expect(fromSequencer!.writes).toContain(balanceLocation(SEQUENCER));
  });

  it("include the key read when signatures are checked", async () => {
    const chain = await chainOf(genesis, [tx(A, 0n, ACCOUNTS_ADDRESS, "transfer", [B, "5"])]);
    const result = executeBlockSequential({ block: chain.block, state: chain.state.clone(), runtime: chain.runtime, prepared: chain.prepared, checkSignatures: true, trace: true });
    expect(result.receipts[0]!.status).toBe("invalid");
    expect(result.receipts[0]!.reads).toContain(keyLocation(A));
  });
});
