import { mkdtempSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { blockToJson } from "../core/schema.js";
import { State } from "../state/state.js";
import { genesisToJson } from "../cli/commands/gen.js";
import { toJson } from "../cli/output.js";
import { ADDRESSES, WorkloadBuilder } from "../workloads/builder.js";
import { tokenTransfer } from "../workloads/tokens.js";
import { chainOf, cli } from "./helpers.js";
import { executeBlockSequential } from "../executor/sequential.js";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "prescient-cli-"));
  const gen = cli(["gen", "erc20", "--out", dir, "--txs", "20", "--seed", "5"]);
  expect(gen.status).toBe(0);
});

function writeJson(name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
}

function block(): { txs: Record<string, unknown>[] } & Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, "block.json"), "utf8"));
}

function runBad(blockValue: unknown, genesisFile = join(dir, "genesis.json")) {
  const file = writeJson("bad.json", blockValue);
  return cli(["run", "--block", file, "--genesis", genesisFile, "--json"]);
}

describe("prescient run", () => {
  it("prints the result contract and is deterministic", () => {
    const a = cli(["run", "--block", join(dir, "block.json"), "--genesis", join(dir, "genesis.json"), "--json"]);
    const b = cli(["run", "--block", join(dir, "block.json"), "--genesis", join(dir, "genesis.json"), "--json"]);
    expect(a.status, a.stderr).toBe(0);
    const result = JSON.parse(a.stdout);
    expect(result.stateRoot).toMatch(/^0x[0-9a-f]{64}$/);
    expect(JSON.parse(b.stdout).stateRoot).toBe(result.stateRoot);
    expect(result.receipts).toHaveLength(20);
    expect(result.receipts[0]).toEqual({ index: 0, status: "success", gasUsed: expect.any(Number), fee: expect.stringMatching(/^[0-9]+$/) });
    expect(Object.keys(result.stats).sort()).toEqual(["aborts", "executions", "mode", "threads", "validations", "violations", "wallMs"]);
  });

  it("chains blocks through --state-out", async () => {
    const b = new WorkloadBuilder("chain-files");
    const alice = b.account(0);
    const bob = b.account(1);
    b.deploy(ADDRESSES.usdc, "token", { [`balances/${alice.address}`]: 1000n });
    b.call(alice, tokenTransfer(ADDRESSES.usdc, alice.address, bob.address, 300n, false));
    const first = b.build();
    b.txs.length = 0;
    b.call(bob, tokenTransfer(ADDRESSES.usdc, bob.address, alice.address, 100n, false));
    b.call(alice, tokenTransfer(ADDRESSES.usdc, alice.address, bob.address, 50n, false));
    const second = { ...b.build().block, number: 2n };
    const genesisFile = writeJson("g.json", toJson(genesisToJson(first.genesis)));
    const b1 = writeJson("b1.json", toJson(blockToJson(first.block)));
    const b2 = writeJson("b2.json", toJson(blockToJson(second)));
    const s1 = join(dir, "s1.json");
    expect(cli(["run", "--block", b1, "--genesis", genesisFile, "--state-out", s1]).status).toBe(0);
    const chained = cli(["run", "--block", b2, "--genesis", s1, "--json"]);
    expect(chained.status, chained.stderr).toBe(0);

    const chain = await chainOf(first);
    const state: State = chain.state.clone();
    executeBlockSequential({ block: first.block, state, runtime: chain.runtime });
    const direct = executeBlockSequential({ block: second, state, runtime: chain.runtime });
    expect(JSON.parse(chained.stdout).stateRoot).toBe(direct.stateRoot);
    expect(direct.receipts.map((r) => r.status)).toEqual(["success", "success"]);
  });

  it("deploys a user contract from a directory outside contracts/ through genesis", () => {
    const b = new WorkloadBuilder("user");
    const alice = b.account(0);
    const vault = "0x00000000000000000000000000000000000f0001";
    b.deploy(vault, join(import.meta.dirname, "fixtures", "Vault.ts"));
    b.call(alice, { to: vault, fn: "deposit", args: ["9"] });
    const w = b.build();
    const g = genesisToJson(w.genesis) as { contracts: { contract: string }[] };
    for (const c of g.contracts) if (c.contract.endsWith("Vault.ts")) c.contract = join(import.meta.dirname, "fixtures", "Vault.ts");
    const run = cli(["run", "--block", writeJson("ub.json", toJson(blockToJson(w.block))), "--genesis", writeJson("ug.json", g), "--json", "--trace"]);
    expect(run.status, run.stderr).toBe(0);
    const receipt = JSON.parse(run.stdout).receipts[0];
    expect(receipt.status).toBe("success");
    expect(receipt.writes).toContain(`${vault}/deposits/${alice.address}`);
  });
});

describe("bad input: exit 2, one clear message, nothing written", () => {
  const cases: [string, (b: ReturnType<typeof block>) => unknown, RegExp][] = [
    ["malformed JSON", () => "{ \"txs\": [", /bad\.json: malformed JSON/],
    ["a missing field", (b) => { delete b.txs[3]!.gasLimit; return b; }, /bad\.json: txs\[3\]\.gasLimit: is required/],
    ["a wrong type", (b) => { b.txs[2]!.nonce = 5; return b; }, /bad\.json: txs\[2\]\.nonce: expected a decimal string, got 5/],
    ["an unknown contract", (b) => { b.txs[1]!.to = "0x00000000000000000000000000000000deadbeef"; return b; }, /bad\.json: txs\[1\]\.to: unknown contract: no contract is deployed at 0x0+deadbeef/],
    ["an unknown function", (b) => { b.txs[4]!.fn = "steal"; return b; }, /bad\.json: txs\[4\]\.fn: unknown function "steal" of Token/],
    ["an internal function", (b) => { b.txs[4]!.fn = "_move"; return b; }, /txs\[4\]\.fn: unknown function "_move"/],
    ["a negative amount", (b) => { (b.txs[5]!.args as string[])[1] = "-5"; return b; }, /txs\[5\]\.args\[1\]: amount: expected a u256 as a decimal string \(amounts cannot be negative\), got "-5"/],
    ["an overflowing amount", (b) => { (b.txs[6]!.args as string[])[1] = (1n << 256n).toString(); return b; }, /txs\[6\]\.args\[1\]: amount: \d+ overflows u256/],
    ["a wrong argument count", (b) => { (b.txs[7]!.args as string[]).pop(); return b; }, /txs\[7\]\.args: transfer takes 2 argument\(s\)/],
    ["a bad address", (b) => { b.txs[8]!.from = "0xABC"; return b; }, /txs\[8\]\.from: expected a lower-case 0x-prefixed 20-byte address, got "0xABC"/],
    ["an overflowing gas price", (b) => { b.txs[9]!.gasPrice = (1n << 256n).toString(); return b; }, /txs\[9\]\.gasPrice: overflows u256/],
    ["an unknown field", (b) => { b.txs[0]!.value = "1"; return b; }, /txs\[0\]: unknown field\(s\) "value"/],
    ["a missing txs array", (b) => { delete (b as { txs?: unknown }).txs; return b; }, /bad\.json: txs: is required/],
    ["a word for a number", (b) => { b.txs[3]!.gasLimit = "lots"; return b; }, /bad\.json: txs\[3\]\.gasLimit: expected a decimal string, got "lots"$/m],
    ["a number of a million digits", (b) => { b.txs[3]!.gasPrice = "9".repeat(1_000_000); return b; }, /txs\[3\]\.gasPrice: overflows u256/],
    ["an amount of a million digits", (b) => { (b.txs[6]!.args as string[])[1] = "9".repeat(1_000_000); return b; }, /txs\[6\]\.args\[1\]: amount: 9{20}\.\.\. \(1000000 digits\) overflows u256$/m],
  ];
  for (const [name, mutate, message] of cases) {
    it(name, () => {
      const out = join(dir, "never.json");
      const file = writeJson("bad.json", mutate(block()));
      const r = cli(["run", "--block", file, "--genesis", join(dir, "genesis.json"), "--state-out", out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe("");
      expect(existsSync(out)).toBe(false);
    });
  }

  it("an unknown contract module in genesis", () => {
    const genesis = JSON.parse(readFileSync(join(dir, "genesis.json"), "utf8"));
    genesis.contracts[1].contract = "nosuchsample";
    const r = runBad(block(), writeJson("badgenesis.json", genesis));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/badgenesis\.json: contracts\[1\]\.contract: unknown contract "nosuchsample"/);
  });

  it("a missing file and a missing option", () => {
    const r = cli(["run", "--block", join(dir, "nope.json"), "--genesis", join(dir, "genesis.json")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nope\.json: no such file/);
    const u = cli(["run", "--genesis", join(dir, "genesis.json")]);
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/Missing required argument: block/);
  });
});

describe("prescient demo", () => {
  it("runs the embedded default and reports", () => {
    const r = cli(["demo", "--txs", "300"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/a DeFi block of 300 transactions/);
    expect(r.stdout).toMatch(/state root 0x[0-9a-f]{64}/);
  });
});

describe("prescient schedule, mempool and parallel run", () => {
  it("schedules a generated block with the analyzer's sets", () => {
    const r = cli(["schedule", "--block", join(dir, "block.json"), "--genesis", join(dir, "genesis.json"), "--json", "--threads", "2"]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    // Independent transfers: one column, no edges, a 2-thread projection of 2×.
    expect(s.columns).toEqual([Array.from({ length: 20 }, (_, i) => i)]);
    expect(s.criticalPath.length).toBe(1);
    expect(s.projectedSpeedup["2"]).toBeCloseTo(2, 5);
    expect(s.prices.perTx).toHaveLength(20);
  });

  it("runs a block in every mode with the same root", () => {
    const roots = ["sequential", "hybrid", "columns", "blockstm"].map((mode) => {
      const r = cli(["run", "--block", join(dir, "block.json"), "--genesis", join(dir, "genesis.json"), "--json", "--mode", mode, "--threads", "2"]);
      expect(r.status, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout);
      expect(result.stats.mode).toBe(mode);
      return result.stateRoot;
    });
    expect(new Set(roots).size).toBe(1);
  });

  it("turns NDJSON access sets into conflict-free batches", () => {
    const input = [
      { id: "a", reads: [], writes: ["t/b/1"], gas: 10, priority: 1 },
      { id: "b", reads: ["t/b/1"], writes: ["t/b/2"], gas: 10, priority: 5 },
      { id: "c", reads: [], writes: ["t/b/3"], gas: 10, priority: 3 },
    ]
      .map((x) => JSON.stringify(x))
      .join("\n");
    const r = cli(["mempool"], `${input}\n`);
    expect(r.status, r.stderr).toBe(0);
    const batches = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(batches[0].txs).toEqual(["c", "a"]);
    expect(batches[1].txs).toEqual(["b"]);
    const bad = cli(["mempool"], `{"id":"x","reads":[],"writes":[],"gas":"ten"}\n`);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/line 1/);
  });
});

describe("prescient bench", () => {
  it("measures every mode against sequential in one run, as ratios", () => {
    const r = cli(["bench", "--cases", "transfers", "--txs", "300", "--repeat", "2", "--threads", "2", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.threads).toBe(2);
    expect(doc.rows).toHaveLength(1);
    const row = doc.rows[0];
    expect(row.label).toBe("transfers 300");
    expect(row.sequentialMs).toBeGreaterThan(0);
    // Every mode at one thread and at K threads, each a ratio to the sequential median measured
    // beside it (the row's is the K-thread one).
    expect(row.modes.map((m: { mode: string; threads: number }) => `${m.mode}@${m.threads}`)).toEqual(["hybrid@1", "columns@1", "blockstm@1", "hybrid@2", "columns@2", "blockstm@2"]);
    for (const m of row.modes) {
      expect(m.sequentialMs).toBeGreaterThan(0);
      expect(m.vsSequential).toBeCloseTo(m.sequentialMs / m.medianMs, 6);
      if (m.threads === 2) expect(m.sequentialMs).toBe(row.sequentialMs);
      if (m.threads === 1) expect(m.vsOneThread).toBe(1);
    }
    // The machine's own ceiling for two threads, measured before and after: a ratio of work done,
    // positive and at most a little above two (timer granularity), whatever the machine's load.
    for (const c of [doc.threadCeiling.before, doc.threadCeiling.after]) {
      expect(c).toBeGreaterThan(0);
      expect(c).toBeLessThan(2.2);
    }
  });

  it("--processes N runs the cases in N processes and gives each figure's median and range", () => {
    const r = cli(["bench", "--cases", "transfers", "--txs", "200", "--repeat", "1", "--threads", "2", "--processes", "2", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.processes).toBe(2);
    expect(doc.rows.map((x: { label: string }) => x.label)).toEqual(["transfers 200"]);
    for (const m of doc.rows[0].modes) {
      expect(m.spread.min).toBeLessThanOrEqual(m.vsSequential);
      expect(m.spread.max).toBeGreaterThanOrEqual(m.vsSequential);
      expect(m.spread.min).toBeGreaterThan(0);
    }
    expect(doc.threadCeiling.before).toBeGreaterThan(0);
  });

  it("--modes measures only the modes named", () => {
    const r = cli(["bench", "--cases", "transfers", "--txs", "200", "--repeat", "1", "--threads", "2", "--modes", "hybrid", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.rows[0].modes.map((m: { mode: string; threads: number }) => `${m.mode}@${m.threads}`)).toEqual(["hybrid@1", "hybrid@2"]);
  });
});

describe("bad options: exit 2 with the option named, never a stack", () => {
  it.each([
    [["bench", "--repeat", "0"], /--repeat/],
    [["bench", "--processes", "0"], /--processes/],
    [["bench", "--modes", "serial"], /modes/],
    [["run", "--block", "x.json", "--threads", "100"], /--threads/],
    [["gen", "erc20", "--out", "/tmp/never-written", "--txs", "-5"], /--txs/],
    [["gen", "hot", "--out", "/tmp/never-written", "--hot-ratio", "2"], /--hot-ratio/],
    [["demo", "--threads", "0"], /--threads/],
    [["analyze", "--block", "x.json"], /--genesis/],
  ])("%j", (args, message) => {
    const r = cli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});
