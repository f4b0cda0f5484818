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
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

/** `prescient serve` in a child process, once it says where it listens. */
function serve(args: readonly string[]): Promise<Server> {
  const child = spawn(process.execPath, [CLI, "serve", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stderr: () => stderr, exited });
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
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
    expect(server.stderr()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(genesis .*genesis\.json, in memory, hybrid on 2 thread\(s\), access lists fallback\)/);
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

  it("stops on SIGTERM after logging each committed block, exit 0", async () => {
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toMatch(/block 1: 40 txs \(\d+ success, \d+ revert, 0 out-of-gas, 0 invalid\), root 0x[0-9a-f]{64}, hybrid on \d thread\(s\)/);
    expect(server.stderr()).toMatch(/stopping after the queued commits\n$/);
  });
});

describe("prescient serve --state DIR", () => {
  it("keeps the chain in DIR: a restarted service continues from its head, without the genesis", async () => {
    const state = join(dir, "chain");
    const first = await serve(["--port", "0", "--genesis", join(dir, "genesis.json"), "--state", state, "--threads", "1"]);
    let root: string;
    try {
      expect(first.stderr()).toMatch(/\(state .*chain at block 0, hybrid on 1 thread\(s\)/);
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
      expect(second.stderr()).toMatch(/\(state .*chain at block 1, sequential,/);
      expect((await send(second.url, "/health")).json.head).toEqual({ number: "1", stateRoot: root });
    } finally {
      second.child.kill("SIGTERM");
    }
    expect(await second.exited).toBe(0);
  });
});

describe("prescient serve: usage errors exit 2", () => {
  it.each([
    [["--port", "0"], /give --genesis FILE \(a chain in memory\) or --state DIR/],
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
