/**
 * No transaction, however written, takes the host down or leaves a half-done block: what escapes
 * the gas meter trips a watchdog that refuses the block (the process and the chain go on), the
 * service answers a block of attacks that once made it answer 500 or die, a first block that fails
 * leaves no state directory behind, and `run … | head` ends quietly.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../chain/chain.js";
import { blockToJson } from "../core/schema.js";
import type { Address } from "../core/types.js";
import { ContractRuntime } from "../contracts/runtime/runtime.js";
import { toJson } from "../cli/output.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { WatchdogError } from "../executor/txHost.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import { WorkloadBuilder } from "../workloads/builder.js";
import { CLI } from "./helpers.js";
import { blockBody, send, startService } from "./service/helpers.js";

const SANDBOX = join(import.meta.dirname, "fixtures", "sandbox");
const BUSY: Address = "0x00000000000000000000000000000000005a0d20";
const GAS: Address = "0x00000000000000000000000000000000005a0d21";
const MEMORY: Address = "0x00000000000000000000000000000000005a0d22";

/** A chain with the busy, gas and memory contracts, and blocks of calls to them. */
function workload(calls: readonly { to: Address; fn: string; args?: string[]; gas?: bigint }[]) {
  const b = new WorkloadBuilder("host-failures");
  b.deploy(BUSY, join(SANDBOX, "Busy.ts"));
  b.deploy(GAS, join(SANDBOX, "GasGame.ts"));
  b.deploy(MEMORY, join(SANDBOX, "Memory.ts"));
  for (const [i, c] of calls.entries()) b.call(b.account(i), { to: c.to, fn: c.fn, args: c.args ?? [], gasLimit: c.gas ?? 5_000_000n });
  return b.build();
}

const BUSY_BLOCK = workload([{ to: BUSY, fn: "busy", args: ["100000"] }]);
const ATTACKS = workload([
  { to: GAS, fn: "fractionalWork" },
  { to: GAS, fn: "negativeWork" },
  { to: MEMORY, fn: "newArrays", gas: 30_000n },
  { to: BUSY, fn: "busy", args: ["10"] },
]);

/** Run `body` with the transaction watchdog's budget set to `ms` (read when a host, or a pool's worker, starts). */
async function withWatchdog<T>(ms: number, body: () => Promise<T> | T): Promise<T> {
  const previous = process.env.PRESCIENT_TX_WATCHDOG_MS;
  process.env.PRESCIENT_TX_WATCHDOG_MS = String(ms);
  try {
    return await body();
  } finally {
    if (previous === undefined) delete process.env.PRESCIENT_TX_WATCHDOG_MS;
    else process.env.PRESCIENT_TX_WATCHDOG_MS = previous;
  }
}

describe("the transaction watchdog", () => {
  it("refuses the block of a transaction that runs past it, and the next run goes on", async () => {
    const genesis = withAccountContract(BUSY_BLOCK.genesis);
    const runtime = await ContractRuntime.create({ genesis, baseDir: "/" });
    await withWatchdog(1, () => {
      expect(() => executeBlockSequential({ block: BUSY_BLOCK.block, state: stateFromGenesis(genesis), runtime })).toThrow(WatchdogError);
    });
    const result = executeBlockSequential({ block: BUSY_BLOCK.block, state: stateFromGenesis(genesis), runtime });
    expect(result.receipts[0]!.status).toBe("success");
  });

  it("refuses it in a parallel mode too (a worker's watchdog, then the calling thread's): the chain stays at its head and commits the next block", async () => {
    const chain = await withWatchdog(1, () => Chain.open({ genesis: BUSY_BLOCK.genesis, baseDir: "/", threads: 2 }));
    try {
      const before = chain.get(`${BUSY}/total`);
      await withWatchdog(1, () => expect(chain.commitBlock({ block: BUSY_BLOCK.block, mode: "hybrid", inlineBelowSpeedup: 0 })).rejects.toThrow(WatchdogError));
      expect(chain.head.number).toBe(0n);
      expect(chain.get(`${BUSY}/total`)).toBe(before);
      // A block that never runs long enough to look at the clock commits on the same pool.
      const committed = await chain.commitBlock({ block: ATTACKS.block, mode: "hybrid" });
      expect(committed.head.number).toBe(1n);
    } finally {
      await chain.close();
    }
  });
});

describe("the service", () => {
  let service: Awaited<ReturnType<typeof startService>>;
  beforeAll(async () => {
    service = await startService({ genesis: ATTACKS.genesis, baseDir: "/", threads: 2 });
  });
  afterAll(async () => {
    await service?.close();
  });

  it("commits a block of attacks that once answered 500 (work(0.5)) or killed it (new Array(99999)), and goes on", async () => {
    const r = await send(service.url, "/execute", { body: blockBody(ATTACKS.block) });
    expect(r.status, r.text).toBe(200);
    expect(r.json.receipts.map((x: { status: string }) => x.status)).toEqual(["revert", "revert", "out-of-gas", "success"]);
    // Nobody was refunded more than they paid: every fee is at least the intrinsic gas.
    for (const receipt of r.json.receipts) expect(receipt.gasUsed).toBeGreaterThanOrEqual(21_000);
    expect((await send(service.url, "/health")).status).toBe(200);
  });
});

describe("the command line", () => {
  const dir = mkdtempSync(join(tmpdir(), "prescient-failures-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, w: ReturnType<typeof workload>) => {
    writeFileSync(join(dir, `${name}-genesis.json`), toJson(withAccountContract(w.genesis)));
    writeFileSync(join(dir, `${name}-block.json`), toJson(blockToJson(w.block)));
    return ["--genesis", join(dir, `${name}-genesis.json`), "--block", join(dir, `${name}-block.json`)];
  };

  it("leaves no state directory when the first block fails", () => {
    const files = write("busy", BUSY_BLOCK);
    const state = join(dir, "state");
    const run = spawnSync(process.execPath, [CLI, "run", "--state", state, "--mode", "sequential", ...files], { encoding: "utf8", env: { ...process.env, PRESCIENT_TX_WATCHDOG_MS: "1" } });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^error: a transaction ran more than 1 ms \(PRESCIENT_TX_WATCHDOG_MS\): it escaped the gas meter, and the block is refused\n$/);
    expect(existsSync(state)).toBe(false);
  });

  it("ends quietly when its reader stops early (run … | head)", () => {
    const files = write("attacks", ATTACKS);
    const piped = spawnSync("bash", ["-c", `"${process.execPath}" "${CLI}" run --json --trace ${files.map((f) => `"${f}"`).join(" ")} | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: "utf8" });
    expect(piped.stderr).toBe("");
    expect(piped.stdout.trim()).toBe("0");
  });
});
