import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, cli } from "../helpers.js";
import { send } from "./helpers.js";

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  /** What it printed: where it listens and how to try it. */
  readonly stdout: () => string;
  /** Its log: JSON lines. */
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

/** `prescient serve` in a child process, once it says where it listens. */
function serve(args: readonly string[]): Promise<Server> {
  const child = spawn(process.execPath, [CLI, "serve", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match !== null && stdout.includes("endpoints: ")) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stdout: () => stdout, stderr: () => stderr, exited });
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

/** The JSON lines of a log. */
function logLines(text: string): Record<string, any>[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, any>);
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "prescient-serve-"));
  expect(cli(["gen", "defi", "--out", dir, "--txs", "40", "--seed", "7"]).status).toBe(0);
});

describe("prescient serve", () => {
  let server: Server;
  beforeAll(async () => {
    server = await serve(["--port", "0", "--genesis", join(dir, "genesis.json"), "--threads", "2"]);
  });
  afterAll(() => {
    if (server.child.exitCode === null) server.child.kill("SIGKILL");
  });

  it("serves the chain of a genesis file and commits a `gen` block with `run`'s result", async () => {
    expect(server.stdout()).toMatch(/^prescient serve: listening on http:\/\/127\.0\.0\.1:\d+ \(genesis .*genesis\.json, in memory, hybrid on 2 thread\(s\), access lists fallback\)\n/);
    const block = JSON.parse(readFileSync(join(dir, "block.json"), "utf8"));
    const answer = await send(server.url, "/execute", { body: block });
    expect(answer.status, answer.text).toBe(200);
    const run = cli(["run", "--block", join(dir, "block.json"), "--genesis", join(dir, "genesis.json"), "--json", "--mode", "sequential"]);
    expect(answer.json.stateRoot).toBe(JSON.parse(run.stdout).stateRoot);
    expect(answer.json.number).toBe("1");
  });

  it("a second server on the same port: exit 2, one line", async () => {
    const port = new URL(server.url).port;
    const second = cli(["serve", "--port", port, "--genesis", join(dir, "genesis.json")]);
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^error: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  });

  it("stops on SIGTERM after logging each request and committed block as JSON lines, exit 0", async () => {
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    const log = logLines(server.stderr());
    const commit = log.find((line) => line.block === "1")!;
    expect(commit.msg).toMatch(/^block 1: 40 txs \(\d+ success, \d+ revert, 0 out-of-gas, 0 invalid\), root 0x[0-9a-f]{64}, hybrid on \d thread\(s\)/);
    expect(commit).toMatchObject({ level: 30, txs: 40, mode: "hybrid", stateRoot: expect.stringMatching(/^0x[0-9a-f]{64}$/), receipts: { invalid: 0 } });
    const request = log.find((line) => line.path === "/execute")!;
    expect(request).toMatchObject({ level: 30, method: "POST", route: "/execute", status: 200, reqId: expect.any(String), ms: expect.any(Number) });
    expect(log.at(-1)!.msg).toBe("stopping after the queued commits");
  });
});

describe("prescient serve --state DIR", () => {
  it("keeps the chain in DIR: a restarted service continues from its head, without the genesis", async () => {
    const state = join(dir, "chain");
    const first = await serve(["--port", "0", "--genesis", join(dir, "genesis.json"), "--state", state, "--threads", "1"]);
    let root: string;
    try {
      expect(first.stdout()).toMatch(/\(state .*chain at block 0, hybrid on 1 thread\(s\)/);
      const block = JSON.parse(readFileSync(join(dir, "block.json"), "utf8"));
      const answer = await send(first.url, "/execute", { body: block });
      expect(answer.status, answer.text).toBe(200);
      root = answer.json.stateRoot;
    } finally {
      first.child.kill("SIGTERM");
    }
    expect(await first.exited).toBe(0);
    const second = await serve(["--port", "0", "--state", state, "--mode", "sequential"]);
    try {
      expect(second.stdout()).toMatch(/\(state .*chain at block 1, sequential,/);
      expect((await send(second.url, "/health")).json.head).toEqual({ number: "1", stateRoot: root });
    } finally {
      second.child.kill("SIGTERM");
    }
    expect(await second.exited).toBe(0);
  });
});

describe("prescient serve with no chain given", () => {
  it("serves the embedded default chain, on which the block `gen defi` writes runs; --log-level warn logs no request", async () => {
    const blocks = join(dir, "default");
    expect(cli(["gen", "defi", "--out", blocks]).status).toBe(0);
    const server = await serve(["--port", "0", "--threads", "1", "--log-level", "warn"]);
    try {
      const url = server.url;
      // Where it listens, the chain's contracts and how to try it, as anvil and hardhat node print.
      expect(server.stdout()).toMatch(/^prescient serve: listening on http:\/\/127\.0\.0\.1:\d+ \(the embedded default chain, in memory, hybrid on 1 thread\(s\)/);
      expect(server.stdout()).toContain("0x00000000000000000000000000000000000b0001  amm, the USDC/WETH pool");
      expect(server.stdout()).toContain(`--data-binary @blocks/block.json ${url}/execute`);
      const answer = await send(url, "/execute", { body: JSON.parse(readFileSync(join(blocks, "block.json"), "utf8")) });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json.receipts).toHaveLength(1000);
      // Signatures, nonces and balances all hold: no transaction is invalid on this chain (on
      // another genesis every one would be: unknown senders).
      expect(answer.json.receipts.filter((r: { status: string }) => r.status === "invalid")).toEqual([]);
      expect(answer.json.receipts.filter((r: { status: string }) => r.status === "success").length).toBeGreaterThan(900);
    } finally {
      server.child.kill("SIGTERM");
    }
    expect(await server.exited).toBe(0);
    expect(logLines(server.stderr()).filter((line) => line.level < 40)).toEqual([]);
  });
});

describe("prescient serve: usage errors exit 2", () => {
  it.each([
    [["--port", "0", "--log-level", "loud"], /Invalid values:[\s\S]*log-level/],
    [["--port", "0", "--state", "/nonexistent-prescient-dir"], /holds no chain yet: give the genesis/],
    [["--port", "0", "--genesis", "nope.json"], /nope\.json: no such file/],
    [["--port", "70000", "--genesis", "g.json"], /--port must be a whole number from 0 to 65535/],
    [["--port", "0", "--genesis", "g.json", "--body-limit", "0"], /--body-limit must be a positive whole number/],
    [["--port", "0", "--genesis", "g.json", "--mode", "fast"], /Invalid values:[\s\S]*mode/],
  ])("serve %j", (args, message) => {
    const r = cli(["serve", ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
