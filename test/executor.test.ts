import { describe, expect, it } from "vitest";
import { balanceLocation, nonceLocation } from "../core/protocol.js";
import { ADDRESSES, NATIVE_BALANCE, WorkloadBuilder } from "../workloads/builder.js";
import { generateWorkload, WORKLOADS } from "../workloads/index.js";
import { nativeTransfer, tokenTransfer } from "../workloads/tokens.js";
import { runWorkload } from "./helpers.js";
import { join } from "node:path";

const VAULT = "0x00000000000000000000000000000000000f0001";
const vaultPath = join(import.meta.dirname, "fixtures", "Vault.ts");

function vaultBuilder(seed = "vault") {
  const b = new WorkloadBuilder(seed);
  const alice = b.account(0);
  b.deploy(VAULT, vaultPath);
  return { b, alice };
}

describe("sequential executor", () => {
  it("is deterministic: the same block twice gives the same root and receipts", async () => {
    for (const name of Object.keys(WORKLOADS) as (keyof typeof WORKLOADS)[]) {
      const w = generateWorkload(name, { txs: 150, seed: 11 });
      const a = await runWorkload(w);
      const b = await runWorkload(generateWorkload(name, { txs: 150, seed: 11 }));
      expect(b.result.stateRoot, name).toBe(a.result.stateRoot);
      expect(b.result.receipts, name).toEqual(a.result.receipts);
    }
  });

  it("runs a contract from a user directory and emits events", async () => {
    const { b, alice } = vaultBuilder();
    b.call(alice, { to: VAULT, fn: "deposit", args: ["25"] });
    const { state, result } = await runWorkload(b.build());
    expect(result.receipts[0]!.status).toBe("success");
    expect(result.receipts[0]!.events).toEqual([{ contract: VAULT, name: "Deposit", args: [alice.address, 25n] }]);
    expect(state.get(`${VAULT}/deposits/${alice.address}`)).toBe(25n);
  });

  it("rolls back a revert and an out-of-gas, but still charges the fee and bumps the nonce", async () => {
    const { b, alice } = vaultBuilder();
    b.call(alice, { to: VAULT, fn: "deposit", args: ["10"] });
    b.call(alice, { to: VAULT, fn: "deposit", args: ["0"] }); // reverts
    b.call(alice, { to: VAULT, fn: "spam", args: ["1000"], gasLimit: 60_000n }); // out of gas
    b.call(alice, { to: VAULT, fn: "swallow", args: ["1000"], gasLimit: 60_000n }); // cannot catch out-of-gas
    const { state, result } = await runWorkload(b.build());
    expect(result.receipts.map((r) => r.status)).toEqual(["success", "revert", "out-of-gas", "out-of-gas"]);
    expect(result.receipts[1]!.error).toBe("zero deposit");
    expect(result.receipts[2]!.gasUsed).toBe(60_000);
    expect(state.get(`${VAULT}/deposits/${alice.address}`)).toBe(10n);
    expect(state.get(`${VAULT}/total`)).toBe(10n);
    expect(state.get(nonceLocation(alice.address))).toBe(4n);
    const fees = result.receipts.reduce((s, r) => s + r.fee, 0n);
    expect(fees).toBe(result.receipts.reduce((s, r, i) => s + BigInt(r.gasUsed) * b.txs[i]!.gasPrice, 0n));
    expect(state.get(balanceLocation(alice.address))).toBe(NATIVE_BALANCE - fees);
  });

  it("rolls back only the failing inner call when the caller catches its revert", async () => {
    const { b, alice } = vaultBuilder();
    b.call(alice, { to: VAULT, fn: "depositAndTryFail", args: ["5"] });
    const { state, result } = await runWorkload(b.build());
    expect(result.receipts[0]!.status).toBe("success");
    expect(state.get(`${VAULT}/total`)).toBe(5n);
  });

  it("excludes transactions with a bad nonce, a bad signature or no money for the max fee", async () => {
    const b = new WorkloadBuilder("invalid");
    const alice = b.account(0);
    const bob = b.account(1);
    b.call(alice, nativeTransfer(alice.address, bob.address, 1n, false));
    const replay = b.txs[0]!;
    b.txs.push(replay); // same nonce again
    const forged = { ...b.call(bob, nativeTransfer(bob.address, alice.address, 1n, false)) };
    b.txs[2] = { ...forged, args: [alice.address, "2"] }; // signature no longer matches
    b.call(alice, { ...nativeTransfer(alice.address, bob.address, 1n, false), gasLimit: NATIVE_BALANCE }); // max fee > balance
    const { state, result } = await runWorkload(b.build());
    expect(result.receipts.map((r) => r.status)).toEqual(["success", "invalid", "invalid", "invalid"]);
    expect(result.receipts[1]!.error).toBe("nonce too low: expected 1, got 0");
    expect(result.receipts[2]!.error).toBe("bad signature");
    expect(result.receipts[3]!.error).toMatch(/^cannot pay the max fee/);
    expect(result.receipts.slice(1).every((r) => r.fee === 0n && r.gasUsed === 0)).toBe(true);
    expect(state.get(nonceLocation(bob.address))).toBeUndefined();
    // Unsigned checks pass once signatures are skipped (checked upstream).
    const skipped = await runWorkload(b.build(), { checkSignatures: false });
    expect(skipped.result.receipts[2]!.status).toBe("success");
  });

  it("rejects a nonce from the future", async () => {
    const b = new WorkloadBuilder("future");
    const alice = b.account(0);
    b.call(alice, nativeTransfer(alice.address, alice.address, 1n, false));
    b.call(alice, nativeTransfer(alice.address, alice.address, 1n, false));
    const w = b.build();
    const { result } = await runWorkload({ ...w, block: { ...w.block, txs: [w.block.txs[1]!] } });
    expect(result.receipts[0]!.error).toBe("nonce too high: expected 0, got 1");
  });

  it("enforces declared lists: strict reverts with AccessListViolation and charges; fallback and off do not", async () => {
    const b = new WorkloadBuilder("lists");
    const alice = b.account(0);
    b.deploy(ADDRESSES.usdc, "token", { [`balances/${alice.address}`]: 100n });
    const honest = tokenTransfer(ADDRESSES.usdc, alice.address, ADDRESSES.sequencer, 5n, true);
    b.call(alice, honest);
    b.call(alice, { ...honest, accessList: { reads: [], writes: [`${ADDRESSES.usdc}/balances/${alice.address}`] } }); // misses the receiver
    b.call(alice, { ...honest, accessList: { reads: [], writes: [`${ADDRESSES.usdc}/balances/*`] } }); // wildcard covers both
    const w = b.build();
    const strict = await runWorkload(w, { enforce: "strict" });
    expect(strict.result.receipts.map((r) => r.status)).toEqual(["success", "revert", "success"]);
    expect(strict.result.receipts[1]!.error).toBe(
      `AccessListViolation: read of ${ADDRESSES.usdc}/balances/${ADDRESSES.sequencer} is not in the declared access list`,
    );
    expect(strict.result.receipts[1]!.fee).toBeGreaterThan(0n);
    expect(strict.result.stats.violations).toBe(1);
    const fallback = await runWorkload(w, { enforce: "fallback" });
    const off = await runWorkload(w, { enforce: "off" });
    expect(fallback.result.receipts.every((r) => r.status === "success")).toBe(true);
    expect(fallback.result.stats.violations).toBe(1);
    expect(off.result.stateRoot).toBe(fallback.result.stateRoot);
    expect(off.result.stats.violations).toBe(0);
  });

  it("records what each transaction touched when tracing", async () => {
    const b = new WorkloadBuilder("trace");
    const alice = b.account(0);
    b.deploy(ADDRESSES.usdc, "token", { [`balances/${alice.address}`]: 100n });
    b.call(alice, tokenTransfer(ADDRESSES.usdc, alice.address, ADDRESSES.sequencer, 5n, false));
    const { result } = await runWorkload(b.build(), { trace: true, checkSignatures: false });
    const r = result.receipts[0]!;
    expect(r.writes).toEqual([balanceLocation(alice.address), nonceLocation(alice.address), `${ADDRESSES.usdc}/balances/${ADDRESSES.sequencer}`, `${ADDRESSES.usdc}/balances/${alice.address}`].sort());
    expect(r.reads).toEqual(r.writes);
  });

  it("produces the state diff of a block", async () => {
    const b = new WorkloadBuilder("diff");
    const alice = b.account(0);
    b.call(alice, nativeTransfer(alice.address, ADDRESSES.usdc, 7n, false));
    const { result } = await runWorkload(b.build(), { diff: true });
    const locations = result.diff!.map((c) => c.location);
    expect(locations).toEqual([balanceLocation(ADDRESSES.usdc), balanceLocation(alice.address), balanceLocation(ADDRESSES.sequencer), nonceLocation(alice.address)].sort());
    expect(result.diff!.find((c) => c.location === balanceLocation(ADDRESSES.usdc))).toEqual({ location: balanceLocation(ADDRESSES.usdc), before: undefined, after: 7n });
  });
});
