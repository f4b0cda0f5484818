import fc from "fast-check";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessList, Address, Block, EnforcementPolicy, Genesis, Tx } from "../core/types.js";
import { ContractRuntime } from "../contracts/runtime/runtime.js";
import { ParallelExecutor, type ParallelMode } from "../executor/parallel/parallelExecutor.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { blockAccessSets } from "../executor/accessSets.js";
import { prepareBlock } from "../executor/prepare.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import { ADDRESSES, WorkloadBuilder } from "../workloads/builder.js";
import { generateWorkload, WORKLOADS } from "../workloads/index.js";
import { nativeTransfer, nftBuy, swap, tokenTransfer } from "../workloads/tokens.js";
import { signTx, type KeyPair } from "../workloads/keys.js";

const VAULT: Address = "0x00000000000000000000000000000000000f0001";
const ACCOUNTS = 8;

/** A fixed chain every random block runs on: tokens, a pool, an NFT market, a user contract. */
function fixture() {
  const b = new WorkloadBuilder("parallel-fixture");
  const keys: KeyPair[] = [];
  for (let i = 0; i < ACCOUNTS; i++) keys.push(b.account(i));
  const pool = ADDRESSES.pool;
  b.deploy(ADDRESSES.usdc, "token", { [`balances/${pool}`]: 1_000_000n });
  b.deploy(ADDRESSES.weth, "token", { [`balances/${pool}`]: 1_000_000n });
  b.deploy(pool, "amm", { token0: ADDRESSES.usdc, token1: ADDRESSES.weth, reserve0: 1_000_000n, reserve1: 1_000_000n, totalShares: 1_000_000n });
  b.deploy(ADDRESSES.nft, "nft", { paymentToken: ADDRESSES.usdc, minter: keys[0]!.address });
  b.deploy(VAULT, join(import.meta.dirname, "fixtures", "Vault.ts"));
  for (const [i, k] of keys.entries()) {
    b.store(ADDRESSES.usdc, `balances/${k.address}`, 10_000n);
    b.store(ADDRESSES.weth, `balances/${k.address}`, 10_000n);
    b.store(ADDRESSES.usdc, `allowances/${k.address}/${pool}`, 10n ** 9n);
    b.store(ADDRESSES.weth, `allowances/${k.address}/${pool}`, 10n ** 9n);
    b.store(ADDRESSES.usdc, `allowances/${k.address}/${ADDRESSES.nft}`, 10n ** 9n);
    b.store(ADDRESSES.nft, `owners/${i}`, k.address);
    b.store(ADDRESSES.nft, `prices/${i}`, 100n);
  }
  return { genesis: withAccountContract(b.build().genesis), keys, sequencer: keys[0]!.address };
}

type ListKind = "none" | "exact" | "missing" | "wildcard" | "everything" | "lying";

const txArb = fc.record({
  kind: fc.constantFrom("native", "token", "approveFrom", "swap", "buy", "deposit", "spam", "badNonce", "payFeeRecipient"),
  from: fc.nat(ACCOUNTS - 1),
  to: fc.nat(ACCOUNTS - 1),
  amount: fc.oneof(fc.bigInt(1n, 500n), fc.bigInt(9_000n, 20_000n)),
  list: fc.constantFrom<ListKind>("none", "exact", "exact", "missing", "wildcard", "everything", "lying"),
});

function applyList(kind: ListKind, exact: AccessList | undefined, from: Address): AccessList | undefined {
  if (exact === undefined || kind === "none") return undefined;
  switch (kind) {
    case "exact":
      return exact;
    case "missing":
      return { reads: exact.reads, writes: exact.writes.slice(0, -1) };
    case "wildcard":
      return { reads: exact.reads.map((l) => l.replace(/\/[^/]*$/, "/*")), writes: exact.writes.map((l) => l.replace(/\/[^/]*$/, "/*")) };
    case "everything":
      return { reads: [], writes: [`${ADDRESSES.usdc}/*`, `${ADDRESSES.weth}/*`, `${ADDRESSES.pool}/*`, `${ADDRESSES.nft}/*`, `0x0000000000000000000000000000000000000001/*`, `${VAULT}/*`] };
    case "lying":
      return { reads: [], writes: [`${ADDRESSES.usdc}/balances/${from}`] };
  }
}

function buildBlock(f: ReturnType<typeof fixture>, txs: fc.RecordValue<typeof txArb extends fc.Arbitrary<infer T> ? T : never>[]): Block {
  const nonces = new Map<Address, bigint>();
  const signed: Tx[] = [];
  const b = new WorkloadBuilder("parallel-random");
  for (const spec of txs) {
    const key = f.keys[spec.from]!;
    const other = f.keys[spec.to === spec.from ? (spec.to + 1) % ACCOUNTS : spec.to]!.address;
    let call;
    switch (spec.kind) {
      case "native":
        call = nativeTransfer(key.address, other, spec.amount, true);
        break;
      case "payFeeRecipient":
        call = nativeTransfer(key.address, f.sequencer, spec.amount, true);
        break;
      case "token":
      case "badNonce":
        call = tokenTransfer(ADDRESSES.usdc, key.address, other, spec.amount, true);
        break;
      case "approveFrom":
        call = { to: ADDRESSES.usdc, fn: "transferFrom", args: [other, key.address, spec.amount.toString()], accessList: { reads: [], writes: [`${ADDRESSES.usdc}/allowances/${other}/${key.address}`, `${ADDRESSES.usdc}/balances/${other}`, `${ADDRESSES.usdc}/balances/${key.address}`] } };
        break;
      case "swap":
        call = swap(key.address, spec.amount % 2n === 0n ? ADDRESSES.usdc : ADDRESSES.weth, spec.amount, spec.amount > 9_000n ? 10n ** 30n : 0n, true);
        break;
      case "buy":
        call = nftBuy(key.address, BigInt(spec.to), f.keys[spec.to]!.address, 100n, true);
        break;
      case "deposit":
        call = { to: VAULT, fn: "deposit", args: [spec.amount.toString()], accessList: { reads: [], writes: [`${VAULT}/deposits/${key.address}`, `${VAULT}/total`] } };
        break;
      case "spam":
        call = { to: VAULT, fn: "spam", args: [(spec.amount % 20n).toString()], gasLimit: 60_000n, accessList: { reads: [], writes: [`${VAULT}/deposits/${key.address}`] } };
        break;
    }
    const nonce = nonces.get(key.address) ?? 0n;
    const accessList = applyList(spec.list, call.accessList, key.address);
    const unsignedNonce = spec.kind === "badNonce" ? nonce + 5n : nonce;
    if (spec.kind !== "badNonce") nonces.set(key.address, nonce + 1n);
    const { accessList: _declared, ...rest } = call;
    // Sign through the builder (its nonce bookkeeping is replaced by ours).
    const tx = b.call(key, { ...rest, ...(accessList !== undefined ? { accessList } : {}) });
    signed.push(signTxWithNonce(tx, unsignedNonce, key));
  }
  return { number: 7n, timestamp: 1_700_000_000n, sequencer: f.sequencer, baseFee: 10n, txs: signed };
}

function signTxWithNonce(tx: Tx, nonce: bigint, key: KeyPair): Tx {
  const { signature: _s, ...unsigned } = tx;
  void _s;
  return signTx({ ...unsigned, nonce }, key.privateKey);
}

function comparable(receipts: readonly { status: string; gasUsed: number; fee: bigint; error?: string; events?: readonly unknown[] }[]) {
  return receipts.map((r) => ({ status: r.status, gasUsed: r.gasUsed, fee: r.fee, error: r.error, events: r.events ?? [] }));
}

describe("parallel executors give the sequential result", () => {
  const f = fixture();
  let runtime: ContractRuntime;
  const executors = new Map<number, ParallelExecutor>();
  const snapshots = new Map<number, ReturnType<ParallelExecutor["state"]["snapshotValues"]>>();

  beforeAll(async () => {
    runtime = await ContractRuntime.create({ genesis: f.genesis, baseDir: import.meta.dirname });
    for (const threads of [1, 2, 4]) {
      const executor = await ParallelExecutor.create({ genesis: f.genesis, baseDir: import.meta.dirname, threads, capacity: 1 << 16 });
      executors.set(threads, executor);
      snapshots.set(threads, executor.state.snapshotValues());
    }
  });

  afterAll(async () => {
    for (const e of executors.values()) await e.close();
  });

  let recoveries = 0;

  async function check(block: Block, genesis: Genesis, enforce: EnforcementPolicy, checkSignatures: boolean) {
    const sequential = executeBlockSequential({ block, state: stateFromGenesis(genesis), runtime, enforce, checkSignatures });
    // Declared lists alone (no analyzer): wrong lists make transactions leave their sets.
    const prepared = prepareBlock(block, runtime);
    const declaredOnly = blockAccessSets(block, prepared, { checkSignatures });
    for (const [threads, executor] of executors) {
      for (const [mode, sets] of [["hybrid", undefined], ["columns", undefined], ["hybrid", declaredOnly], ["columns", declaredOnly]] as const) {
        executor.state.restoreValues(snapshots.get(threads)!);
        const loaded = await executor.load({ block, checkSignatures, ...(sets !== undefined ? { sets } : {}) });
        const parallel = await executor.execute({ block: loaded, mode: mode as ParallelMode, enforce, events: true, inlineBelowSpeedup: 0 });
        const where = `${mode} at ${threads} thread(s), enforce ${enforce}, ${sets === undefined ? "analyzer" : "declared-only"} sets`;
        expect(parallel.stateRoot, where).toBe(sequential.stateRoot);
        expect(comparable(parallel.receipts), where).toEqual(comparable(sequential.receipts));
        expect(parallel.stats.violations, where).toBe(sequential.stats.violations);
        if (parallel.rounds > 1) recoveries++;
      }
    }
    return sequential;
  }

  it("on random blocks with reverts, out-of-gas, hot keys, wrong and missing lists, under every policy", async () => {
    let sawViolation = false;
    let sawRevert = false;
    await fc.assert(
      fc.asyncProperty(fc.array(txArb, { minLength: 1, maxLength: 40 }), fc.constantFrom<EnforcementPolicy>("strict", "fallback", "off"), fc.boolean(), async (specs, enforce, sigs) => {
        const sequential = await check(buildBlock(f, specs), f.genesis, enforce, sigs);
        if (sequential.stats.violations > 0) sawViolation = true;
        if (sequential.receipts.some((r) => r.status !== "success")) sawRevert = true;
      }),
      { numRuns: 40, seed: 20261121 },
    );
    expect(sawViolation).toBe(true);
    expect(sawRevert).toBe(true);
    // Wrong lists under fallback made some runs leave their scheduled sets and recover.
    expect(recoveries).toBeGreaterThan(0);
  });

  it("when the sequencer sends, receives and reads its balance", async () => {
    const specs = [
      { kind: "native", from: 1, to: 2, amount: 5n, list: "exact" },
      { kind: "native", from: 0, to: 3, amount: 5n, list: "exact" },
      { kind: "payFeeRecipient", from: 4, to: 0, amount: 7n, list: "exact" },
      { kind: "token", from: 5, to: 6, amount: 5n, list: "exact" },
      { kind: "native", from: 0, to: 3, amount: 5n, list: "none" },
      { kind: "token", from: 6, to: 7, amount: 5n, list: "exact" },
    ] as const;
    const sequential = await check(buildBlock(f, specs.map((s) => ({ ...s }))), f.genesis, "fallback", true);
    expect(sequential.receipts.every((r) => r.status === "success")).toBe(true);
  });
});

describe("parallel executors on every workload", () => {
  for (const name of Object.keys(WORKLOADS) as (keyof typeof WORKLOADS)[]) {
    it(name, async () => {
      const w = generateWorkload(name, { txs: 300, seed: 9, accounts: 20 });
      const genesis = withAccountContract(w.genesis);
      const runtime = await ContractRuntime.create({ genesis, baseDir: import.meta.dirname });
      const sequential = executeBlockSequential({ block: w.block, state: stateFromGenesis(genesis), runtime });
      const executor = await ParallelExecutor.create({ genesis, baseDir: import.meta.dirname, threads: 2, capacity: 1 << 16 });
      try {
        const loaded = await executor.load({ block: w.block });
        const snapshot = executor.state.snapshotValues();
        for (const mode of ["hybrid", "columns"] as ParallelMode[]) {
          executor.state.restoreValues(snapshot);
          const parallel = await executor.execute({ block: loaded, mode, events: true, inlineBelowSpeedup: 0 });
          expect(parallel.stateRoot, mode).toBe(sequential.stateRoot);
          expect(comparable(parallel.receipts), mode).toEqual(comparable(sequential.receipts));
        }
      } finally {
        await executor.close();
      }
    });
  }
});
