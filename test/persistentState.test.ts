import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { Chain } from "../chain/chain.js";
import { InputError } from "../core/errors.js";
import type { Address, Value } from "../core/types.js";
import { MAX_U256 } from "../core/value.js";
import { decodeValue, encodeLocation, encodeValue, readLocation, rootEncodingOfStored } from "../state/codec.js";
import { rootEncoding, rootOfEntries } from "../state/root.js";
import { SharedState } from "../state/sharedState.js";
import { State } from "../state/state.js";
import { HeadMovedError, StateDb } from "../state/stateDb.js";
import { ParallelExecutor } from "../executor/parallel/parallelExecutor.js";
import { withAccountContract } from "../state/genesis.js";
import { chainBlocks, replayRoots } from "./chainBlocks.js";
import { ROOT } from "./helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "prescient-state-"));
let dirs = 0;
const freshDir = () => join(tmp, `s${++dirs}`);

const open: StateDb[] = [];
afterAll(async () => {
  for (const db of open) await db.close().catch(() => undefined);
});

function openDb(dir: string, options: { readOnly?: boolean } = {}): StateDb {
  const db = StateDb.open(dir, options);
  open.push(db);
  return db;
}

const record = (genesisRoot: string) => ({ genesisId: "test", genesisRoot, contracts: [] });

const value = fc.oneof(
  fc.bigInt({ min: 1n, max: MAX_U256 }),
  fc.bigInt({ min: 1n, max: 1n << 64n }),
  fc.constant(true as const),
  fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString("hex")}` as Address).filter((a) => !/^0x0+$/.test(a)),
);
// Locations: mostly prescient's own shape, sometimes any string at all (non-ASCII, lone surrogates).
const location = fc.oneof(
  fc.tuple(fc.constantFrom("0xa1", "0xa2", "0xb"), fc.constantFrom("balances", "nonce", "x"), fc.nat(40)).map(([c, v, k]) => `${c}/${v}/${k}`),
  fc.string({ unit: "binary", minLength: 1, maxLength: 12 }),
);

describe("codec", () => {
  it("keys sort in LMDB's byte order exactly as locations sort in JavaScript, and read back", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 10 }), fc.string({ unit: "binary", maxLength: 10 }), (a, b) => {
        const ka = encodeLocation(a);
        const kb = encodeLocation(b);
        expect(Math.sign(Buffer.compare(ka, kb))).toBe(a < b ? -1 : a > b ? 1 : 0);
        expect(readLocation(ka, 0, ka.length)).toBe(a);
      }),
      { numRuns: 2000 },
    );
  });

  it("values round-trip exactly, and their root text comes straight from the bytes", () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encodeValue(v);
        expect(decodeValue(bytes)).toEqual(v);
        expect(rootEncodingOfStored(bytes)).toBe(rootEncoding(v));
      }),
      { numRuns: 1000 },
    );
    expect(() => encodeValue(0n)).toThrow(/zero/);
    expect(() => encodeValue(-1n)).toThrow(/u256/);
    expect(() => encodeValue(MAX_U256 + 1n)).toThrow(/u256/);
  });
});

describe("StateDb", () => {
  it("keeps the genesis, the head and every change across a reopen, in order", async () => {
    const dir = freshDir();
    const entries: [string, Value][] = [
      ["0xb/x/1", 5n],
      ["0xa1/balances/0x01", MAX_U256],
      ["0xa1/owner", "0x00000000000000000000000000000000000000ff"],
      ["0xa1/flag", true],
      ["0xa1/é", 7n],
    ];
    const genesisRoot = rootOfEntries(entries);
    const db = StateDb.open(dir);
    expect(db.initialized).toBe(false);
    expect(db.initialize({ chain: record(genesisRoot), entries })).toEqual({ number: 0n, stateRoot: genesisRoot });
    db.commit({ number: 1n, stateRoot: "0xroot1", parent: { number: 0n, stateRoot: genesisRoot }, changes: [["0xa1/flag", undefined], ["0xa1/new", 9n]] });
    await db.close();

    const again = openDb(dir);
    expect(again.initialized).toBe(true);
    expect(again.head).toEqual({ number: 1n, stateRoot: "0xroot1" });
    expect(again.chain.genesisRoot).toBe(genesisRoot);
    const expected = new State(entries);
    expected.set("0xa1/flag", undefined);
    expected.set("0xa1/new", 9n);
    const stored = Array.from(again.entries());
    expect(stored.map(([l]) => l)).toEqual(Array.from(expected.entries(), ([l]) => l).sort());
    expect(new Map(stored)).toEqual(new Map(expected.entries()));
    expect(again.get("0xa1/flag")).toBeUndefined();
    expect(again.size).toBe(expected.size);
  });

  it("a commit is all or nothing: a bad value, a stale parent or an oversized key writes nothing", () => {
    const dir = freshDir();
    const db = openDb(dir);
    const genesisRoot = rootOfEntries([["0xa/1", 1n]]);
    const head = db.initialize({ chain: record(genesisRoot), entries: [["0xa/1", 1n]] });
    const before = () => ({ head: db.head, entries: Array.from(db.entries()) });
    const snapshot = before();
    // A value that cannot be stored, after good ones.
    expect(() => db.commit({ number: 1n, stateRoot: "0x1", parent: head, changes: [["0xa/1", 2n], ["0xa/2", 3n], ["0xa/3", -1n]] })).toThrow(/u256/);
    expect(before()).toEqual(snapshot);
    expect(() => db.commit({ number: 1n, stateRoot: "0x1", parent: { number: 0n, stateRoot: "0xother" }, changes: [["0xa/1", 2n]] })).toThrow(HeadMovedError);
    expect(before()).toEqual(snapshot);
    expect(() => db.commit({ number: 1n, stateRoot: "0x1", parent: head, changes: [["0xa/1", 2n], [`0xa/${"k".repeat(5000)}`, 1n]] })).toThrow(/too long to persist/);
    expect(before()).toEqual(snapshot);
    db.commit({ number: 1n, stateRoot: "0x1", parent: head, changes: [["0xa/1", 2n]] });
    expect(db.head.number).toBe(1n);
    expect(db.get("0xa/1")).toBe(2n);
  });

  it("refuses a directory that is not a prescient state, and says why", () => {
    const file = join(tmp, "plain-file");
    writeFileSync(file, "x");
    expect(() => StateDb.probe(file)).toThrow(/is not a prescient state directory: it is a file/);
    const other = freshDir();
    mkdirSync(other);
    writeFileSync(join(other, "notes.txt"), "x");
    expect(() => StateDb.probe(other)).toThrow(/it holds notes\.txt/);
    const garbage = freshDir();
    mkdirSync(garbage);
    writeFileSync(join(garbage, "data.mdb"), "this is not an LMDB file".repeat(300));
    expect(() => StateDb.open(garbage)).toThrow(/its data\.mdb is not an LMDB data file/);
    expect(readdirSync(garbage)).toEqual(["data.mdb"]);
    expect(StateDb.probe(freshDir())).toBe("none");
  });
});

describe("SharedState over a base", () => {
  it("reads, writes, roots, entries and changes agree with an in-memory State for any operations", () => {
    let n = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(location, value), { maxLength: 30 }),
        fc.array(fc.tuple(location, fc.option(value, { nil: undefined })), { maxLength: 30 }),
        (initial, ops) => {
          const db = openDb(join(tmp, `prop-${++n}`));
          const reference = new State(initial);
          db.initialize({ chain: record(rootOfEntries(reference.entries())), entries: reference.entries() });
          const state = SharedState.create({ base: db, capacity: 1024 });
          for (const [loc, v] of ops) {
            expect(state.get(loc)).toEqual(reference.get(loc));
            state.set(loc, v);
            reference.set(loc, v);
          }
          expect(state.root()).toBe(rootOfEntries(reference.entries()));
          expect(Array.from(state.entries())).toEqual(Array.from(reference.entries()).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
          expect(state.size).toBe(reference.size);
          // The changes are exactly what a commit must write.
          const changed = new Set(ops.map(([loc]) => loc));
          for (const [loc, v] of state.changes()) {
            expect(changed.has(loc)).toBe(true);
            expect(v).toEqual(reference.get(loc));
          }
          db.commit({ number: 1n, stateRoot: state.root(), parent: db.head, changes: state.changes() });
          state.clearChanges();
          state.resetToBase();
          expect(state.interned).toBe(0);
          expect(state.root()).toBe(rootOfEntries(reference.entries()));
          for (const [loc] of ops) expect(state.get(loc)).toEqual(reference.get(loc));
          void db.close();
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("Chain", () => {
  const blocks = chainBlocks({ seed: "chain-equivalence", blocks: 8, txsPerBlock: 12 });
  const roots = replayRoots(blocks);

  it("commits blocks through a state directory with the roots of the in-memory replay, in every mode, across reopenings", async () => {
    const expected = await roots;
    const modes = ["sequential", "hybrid", "columns", "blockstm"] as const;
    const dir = freshDir();
    let chain = await Chain.open({ stateDir: dir, genesis: blocks.genesis, baseDir: ROOT, threads: 2 });
    expect(existsSync(dir)).toBe(false); // written at the first commit
    expect(chain.head).toEqual({ number: 0n, stateRoot: expected[0] });
    for (const block of blocks.blocks) {
      const n = Number(block.number);
      const { result, head } = await chain.commitBlock({ block, mode: modes[n % modes.length]!, inlineBelowSpeedup: 0 });
      expect(result.stateRoot, `block ${n}`).toBe(expected[n]);
      expect(head).toEqual({ number: block.number, stateRoot: expected[n] });
      if (n % 3 === 0) {
        // A restarted service: the directory alone is enough.
        await chain.close();
        chain = await Chain.open({ stateDir: dir, threads: n % 2 === 0 ? 1 : 2 });
        expect(chain.head).toEqual(head);
      }
    }
    expect(rootOfEntries(chain.state.entries())).toBe(expected.at(-1));
    await chain.close();
  });

  it("in memory, and over a tiny cache that is emptied between blocks, gives the same roots", async () => {
    const expected = await roots;
    const memory = await Chain.open({ genesis: blocks.genesis, baseDir: ROOT, threads: 2 });
    const tiny = await Chain.open({ stateDir: freshDir(), genesis: blocks.genesis, baseDir: ROOT, threads: 2, capacity: 48 });
    const cached: number[] = [];
    for (const block of blocks.blocks) {
      const n = Number(block.number);
      expect((await memory.commitBlock({ block, mode: "hybrid" })).result.stateRoot).toBe(expected[n]);
      // Workers run these blocks (never inline), so they must drop their caches when the main thread does.
      expect((await tiny.commitBlock({ block, mode: n % 2 === 0 ? "hybrid" : "blockstm", inlineBelowSpeedup: 0 })).result.stateRoot).toBe(expected[n]);
      cached.push((tiny.state as SharedState).interned);
    }
    // The cache was emptied (it shrank between blocks) and never outgrew its capacity.
    expect(cached.some((c, i) => i > 0 && c < cached[i - 1]!)).toBe(true);
    expect(Math.max(...cached)).toBeLessThanOrEqual(48);
    await memory.close();
    await tiny.close();
  });

  it("reads the head while a block is being committed, and queues concurrent commits", async () => {
    const expected = await roots;
    const sender = blocks.blocks[0]!.txs[0]!.from;
    const nonce = `0x0000000000000000000000000000000000000001/nonce/${sender}`;
    // Every transaction is valid, so the sender's nonce after block h counts its transactions up to h.
    const nonceAt = (h: bigint) => blocks.blocks.filter((b) => b.number <= h).reduce((n, b) => n + BigInt(b.txs.filter((t) => t.from === sender).length), 0n);
    for (const stateDir of [undefined, freshDir()]) {
      const chain = await Chain.open({ ...(stateDir !== undefined ? { stateDir } : {}), genesis: blocks.genesis, baseDir: ROOT, threads: 2 });
      expect(chain.get(nonce)).toBeUndefined();
      const samples: [bigint, Value | undefined, boolean][] = [];
      const sample = setInterval(() => samples.push([chain.head.number, chain.get(nonce), chain.committing]), 0);
      const all = blocks.blocks.map((block) => chain.commitBlock({ block, mode: "hybrid", inlineBelowSpeedup: 0 }));
      const heads = await Promise.all(all);
      clearInterval(sample);
      expect(heads.map((h) => h.head.stateRoot)).toEqual(expected.slice(1));
      expect(samples.some(([, , committing]) => committing)).toBe(true);
      for (const [head, seen] of samples) expect(seen ?? 0n).toBe(nonceAt(head));
      expect(chain.get(nonce)).toBe(nonceAt(8n));
      await chain.close();
    }
  });

  it("refuses a block that does not follow the head, a different genesis, and a directory without a chain; nothing is written", async () => {
    const dir = freshDir();
    const chain = await Chain.open({ stateDir: dir, genesis: blocks.genesis, baseDir: ROOT, threads: 1 });
    await expect(chain.commitBlock({ block: blocks.blocks[1]! })).rejects.toThrow(/block 2 does not follow the head: the chain is at block 0, so the next block is 1/);
    expect(existsSync(dir)).toBe(false);
    await chain.commitBlock({ block: blocks.blocks[0]!, mode: "sequential" });
    await expect(chain.commitBlock({ block: blocks.blocks[0]! })).rejects.toThrow(InputError);
    const head = chain.head;
    await chain.close();

    const other = chainBlocks({ seed: "another chain", blocks: 1, txsPerBlock: 1 });
    await expect(Chain.open({ stateDir: dir, genesis: other.genesis, baseDir: ROOT })).rejects.toThrow(/the genesis differs from the one .* was initialized with/);
    await expect(Chain.open({ stateDir: freshDir() })).rejects.toThrow(/holds no chain yet: give the genesis/);
    const reopened = await Chain.open({ stateDir: dir, genesis: blocks.genesis, baseDir: ROOT, threads: 1 });
    expect(reopened.head).toEqual(head);
    expect(readdirSync(dir).sort()).toEqual(["data.mdb", "lock.mdb"]);
    await reopened.close();
  });

  it("refuses to reopen a directory whose contract code changed since it was initialized", async () => {
    const code = join(tmp, "Vault.ts");
    copyFileSync(join(ROOT, "test", "fixtures", "Vault.ts"), code);
    const vault = "0x00000000000000000000000000000000000f0001" as Address;
    const genesis = { ...blocks.genesis, contracts: [...blocks.genesis.contracts, { address: vault, contract: code, storage: {} }] };
    const dir = freshDir();
    const chain = await Chain.open({ stateDir: dir, genesis, baseDir: ROOT, threads: 1 });
    await chain.commitBlock({ block: blocks.blocks[0]!, mode: "sequential" });
    await chain.close();
    await (await Chain.open({ stateDir: dir, threads: 1 })).close();
    appendFileSync(code, "\n// changed\n");
    await expect(Chain.open({ stateDir: dir, threads: 1 })).rejects.toThrow(/the contract at 0x0+f0001 \(.*Vault\.ts\) changed since .* was initialized/);
  });

  it("a worker failure mid-block over a base restores the pre-block state and still gives the sequential root", async () => {
    const expected = await roots;
    const dir = freshDir();
    const chain = await Chain.open({ stateDir: dir, genesis: blocks.genesis, baseDir: ROOT, threads: 1 });
    await chain.commitBlock({ block: blocks.blocks[0]!, mode: "sequential" });
    await chain.close();
    const db = openDb(dir);
    const genesis = withAccountContract(blocks.genesis);
    for (const kind of ["throw", "exit"] as const) {
      const executor = await ParallelExecutor.create({ genesis, baseDir: ROOT, threads: 2, state: SharedState.create({ base: db }) });
      const result = await executor.execute({ block: blocks.blocks[1]!, mode: "hybrid", inlineBelowSpeedup: 0, testHook: { fault: { tx: 5, kind } } });
      expect(result.workerFailure).toBeDefined();
      expect(result.stateRoot).toBe(expected[2]);
      await executor.close();
    }
  });
});
