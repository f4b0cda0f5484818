import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseGenesis } from "../core/schema.js";
import { stateFromGenesis } from "../state/genesis.js";
import { stateRoot } from "../state/state.js";
import { StateDb } from "../state/stateDb.js";
import { chainBlocks, replayRoots, writeChainBlocks } from "./chainBlocks.js";
import { cli, type CliResult } from "./helpers.js";

const chain = chainBlocks({ seed: "run-state", blocks: 4, txsPerBlock: 10 });
let tmp: string;
let blocks: string;
let genesis: string;
let roots: string[];
const block = (n: number) => join(blocks, `block-${n}.json`);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "prescient-run-state-"));
  blocks = join(tmp, "blocks");
  writeChainBlocks(blocks, chain);
  genesis = join(blocks, "genesis.json");
  roots = await replayRoots(chain);
});

async function headOf(dir: string) {
  const db = StateDb.open(dir);
  try {
    return db.head;
  } finally {
    await db.close();
  }
}

/** Exit 2, one line naming the problem, no stack trace, nothing on stdout. */
function expectInputError(r: CliResult, message: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stdout).toBe("");
}

describe("prescient run --state DIR", () => {
  it("commits blocks one after another in any mode, with the roots of the in-memory chain; --state-out keeps working", async () => {
    const dir = join(tmp, "chain");
    const first = cli(["run", "--block", block(1), "--genesis", genesis, "--state", dir, "--mode", "hybrid"]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(`state root ${roots[1]}`);
    expect(first.stdout).toMatch(new RegExp(`committed block 1 to ${dir}: [0-9]+ location\\(s\\) changed`));
    // The directory alone is enough from now on; a genesis, if given, must be the same one.
    const second = cli(["run", "--block", block(2), "--state", dir, "--mode", "sequential", "--json"]);
    expect(second.status, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).stateRoot).toBe(roots[2]);
    const third = cli(["run", "--block", block(3), "--genesis", genesis, "--state", dir, "--mode", "blockstm", "--json"]);
    expect(JSON.parse(third.stdout).stateRoot).toBe(roots[3]);
    const out = join(tmp, "post-4.json");
    const fourth = cli(["run", "--block", block(4), "--state", dir, "--mode", "columns", "--threads", "2", "--state-out", out, "--json"]);
    expect(JSON.parse(fourth.stdout).stateRoot).toBe(roots[4]);
    expect(stateRoot(stateFromGenesis(parseGenesis(JSON.parse(readFileSync(out, "utf8")), out)))).toBe(roots[4]);
    expect(await headOf(dir)).toEqual({ number: 4n, stateRoot: roots[4] });
  });

  it("gen --blocks N writes a chain that commits block by block to the state the single block gives", () => {
    const split = join(tmp, "split");
    const single = join(tmp, "single");
    expect(cli(["gen", "p2p", "--out", split, "--txs", "30", "--accounts", "8", "--blocks", "3"]).status).toBe(0);
    expect(cli(["gen", "p2p", "--out", single, "--txs", "30", "--accounts", "8"]).status).toBe(0);
    expect(readdirSync(split).sort()).toEqual(["block-1.json", "block-2.json", "block-3.json", "genesis.json"]);
    const dir = join(tmp, "split-chain");
    let root = "";
    for (let n = 1; n <= 3; n++) {
      const r = cli(["run", "--block", join(split, `block-${n}.json`), ...(n === 1 ? ["--genesis", join(split, "genesis.json")] : []), "--state", dir, "--mode", "sequential", "--json"]);
      expect(r.status, r.stderr).toBe(0);
      root = JSON.parse(r.stdout).stateRoot;
    }
    const whole = cli(["run", "--block", join(single, "block.json"), "--genesis", join(single, "genesis.json"), "--mode", "sequential", "--json"]);
    expect(JSON.parse(whole.stdout).stateRoot).toBe(root);
  });

  it("bad input exits 2 with one line and writes nothing", async () => {
    const dir = join(tmp, "errors");
    expect(cli(["run", "--block", block(1), "--genesis", genesis, "--state", dir, "--mode", "sequential"]).status).toBe(0);
    const head = await headOf(dir);

    expectInputError(cli(["run", "--block", block(3), "--state", dir]), /block-3\.json: number: block 3 does not follow the head: the chain is at block 1, so the next block is 2/);
    const other = join(tmp, "other");
    writeChainBlocks(other, chainBlocks({ seed: "another chain", blocks: 1, txsPerBlock: 1 }));
    expectInputError(cli(["run", "--block", block(2), "--genesis", join(other, "genesis.json"), "--state", dir]), /genesis\.json: --genesis: the genesis differs from the one .* was initialized with/);
    expect(await headOf(dir)).toEqual(head);

    const trace = join(tmp, "trace.json");
    writeFileSync(trace, JSON.stringify({ format: "access-trace/v1", chain: "mainnet", block: 1, coinbase: `0x${"00".repeat(20)}`, headerGasUsed: "0", txs: [] }));
    expectInputError(cli(["run", "--block", trace, "--state", dir]), /trace\.json: --state: an access trace carries its own pre-state and cannot extend a chain/);

    // A fresh directory: a wrong first block, or no genesis, leaves it uncreated.
    const fresh = join(tmp, "fresh");
    expectInputError(cli(["run", "--block", block(2), "--genesis", genesis, "--state", fresh]), /the chain is at block 0, so the next block is 1/);
    expectInputError(cli(["run", "--block", block(1), "--state", fresh]), /holds no chain yet: give the genesis to initialize it \(--genesis FILE\)/);
    expect(existsSync(fresh)).toBe(false);

    // Not a state directory: left as it was.
    const notes = join(tmp, "notes");
    mkdirSync(notes);
    writeFileSync(join(notes, "todo.txt"), "x");
    expectInputError(cli(["run", "--block", block(1), "--genesis", genesis, "--state", notes]), /notes is not a prescient state directory: it holds todo\.txt/);
    expect(readdirSync(notes)).toEqual(["todo.txt"]);
    expectInputError(cli(["run", "--block", block(1), "--genesis", genesis, "--state", join(notes, "todo.txt")]), /is not a prescient state directory: it is a file/);
  });
});
