import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hostBridge } from "../contracts/sdk/bridge.js";
import { txHashHex } from "../core/txHash.js";
import { ACCOUNTS_ADDRESS, balanceLocation } from "../core/protocol.js";
import type { Address } from "../core/types.js";
import { ADDRESSES, NATIVE_BALANCE, WorkloadBuilder } from "../workloads/builder.js";
import { generateWorkload } from "../workloads/index.js";
import { nftBuy, swap, tokenTransfer } from "../workloads/tokens.js";
import { runWorkload } from "./helpers.js";

const tok = ADDRESSES.usdc;
const bal = (token: Address, who: Address) => `${token}/balances/${who}`;

function tokenChain() {
  const b = new WorkloadBuilder("contracts");
  const alice = b.account(0);
  const bob = b.account(1);
  const carol = b.account(2);
  b.deploy(tok, "token", { minter: alice.address, totalSupply: 1000n, [`balances/${alice.address}`]: 1000n });
  return { b, alice, bob, carol };
}

describe("token", () => {
  it("transfers, approves and transfers from, never below zero", async () => {
    const { b, alice, bob, carol } = tokenChain();
    b.call(alice, tokenTransfer(tok, alice.address, bob.address, 300n, false));
    b.call(bob, tokenTransfer(tok, bob.address, carol.address, 301n, false)); // more than bob has
    b.call(alice, { to: tok, fn: "approve", args: [carol.address, "50"] });
    b.call(carol, { to: tok, fn: "transferFrom", args: [alice.address, carol.address, "40"] });
    b.call(carol, { to: tok, fn: "transferFrom", args: [alice.address, carol.address, "11"] }); // exceeds allowance
    b.call(bob, { to: tok, fn: "mint", args: [bob.address, "5"] }); // not the minter
    b.call(alice, { to: tok, fn: "mint", args: [bob.address, "5"] });
    const { state, result } = await runWorkload(b.build());
    expect(result.receipts.map((r) => r.status)).toEqual(["success", "revert", "success", "success", "revert", "revert", "success"]);
    expect(result.receipts[1]!.error).toBe("insufficient balance: 300 < 301");
    expect(result.receipts[4]!.error).toBe("allowance exceeded: 10 < 11");
    expect(result.receipts[5]!.error).toBe("only the minter can mint");
    expect(state.get(bal(tok, alice.address))).toBe(660n);
    expect(state.get(bal(tok, bob.address))).toBe(305n);
    expect(state.get(bal(tok, carol.address))).toBe(40n);
    expect(state.get(`${tok}/allowances/${alice.address}/${carol.address}`)).toBe(10n);
    expect(state.get(`${tok}/totalSupply`)).toBe(1005n);
  });
});

describe("AMM pool", () => {
  it("keeps x·y non-decreasing, matches reserves to balances, and reverts on slippage", async () => {
    const w = generateWorkload("defi", { txs: 400, seed: 7 });
    const { state, result } = await runWorkload(w);
    const k = (s: typeof state) => (s.get(`${ADDRESSES.pool}/reserve0`) as bigint) * (s.get(`${ADDRESSES.pool}/reserve1`) as bigint);
    const { state: genesisState } = await runWorkload({ genesis: w.genesis, block: { ...w.block, txs: [] } });
    expect(k(state)).toBeGreaterThan(k(genesisState));
    expect(state.get(`${ADDRESSES.pool}/reserve0`)).toBe(state.get(bal(ADDRESSES.usdc, ADDRESSES.pool)));
    expect(state.get(`${ADDRESSES.pool}/reserve1`)).toBe(state.get(bal(ADDRESSES.weth, ADDRESSES.pool)));
    const swaps = result.receipts.filter((r) => w.block.txs[r.index]!.fn === "swap");
    expect(swaps.some((r) => r.status === "success")).toBe(true);
    expect(swaps.filter((r) => r.status === "revert").every((r) => r.error!.startsWith("slippage"))).toBe(true);
  });

  it("swaps at the constant-product price with a 0.3% fee", async () => {
    const b = new WorkloadBuilder("amm");
    const lp = b.account(0);
    const trader = b.account(1);
    b.deploy(ADDRESSES.usdc, "token", { [`balances/${lp.address}`]: 10_000n, [`balances/${trader.address}`]: 1_000n, [`allowances/${lp.address}/${ADDRESSES.pool}`]: 10n ** 9n, [`allowances/${trader.address}/${ADDRESSES.pool}`]: 10n ** 9n });
    b.deploy(ADDRESSES.weth, "token", { [`balances/${lp.address}`]: 10_000n, [`allowances/${lp.address}/${ADDRESSES.pool}`]: 10n ** 9n });
    b.deploy(ADDRESSES.pool, "amm", { token0: ADDRESSES.usdc, token1: ADDRESSES.weth });
    b.call(lp, { to: ADDRESSES.pool, fn: "addLiquidity", args: ["4000", "2000"] });
    b.call(trader, swap(trader.address, ADDRESSES.usdc, 1000n, 0n, false));
    const { state, result } = await runWorkload(b.build());
    expect(result.receipts.map((r) => r.status)).toEqual(["success", "success"]);
    const out = (1000n * 997n * 2000n) / (4000n * 1000n + 1000n * 997n);
    expect(state.get(bal(ADDRESSES.weth, trader.address))).toBe(out);
    expect(state.get(`${ADDRESSES.pool}/reserve0`)).toBe(5000n);
    expect(state.get(`${ADDRESSES.pool}/reserve1`)).toBe(2000n - out);
    expect(state.get(`${ADDRESSES.pool}/shares/${lp.address}`)).toBe(4000n);
  });
});

describe("NFT marketplace", () => {
  it("pays the seller, moves the NFT, and refuses a stale or wrong purchase", async () => {
    const b = new WorkloadBuilder("nft");
    const seller = b.account(0);
    const buyer = b.account(1);
    const late = b.account(2);
    b.deploy(ADDRESSES.usdc, "token", { [`balances/${buyer.address}`]: 500n, [`balances/${late.address}`]: 500n, [`allowances/${buyer.address}/${ADDRESSES.nft}`]: 500n, [`allowances/${late.address}/${ADDRESSES.nft}`]: 500n });
    b.deploy(ADDRESSES.nft, "nft", { paymentToken: ADDRESSES.usdc, minter: seller.address });
    b.call(seller, { to: ADDRESSES.nft, fn: "mint", args: [seller.address, "7"] });
    b.call(seller, { to: ADDRESSES.nft, fn: "list", args: ["7", "120"] });
    b.call(buyer, nftBuy(buyer.address, 7n, seller.address, 100n, false)); // wrong price
    b.call(buyer, nftBuy(buyer.address, 7n, seller.address, 120n, false));
    b.call(late, nftBuy(late.address, 7n, seller.address, 120n, false)); // already sold
    b.call(late, { to: ADDRESSES.nft, fn: "list", args: ["7", "1"] }); // not the owner
    const { state, result } = await runWorkload(b.build());
    expect(result.receipts.map((r) => r.error ?? r.status)).toEqual(["success", "success", "price changed: listed at 120", "success", "seller does not own the token", "not the owner"]);
    expect(state.get(`${ADDRESSES.nft}/owners/7`)).toBe(buyer.address);
    expect(state.get(`${ADDRESSES.nft}/prices/7`)).toBeUndefined();
    expect(state.get(bal(ADDRESSES.usdc, seller.address))).toBe(120n);
    expect(state.get(bal(ADDRESSES.usdc, buyer.address))).toBe(380n);
    expect(state.get(bal(ADDRESSES.usdc, late.address))).toBe(500n);
  });
});

describe("fees", () => {
  it("charges gasUsed × gasPrice to each sender and credits the sum to the sequencer", async () => {
    const w = generateWorkload("defi", { txs: 300, seed: 3 });
    const { state, result } = await runWorkload(w);
    const total = result.receipts.reduce((sum, r) => sum + r.fee, 0n);
    expect(total).toBeGreaterThan(0n);
    expect(state.get(balanceLocation(w.block.sequencer))).toBe(total);
    for (const r of result.receipts) expect(r.fee).toBe(BigInt(r.gasUsed) * w.block.txs[r.index]!.gasPrice);
    // Native value moved by transfers plus fees paid equals what senders lost.
    let lost = 0n;
    for (const a of w.genesis.accounts) lost += NATIVE_BALANCE - ((state.get(balanceLocation(a.address)) as bigint | undefined) ?? 0n);
    let sent = 0n;
    for (const r of result.receipts) {
      const tx = w.block.txs[r.index]!;
      if (tx.to === ACCOUNTS_ADDRESS && r.status === "success") sent += BigInt(tx.args[1] as string);
    }
    expect(lost).toBe(total + sent);
  });
});

describe("hashing", () => {
  // Contracts' hashValues and the signed transaction hash must not change with the primitive
  // that computes them (a state root or a signature would): both use the one-shot hash, checked
  // here against createHash on ASCII, UTF-8 and empty input.
  it("gives the same sha256 as createHash", () => {
    for (const text of ["", "bigint:1;string:acct:0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c;", "é€𝄞\u0000", "x".repeat(10_000)]) {
      expect(hostBridge.sha256Hex(text)).toBe(createHash("sha256").update(text).digest("hex"));
    }
    const tx = { from: ADDRESSES.usdc, nonce: 3n, to: ADDRESSES.usdc, fn: "transfer", args: ["0x01", "5"], gasLimit: 100_000n, gasPrice: 2n } as const;
    const canonical = JSON.stringify([tx.from, "3", tx.to, tx.fn, tx.args, "100000", "2", null]);
    expect(txHashHex(tx)).toBe(createHash("sha256").update(canonical).digest("hex"));
  });
});
