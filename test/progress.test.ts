import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Progress, type ProgressStream } from "../cli/progress.js";
import { CLI, cli } from "./helpers.js";

class FakeTerminal implements ProgressStream {
  readonly written: string[] = [];
  constructor(readonly isTTY: boolean, readonly columns = 80) {}
  write(text: string): boolean {
    this.written.push(text);
    return true;
  }
}

describe("Progress", () => {
  it("draws nothing when stderr is not a terminal, or under --json", () => {
    for (const [tty, quiet] of [[false, false], [true, true]] as const) {
      const stream = new FakeTerminal(tty);
      const p = new Progress({ label: "gen", quiet, stream });
      p.step("signing");
      p.update(5, 10, "x");
      p.done();
      expect(p.enabled).toBe(false);
      expect(stream.written).toEqual([]);
    }
  });

  it("draws nothing on a terminal that cannot redraw a line (TERM=dumb)", () => {
    const stream = new FakeTerminal(true);
    const p = new Progress({ label: "gen", stream, env: { TERM: "dumb" } });
    p.update(5, 10, "x");
    p.step("y");
    p.done();
    expect(p.enabled).toBe(false);
    expect(stream.written).toEqual([]);
    expect(new Progress({ label: "gen", stream, env: { TERM: "xterm-256color" } }).enabled).toBe(true);
  });

  it("a terminal that reports 0 columns is taken as 80 wide; a narrow one gets a shorter bar", () => {
    const visible = (text: string) => text.replace("\r\u001b[2K", "");
    const unknown = new FakeTerminal(true, 0);
    const p = new Progress({ label: "bench", stream: unknown, now: () => 0, env: {} });
    p.update(3, 10, "a case label long enough to need cutting ".repeat(3));
    expect(visible(unknown.written[0]!)).toHaveLength(79);
    expect(visible(unknown.written[0]!)).toMatch(/^bench █{7}░{17} /);
    const narrow = new FakeTerminal(true, 30);
    new Progress({ label: "gen", stream: narrow, now: () => 0, env: {} }).update(5, 10, "signing");
    expect(visible(narrow.written[0]!).length).toBeLessThanOrEqual(29);
    expect(visible(narrow.written[0]!)).toMatch(/^gen █{4}░{4} /);
  });

  it("on a terminal: redraws one line in place, at most every interval, and clears it when done", () => {
    let now = 0;
    const stream = new FakeTerminal(true, 60);
    const p = new Progress({ label: "gen", stream, now: () => now, intervalMs: 100, env: {} });
    p.update(1, 10, "signing");
    now = 50;
    p.update(2, 10, "signing"); // too soon: skipped
    now = 150;
    p.update(3, 10, "signing");
    now = 160;
    p.update(10, 10, "signing"); // the last one always shows
    p.step("writing block.json with a name far too long for a sixty-column terminal");
    p.done();
    expect(stream.written).toHaveLength(5);
    for (const line of stream.written.slice(0, 4)) {
      expect(line.startsWith("\r\u001b[2K")).toBe(true);
      expect(line.length - 5).toBeLessThanOrEqual(59);
      expect(line).not.toContain("\n");
    }
    expect(stream.written[0]).toMatch(/^\r\u001b\[2Kgen █{2}░{22}\s+10% 1\/10 0s · signing$/);
    expect(stream.written[1]).toContain(" 3/10 ");
    expect(stream.written[2]).toContain("100% 10/10");
    expect(stream.written[3]).toMatch(/…$/);
    expect(stream.written[4]).toBe("\r\u001b[2K");
  });
});

describe("progress of the commands", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "prescient-progress-"));
  });

  /** Run the CLI with stderr taken for a terminal (it is a pipe here, so its bytes can be read). */
  function onTerminal(args: readonly string[]) {
    const pretend = "data:text/javascript,Object.defineProperty(process.stderr,'isTTY',{value:true});Object.defineProperty(process.stderr,'columns',{value:120})";
    const r = spawnSync(process.execPath, ["--import", pretend, CLI, ...args], { encoding: "utf8", env: { ...process.env, TERM: "xterm" } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it("gen, run and run --report: nothing but their output when stderr is not a terminal", () => {
    const gen = cli(["gen", "p2p", "--out", dir, "--txs", "600", "--accounts", "50"]);
    expect(gen.status, gen.stderr).toBe(0);
    expect(gen.stdout).toBe("");
    expect(gen.stderr).toBe(`wrote ${join(dir, "genesis.json")} and ${join(dir, "block.json")} (600 txs)\n`);
    const run = cli(["run", "--block", join(dir, "block.json"), "--genesis", join(dir, "genesis.json"), "--report", join(dir, "r.html")]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).not.toContain("\r");
  });

  it("on a terminal: gen and run draw on stderr only, and not under --json", () => {
    const gen = onTerminal(["gen", "p2p", "--out", dir, "--txs", "600", "--accounts", "50"]);
    expect(gen.status, gen.stderr).toBe(0);
    expect(gen.stdout).toBe("");
    expect(gen.stderr).toContain("\r\u001b[2Kgen p2p █");
    expect(gen.stderr).toContain("signing transactions");
    expect(gen.stderr).toMatch(/\r\u001b\[2Kwrote /);

    const args = ["run", "--block", join(dir, "block.json"), "--genesis", join(dir, "genesis.json"), "--mode", "sequential"];
    const text = onTerminal(args);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stderr).toContain("run · loading block.json");
    expect(text.stderr).toMatch(/run █+ 100% 600\/600 .* · executing/);
    expect(text.stdout).not.toMatch(/[\r\u001b]/);
    expect(text.stdout).toMatch(/^block 1: 600 txs/);

    const json = onTerminal([...args, "--json"]);
    expect(json.status, json.stderr).toBe(0);
    expect(json.stderr).toBe("");
    expect(JSON.parse(json.stdout).receipts).toHaveLength(600);
  });
});
