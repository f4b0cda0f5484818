/**
 * A sample of the fuzzed inputs through the real command line: mutated blocks, genesis files,
 * access traces and mempool streams, and damaged JSON. Every run either succeeds or exits with
 * code 2 and one line on stderr naming the file (and the field), with no stack trace, having
 * written none of its output files.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { blockToJson, readJsonFile } from "../core/schema.js";
import { withAccountContract } from "../state/genesis.js";
import { generateWorkload, mainnetTraceFile } from "../workloads/index.js";
import { toJson } from "../cli/output.js";
import { CLI } from "./helpers.js";
import { damagedText, mutated, type Json } from "./fuzz/jsonMutation.js";

interface Run {
  readonly status: number | null;
  readonly stderr: string;
}

function cli(args: readonly string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, FORCE_COLOR: "0" } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    child.on("close", (status) => resolve({ status, stderr }));
    child.stdin.end(input ?? "");
  });
}

interface Case {
  readonly label: string;
  readonly files: Record<string, string>;
  readonly args: readonly string[];
  /** Output files the command must not leave behind when it fails. */
  readonly outputs: readonly string[];
  /** The file an error must name. */
  readonly names: string;
  readonly stdin?: string;
}

describe("fuzzing the command line", () => {
  const dir = mkdtempSync(join(tmpdir(), "prescient-fuzz-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const w = generateWorkload("defi", { txs: 10, seed: 11 });
  const block = JSON.parse(toJson(blockToJson(w.block))) as Json;
  const genesis = JSON.parse(toJson(withAccountContract(w.genesis))) as Json;
  const trace = readJsonFile(mainnetTraceFile(930196)) as Json;
  const text = (doc: Json) => JSON.stringify(doc);

  const arbitrary: fc.Arbitrary<Case> = fc.oneof(
    mutated(block).map((b): Case => ({ label: "run: mutated block", files: { "block.json": text(b), "genesis.json": text(genesis) }, args: ["run", "--block", "block.json", "--genesis", "genesis.json", "--mode", "sequential", "--skip-signatures", "--json", "--state-out", "state.json"], outputs: ["state.json"], names: "block.json" })),
    mutated(genesis).map((g): Case => ({ label: "run: mutated genesis", files: { "block.json": text(block), "genesis.json": text(g) }, args: ["run", "--block", "block.json", "--genesis", "genesis.json", "--mode", "hybrid", "--threads", "2", "--json", "--state-out", "state.json"], outputs: ["state.json"], names: "genesis.json" })),
    mutated(trace).map((t): Case => ({ label: "schedule: mutated trace", files: { "trace.json": text(t) }, args: ["schedule", "--block", "trace.json", "--json", "--dot", "dag.dot", "--congestion-out", "congestion.json"], outputs: ["dag.dot", "congestion.json"], names: "trace.json" })),
    damagedText(text(block)).map((t): Case => ({ label: "analyze: damaged block", files: { "block.json": t, "genesis.json": text(genesis) }, args: ["analyze", "--block", "block.json", "--genesis", "genesis.json", "--json"], outputs: [], names: "block.json" })),
    fc.array(mutated({ id: "a", reads: ["t/b/1"], writes: ["t/b/2"], gas: 50_000, priority: 3 }), { minLength: 1, maxLength: 3 }).map((lines): Case => ({ label: "mempool: mutated lines", files: {}, args: ["mempool"], outputs: [], names: "<stdin> line", stdin: lines.map(text).join("\n") })),
  );

  it("24 fuzzed runs of run, schedule, analyze and mempool: success, or exit 2 with one line naming the file and nothing written", async () => {
    const sample = fc.sample(arbitrary, { numRuns: 24, seed: 7200 });
    let failures = 0;
    // Two at a time: the machine has two cores.
    for (let i = 0; i < sample.length; i += 2) {
      const batch = sample.slice(i, i + 2).map(async (c, k) => {
        const cwd = join(dir, `case-${i + k}`);
        rmSync(cwd, { recursive: true, force: true });
        (await import("node:fs")).mkdirSync(cwd);
        for (const [name, content] of Object.entries(c.files)) writeFileSync(join(cwd, name), content);
        const args = c.args.map((a) => (a.endsWith(".json") || a.endsWith(".dot") ? join(cwd, a) : a));
        const run = await cli(args, c.stdin);
        const where = `${c.label}: exit ${run.status}: ${run.stderr}`;
        if (run.status === 0) return;
        failures++;
        expect(run.status, where).toBe(2);
        const lines = run.stderr.trimEnd().split("\n");
        expect(lines.length, where).toBe(1);
        expect(lines[0]!.startsWith("error: "), where).toBe(true);
        expect(lines[0], where).toContain(c.names);
        expect(run.stderr, where).not.toMatch(/\n\s+at /);
        for (const out of c.outputs) expect(existsSync(join(cwd, out)), `${where}: ${out} written`).toBe(false);
      });
      await Promise.all(batch);
    }
    // Most fuzzed inputs are bad: the failure path really ran.
    expect(failures).toBeGreaterThan(10);
  });
});
