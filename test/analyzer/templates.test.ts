/**
 * Templates of the shipped samples and of fixtures: classes, reasons, instantiation of the kv
 * loops, immutable storage, the fee recipient, declared-list warnings, and the caches.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inferAccessSets } from "../../analyzer/analyze.js";
import { analyzeSource, clearTemplateMemoryCache, loadTemplates, templatesHash } from "../../analyzer/load.js";
import { samplesDir } from "../../core/paths.js";
import { ACCOUNTS_ADDRESS, balanceLocation, keyLocation, nonceLocation } from "../../core/protocol.js";
import type { Address, Genesis } from "../../core/types.js";
import { FIXTURES, SEQUENCER, address, chainOf, tx } from "./helpers.js";

const KV: Address = "0x00000000000000000000000000000000000d0001";
const POINTER: Address = "0x00000000000000000000000000000000000f0001";
const A = address(1);
const B = address(2);

describe("templates of the shipped samples", () => {
  for (const name of ["account", "token", "amm", "nft", "kv"]) {
    it(`${name}: every function is exact or over-approximate`, async () => {
      const t = await loadTemplates(join(samplesDir(), `${name}.ts`));
      expect(t.error).toBeUndefined();
      const functions = Object.values(t.functions);
      expect(functions.length).toBeGreaterThan(0);
      for (const f of functions) expect([f.name, f.class]).not.toEqual([f.name, "unknown"]);
    });
  }

  it("proves the pool's tokens and the market's payment token immutable, and reserves mutable", async () => {
    const amm = await loadTemplates(join(samplesDir(), "amm.ts"));
    const immutable = Object.fromEntries(amm.fields.map((f) => [f.name, f.immutable]));
    expect(immutable).toEqual({ token0: true, token1: true, reserve0: false, reserve1: false, totalShares: false, shares: false });
    const nft = await loadTemplates(join(samplesDir(), "nft.ts"));
    expect(nft.fields.find((f) => f.name === "paymentToken")?.immutable).toBe(true);
  });
});

describe("a key from mutable storage", () => {
  it("makes the function unknown, with the reason", async () => {
    const t = await loadTemplates(join(FIXTURES, "mutable-key.ts"));
    expect(t.functions.point?.class).toBe("exact");
    const bump = t.functions.bump!;
    expect(bump.class).toBe("unknown");
    expect(bump.reasons).toEqual(["18:31: a key of credits depends on mutable storage (current is written by the contract)", "18:5: a key of credits depends on mutable storage (current is written by the contract)"]);
  });

  it("makes the transaction unknown with a non-empty set and reasons", async () => {
    const genesis: Genesis = { contracts: [{ address: POINTER, contract: "./mutable-key.ts", storage: {} }], accounts: [{ address: A, balance: 10n ** 24n, nonce: 0n }] };
    const chain = await chainOf(genesis, [tx(A, 0n, POINTER, "bump", [])]);
    const sets = await inferAccessSets({ block: chain.block, runtime: chain.runtime, state: chain.state, prepared: chain.prepared });
    const t = sets.txs[0]!;
    expect(t.class).toBe("unknown");
    expect(t.reasons[0]).toContain("a key of credits depends on mutable storage");
    expect(t.reads).toContain(`${POINTER}/current`);
    expect(t.writes).toContain(`${POINTER}/credits/*`);
    expect(t.feeRecipient).toBe("read-write");
  });
});

describe("instantiation", () => {
  const genesis: Genesis = {
    contracts: [{ address: KV, contract: "kv", storage: {} }],
    accounts: [
      { address: A, balance: 10n ** 24n, nonce: 0n },
      { address: SEQUENCER, balance: 10n ** 24n, nonce: 0n },
    ],
  };

  it("bounds the kv loops by the arguments: exact, and reads the sequencer's balance only when asked", async () => {
    const chain = await chainOf(genesis, [
      tx(A, 0n, KV, "exec", [["slot:1", "slot:2"], ["slot:3"], "10"]),
      tx(A, 1n, KV, "exec", [[`acct:${SEQUENCER}`], [], "10"]),
      tx(SEQUENCER, 0n, KV, "exec", [[], ["slot:9"], "1"]),
    ]);
    const sets = await inferAccessSets({ block: chain.block, runtime: chain.runtime, state: chain.state, prepared: chain.prepared, checkSignatures: false });
    const [t0, t1, t2] = sets.txs;
    expect(sets.feeRecipientLocation).toBe(balanceLocation(SEQUENCER));
    expect(t0!.class).toBe("exact");
    expect([...t0!.reads].sort()).toEqual([`${KV}/data/slot:1`, `${KV}/data/slot:2`, balanceLocation(A), nonceLocation(A)].sort());
    expect([...t0!.writes].sort()).toEqual([`${KV}/data/slot:3`, balanceLocation(A), nonceLocation(A)].sort());
    expect(t0!.feeRecipient).toBe("none");
    expect(t1!.reads).toContain(balanceLocation(SEQUENCER));
    expect(t1!.feeRecipient).toBe("read");
    expect(t2!.feeRecipient).toBe("read-write");
  });

  it("counts the units of the SDK's work() the arguments give in the gas estimate", async () => {
    const chain = await chainOf(genesis, [tx(A, 0n, KV, "exec", [["slot:1"], ["slot:2"], "10"]), tx(A, 1n, KV, "exec", [["slot:1"], ["slot:2"], "50000"])]);
    const templates = await loadTemplates(join(samplesDir(), "kv.ts"));
    expect(templates.functions.exec!.work).toEqual([{ units: { k: "arg", i: 2 }, guard: [] }]);
    const sets = await inferAccessSets({ block: chain.block, runtime: chain.runtime, state: chain.state, prepared: chain.prepared, checkSignatures: false });
    const [small, large] = sets.txs;
    expect(large!.gas - small!.gas).toBe(50_000 - 10);
    expect(small!.gas).toBeGreaterThan(10);
  });

  it("reads the sender's key only when signatures are checked", async () => {
    const chain = await chainOf(genesis, [tx(A, 0n, ACCOUNTS_ADDRESS, "transfer", [B, "5"])]);
    const params = { block: chain.block, runtime: chain.runtime, state: chain.state, prepared: chain.prepared };
    expect((await inferAccessSets({ ...params, checkSignatures: true })).txs[0]!.reads).toContain(keyLocation(A));
    expect((await inferAccessSets({ ...params, checkSignatures: false })).txs[0]!.reads).not.toContain(keyLocation(A));
  });

  it("merges the declared list and warns where it misses an inferred access", async () => {
    const declared = { ...tx(A, 0n, ACCOUNTS_ADDRESS, "transfer", [B, "5"]), accessList: { reads: ["x/extra"], writes: [balanceLocation(A)] } };
    const chain = await chainOf(genesis, [declared]);
    const sets = await inferAccessSets({ block: chain.block, runtime: chain.runtime, state: chain.state, prepared: chain.prepared });
    expect(sets.txs[0]!.reads).toContain("x/extra");
    expect(sets.warnings).toEqual([`tx 0: the declared list misses the inferred read of ${balanceLocation(B)}`, `tx 0: the declared list misses the inferred write of ${balanceLocation(B)}`]);
  });
});

describe("analysis of other constructs", () => {
  const head = `import { Contract, StorageMap, StorageValue, type Address } from "prescient/contract";\n`;
  it("a wildcard for keys computed from arguments, unknown for escapes and unresolvable targets", async () => {
    const source = `${head}export default class C extends Contract {
  readonly m = new StorageMap<bigint, bigint>("m", 0n);
  readonly target = new StorageValue<Address>("target", "0x0000000000000000000000000000000000000000");
  next(id: bigint): void { this.m.set(id + 1n, 1n); }
  pick(a: bigint, b: bigint): bigint { return this.m.get(a > b ? a : b); }
  retarget(t: Address): void { this.target.set(t); }
  forward(): void { this.call(this.target.get(), "f"); }
  leak(): void { helper(this); }
}
function helper(c: unknown): void {}
`;
    const t = await analyzeSource(source, "c.ts");
    expect(t.functions.next?.class).toBe("over-approximate");
    expect(t.functions.pick?.class).toBe("over-approximate");
    expect(t.functions.forward?.class).toBe("unknown");
    expect(t.functions.forward?.reasons[0]).toContain('the target of the call to "f" is not known before the block runs');
    expect(t.functions.leak?.class).toBe("unknown");
    expect(t.functions.leak?.reasons[0]).toContain("the contract instance escapes");
  });

  it("work(): its units in the template, its result as unknown as its inputs", async () => {
    const source = `import { Contract, StorageMap, work } from "prescient/contract";
export default class W extends Contract {
  readonly m = new StorageMap<bigint, bigint>("m", 0n);
  burn(units: bigint, flag: boolean): void { if (flag) work(Number(units), 1n); }
  fromArgs(units: bigint): void { this.m.set(work(1, units), 1n); }
  fromStorage(): void { this.m.set(work(1, this.m.get(0n)), 1n); }
}
`;
    const t = await analyzeSource(source, "w.ts");
    expect(t.functions.burn?.work).toEqual([{ units: { k: "arg", i: 0 }, guard: [{ k: "arg", i: 1 }] }]);
    expect(t.functions.burn?.class).toBe("exact");
    expect(t.functions.fromArgs?.class).toBe("over-approximate");
    expect(t.functions.fromStorage?.class).toBe("unknown");
    expect(t.functions.fromStorage?.reasons[0]).toContain("depends on mutable storage");
  });

  it("caches templates by source hash in memory and on disk, and takes the disk copy of a fresh process", async () => {
    const dir = mkdtempSync(join(tmpdir(), "prescient-templates-"));
    const saved = process.env.PRESCIENT_CACHE_DIR;
    process.env.PRESCIENT_CACHE_DIR = dir;
    try {
      clearTemplateMemoryCache();
      const file = join(samplesDir(), "token.ts");
      const first = await loadTemplates(file);
      expect(await loadTemplates(file)).toBe(first);
      const cached = join(dir, "templates", `${templatesHash(readFileSync(file, "utf8"))}.json`);
      const onDisk = JSON.parse(readFileSync(cached, "utf8")) as Record<string, unknown>;
      expect(onDisk).toEqual(JSON.parse(JSON.stringify(first)));
      // Mark the disk copy: with the memory cache gone (a fresh process), it is what loads.
      writeFileSync(cached, JSON.stringify({ ...onDisk, className: "FromDisk" }));
      clearTemplateMemoryCache();
      expect((await loadTemplates(file)).className).toBe("FromDisk");
      // A copy written by another analyzer version is derived again, not trusted.
      writeFileSync(cached, JSON.stringify({ ...onDisk, className: "FromDisk", analyzerVersion: -1 }));
      clearTemplateMemoryCache();
      expect((await loadTemplates(file)).className).toBe(first.className);
    } finally {
      if (saved === undefined) delete process.env.PRESCIENT_CACHE_DIR;
      else process.env.PRESCIENT_CACHE_DIR = saved;
      clearTemplateMemoryCache();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("unbounded calls", () => {
  it("recursion through calls ends in an unknown set with its reason", async () => {
    const LOOPS: Address = "0x00000000000000000000000000000000000f0002";
    const genesis: Genesis = { contracts: [{ address: LOOPS, contract: "./loops.ts", storage: {} }], accounts: [{ address: A, balance: 10n ** 24n, nonce: 0n }] };
    const chain = await chainOf(genesis, [tx(A, 0n, LOOPS, "recurseCall", ["0"]), tx(A, 1n, LOOPS, "recurse", ["0"]), tx(A, 2n, LOOPS, "count", ["5"])]);
    const sets = await inferAccessSets({ block: chain.block, runtime: chain.runtime, state: chain.state, prepared: chain.prepared });
    expect(sets.txs[0]!.class).toBe("unknown");
    expect(sets.txs[0]!.reasons).toContain("calls nested deeper than 32 are not followed");
    expect(sets.txs[1]!.class).toBe("unknown");
    expect(sets.txs[1]!.reasons[0]).toContain("recursive call to recurse is not followed");
    expect(sets.txs[2]!.class).toBe("exact");
    expect(sets.txs[2]!.writes).toContain(`${LOOPS}/counter`);
  });
});

describe("nested calls", () => {
  it("each call, siblings and callees at every depth, evaluates its keys in its own environment", async () => {
    const [R1, R2, R3] = [address(71), address(72), address(73)] as const;
    const relay = (at: Address) => ({ address: at, contract: "./relay.ts", storage: {} });
    const genesis: Genesis = { contracts: [relay(R1), relay(R2), relay(R3)], accounts: [{ address: A, balance: 10n ** 24n, nonce: 0n }] };
    const chain = await chainOf(genesis, [tx(A, 0n, R1, "fan", [R2, R3])]);
    const sets = await inferAccessSets({ block: chain.block, runtime: chain.runtime, state: chain.state, prepared: chain.prepared });
    const set = sets.txs[0]!;
    expect(set.class).toBe("exact");
    const marks = set.writes.filter((l) => l.includes("/marks/")).sort();
    expect(marks).toEqual(
      [`${R2}/marks/first`, `${R2}/marks/second`, `${R3}/marks/first`, `${R3}/marks/second`, `${R3}/marks/left`, `${R3}/marks/right`].sort(),
    );
  });
});
